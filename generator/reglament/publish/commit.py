"""A destination's commits: its sites' planned operations run by mike, onto the destination's temporary branch.

mike runs in a child process whose working folder is the repository
(:mod:`reglament.publish.mike_runner`), company after company, one commit each.
With ``--purge-history`` the result becomes one new commit holding its final tree.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from reglament.errors import PublishError
from reglament.publish.build import EditionSite
from reglament.publish.destinations import DestinationState
from reglament.publish.plan import Operation, internal_editions, plan_site, remove_internal_builds
from reglament.publish.root_index import root_index
from reglament.publish.tagged import Source
from reglament.publish.targets import Target, of_company, target_is_internal
from reglament.source import git


def run_mike(root: Path, *, branch: str, operations: list[Operation]) -> list[str]:
    """Run ``operations`` in the mike child process onto ``branch``; its answer per operation (``committed``…)."""
    request = json.dumps({"branch": branch, "operations": operations}, ensure_ascii=False)
    proc = subprocess.run(
        [sys.executable, "-m", "reglament.publish.mike_runner"],
        input=request.encode("utf-8"),
        capture_output=True,
        cwd=root,
        check=False,
    )
    try:
        answer = json.loads(proc.stdout.decode("utf-8").strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError, UnicodeDecodeError):
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PublishError(f"mike failed: {detail[-1] if detail else f'exit code {proc.returncode}'}") from None
    if not answer.get("ok"):
        raise PublishError(f"mike failed: {answer.get('error')}")
    return answer["results"]


def commit_destination(
    root: Path,
    state: DestinationState,
    *,
    source: Source,
    sites: list[EditionSite],
    alias: str,
    force: bool,
    who: str,
    today: dt.date,
    public: bool,
    purge: bool,
) -> None:
    """mike's commits for the destination's sites, on a temporary branch that starts at its base."""
    dest = state.dest
    if state.base is not None:
        git.update_ref(root, ref=state.temp_ref, new=state.base, expected=None)
    operations: list[Operation] = []
    for site in sites:
        target = site.target
        drop = (
            frozenset()
            if dest.internal
            else internal_editions(root, base=state.base, prefix=target.prefix, company=target.company)
        )
        result, planned = plan_site(
            root,
            site=site,
            source=source,
            alias=alias,
            base=state.base,
            force=force,
            who=who,
            today=today,
            drop=drop,
            audience="internal" if dest.internal else "public",
        )
        if drop:
            source.notes.append(
                f"removed the internal edition(s) {', '.join(sorted(drop))}{of_company(target)} from `{dest.branch}`: "
                "the site is public now (they stay in the branch's history; --purge-history removes them there)"
            )
        state.results.append(result)
        operations += planned
    if any(site.target.prefix for site in sites) or (not sites and state.base is not None):
        hidden = (
            frozenset()
            if dest.internal
            else frozenset(
                p.id
                for p in source.loaded.profiles.companies
                if target_is_internal(source, Target(p.id, p.id), public=public)
            )
        )
        operations += remove_internal_builds(root, state, source=source, hidden=hidden, sites=sites)
        operations.append(
            root_index(root, base=state.base, source=source, targets=[s.target for s in sites], hidden=hidden)
        )
    if operations:
        run_mike(root, branch=state.temp_branch, operations=operations)  # one commit after another, company by company
    state.after = git.ref_value(root, ref=state.temp_ref)
    if purge and state.after is not None:
        tree = git.rev_parse(root, revision=state.after, kind="tree")
        message = f"Publish edition {source.edition.key}: history purged (no earlier build stays reachable)"
        state.after = git.git(root, "commit-tree", tree, "-m", message).stdout.decode().strip()
