"""mike's operations for one site on a destination, and the removal of internal editions from a Pages branch.

Nothing here changes a branch: the operations (deploy, alias, set_default,
delete) are planned against the destination's base and run later, in one mike
process (:mod:`reglament.publish.commit`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal, NotRequired, TypedDict

import yaml

from reglament.errors import EditionChangedError
from reglament.model.profile import COMPANIES_DIR
from reglament.publish.build import EditionSite
from reglament.publish.destinations import DestinationState
from reglament.publish.published import Overwrite, PublishedEdition, VersionProperties, in_force, read_published
from reglament.publish.tagged import Source
from reglament.publish.targets import CompanyResult, Target, of_company
from reglament.source import git


class DeployOp(TypedDict):
    """Commit a built site as ``version`` under ``deploy_prefix`` (``mike deploy``)."""

    op: Literal["deploy"]
    site_dir: str
    version: str
    title: str
    aliases: list[str]
    deploy_prefix: str
    properties: VersionProperties
    message: str


class AliasOp(TypedDict):
    """Move ``aliases`` to ``version`` (``mike alias --update-aliases``)."""

    op: Literal["alias"]
    version: str
    aliases: list[str]
    deploy_prefix: str
    message: str


class SetDefaultOp(TypedDict):
    """Make ``identifier`` the version the prefix's root redirects to (``mike set-default``)."""

    op: Literal["set_default"]
    identifier: str
    deploy_prefix: str
    message: str


class DeleteOp(TypedDict):
    """Delete ``versions`` (``mike delete``); ``all``: the prefix's whole folder goes."""

    op: Literal["delete"]
    versions: list[str]
    all: NotRequired[bool]
    deploy_prefix: str
    message: str


class FilesOp(TypedDict):
    """Write files at the branch's root (the root page)."""

    op: Literal["files"]
    files: dict[str, str]
    message: str


#: one request item of :mod:`reglament.publish.mike_runner`
Operation = DeployOp | AliasOp | SetDefaultOp | DeleteOp | FilesOp


def plan_site(
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
) -> tuple[CompanyResult, list[Operation]]:
    """mike's operations for one target's site (none that change anything when it is already there).

    ``drop``: published versions to delete first (internal editions of a site that is public now).
    """
    del who  # the publisher's name and e-mail are in the git commit, never in the public versions.json
    target, edition, content_hash = site.target, source.edition, site.content_hash
    published = [p for p in read_published(root, revision=base, prefix=target.prefix) if p.version not in drop]
    existing = next((p for p in published if p.version == edition.key), None)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    operations: list[Operation] = []
    if drop:
        operations.append(
            {
                "op": "delete",
                "versions": sorted(drop),
                "deploy_prefix": target.prefix,
                "message": f"Remove internal edition(s) {', '.join(sorted(drop))}{of_company(target)}: the site is public now",
            }
        )
    label = f"{edition.key}{of_company(target)}"

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
        # Edition.properties() key by key, in its order (a TypedDict takes no ** of a plain dict): a key added
        # there must be added here and to VersionProperties
        meta = edition.properties()
        properties: VersionProperties = {
            "effective": meta["effective"],
            "approved_by": meta["approved_by"],
            "approved": meta["approved"],
            "content_hash": content_hash,
            "tag": source.tag,
            "commit": source.commit,
            "published_at": now,
            "audience": audience,
        }
        if existing is not None:
            history = list(existing.properties.get("overwrites", []))
            history.append(
                Overwrite(
                    at=now,
                    replaced_hash=existing.content_hash,
                    replaced_published_at=existing.properties.get("published_at"),
                )
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
    if holder != current and current is not None:  # (current is None only when nothing is published: no holder)
        operations.append(
            {
                "op": "alias",
                "version": current,
                "aliases": [alias],
                "deploy_prefix": target.prefix,
                "message": f"Move `{alias}`{of_company(target)} to edition {current}, in force",
            }
        )
        status = "alias" if status == "unchanged" else status
    operations.append(
        {
            "op": "set_default",
            "identifier": alias,
            "deploy_prefix": target.prefix,
            "message": f"Open `{alias}`{of_company(target)} by default",
        }
    )
    return CompanyResult(target, status, content_hash, current), operations


def _short(content_hash: str | None) -> str:
    return (content_hash or "no hash")[:19]


def remove_internal_builds(
    root: Path, state: DestinationState, *, source: Source, hidden: frozenset[str], sites: list[EditionSite]
) -> list[DeleteOp]:
    """Deletions of the internal editions that companies internal now still have on a Pages branch.

    Such builds were put there before the guard against internal sites existed (or by hand); the site
    being internal, nothing republishes it here, so they would stay on the public website for good.
    """
    publishing = {site.target.company for site in sites}
    operations: list[DeleteOp] = []
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
                "message": f"Remove internal edition(s) {', '.join(sorted(drop))}{of_company(target)}: "
                "an internal site is not published to a Pages branch",
            }
        )
        source.notes.append(
            f"removed the internal edition(s) {', '.join(sorted(drop))}{of_company(target)} from `{state.dest.branch}`: "
            "an internal site is not published there (they stay in the branch's history; --purge-history "
            "removes them there)"
        )
    return operations


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
