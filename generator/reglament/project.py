"""The hub: load a project's sources once and check one variant of it.

Every stage that needs "the sources, loaded and checked" stands on this module
— the site build, the PDF, the diff, publishing, the Word export and the
acknowledgement service — and it stands only on the lower layers (source,
model, variant, check). One :class:`Project` is loaded per run; the base
content, the profiles, the compiled templates and the morphology cache are
shared by every variant checked from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ruamel.yaml import YAML

from reglament.check.checker import MentionMemo, check
from reglament.diagnostics import Diagnostic, has_errors
from reglament.model.content import Content
from reglament.model.profile import DEFAULTS_FILE, Profile, Profiles, PublishTarget
from reglament.morphology import Morph
from reglament.perf import fewer_gc_passes
from reglament.source.cache import SourceCache
from reglament.source.loader import Loaded, load
from reglament.source.profiles import load_profiles
from reglament.variant.resolve import TemplateCache, Variant, resolve


@dataclass
class Checked:
    """One checked variant: the resolved model, every diagnostic about it, and the variant itself."""

    content: Content
    """The resolved model (for the base regulation or one company) that the outputs render."""
    diagnostics: list[Diagnostic]
    """Every problem found loading, resolving and checking this variant, sorted, each once."""
    variant: Variant | None = None
    """The resolved variant; None only when a company's profile does not load."""

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@dataclass
class Project:
    """The loaded sources of one run: base content, company profiles and shared caches."""

    root: Path
    loaded: Loaded
    profiles: Profiles
    cache: TemplateCache = field(default_factory=TemplateCache)
    morph: Morph = field(default_factory=Morph)
    store: SourceCache | None = None
    """The project's ``.reglament-cache/`` when it was loaded with the cache (the checks keep analyses there)."""
    _base: Checked | None = None  # the base regulation's check, computed once

    @property
    def companies(self) -> list[Profile]:
        return self.profiles.companies

    def keep_words(self) -> None:
        """Keep what the morphology learnt in this run beyond the check (the render's term links, the search's
        word forms) in the project's cache, for the next run (a project loaded without the cache: nothing)."""
        if self.store is not None:
            MentionMemo.keep_words(self.store, self.morph)


def load_project(
    root: Path, *, files: dict[str, bytes] | None = None, morph: Morph | None = None, cache: bool = False
) -> Project:
    """Load ``root/content`` and its company profiles (raises ``NoContentError`` when there is no content).

    ``files`` (path → bytes) reads the sources from a git revision instead of the
    working tree; ``morph`` shares a morphology cache between projects; ``cache``
    reuses the loaded files kept in ``root/.reglament-cache/`` (see :mod:`reglament.source.cache`).
    """
    content = load(root, files=files, cache=cache)
    store = SourceCache(root) if cache and files is None else None
    return Project(
        root,
        content,
        load_profiles(root, files=files),
        cache=TemplateCache(root),
        morph=morph or Morph(),
        store=store,
    )


def _profile_diagnostics(project: Project, profile: Profile | None) -> list[Diagnostic]:
    """Problems loading profiles that concern this check: all of them for the base; the company's own and
    the defaults' for a company."""
    if profile is None:
        return list(project.profiles.diagnostics)
    own = {profile.origin.file, DEFAULTS_FILE}
    if project.profiles.defaults is not None:
        own.add(project.profiles.defaults.origin.file)
    return [d for d in project.profiles.diagnostics if d.file in own]


def tag(diagnostic: Diagnostic, company_id: str) -> Diagnostic:
    """The diagnostic, its message naming the company (unless it already does)."""
    if f"company `{company_id}`" in diagnostic.message:
        return diagnostic
    return replace(diagnostic, message=f"company `{company_id}`: {diagnostic.message}")


@fewer_gc_passes()
def check_variant(project: Project, *, company: str | None = None, public: bool = False) -> Checked:
    """Resolve and check one variant (``company=None``: the base regulation).

    A company's diagnostics that the base does not have (an exclusion that orphans
    a reference, a missing parameter, a template error with this company's
    values) name the company in their message. A company whose profile exists
    but does not load gives a result with that profile's errors and no variant;
    an id without any profile raises :class:`~reglament.errors.UnknownCompanyError`.
    """
    profile = None
    if company is not None:
        profile = project.profiles.lookup(company)
        if profile is None:  # the profile exists but does not load: its own errors are the answer
            return Checked(project.loaded.content, sorted(set(project.profiles.problems_of(company))))
    others = project.companies if profile is None else ()
    variant = resolve(
        project.loaded.content,
        profile=profile,
        defaults=project.profiles.defaults,
        public=public,
        other_profiles=others,
        cache=project.cache,
    )
    found = set(project.loaded.diagnostics)
    found.update(_profile_diagnostics(project, profile))
    found.update(variant.diagnostics)
    found.update(check(variant.content, morph=project.morph, variant=variant, store=project.store))
    if profile is not None:
        base = {(d.file, d.line, d.column, d.code, d.message) for d in base_check(project).diagnostics}
        found = {
            d
            if (d.file, d.line, d.column, d.code, d.message) in base or d.file == profile.origin.file
            else tag(d, profile.id)
            for d in found
        }
    return Checked(variant.content, sorted(found), variant)


def base_check(project: Project) -> Checked:
    """The base regulation's check (cached on the project)."""
    if project._base is None:
        project._base = check_variant(project)
    return project._base


def check_companies(
    project: Project, *, companies: Iterable[str] | None = None, public: bool = False
) -> dict[str, Checked]:
    """Check every company (or the listed ones): company id → :class:`Checked`."""
    ids = list(companies) if companies is not None else project.profiles.ids
    return {cid: check_variant(project, company=cid, public=public) for cid in ids}


def check_project(root: Path, *, company: str | None = None, public: bool = False, cache: bool = False) -> Checked:
    """Load and check ``root/content`` in one call: :func:`load_project` then :func:`check_variant`."""
    return check_variant(load_project(root, cache=cache), company=company, public=public)


def merged(results: Iterable[Checked]) -> list[Diagnostic]:
    """The diagnostics of several checks, each reported once."""
    found: set[Diagnostic] = set()
    for checked in results:
        found.update(checked.diagnostics)
    return sorted(found)


def describe(profile: Profile, target: PublishTarget | None = None) -> dict[str, object]:
    """What `reglament companies --json` prints for one company (CI matrices use `id`).

    ``target``: where its internal site is published (:meth:`Profiles.publish_target`), as ``publish``.
    """
    return {
        "id": profile.id,
        "name": profile.name,
        "short_name": profile.short_name,
        "city": profile.city,
        "visibility": profile.visibility,
        "file": profile.origin.file,
        "publish": {"remote": target.remote, "branch": target.branch} if target else None,
    }


def site_title(root: Path) -> str:
    """`site_name` of the project's mkdocs.yml (read as plain YAML, for the default home page)."""
    try:
        data = YAML(typ="safe", pure=True).load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    except Exception:  # a broken mkdocs.yml is reported by the engine itself
        return ""
    return str(data.get("site_name", "")) if isinstance(data, dict) else ""
