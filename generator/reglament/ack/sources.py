"""What the acknowledgement service reads from the project — the one module that imports the rest of reglament.

Everything it returns is plain data (dicts, lists, dataclasses of this
module), so the other modules of :mod:`reglament.ack` never see the content
model and a change of the package layout touches only the imports below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diff.compare import compare_editions, label, main_text, placements
from ..diff.redline import plain
from ..diff.sources import load_side
from ..errors import DiffError
from ..model.editions import EDITIONS_FILE, Editions, edition_key
from ..source.loader import Loader, SourceReader
from ..source.profiles import load_profiles
from .errors import AckError

BASE = "base"
"""The company id the service uses for the base regulation when the project has no company profiles."""


@dataclass(frozen=True)
class EditionInfo:
    id: str
    order: int
    effective: dt.date
    mode: str
    """``affected`` | ``all`` | ``none`` (``acknowledge:`` in editions.yml)."""
    previous: str | None


@dataclass
class RegulationText:
    """One regulation of one edition for one company: what an employee is shown and confirms."""

    id: str
    title: str
    audience: list[str]
    items: list[dict[str, Any]]
    """In reading order: parts (``kind: part``) and their numbered items, each {id, kind, number, label, text}."""
    content_hash: str
    review_due: dt.date | None = None
    """The review deadline (``review_by:`` / ``review_every:``); not part of the content hash."""


@dataclass
class Snapshot:
    company: str
    edition: EditionInfo
    regulations: list[RegulationText]
    roles: dict[str, dict[str, str | None]]
    """Role id → {name, department} as this company names them."""
    changes: dict[str, Any] | None
    """The diff with the previous edition in its documented JSON form (format 2); None for the first edition."""


@dataclass
class ProfileEmployee:
    company: str
    name: str
    roles: list[str]
    position: str | None
    department: str | None
    email: str | None
    number: str | None


@dataclass
class Project:
    companies: list[str]
    roles: dict[str, dict[str, dict[str, str | None]]] = field(default_factory=dict)
    """Company → role id → {name, department}."""


def editions(root: Path) -> list[EditionInfo]:
    """The editions listed in ``content/editions.yml`` of the working tree, oldest first."""
    reader = SourceReader(root)
    if not reader.exists(EDITIONS_FILE):
        return []
    loader = Loader(reader)
    model = loader.model(Editions, EDITIONS_FILE)
    if model is None:
        raise AckError(f"{EDITIONS_FILE} does not load: run `reglament check`", diagnostics=loader.diagnostics)
    out: list[EditionInfo] = []
    previous: str | None = None
    for order, edition in enumerate(model.editions):
        effective = edition.effective_date
        if effective is None or not isinstance(edition.id, str):
            raise AckError(f"{EDITIONS_FILE}: edition {edition.key} is malformed: run `reglament check`")
        out.append(EditionInfo(edition.key, order, effective, edition.acknowledge, previous))
        previous = edition.key
    return out


def company_ids(root: Path) -> list[str]:
    """The companies with a profile, or ``[BASE]`` when the project has none."""
    profiles = load_profiles(root)
    return sorted(profiles.ids) or [BASE]


def company_names(root: Path) -> dict[str, str]:
    """Company id → the name its pages show (the profile's short name; the defaults' for the base)."""
    profiles = load_profiles(root)
    names = {p.id: p.short_name for p in profiles.companies}
    if not names and profiles.defaults is not None and (profiles.defaults.short_name or profiles.defaults.name):
        names[BASE] = profiles.defaults.short_name or profiles.defaults.name or BASE
    return names


def _company_arg(company: str) -> str | None:
    return None if company == BASE else company


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def regulation_texts(content: Any) -> list[RegulationText]:
    placed, _ = placements(content)
    by_part: dict[tuple[str, str], list[Any]] = {}
    for ident, p in placed.items():
        by_part.setdefault((p.regulation.id, getattr(p.part, "id", "")), []).append((ident, p))
    out = []
    approved = max((e.approved_date for e in content.editions if e.approved_date is not None), default=None)
    for reg in content.regulations:
        items: list[dict[str, Any]] = []
        # the review cycle is not what employees acknowledge: moving it keeps the content hash
        dump = [reg.model_dump(mode="json", exclude={"review_by", "review_every"})]
        for s, part in enumerate(reg.loaded_parts, 1):
            dump.append(part.model_dump(mode="json"))
            body = getattr(part, "body", None)
            items.append(
                {
                    "id": part.id,
                    "kind": "part",
                    "number": str(s),
                    "label": part.title,
                    "text": plain(body) if isinstance(body, str) and body.strip() else None,
                }
            )
            for ident, p in by_part.get((reg.id, part.id), []):
                text = main_text(p.node)
                items.append(
                    {
                        "id": ident,
                        "kind": p.kind,
                        "number": p.number,
                        "label": plain(label(p.node)),
                        "text": plain(text) if text else None,
                    }
                )
        digest = hashlib.sha256(_canonical(dump).encode("utf-8")).hexdigest()
        out.append(RegulationText(reg.id, reg.title, list(reg.audience), items, digest, reg.review_deadline(approved)))
    return out


def _roles(content: Any) -> dict[str, dict[str, str | None]]:
    return {r.id: {"name": r.name, "department": r.department} for r in content.roles}


def snapshot(root: Path, edition: EditionInfo, company: str) -> Snapshot:
    """The edition as ``company`` reads it (from the tag ``edition/<id>``), with the diff to the previous one."""
    try:
        new = load_side(root, name=edition.id, company=_company_arg(company), run_checks=False)
        old = (
            load_side(root, name=edition.previous, company=_company_arg(company), run_checks=False)
            if edition.previous
            else None
        )
    except DiffError as exc:
        raise AckError(str(exc)) from exc
    errors = [d for d in new.side.diagnostics if d.severity == "error"]
    if errors:
        raise AckError(
            f"edition {edition.id} of `{company}` has content errors: run `reglament check` at its tag",
            diagnostics=errors,
        )
    changes = None
    if old is not None:
        changes = compare_editions(
            old.content, new.content, old_side=old.side, new_side=new.side, company=_company_arg(company)
        ).to_json()
    return Snapshot(company, edition, regulation_texts(new.content), _roles(new.content), changes)


def project(root: Path) -> Project:
    """Companies and each company's role names and departments (from the working tree)."""
    ids = company_ids(root)
    result = Project(ids)
    for cid in ids:
        try:
            side = load_side(root, name=None, company=_company_arg(cid), run_checks=False)
        except DiffError as exc:
            raise AckError(str(exc)) from exc
        result.roles[cid] = _roles(side.content)
    return result


def profile_employees(root: Path, roles: dict[str, dict[str, dict[str, str | None]]]) -> list[ProfileEmployee]:
    """The people listed in the profiles (``employees:``), or in ``defaults.yml`` without profiles."""
    profiles = load_profiles(root)
    owners: list[tuple[str, Any]] = [(p.id, p) for p in profiles.companies]
    if not owners and profiles.defaults is not None:
        owners = [(BASE, profiles.defaults)]
    out = []
    for cid, owner in owners:
        names = roles.get(cid, {})
        for person in owner.employees:
            role = names.get(person.role, {})
            out.append(
                ProfileEmployee(
                    cid,
                    person.name,
                    [person.role],
                    person.position or role.get("name"),
                    role.get("department"),
                    person.email,
                    person.number,
                )
            )
    return out


__all__ = [
    "BASE",
    "EditionInfo",
    "ProfileEmployee",
    "Project",
    "RegulationText",
    "Snapshot",
    "company_ids",
    "company_names",
    "edition_key",
    "editions",
    "profile_employees",
    "project",
    "regulation_texts",
    "snapshot",
]
