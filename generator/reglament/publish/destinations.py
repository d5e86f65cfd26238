"""Where sites go, and each destination's side of the transaction: fetch, base, push (with undo), local move.

Public sites go to the Pages branch of the remote; an internal site goes to
the target its profile names (``publish: {remote, branch}``), held locally on
``reglament-target/<remote>/<branch>``. Each destination is fetched (mike never
fetches), published onto a temporary branch that starts at its base, pushed
as a fast-forward only when every destination is ready (a later refusal undoes
the earlier pushes), and only then is its local branch moved (compare-and-swap).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from reglament.diagnostics import Diagnostic
from reglament.errors import DivergedError, GitError, PublishError, PushRejectedError
from reglament.model.profile import PublishTarget, is_remote_url
from reglament.publish.tagged import Source
from reglament.publish.targets import CompanyResult, Target, target_is_internal
from reglament.source import git

TEMP_BRANCHES = "reglament-publish/"
#: local branches holding what was published to internal targets: ``reglament-target/<remote>/<branch>``
TARGET_BRANCHES = "reglament-target/"


@dataclass(frozen=True)
class Destination:
    """A branch of a remote that sites are published to, and the local branch that holds it."""

    remote: str
    """A configured remote's name, or an address (from a profile's ``publish.remote``)."""
    branch: str
    local_branch: str
    """``gh-pages`` for the Pages branch; ``reglament-target/<remote>/<branch>`` for an internal target."""
    tracking: str
    """Where the remote's branch is fetched to."""
    internal: bool
    url: str = ""
    """The remote's address, normalised for comparisons."""

    @property
    def label(self) -> str:
        return f"`{self.branch}` of {self.remote}"


def normal_url(root: Path, url: str) -> str:
    """A remote address in one spelling: local paths absolute, no trailing ``/`` or ``.git`` on network addresses."""
    if url.startswith("file://"):
        return str(Path(url[len("file://") :]).resolve())
    if "://" in url or re.match(r"^[^/]+@[^/]+:", url) or re.match(r"^[A-Za-z0-9.-]{2,}:", url):
        url = url.rstrip("/")
        return url[: -len(".git")] if url.endswith(".git") else url
    return str((root / url).resolve())  # a path on this machine, relative to the repository


def _slug(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def pages_destination(root: Path, *, remote: str, branch: str) -> Destination:
    url = git.remote_url(root, remote=remote)
    return Destination(
        remote, branch, branch, f"refs/remotes/{remote}/{branch}", False, normal_url(root, url) if url else ""
    )


def internal_destination(root: Path, target: PublishTarget, *, pages: Destination, who: str) -> Destination:
    """The destination a profile's ``publish:`` names, resolved in this clone; refused when it is the Pages branch.

    ``who`` names the site in messages. Raises :class:`PublishError` with a
    diagnostic at the ``publish:`` field when the remote is not configured
    here or when it is the public Pages branch under another spelling.
    """
    where = target.at("remote")
    if is_remote_url(target.remote):
        url = target.remote
        slug = "url-" + _slug(normal_url(root, url))
        tracking = f"refs/reglament-targets/{slug}/{target.branch}"
    else:
        found = git.remote_url(root, remote=target.remote)
        if found is None:
            problem = Diagnostic.at(
                where,
                "error",
                "publish-target",
                f"{who} is published to git remote `{target.remote}`, and this clone has no such remote",
                f"add it: `git remote add {target.remote} URL` (in CI the publish workflow adds it from a secret)",
            )
            raise PublishError(
                f"no git remote `{target.remote}` for internal {who}: nothing was published", diagnostics=[problem]
            )
        url, slug = found, target.remote
        tracking = f"refs/remotes/{target.remote}/{target.branch}"
    dest = Destination(
        target.remote, target.branch, f"{TARGET_BRANCHES}{slug}/{target.branch}", tracking, True, normal_url(root, url)
    )
    if pages.url and dest.url == pages.url and dest.branch == pages.branch:
        problem = Diagnostic.at(
            where,
            "error",
            "publish-target",
            f"`publish` of {who} names {dest.label}, which is the public Pages branch ({pages.label}): "
            "an internal site there is on the public web",
            "name a remote whose site only employees can open (GitHub Enterprise private Pages, GitLab Pages "
            "with access control, a static host behind authentication), or another branch",
        )
        raise PublishError(f"refusing to publish internal {who} to the Pages branch", diagnostics=[problem])
    return dest


def plan_destinations(
    root: Path,
    source: Source,
    targets: list[Target],
    *,
    public: bool,
    remote: str,
    branch: str,
    all_companies: bool = False,
) -> list[tuple[Destination, list[Target]]]:
    """Where each target goes: public sites to the Pages branch, each internal site to its own target.

    An internal site without a target never goes to a Pages branch (a Pages
    branch of a public repository is a public website): one named company (or
    the default site) is refused; with ``--all`` it is left out, with a note.
    Internal targets come first, the Pages branch last (the order of pushes).
    With ``all_companies`` the Pages branch is in the plan even when every site
    is internal: its root page is rewritten, so it stops listing a company
    that has turned internal.
    """
    pages = pages_destination(root, remote=remote, branch=branch)
    profiles = source.loaded.profiles
    internal: dict[tuple[str, str], tuple[Destination, list[Target]]] = {}
    to_pages: list[Target] = []
    homeless: list[Target] = []
    for target in targets:
        if not target_is_internal(source, target, public=public):
            to_pages.append(target)
            continue
        chosen = profiles.publish_target(target.company)
        if chosen is None:
            homeless.append(target)
            continue
        who = f"`{target.company}`" if target.company else "the default site"
        dest = internal_destination(root, chosen, pages=pages, who=who)
        if dest.url == pages.url and pages.url:
            source.notes.append(
                f"internal {who} goes to {dest.label}, a branch of the repository that holds {pages.label}: "
                "it is only as private as that repository"
            )
        internal.setdefault((dest.url or dest.remote, dest.branch), (dest, []))[1].append(target)
    if homeless:
        names = ", ".join(f"`{t.company}`" if t.company else "the default site" for t in homeless)
        hint = (
            "an internal site shows internal items and must not be on a public website: name its own target in "
            "the profile (`publish: {remote: internal-docs, branch: pages}`, a remote whose site only employees "
            "can open: GitHub Enterprise private Pages, GitLab Pages access control, a static host behind "
            "authentication), or make it `visibility: public` (or publish with --public)"
        )
        if len(targets) == 1 or not (to_pages or internal):
            raise PublishError(f"refusing to publish internal {names} to `{branch}`: nothing was published", hint=hint)
        source.notes.append(f"not published to `{branch}`: internal {names} (its profile names no `publish:` target)")
    plan = list(internal.values())
    if to_pages or (
        all_companies
        and (git.has_remote(root, remote=remote) or git.ref_value(root, ref=f"refs/heads/{branch}") is not None)
    ):
        plan.append((pages, to_pages))
    return plan


@dataclass
class DestinationState:
    """One destination during a publish: what was fetched, what was committed, what was pushed."""

    dest: Destination
    local_ref: str
    local: str | None
    upstream: str | None
    base: str | None
    temp_branch: str
    after: str | None = None
    results: list[CompanyResult] = field(default_factory=list)
    pushed: bool = False

    @property
    def temp_ref(self) -> str:
        return f"refs/heads/{self.temp_branch}"


def fetch(root: Path, dest: Destination) -> DestinationState:
    """Fetch the destination's branch (mike never fetches) and pick the base to publish onto."""
    local_ref = f"refs/heads/{dest.local_branch}"
    local = git.ref_value(root, ref=local_ref)
    reachable = dest.internal or git.has_remote(root, remote=dest.remote)
    try:
        upstream = (
            git.fetch_branch(root, remote=dest.remote, branch=dest.branch, tracking=dest.tracking)
            if reachable
            else None
        )
    except GitError as exc:
        raise PublishError(
            f"cannot fetch {dest.label}: {exc}",
            hint="check the remote's address and your access; nothing was changed",
        ) from None
    base = choose_base(
        root,
        branch=dest.local_branch,
        remote=dest.remote,
        local=local,
        upstream=upstream,
        remote_branch=dest.branch,
        tracking=dest.tracking,
    )
    return DestinationState(dest, local_ref, local, upstream, base, f"{TEMP_BRANCHES}{secrets.token_hex(6)}")


def choose_base(
    root: Path,
    *,
    branch: str,
    remote: str,
    local: str | None,
    upstream: str | None,
    remote_branch: str | None = None,
    tracking: str | None = None,
) -> str | None:
    """The commit to publish onto: the newer of the local branch and the remote's; diverged → :class:`DivergedError`.

    ``branch`` is the local branch; ``remote_branch`` the remote's (default: the same name), fetched to ``tracking``.
    """
    if upstream is None or upstream == local:
        return local
    if local is None or git.is_ancestor(root, ancestor=local, descendant=upstream):
        return upstream
    if git.is_ancestor(root, ancestor=upstream, descendant=local):
        return local
    theirs = remote_branch or branch
    fetched = tracking.removeprefix("refs/remotes/") if tracking else f"{remote}/{theirs}"
    raise DivergedError(
        f"local `{branch}` and `{fetched}` have diverged: this clone holds publishes that were never "
        f"pushed, and someone else has published to {remote}'s `{theirs}` since",
        hint=f"nothing was changed. To keep the remote's history and drop the unpushed local publishes: "
        f"`git branch -f {branch} {fetched}`, then publish again",
    )


def push_all(root: Path, states: list[DestinationState], *, purge: bool) -> None:
    """Push every destination (internal targets first, the Pages branch last); undo the pushes of this run
    when a later one is refused, so a failure leaves every remote as it was."""
    for state in states:
        dest, after = state.dest, state.after
        if after is None or after == state.upstream:
            continue  # nothing to push, or the remote holds it already
        try:
            if purge and not dest.internal and state.upstream is not None:
                git.push_with_lease(root, remote=dest.remote, branch=dest.branch, commit=after, expected=state.upstream)
            else:
                git.push_commit(root, remote=dest.remote, commit=after, branch=dest.branch)
        except PushRejectedError as exc:
            undone, kept = _undo_pushes(root, [s for s in states if s.pushed])
            where = f"{dest.remote} refused the push to `{dest.branch}`: {exc.stderr or exc}"
            if kept:
                raise PublishError(
                    where,
                    hint=f"{'; '.join(kept)}. Nothing else was changed; publish again once the cause is fixed",
                ) from None
            earlier = f" (the pushes to {', '.join(undone)} were undone)" if undone else ""
            hint = (
                "the branch may be protected against forced pushes; nothing was changed"
                if purge and not dest.internal and state.upstream is not None
                else "If someone else published meanwhile, publish again (it fetches first)"
            )
            raise PublishError(
                where,
                hint=f"nothing was changed, locally or on any remote{earlier}. {hint}",
            ) from None
        state.pushed = True


def _undo_pushes(root: Path, pushed: list[DestinationState]) -> tuple[list[str], list[str]]:
    """Put back the branches pushed earlier in this run (compare-and-swap: only if they still hold our commit).

    Returns (what was undone, what could not be undone — in words for the hint).
    """
    undone, kept = [], []
    for state in reversed(pushed):
        try:
            git.push_with_lease(
                root,
                remote=state.dest.remote,
                branch=state.dest.branch,
                commit=state.upstream,
                expected=state.after,
            )
            state.pushed = False
            undone.append(state.dest.label)
        except PushRejectedError as exc:
            kept.append(
                f"{state.dest.label} was pushed ({(state.after or '')[:12]}) and could not be put back to "
                f"{(state.upstream or 'no branch')[:12]}: {exc.stderr or exc}"
            )
    return undone, kept


def move_local(root: Path, state: DestinationState, *, edition: str, pushed: bool) -> None:
    """Move the destination's local branch to what was published (compare-and-swap)."""
    if state.after is None or state.after == state.local:
        return  # nothing committed (then there was no local branch either), or nothing new
    try:
        git.update_ref(
            root, ref=state.local_ref, new=state.after, expected=state.local, message=f"reglament publish {edition}"
        )
    except GitError as exc:
        done = f" ({state.dest.label} on the remote was updated)" if pushed and state.pushed else ""
        raise PublishError(
            f"local `{state.dest.local_branch}` moved while publishing{done}: {exc}",
            hint="another publish ran in this clone at the same time; publish again",
        ) from None
