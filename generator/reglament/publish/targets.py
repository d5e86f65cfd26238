"""Which sites an edition publishes, and for which audience.

A target is one site: a company (or the single default site) under its
deploy prefix. A site is internal (it shows internal items) unless its
profile — or ``content/defaults.yml`` for the default site — says
``visibility: public`` or the publish is ``--public``; an internal site is
never built into a CI artifact.
"""

from __future__ import annotations

from dataclasses import dataclass

from reglament.errors import PublishError, UnknownCompanyError
from reglament.publish.tagged import Source


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
class CompanyResult:
    target: Target
    status: str
    """``published``, ``overwritten``, ``unchanged`` (same content, nothing committed) or ``alias`` (only the alias moved)."""
    content_hash: str
    current: str | None = None
    """The edition the alias points at after publishing."""


def select_targets(source: Source, *, company: str | None, all_companies: bool) -> list[Target]:
    """The sites to publish: one company, every company, or the default site when there are none."""
    profiles = source.loaded.profiles
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
                f"the company profiles at tag `{source.tag}` do not load", diagnostics=broken, root=source.project
            )
        raise PublishError(
            f"there are no company profiles (content/companies/*.yml) at tag `{source.tag}`",
            hint="publish the default site: leave out --company/--all",
        )
    ids = list(known) if all_companies or company is None else [company]
    for cid in ids:
        if cid not in known:
            raise PublishError(f"{UnknownCompanyError(cid, list(known))} (at tag `{source.tag}`)")
    return [
        Target(
            cid,
            cid,
            known[cid].short_name,
            known[cid].name + (f" · {known[cid].city}" if getattr(known[cid], "city", None) else ""),
        )
        for cid in ids
    ]


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


def of_company(target: Target) -> str:
    return f" of company `{target.company}`" if target.company else ""
