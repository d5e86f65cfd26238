"""Who must (re)acknowledge what: from the diff's «roles affected», never from a manual checkbox.

The diff (:mod:`reglament.diff`) already says which roles a change affects
and why — a duty they perform or are RACI for, a responsibility clause that
enforces their duties, pay, working time, their role description, the
regulation's audience. A clause that was only renumbered, a reflowed text
(no word changed) or another role's duty affects nobody. This module turns
that into requirements per role (:func:`requirements`, stored when an edition
is registered) and, for one employee, into what they must confirm now
(:func:`obligation`):

* a new employee (no acknowledgement of any edition of the regulation) — the
  whole text, when one of their roles is in its audience;
* everyone else — only the changes that affect their roles in the editions
  after the last one they acknowledged; nothing when there are none;
* ``acknowledge: all`` in ``editions.yml`` asks the whole audience for the
  whole text; ``acknowledge: none`` asks nobody (new employees still read the
  edition in force).

The input is the diff in its documented JSON form (``Changes.to_json()``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

MODES = ("affected", "all", "none")
Status = Literal["done", "pending", "current", "not_required"]


@dataclass(frozen=True)
class Requirement:
    role: str
    whole: bool
    changes: tuple[dict[str, Any], ...] = ()
    reasons: tuple[dict[str, Any], ...] = ()


@dataclass
class Doc:
    """A registered regulation of an edition for a company (a row of ``ack_documents`` with its requirements)."""

    id: int
    company: str
    regulation: str
    edition: str
    order: int
    title: str
    effective: Any
    content_hash: str
    mode: str
    audience: list[str]
    items: list[dict[str, Any]]
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    requirements: dict[str, Requirement] = field(default_factory=dict)
    review_due: Any = None
    """The regulation's review deadline (a date) as registered with this edition, or None."""


@dataclass(frozen=True)
class Obligation:
    status: Status
    whole: bool = False
    changes: tuple[dict[str, Any], ...] = ()
    """The changed items to confirm, each with the edition it came with (``edition``)."""
    since: str | None = None
    """The last edition the employee acknowledged (re-acknowledgement), else None."""

    @property
    def clause_ids(self) -> list[str]:
        return list(dict.fromkeys(c["id"] for c in self.changes))


def _reg(changes: dict[str, Any], reg_id: str) -> dict[str, Any] | None:
    return next((r for r in changes.get("regulations", []) if r["id"] == reg_id), None)


def _find(changes: dict[str, Any], reg_id: str, item_id: str) -> dict[str, Any] | None:
    """The item or part change ``item_id`` in regulation ``reg_id`` (or among the roles), as shown to a reader."""
    reg = _reg(changes, reg_id)
    for part in (reg or {}).get("parts", []):
        if part["id"] == item_id:
            return {
                "id": part["id"],
                "kind": "part",
                "change": part["change"],
                "label": part["title"],
                "old_number": part["old_number"],
                "new_number": part["new_number"],
                "fields": part["fields"],
                "parameters": part["parameters"],
                "paragraphs": part["paragraphs"],
            }
        for item in part.get("items", []):
            if item["id"] == item_id:
                return dict(item)
    # an item relocated here from another regulation is listed under its new one: look everywhere
    for other in changes.get("regulations", []):
        for part in other.get("parts", []):
            for item in part.get("items", []):
                if item["id"] == item_id:
                    return dict(item)
    for role in changes.get("roles", []):
        if role["id"] == item_id:
            return dict(role)
    return None


def requirements(
    changes: dict[str, Any] | None, regulation: str, audience: Iterable[str], mode: str
) -> dict[str, Requirement]:
    """Per role: what the edition asks of those who acknowledged the previous one."""
    if mode not in MODES:
        raise ValueError(f"acknowledge must be one of {', '.join(MODES)}, not {mode!r}")
    audience = list(audience)
    if mode == "none":
        return {}
    if mode == "all" or changes is None:
        return {role: Requirement(role, True) for role in audience}
    out: dict[str, Requirement] = {}
    for impact in changes.get("impact", []):
        role = impact["role"]
        reasons = [
            r
            for r in impact["reasons"]
            if r["regulation"] == regulation or (r["regulation"] is None and role in audience)
        ]
        if not reasons:
            continue
        whole = any(r["kind"] == "audience" and r["change"] != "removed" for r in reasons)
        items: dict[str, dict[str, Any]] = {}
        for reason in reasons:
            if reason["kind"] == "audience":
                continue
            found = _find(changes, regulation, reason["item"])
            if found is not None:
                items.setdefault(found["id"], found)
        if whole or items:
            out[role] = Requirement(role, whole, tuple(items.values()), tuple(reasons))
    return out


def obligation(roles: Iterable[str], docs: list[Doc], target: Doc, acknowledged: set[str]) -> Obligation:
    """What an employee with ``roles`` must confirm for ``target``, given the editions they acknowledged.

    ``docs`` are every registered edition of the same regulation for the same
    company; ``acknowledged`` the edition ids the employee has a record for.
    """
    roles = list(roles)
    if target.edition in acknowledged:
        return Obligation("done")
    earlier = sorted((d for d in docs if d.order < target.order and d.edition in acknowledged), key=lambda d: d.order)
    if not earlier:
        if any(r in target.audience for r in roles):
            return Obligation("pending", whole=True)
        return Obligation("not_required")
    last = earlier[-1]
    whole = False
    changes: dict[str, dict[str, Any]] = {}
    for doc in sorted(docs, key=lambda d: d.order):
        if not last.order < doc.order <= target.order:
            continue
        for role in roles:
            req = doc.requirements.get(role)
            if req is None:
                continue
            whole = whole or req.whole
            for change in req.changes:
                changes[change["id"]] = {**change, "edition": doc.edition}  # the newest change of an item wins
    if whole:
        return Obligation("pending", whole=True, since=last.edition)
    if changes:
        return Obligation("pending", changes=tuple(changes.values()), since=last.edition)
    return Obligation("current", since=last.edition)


def clause_ids(target: Doc, ob: Obligation) -> list[str]:
    """The ids of what was shown: every item of the text, or the changed items."""
    if ob.whole:
        return [item["id"] for item in target.items]
    return ob.clause_ids
