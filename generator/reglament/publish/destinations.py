"""Publish an approved edition with mike: immutable, all-or-nothing.

``publish(root, edition="2025.2")``:

1. resolves the edition's git tag ``edition/<id>`` and builds the site from
   the tagged tree (never from the working tree): what is published is what
   was approved; its metadata comes from the tag's ``content/editions.yml``;
2. fetches the remote's ``gh-pages`` (mike never fetches) and picks the base:
   the remote tip when the local branch is behind, the local tip when it only
   holds publishes not pushed yet; diverged histories stop here;
3. per company (or the single default site), builds the site, hashes it and
   compares with what ``versions.json`` already holds for the edition: same
   hash → nothing to do; a different hash → refused unless ``force`` (the
   overwrite is recorded in the version's properties); then mike commits it
   under ``<company>/<edition>/`` with its properties, moves the alias
   (``latest``) to the edition in force and sets the default — company by
   company, in one mike process (:mod:`reglament.mike_runner`); with several
   companies, the branch's root page lists them;
4. every commit goes onto a temporary branch that starts at the base; only
   when every company succeeded is it pushed (a fast-forward, never forced)
   and only then does the local ``gh-pages`` move (compare-and-swap). Any
   failure deletes the temporary branch: local and remote ``gh-pages`` stay
   exactly as they were.

The alias marks the edition *in force*: the newest published edition whose
effective date has come (or the earliest one while none has). Publishing an
edition that takes effect later leaves the alias where it is; publishing it
again on or after its effective date moves the alias (the site is rebuilt
to compare hashes; nothing else is committed).

CI builds companies in parallel jobs with :func:`build_only` (a site plus its
``edition.json`` manifest) and deploys them at once with ``prebuilt=``: each
prebuilt site is verified against the tag's commit and its own hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from reglament.check.checker import Context
from reglament.check.rules import edition_date, edition_id, edition_order
from reglament.diagnostics import Diagnostic, has_errors
from reglament.diff.compare import compare_editions
from reglament.diff.model import Side
from reglament.diff.site import PAGE, changes_page
from reglament.diff.sources import LoadedSide, load_side, one_audience
from reglament.errors import (
    DiffError,
    DivergedError,
    EditionChangedError,
    GitError,
    NoContentError,
    PublishError,
    PushRejectedError,
    UnknownCompanyError,
    UnknownRevisionError,
)
from reglament.model import editions as ed
from reglament.model.profile import COMPANIES_DIR, PAGES_BRANCH, PublishTarget, is_remote_url
from reglament.project import Checked, Project, check_variant, load_project, site_title
from reglament.site.all_companies import index_html
from reglament.site.build import build
from reglament.site.out_guard import guard_out
from reglament.source import git

BRANCH = PAGES_BRANCH
ALIAS = "latest"
VERSIONS_FILE = "versions.json"
#: files of a built site that change with every build (MkDocs writes the build date into the sitemap)
VOLATILE_FILES = frozenset({"sitemap.xml", "sitemap.xml.gz"})
MANIFEST = "edition.json"
#: what a site build reads from the project (exported from the edition's tag)
PROJECT_PATHS = ("content", "templates", "mkdocs.yml")


# --------------------------------------------------------------------------
# Published editions (versions.json)


@dataclass(frozen=True)
class PublishedEdition:
    """One entry of a prefix's ``versions.json`` (mike's format), with reglament's properties."""

    version: str
    title: str
    aliases: tuple[str, ...] = ()
    properties: dict = field(default_factory=dict, hash=False, compare=True)

    @classmethod
    def from_json(cls, data: dict) -> PublishedEdition:
        props = data.get("properties")
        return cls(
            str(data["version"]),
            str(data.get("title", data["version"])),
            tuple(sorted(data.get("aliases", []))),
            props if isinstance(props, dict) else {},
        )

    def to_json(self) -> dict:
        data = {"version": self.version, "title": self.title, "aliases": list(self.aliases)}
        if self.properties:
            data["properties"] = self.properties
        return data

    @property
    def effective(self) -> dt.date | None:
        return ed.parse_date(self.properties.get("effective"))

    @property
    def content_hash(self) -> str | None:
        return self.properties.get("content_hash")

    def status(self, today: dt.date, current: str | None) -> str:
        """«действует», «вступает в силу …» or «устарела» for a listing."""
        if self.effective and self.effective > today:
            return f"вступает в силу {ed.format_date_ru(self.effective)}"
        return "действует" if self.version == current else "устарела"


def parse_versions(raw: bytes | None) -> list[PublishedEdition]:
    if not raw:
        return []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PublishError(
            f"{VERSIONS_FILE} on the publish branch is not valid JSON: {exc}",
            hint="it is written by mike; restore it from the branch history",
        ) from exc
    return [PublishedEdition.from_json(item) for item in data if isinstance(item, dict) and "version" in item]


def in_force(published: list[PublishedEdition], today: dt.date) -> str | None:
    """The edition in force on ``today``: the newest one already effective, else the earliest one."""
    if not published:
        return None
    ordered = sorted(published, key=lambda p: ed.edition_key(p.version))
    effective = [p for p in ordered if p.effective is None or p.effective <= today]
    return (effective[-1] if effective else ordered[0]).version


def versions_path(prefix: str) -> str:
    return f"{prefix}/{VERSIONS_FILE}" if prefix else VERSIONS_FILE


def read_published(root: Path, *, revision: str | None, prefix: str) -> list[PublishedEdition]:
    """The editions published under ``prefix`` at ``revision`` of the publish branch."""
    if revision is None:
        return []
    return parse_versions(git.read_blob(root, revision=revision, path=versions_path(prefix)))


def list_prefixes(root: Path, *, revision: str) -> list[str]:
    """Prefixes (company ids) with a versions.json on the branch; ``""`` when the root holds one."""
    found = []
    entries = git.tree_names(root, revision=revision)
    if ("blob", VERSIONS_FILE) in entries:
        found.append("")
    for kind, name in entries:
        if kind == "tree" and git.read_blob(root, revision=revision, path=f"{name}/{VERSIONS_FILE}") is not None:
            found.append(name)
    return found


# --------------------------------------------------------------------------
# The site of one edition


def site_hash(site: Path) -> str:
    """``sha256:…`` over every file of a built site (path and bytes), except the dated sitemap."""
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel in VOLATILE_FILES:
            continue
        digest.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


def edition_config(edition: ed.Edition, *, alias: str) -> dict:
    """The edition's data for its build (engine-neutral; the engine adapter makes it the version selector and banner)."""
    return {
        "id": edition.key,
        "title": edition.title,
        "alias": alias,
        "effective": edition.properties()["effective"],
        "effective_ru": ed.format_date_ru(edition.effective),
        "approved": edition.properties()["approved"],
        "approved_ru": ed.format_date_ru(edition.approved),
        "approved_by": edition.approved_by,
    }


@dataclass
class CompanyResult:
    target: Target
    status: str
    """``published``, ``overwritten``, ``unchanged`` (same content, nothing committed) or ``alias`` (only the alias moved)."""
    content_hash: str
    current: str | None = None
    """The edition the alias points at after publishing."""


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


# --------------------------------------------------------------------------
# mike, in a child process whose working folder is the repository


def run_mike(root: Path, *, branch: str, operations: list[dict]) -> list[str]:
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


# --------------------------------------------------------------------------
# Publishing


def changes_pages(
    root: Path,
    *,
    edition: ed.Edition,
    previous: ed.Edition | None,
    company: str | None,
    public: bool,
    new: Checked,
    commit: str,
    notes: list[str] | None = None,
) -> dict[str, str]:
    """The «Что изменилось» page comparing ``edition`` with ``previous``.

    ``new`` is the edition's variant as publishing already checked it (from the
    tag at ``commit``): only the previous edition is read from its tag here. Both
    sides are resolved for the one audience of the site being built, so a public
    site's page never mentions an item internal on either side.

    A company without a profile in the previous edition (it joined in this
    one) gets no page; a note says so.
    """

    if previous is None:
        return {}
    if company is not None and not any(
        git.show_file(root, revision=previous.tag, path=f"{COMPANIES_DIR}/{company}{ext}") is not None
        for ext in (".yml", ".yaml")
    ):
        if notes is not None:
            notes.append(
                f"no «Что изменилось» page for company `{company}`: it has no profile in edition {previous.key}"
            )
        return {}
    try:
        old = load_side(root, name=previous.tag, company=company, public=public, run_checks=False)
        new_side = LoadedSide(Side(edition.tag, commit, edition.key, tuple(new.diagnostics)), new.content, new.variant)
        old_content, new_content = one_audience(old, new_side, public=public)
        changes = compare_editions(old_content, new_content, old_side=old.side, new_side=new_side.side, company=company)
    except DiffError as exc:
        raise PublishError(
            f"cannot compare edition {edition.key} with {previous.key}: {exc}",
            hint="the «Что изменилось» page compares the two tagged editions",
        ) from None
    return {
        PAGE: changes_page(
            changes,
            old_title=f"{previous.key} — {previous.title}",
            new_title=f"{edition.key} — {edition.title}",
            source=ed.EDITIONS_FILE,
        )
    }


def resolve_edition(root: Path, edition_id: str) -> tuple[str, str]:
    """(tag, commit) of an edition; raises :class:`PublishError` when the tag is missing."""
    problem = ed.id_problem(edition_id)
    if problem:
        raise PublishError(problem, hint="edition ids look like `2025.1`")
    tag = ed.tag_name(edition_id)
    try:
        commit = git.rev_parse(root, revision=f"refs/tags/{tag}")
    except UnknownRevisionError:
        raise PublishError(
            f"edition {edition_id} has no git tag `{tag}`",
            hint=f"list it in content/editions.yml, commit, then tag the approved commit: "
            f'`git tag -a {tag} -m "Редакция {edition_id}"`',
        ) from None
    return tag, commit


def export_tree(root: Path, *, commit: str, dest: Path) -> Path:
    """Write the project files of ``commit`` (relative to ``root``) into ``dest``; nothing is checked out."""
    for rel, data in git.read_tree(root, revision=commit, paths=PROJECT_PATHS).items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dest


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


# --------------------------------------------------------------------------
# What to publish: targets and their sites


@dataclass(frozen=True)
class Target:
    """One site to publish: a company (None: the single default site) and its deploy prefix."""

    company: str | None
    prefix: str
    name: str = ""
    """The company's short name (for the root page listing companies)."""
    detail: str = ""
    """The company's full name (and city)."""


@dataclass
class EditionSite:
    """A built site of an edition, ready to deploy, and its manifest (``edition.json``)."""

    target: Target
    site: Path
    content_hash: str
    manifest: dict


@dataclass
class Source:
    """An edition's tagged project, exported into a work folder, with its metadata and companies."""

    edition: ed.Edition
    previous: ed.Edition | None
    tag: str
    commit: str
    project: Path
    loaded: Project
    notes: list[str] = field(default_factory=list)

    def targets(self, *, company: str | None, all_companies: bool) -> list[Target]:
        """The sites to publish: one company, every company, or the default site when there are none."""
        profiles = self.loaded.profiles
        known = {p.id: p for p in profiles.companies}
        if company is None and not all_companies:
            if known:
                raise PublishError(
                    f"the project has company profiles ({', '.join(known)}): say which to publish",
                    hint="pass --company ID, or --all for every company",
                )
            return [Target(None, "")]
        if not known:
            broken = [d for d in profiles.diagnostics if d.severity == "error"]
            if broken:
                raise PublishError(
                    f"the company profiles at tag `{self.tag}` do not load", diagnostics=broken, root=self.project
                )
            raise PublishError(
                f"there are no company profiles (content/companies/*.yml) at tag `{self.tag}`",
                hint="publish the default site: leave out --company/--all",
            )
        ids = list(known) if all_companies else [company]
        for cid in ids:
            if cid not in known:
                raise PublishError(f"{UnknownCompanyError(cid, list(known))} (at tag `{self.tag}`)")
        return [
            Target(
                cid,
                cid,
                known[cid].short_name,
                known[cid].name + (f" · {known[cid].city}" if getattr(known[cid], "city", None) else ""),
            )
            for cid in ids
        ]


def load_source(root: Path, *, edition: str, work: Path) -> Source:
    """Export the edition's tag into ``work`` and load it; raises :class:`PublishError` on bad metadata."""

    tag, commit = resolve_edition(root, edition)
    project = export_tree(root, commit=commit, dest=work)
    try:
        loaded = load_project(project)
    except NoContentError as exc:
        raise PublishError(f"tag `{tag}` holds no content: {exc}") from None
    editions = loaded.loaded.content.editions
    found = ed.find(editions, edition)
    if found is None:
        raise PublishError(
            f"edition {edition} is not listed in content/editions.yml at tag `{tag}`",
            hint="an edition's metadata (effective date, approval) is part of the tagged commit",
        )
    ctx = Context(loaded.loaded.content, loaded.morph)
    problems = [d for rule in (edition_id, edition_date, edition_order) for d in rule.check(ctx)]
    problems += [d for d in loaded.loaded.diagnostics if d.file == ed.EDITIONS_FILE]
    if has_errors(problems):
        raise PublishError(
            f"content/editions.yml at tag `{tag}` has errors; nothing was published",
            diagnostics=sorted(set(problems)),
            root=project,
        )
    source = Source(found, ed.previous(editions, edition), tag, commit, project, loaded)
    if source.previous is not None and git.ref_value(root, ref=f"refs/tags/{source.previous.tag}") is None:
        source.notes.append(
            f"no «Что изменилось» page: the previous edition {source.previous.key} has no tag `{source.previous.tag}`"
        )
        source.previous = None
    return source


def manifest_for(source: Source, target: Target, *, alias: str, public: bool, content_hash: str) -> dict:
    return {
        "format": 1,
        "edition": source.edition.key,
        "tag": source.tag,
        "commit": source.commit,
        "company": target.company,
        "alias": alias,
        "public": public,
        "content_hash": content_hash,
    }


def build_site(
    root: Path, source: Source, target: Target, *, alias: str, public: bool, out: Path, stage: Path
) -> EditionSite:
    """Check and build one target's site of the edition into ``out/site`` (+ ``out/edition.json``)."""

    checked = check_variant(source.loaded, company=target.company, public=public)
    if not checked.ok:
        raise PublishError(
            f"the content{_of(target)} at tag `{source.tag}` has errors; nothing was published",
            hint="fix them, commit and move the tag (an unpublished edition may still change)",
            diagnostics=checked.diagnostics,
            root=source.project,
        )
    pages = changes_pages(
        root,
        edition=source.edition,
        previous=source.previous,
        company=target.company,
        public=public,
        new=checked,
        commit=source.commit,
        notes=source.notes,
    )
    built = build(
        source.project,
        out / "site",
        checked=checked,
        stage=stage,
        company=target.company,
        public=public,
        edition=edition_config(source.edition, alias=alias),
        extra_pages=pages,
    )
    if not built.ok:
        raise PublishError(
            f"the site{_of(target)} did not build; nothing was published",
            diagnostics=built.diagnostics,
            root=source.project,
        )
    content_hash = site_hash(out / "site")
    manifest = manifest_for(source, target, alias=alias, public=public, content_hash=content_hash)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return EditionSite(target, out / "site", content_hash, manifest)


def prebuilt_site(source: Source, target: Target, *, alias: str, public: bool, folder: Path) -> EditionSite:
    """A site built earlier by ``--build-only`` (CI build jobs), verified against the tag and its own hash."""
    where = folder / target.company if target.company else folder
    try:
        manifest = json.loads((where / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(
            f"no prebuilt site{_of(target)} in {where}: cannot read {MANIFEST} ({exc})",
            hint="build it with `reglament publish EDITION --build-only --out DIR`",
        ) from None
    content_hash = site_hash(where / "site") if (where / "site").is_dir() else "none"
    expected = manifest_for(source, target, alias=alias, public=public, content_hash=content_hash)
    wrong = [k for k in expected if manifest.get(k) != expected[k]]
    if wrong:
        detail = ", ".join(f"{k}: {manifest.get(k)!r} ≠ {expected[k]!r}" for k in wrong)
        raise PublishError(
            f"the prebuilt site{_of(target)} in {where} is not this edition as tagged ({detail})",
            hint="rebuild it from the current tag with --build-only; a changed content_hash means "
            "the files were changed after the build",
        )
    return EditionSite(target, where / "site", content_hash, manifest)


def build_only(
    root: Path,
    *,
    edition: str,
    company: str | None = None,
    all_companies: bool = False,
    alias: str = ALIAS,
    public: bool = False,
    out: Path,
) -> list[EditionSite]:
    """Build the edition's site(s) from its tag into ``out`` without publishing (CI build jobs).

    One company (or the default site): ``out/site`` + ``out/edition.json``;
    ``all_companies``: ``out/<company>/…``. ``publish(…, prebuilt=out)`` deploys them.
    """
    root = root.resolve()
    if not git.is_repository(root):
        raise PublishError(
            f"{root} is not inside a git repository",
            hint="editions are git tags: build from a clone of the project's repository",
        )
    check_alias(alias, edition)
    work = Path(tempfile.mkdtemp(prefix="reglament-build-"))
    try:
        source = load_source(root, edition=edition, work=work / "project")
        targets = public_targets(
            source, source.targets(company=company, all_companies=all_companies), public=public, branch=BRANCH
        )
        sites = []
        for target in targets:
            dest = out / target.company if all_companies and target.company else out
            if dest.exists() and not (dest / MANIFEST).is_file():
                guard_out(dest, root=root)  # only an empty folder or a site this tool built is replaced
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            sites.append(
                build_site(
                    root,
                    source,
                    target,
                    alias=alias,
                    public=public,
                    out=dest,
                    stage=work / "stage" / (target.prefix or "default"),
                )
            )
        return sites
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_alias(alias: str, edition: str) -> None:
    if not ed.ID_PATTERN.match(alias) or alias in (VERSIONS_FILE, "index.html") or alias == edition:
        raise PublishError(
            f"`{alias}` cannot be the alias of the edition in force", hint="use a plain name such as `latest`"
        )


# --------------------------------------------------------------------------
# Publishing


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

    ``prebuilt``: deploy the public sites built by :func:`build_only` into that
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
    states: list[_State] = []
    try:
        source = load_source(root, edition=edition, work=work / "project")
        targets = source.targets(company=company, all_companies=all_companies)
        plan = plan_destinations(
            root, source, targets, public=public, remote=remote, branch=branch, all_companies=all_companies
        )
        if push and any(not d.internal and t for d, t in plan) and not git.has_remote(root, remote=remote):
            raise PublishError(
                f"no git remote `{remote}`", hint="add it (`git remote add origin URL`) or pass --remote NAME"
            )
        for dest, _ in plan:  # fetch every destination first: nothing is built when one cannot be read
            states.append(_fetch(root, dest))
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
            _commit(
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
            _push_all(root, states, purge=purge_history)
        for state in states:
            _move_local(root, state, edition=edition, pushed=push)
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


# --------------------------------------------------------------------------
# Destinations: the Pages branch for public sites, each internal site's own target


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
class _State:
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


def _fetch(root: Path, dest: Destination) -> _State:
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
    return _State(dest, local_ref, local, upstream, base, f"{TEMP_BRANCHES}{secrets.token_hex(6)}")


def _commit(
    root: Path,
    state: _State,
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
    operations: list[dict] = []
    for site in sites:
        target = site.target
        drop = (
            frozenset()
            if dest.internal
            else internal_editions(root, base=state.base, prefix=target.prefix, company=target.company)
        )
        result, planned = _plan_one(
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
                f"removed the internal edition(s) {', '.join(sorted(drop))}{_of(target)} from `{dest.branch}`: "
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
        operations += _remove_internal_builds(root, state, source=source, hidden=hidden, sites=sites)
        operations.append(
            _root_index(root, base=state.base, source=source, targets=[s.target for s in sites], hidden=hidden)
        )
    if operations:
        run_mike(root, branch=state.temp_branch, operations=operations)  # one commit after another, company by company
    state.after = git.ref_value(root, ref=state.temp_ref)
    if purge and state.after is not None:
        tree = git.rev_parse(root, revision=state.after, kind="tree")
        message = f"Publish edition {source.edition.key}: history purged (no earlier build stays reachable)"
        state.after = git.git(root, "commit-tree", tree, "-m", message).stdout.decode().strip()


def _remove_internal_builds(
    root: Path, state: _State, *, source: Source, hidden: frozenset[str], sites: list[EditionSite]
) -> list[dict]:
    """Deletions of the internal editions that companies internal now still have on a Pages branch.

    Such builds were put there before the guard against internal sites existed (or by hand); the site
    being internal, nothing republishes it here, so they would stay on the public website for good.
    """
    publishing = {site.target.company for site in sites}
    operations: list[dict] = []
    for company in sorted(hidden - publishing):
        drop = internal_editions(root, base=state.base, prefix=company, company=company)
        if not drop:
            continue
        target = Target(company, company)
        everything = {p.version for p in read_published(root, revision=state.base, prefix=company)} <= drop
        operations.append(
            {
                "op": "delete",
                "versions": sorted(drop),
                "all": everything,  # nothing public left: the company's folder goes whole
                "deploy_prefix": company,
                "message": f"Remove internal edition(s) {', '.join(sorted(drop))}{_of(target)}: "
                "an internal site is not published to a Pages branch",
            }
        )
        source.notes.append(
            f"removed the internal edition(s) {', '.join(sorted(drop))}{_of(target)} from `{state.dest.branch}`: "
            "an internal site is not published there (they stay in the branch's history; --purge-history "
            "removes them there)"
        )
    return operations


def _push_all(root: Path, states: list[_State], *, purge: bool) -> None:
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


def _undo_pushes(root: Path, pushed: list[_State]) -> tuple[list[str], list[str]]:
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


def _move_local(root: Path, state: _State, *, edition: str, pushed: bool) -> None:
    """Move the destination's local branch to what was published (compare-and-swap)."""
    if state.after == state.local:
        return
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


def target_is_internal(source: Source, target: Target, *, public: bool) -> bool:
    """Whether the target's site shows internal items (its profile's, or the defaults', visibility)."""
    if public:
        return False
    profiles = source.loaded.profiles
    if target.company is None:
        return profiles.defaults is None or profiles.defaults.visibility != "public"
    profile = profiles.get(target.company)
    return profile is None or profile.visibility != "public"


def public_targets(source: Source, targets: list[Target], *, public: bool, branch: str) -> list[Target]:
    """The targets whose sites may be built into a CI artifact (``--build-only``): the public ones.

    An internal site is built by :func:`publish` itself, in the job that pushes
    it to its own target: artifacts of a public repository are public. One
    named internal company (or the default site) is refused; with ``--all``
    the internal companies are left out, with a note.
    """
    internal = [t for t in targets if target_is_internal(source, t, public=public)]
    if not internal:
        return targets
    names = ", ".join(f"`{t.company}`" if t.company else "the default site" for t in internal)
    hint = (
        "an internal site shows internal items and is never built into a CI artifact or onto a Pages branch: "
        "`reglament publish` builds it itself and pushes it to the target its profile names "
        "(`publish: {remote: …, branch: …}`); or make it `visibility: public` (or build with --public)"
    )
    allowed = [t for t in targets if t not in internal]
    if len(targets) == 1 or not allowed:
        raise PublishError(f"refusing to build internal {names} for `{branch}`: nothing was built", hint=hint)
    source.notes.append(f"not built: internal {names} (publish builds it for its own target)")
    return allowed


def _visibility_at(root: Path, *, tag: str | None, company: str | None) -> str | None:
    """The visibility a company's profile (or the defaults) had at ``tag``; None when unknown."""
    if not tag:
        return None
    paths = [f"{COMPANIES_DIR}/{company}{ext}" for ext in (".yml", ".yaml")] if company else ["content/defaults.yml"]
    for path in paths:
        data = git.show_file(root, revision=f"refs/tags/{tag}", path=path)
        if data is None:
            continue
        try:
            loaded = yaml.safe_load(data.decode("utf-8"))
        except (ValueError, yaml.YAMLError):
            return None
        value = loaded.get("visibility") if isinstance(loaded, dict) else None
        return str(value) if value else ("public" if company else "internal")
    return None


def internal_editions(root: Path, *, base: str | None, prefix: str, company: str | None) -> frozenset[str]:
    """Versions on the branch under ``prefix`` that were built for employees (internal): to be removed.

    Known from the ``audience`` property, or — for editions published before it
    existed — from the profile's visibility at the edition's tag.
    """
    if base is None:
        return frozenset()
    found = set()
    for item in read_published(root, revision=base, prefix=prefix):
        audience = item.properties.get("audience")
        if audience is None:
            audience = (
                "public"
                if _visibility_at(root, tag=item.properties.get("tag"), company=company) == "public"
                else "internal"
            )
        if audience != "public":
            found.add(item.version)
    return frozenset(found)


WORK_PREFIX = "reglament-publish-"
TEMP_BRANCHES = "reglament-publish/"
#: local branches holding what was published to internal targets: ``reglament-target/<remote>/<branch>``
TARGET_BRANCHES = "reglament-target/"
STALE_SECONDS = 6 * 3600


def clean_stale(root: Path) -> list[str]:
    """Remove what a publish killed mid-way left: its ``reglament-publish/*`` branches and temporary exports.

    Publishes of one clone never overlap (the workflow's concurrency group; a
    local user runs one at a time), so every temporary branch found here is
    stale. Temporary exports of other clones may share the temp folder: only
    those older than :data:`STALE_SECONDS` are removed. Returns what was removed.
    """
    removed = []
    refs = git.git(root, "for-each-ref", "--format=%(refname)", f"refs/heads/{TEMP_BRANCHES}", check=False)
    for ref in refs.stdout.decode("utf-8", "replace").split():
        git.delete_ref(root, ref=ref)
        removed.append(ref)
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(str(folder))
        except OSError:
            continue
    return removed


def _of(target: Target) -> str:
    return f" of company `{target.company}`" if target.company else ""


def _root_index(
    root: Path, *, base: str | None, source: Source, targets: list[Target], hidden: frozenset[str] = frozenset()
) -> dict:
    """mike's operation writing the branch's root page: every company published there (names from this edition).

    ``hidden``: companies never listed (on a Pages branch: every company internal in this edition, even one
    whose earlier, public editions are still there).
    """
    named = {t.prefix: t for t in targets}
    named.update(
        {
            p.id: Target(p.id, p.id, p.short_name, p.name + (f" · {p.city}" if getattr(p, "city", None) else ""))
            for p in source.loaded.profiles.companies
        }
    )
    prefixes = sorted(
        ({t.prefix for t in targets} | set(list_prefixes(root, revision=base) if base else ())) - {""} - hidden
    )

    entries = []
    for prefix in prefixes:
        t = named.get(prefix, Target(prefix, prefix, prefix))
        entries.append((prefix, t.name or prefix, t.detail or ""))
    page = index_html(
        site_title(source.project) or "Регламенты", entries, lead="Регламенты компаний (действующие редакции):"
    )
    return {"op": "files", "files": {"index.html": page}, "message": "List the published companies"}


def _plan_one(
    root: Path,
    *,
    site: EditionSite,
    source: Source,
    alias: str,
    base: str | None,
    force: bool,
    who: str,
    today: dt.date,
    drop: frozenset[str] = frozenset(),
    audience: str = "public",
) -> tuple[CompanyResult, list[dict]]:
    """mike's operations for one target's site (none that change anything when it is already there).

    ``drop``: published versions to delete first (internal editions of a site that is public now).
    """
    del who  # the publisher's name and e-mail are in the git commit, never in the public versions.json
    target, edition, content_hash = site.target, source.edition, site.content_hash
    published = [p for p in read_published(root, revision=base, prefix=target.prefix) if p.version not in drop]
    existing = next((p for p in published if p.version == edition.key), None)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    operations: list[dict] = []
    if drop:
        operations.append(
            {
                "op": "delete",
                "versions": sorted(drop),
                "deploy_prefix": target.prefix,
                "message": f"Remove internal edition(s) {', '.join(sorted(drop))}{_of(target)}: the site is public now",
            }
        )
    label = f"{edition.key}{_of(target)}"

    if existing is not None and existing.content_hash == content_hash:
        status = "unchanged"
    elif existing is not None and not force:
        raise EditionChangedError(
            f"edition {label} is already published with different content "
            f"({_short(existing.content_hash)} published, {_short(content_hash)} now); an approved edition does not change",
            hint="publish the change as a new edition (add it to content/editions.yml and tag it). The hash covers "
            "the built pages, so a new reglament or theme version also changes it: the published pages stay "
            "as they are and need no republishing. To overwrite anyway, pass --force (recorded in the "
            "edition's properties)",
        )
    else:
        status = "overwritten" if existing is not None else "published"
        properties = {
            **edition.properties(),
            "content_hash": content_hash,
            "tag": source.tag,
            "commit": source.commit,
            "published_at": now,
            "audience": audience,
        }
        if existing is not None:
            history = list(existing.properties.get("overwrites", []))
            history.append(
                {
                    "at": now,
                    "replaced_hash": existing.content_hash,
                    "replaced_published_at": existing.properties.get("published_at"),
                }
            )
            properties["overwrites"] = history
        published = [p for p in published if p.version != edition.key]
        published.append(PublishedEdition(edition.key, edition.title, (), properties))

    current = in_force(published, today)
    holder = next((p.version for p in published if alias in p.aliases), None)
    if status != "unchanged":
        operations.append(
            {
                "op": "deploy",
                "site_dir": str(site.site),
                "version": edition.key,
                "title": edition.title,
                "aliases": [alias] if current == edition.key and holder != edition.key else [],
                "deploy_prefix": target.prefix,
                "properties": properties,
                "message": f"Publish edition {label} ({source.tag} = {source.commit[:12]}) "
                f"{'overwriting the published one (--force) ' if status == 'overwritten' else ''}with mike",
            }
        )
        if current == edition.key:
            holder = edition.key
    if holder != current:
        operations.append(
            {
                "op": "alias",
                "version": current,
                "aliases": [alias],
                "deploy_prefix": target.prefix,
                "message": f"Move `{alias}`{_of(target)} to edition {current}, in force",
            }
        )
        status = "alias" if status == "unchanged" else status
    operations.append(
        {
            "op": "set_default",
            "identifier": alias,
            "deploy_prefix": target.prefix,
            "message": f"Open `{alias}`{_of(target)} by default",
        }
    )
    return CompanyResult(target, status, content_hash, current), operations


def _short(content_hash: str | None) -> str:
    return (content_hash or "no hash")[:19]


def list_published(
    root: Path, *, branch: str = BRANCH, company: str | None = None
) -> dict[str, list[PublishedEdition]]:
    """Published editions by prefix (company id; ``""`` for the default site), newest first.

    Reads the local ``branch``, or ``origin/<branch>`` when there is no local one.
    """
    root = root.resolve()
    if not git.is_repository(root):
        raise PublishError(f"{root} is not inside a git repository", hint="run it in a clone of the project")
    revision = git.ref_value(root, ref=f"refs/heads/{branch}") or git.ref_value(
        root, ref=f"refs/remotes/origin/{branch}"
    )
    if revision is None:
        return {}
    prefixes = list_prefixes(root, revision=revision)
    if company is not None:
        if company not in prefixes:
            known = ", ".join(p for p in prefixes if p) or "none"
            raise PublishError(
                f"no editions of company `{company}` on `{branch}`", hint=f"published companies: {known}"
            )
        prefixes = [company]
    listing = {}
    for prefix in prefixes:
        items = read_published(root, revision=revision, prefix=prefix)
        listing[prefix] = sorted(items, key=lambda p: ed.edition_key(p.version), reverse=True)
    return listing


def serve_editions(root: Path, *, address: str = "localhost:8000", branch: str = BRANCH) -> int:
    """Serve the publish branch as published (mike's server: the version selector and banners work).

    Blocks until interrupted; returns the server's exit code. Serves the local
    ``branch``, or ``origin/<branch>`` when there is no local one.
    """
    root = root.resolve()
    if not git.is_repository(root):
        raise PublishError(f"{root} is not inside a git repository", hint="run it in a clone of the project")
    revision = branch
    if git.ref_value(root, ref=f"refs/heads/{branch}") is None:
        if git.ref_value(root, ref=f"refs/remotes/origin/{branch}") is None:
            raise PublishError(
                f"no `{branch}` branch here: nothing is published yet",
                hint="publish an edition first (`reglament publish EDITION`), or fetch it: "
                f"`git fetch origin {branch}`",
            )
        revision = f"origin/{branch}"
    host, _, port = address.rpartition(":") if ":" in address else (address, "", "8000")
    if not port.isdigit():
        raise PublishError(f"`{address}` is not HOST:PORT", hint="e.g. localhost:8000")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reglament.publish.mike_runner", "serve", f"{host or 'localhost'}:{port}", revision],
        cwd=root,
    )
    try:
        return proc.wait()
    finally:  # interrupted (Ctrl+C, SIGTERM): never leave the server behind
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
