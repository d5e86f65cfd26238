"""Publish an approved edition with mike: immutable, all-or-nothing (the orchestration; the steps live beside it).

``publish(root, edition="2025.2")``:

1. resolves the edition's git tag ``edition/<id>`` and builds the site from
   the tagged tree (never from the working tree): what is published is what
   was approved; its metadata comes from the tag's ``content/editions.yml``
   (:mod:`~reglament.publish.tagged`);
2. decides which sites go where: public sites to the Pages branch, each
   internal site to its profile's own target (:mod:`~reglament.publish.targets`,
   :mod:`~reglament.publish.destinations`);
3. fetches every destination (mike never fetches) and picks the base: the
   remote tip when the local branch is behind, the local tip when it only
   holds publishes not pushed yet; diverged histories stop here;
4. per company (or the single default site), builds the site, hashes it and
   compares with what ``versions.json`` already holds for the edition
   (:mod:`~reglament.publish.build`, :mod:`~reglament.publish.published`): same
   hash → nothing to do; a different hash → refused unless ``force`` (the
   overwrite is recorded in the version's properties); then mike commits it
   under ``<company>/<edition>/`` with its properties, moves the alias
   (``latest``) to the edition in force and sets the default — company by
   company, in one mike process (:mod:`~reglament.publish.plan`,
   :mod:`~reglament.publish.commit`); with several companies, the branch's
   root page lists them (:mod:`~reglament.publish.root_index`);
5. every commit goes onto a temporary branch that starts at the base; only
   when every destination succeeded is each pushed (a fast-forward, never
   forced; a later refusal undoes the earlier pushes) and only then does each
   local branch move (compare-and-swap). Any failure deletes the temporary
   branches: local and remote branches stay exactly as they were. What a
   killed publish left is removed by the next (:mod:`~reglament.publish.cleanup`).

The alias marks the edition *in force*: the newest published edition whose
effective date has come (or the earliest one while none has). Publishing an
edition that takes effect later leaves the alias where it is; publishing it
again on or after its effective date moves the alias (the site is rebuilt
to compare hashes; nothing else is committed).

CI builds companies in parallel jobs with :func:`~reglament.publish.build.build_only`
(a site plus its ``edition.json`` manifest) and deploys them at once with
``prebuilt=``: each prebuilt site is verified against the tag's commit and its own hash.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from reglament.errors import GitError, PublishError
from reglament.model import editions as ed
from reglament.publish.build import EditionSite, build_site, prebuilt_site
from reglament.publish.cleanup import WORK_PREFIX, clean_stale
from reglament.publish.commit import commit_destination
from reglament.publish.destinations import (
    Destination,
    DestinationState,
    fetch,
    move_local,
    plan_destinations,
    push_all,
)
from reglament.publish.published import ALIAS, BRANCH, check_alias
from reglament.publish.tagged import load_source, resolve_edition
from reglament.publish.targets import CompanyResult, Target, select_targets
from reglament.source import git


@dataclass
class Delivery:
    """What one destination (the Pages branch, or an internal target) received."""

    destination: Destination
    results: list[CompanyResult]
    before: str | None
    after: str | None
    pushed: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class Published:
    edition: ed.Edition
    destinations: list[Delivery] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things the publisher should know (e.g. no «Что изменилось» page because a tag is missing)."""

    @property
    def results(self) -> list[CompanyResult]:
        return [r for d in self.destinations for r in d.results]

    @property
    def changed(self) -> bool:
        return any(d.changed for d in self.destinations)


def publish(
    root: Path,
    *,
    edition: str,
    company: str | None = None,
    all_companies: bool = False,
    alias: str = ALIAS,
    push: bool = False,
    remote: str = "origin",
    force: bool = False,
    public: bool = False,
    prebuilt: Path | None = None,
    branch: str = BRANCH,
    today: dt.date | None = None,
    purge_history: bool = False,
) -> Published:
    """Publish ``edition`` (one company, every company, or the default site); see the module docstring.

    Public sites go to ``remote``'s ``branch`` (the Pages branch); an internal
    site goes to the target its profile names (``publish: {remote, branch}``,
    :class:`~reglament.model.profile.PublishTarget`) or nowhere. Every
    destination gets the same transaction: fetched, built onto a temporary
    branch, pushed only when every destination is ready, its local branch
    moved by compare-and-swap.

    ``prebuilt``: deploy the public sites built by :func:`~reglament.publish.build.build_only` into that
    folder instead of building them here (they are verified against the tag);
    internal sites are always built here (never into a CI artifact).
    ``purge_history``: the Pages branch becomes one new commit holding its final
    tree (pushed with ``--force-with-lease``), so no earlier build — an internal
    edition since removed — stays reachable from it.
    Raises :class:`PublishError` (and its subclasses) with nothing changed.
    """
    root = root.resolve()
    today = today or dt.date.today()
    if not git.is_repository(root):
        raise PublishError(
            f"{root} is not inside a git repository",
            hint="editions are git tags: publish from a clone of the project's repository",
        )
    check_alias(alias, edition)
    try:
        who = git.identity(root)
    except GitError as exc:
        raise PublishError(str(exc), hint="mike commits as the configured git user") from None
    resolve_edition(root, edition)

    clean_stale(root)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX))
    states: list[DestinationState] = []
    try:
        source = load_source(root, edition=edition, work=work / "project")
        targets = select_targets(source, company=company, all_companies=all_companies)
        plan = plan_destinations(
            root, source, targets, public=public, remote=remote, branch=branch, all_companies=all_companies
        )
        if push and any(not d.internal and t for d, t in plan) and not git.has_remote(root, remote=remote):
            raise PublishError(
                f"no git remote `{remote}`", hint="add it (`git remote add origin URL`) or pass --remote NAME"
            )
        for dest, _ in plan:  # fetch every destination first: nothing is built when one cannot be read
            states.append(fetch(root, dest))
        sites: dict[Target, EditionSite] = {}
        for dest, dest_targets in plan:
            for target in dest_targets:
                if prebuilt is not None and not dest.internal:
                    sites[target] = prebuilt_site(source, target, alias=alias, public=public, folder=prebuilt)
                else:
                    sites[target] = build_site(
                        root,
                        source,
                        target,
                        alias=alias,
                        public=public,
                        out=work / "sites" / (target.prefix or "default"),
                        stage=work / "stage" / (target.prefix or "default"),
                    )
        for state, (dest, dest_targets) in zip(states, plan, strict=True):
            commit_destination(
                root,
                state,
                source=source,
                sites=[sites[t] for t in dest_targets],
                alias=alias,
                force=force,
                who=who,
                today=today,
                public=public,
                purge=purge_history and not dest.internal,
            )
        if push:
            push_all(root, states, purge=purge_history)
        for state in states:
            move_local(root, state, edition=edition, pushed=push)
        published = Published(source.edition, [], source.notes)
        for state in states:
            published.destinations.append(
                Delivery(state.dest, state.results, state.local, state.after, push and state.after is not None)
            )
        return published
    finally:
        try:
            for state in states:
                git.delete_ref(root, ref=state.temp_ref)
        finally:
            shutil.rmtree(work, ignore_errors=True)
