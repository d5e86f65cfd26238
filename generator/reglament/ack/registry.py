"""Documents (a regulation's edition for a company, with its requirements) and employees in the database."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select, true, union_all, update

from . import tables as t
from .db import writing
from .errors import AckError
from .materiality import Doc, Requirement, requirements
from .records import utc_now
from .sources import Snapshot


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------
# Documents


@dataclass(frozen=True)
class Registered:
    company: str
    regulation: str
    edition: str
    created: bool
    roles_asked: tuple[str, ...]


def register(engine: Engine, snap: Snapshot) -> list[Registered]:
    """Store every regulation of ``snap`` with who must (re)acknowledge it; an edition registered before is kept.

    A registered edition is immutable: the same edition with a different
    content hash is refused (an edition tag that moved).
    """
    out = []
    with writing(engine) as conn:
        for reg in snap.regulations:
            d = t.documents.c
            existing = conn.execute(
                select(d.id, d.content_hash).where(
                    d.company == snap.company, d.regulation == reg.id, d.edition == snap.edition.id
                )
            ).first()
            if existing is not None:
                if existing.content_hash != reg.content_hash:
                    raise AckError(
                        f"edition {snap.edition.id} of `{reg.id}` for `{snap.company}` was registered "
                        f"with content {existing.content_hash[:12]}, the tag now has "
                        f"{reg.content_hash[:12]}: a registered edition cannot change"
                    )
                out.append(Registered(snap.company, reg.id, snap.edition.id, False, ()))
                continue
            reqs = requirements(snap.changes, reg.id, reg.audience, snap.edition.mode)
            doc_id = conn.execute(
                t.documents.insert()
                .values(
                    company=snap.company,
                    regulation=reg.id,
                    edition=snap.edition.id,
                    edition_order=snap.edition.order,
                    title=reg.title,
                    effective=snap.edition.effective,
                    content_hash=reg.content_hash,
                    mode=snap.edition.mode,
                    previous_edition=snap.edition.previous,
                    audience=_json(reg.audience),
                    roles=_json(snap.roles),
                    items=_json(reg.items),
                    registered_at=utc_now(),
                    review_due=reg.review_due,
                )
                .returning(t.documents.c.id)
            ).scalar_one()
            if reqs:
                conn.execute(
                    t.requirements.insert(),
                    [
                        {
                            "document_id": doc_id,
                            "role": r.role,
                            "whole": r.whole,
                            "changes": _json(list(r.changes)),
                            "reasons": _json(list(r.reasons)),
                        }
                        for r in reqs.values()
                    ],
                )
            out.append(Registered(snap.company, reg.id, snap.edition.id, True, tuple(reqs)))
    return out


def docs(conn: Connection, company: str, regulation: str | None = None) -> list[Doc]:
    """Registered documents of ``company`` (one regulation, or all), oldest edition first, with requirements."""
    d = t.documents.c
    query = select(t.documents).where(d.company == company)
    if regulation is not None:
        query = query.where(d.regulation == regulation)
    rows = conn.execute(query.order_by(d.regulation, d.edition_order)).mappings().all()
    out = {
        row["id"]: Doc(
            row["id"],
            row["company"],
            row["regulation"],
            row["edition"],
            row["edition_order"],
            row["title"],
            row["effective"],
            row["content_hash"],
            row["mode"],
            json.loads(row["audience"]),
            json.loads(row["items"]),
            json.loads(row["roles"]),
            review_due=row["review_due"],
        )
        for row in rows
    }
    if out:
        r = t.requirements.c
        for req in conn.execute(select(t.requirements).where(r.document_id.in_(list(out)))).mappings():
            out[req["document_id"]].requirements[req["role"]] = Requirement(
                req["role"], bool(req["whole"]), tuple(json.loads(req["changes"])), tuple(json.loads(req["reasons"]))
            )
    return list(out.values())


# The statements each acknowledgement runs, built once (their values are bound when executed): building a
# statement anew costs more than running it.
_d, _e, _r = t.documents.c, t.employees.c, t.acknowledgements.c
_DOC_STAMP = select(func.count(), func.max(_d.id)).where(_d.company == bindparam("company"))
_DOC_STAMP_OF = _DOC_STAMP.where(_d.regulation == bindparam("regulation"))
#: the employee by e-mail or personnel number: two index lookups in one statement (an OR would scan)
_BY_IDENTITY = union_all(
    *(
        select(t.employees).where(_e.company == bindparam("company"), _e.active.is_(True), match)
        for match in (_e.email == bindparam("email"), _e.number == bindparam("number"))
    )
)
_RECORDS = select(t.acknowledgements).where(_r.employee_id == bindparam("employee"), _r.company == bindparam("company"))
_RECORDS_OF = _RECORDS.where(_r.regulation == bindparam("regulation"))


class DocCache:
    """The registered documents of one instance, parsed once (:func:`docs`: a row and its requirements' JSON).

    A document never changes once registered: rows are only ever added. So a cached list is used as long as
    the database holds as many documents of that company (and regulation) with the same newest id — one index
    lookup instead of reading and parsing every edition's items on each request. A registration by another
    instance or by ``reglament ack sync`` changes the count, and the next request reads the documents again.
    The lists it returns are shared between requests: callers never change them.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[str, str | None], tuple[tuple[int, int | None], list[Doc]]] = {}
        self._lock = threading.Lock()

    def docs(self, conn: Connection, company: str, regulation: str | None = None) -> list[Doc]:
        """:func:`docs`, from the cache while the documents registered are the same."""
        query = _DOC_STAMP if regulation is None else _DOC_STAMP_OF
        count, newest = conn.execute(query, {"company": company, "regulation": regulation}).one()
        stamp = (int(count), newest)
        key = (company, regulation)
        with self._lock:
            kept = self._found.get(key)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        found = docs(conn, company, regulation)
        if len(found) == stamp[0] and (max((doc.id for doc in found), default=None) == stamp[1]):
            with self._lock:  # (a registration between the two reads: not kept, read again next time)
                self._found[key] = (stamp, found)
        return found


def latest(all_docs: Iterable[Doc]) -> dict[str, Doc]:
    """Per regulation, its newest registered edition: the one employees acknowledge now."""
    out: dict[str, Doc] = {}
    for doc in all_docs:
        if doc.regulation not in out or doc.order > out[doc.regulation].order:
            out[doc.regulation] = doc
    return out


def companies(conn: Connection) -> list[str]:
    rows = conn.execute(select(t.documents.c.company).union(select(t.employees.c.company))).scalars().all()
    return sorted(set(rows))


# --------------------------------------------------------------------------
# Employees


@dataclass(frozen=True)
class EmployeeRow:
    """An employee as the HR import or a profile gives it."""

    company: str
    name: str
    roles: tuple[str, ...]
    position: str | None = None
    department: str | None = None
    email: str | None = None
    number: str | None = None
    hired: dt.date | None = None

    @property
    def key(self) -> str:
        """How the same person is recognised on the next import: personnel number, else e-mail, else name."""
        if self.number:
            return f"number:{self.number}"
        if self.email:
            return f"email:{self.email.lower()}"
        return f"name:{self.name}"


def upsert_employees(
    engine: Engine, people: Iterable[EmployeeRow], *, source: str, deactivate_missing: Iterable[str] = ()
) -> tuple[int, int, int]:
    """Insert or update by (company, key); returns (added, updated, deactivated)."""
    added = updated = deactivated = 0
    seen: dict[str, set[str]] = {}
    e = t.employees.c
    with writing(engine) as conn:
        for person in people:
            seen.setdefault(person.company, set()).add(person.key)
            values = {
                "name": person.name,
                "roles": _json(list(person.roles)),
                "position": person.position,
                "department": person.department,
                "email": person.email.lower() if person.email else None,
                "number": person.number,
                "hired": person.hired,
                "active": True,
                "source": source,
            }
            existing = conn.execute(select(e.id).where(e.company == person.company, e.key == person.key)).scalar()
            if existing is None:
                conn.execute(t.employees.insert().values(company=person.company, key=person.key, **values))
                added += 1
            else:
                conn.execute(update(t.employees).where(e.id == existing).values(**values))
                updated += 1
        for company in deactivate_missing:
            keys = seen.get(company, set())
            result = conn.execute(
                update(t.employees)
                .where(
                    e.company == company, e.active.is_(True), e.source == source, e.key.not_in(keys) if keys else true()
                )
                .values(active=False)
            )
            deactivated += result.rowcount
    return added, updated, deactivated


def employee_by_identity(conn: Connection, company: str, value: str) -> dict | None:
    """The active employee of ``company`` whose e-mail or personnel number is ``value`` (from the proxy).

    E-mails are stored lower-case (:func:`upsert_employees`), so the lookup uses the (company, email) index.
    """
    value = value.strip()
    if not value:
        return None
    found: dict[int, Any] = {}
    for row in conn.execute(_BY_IDENTITY, {"company": company, "email": value.lower(), "number": value}).mappings():
        found[row["id"]] = row
    rows = list(found.values())
    return dict(rows[0]) if len(rows) == 1 else None  # ambiguous identities get nothing


def employee(conn: Connection, employee_id: int) -> dict | None:
    row = conn.execute(select(t.employees).where(t.employees.c.id == employee_id)).mappings().first()
    return dict(row) if row is not None else None


def employees_of(conn: Connection, company: str, *, active: bool = True) -> list[dict]:
    e = t.employees.c
    query = select(t.employees).where(e.company == company)
    if active:
        query = query.where(e.active.is_(True))
    return [dict(r) for r in conn.execute(query.order_by(e.name, e.id)).mappings()]


def roles_of(person: dict) -> list[str]:
    return list(json.loads(person["roles"]))


def acknowledged(
    conn: Connection, employee_id: int, company: str, regulation: str | None = None
) -> dict[tuple[str, str], dict]:
    """The employee's own records: (regulation, edition) → record."""
    query = _RECORDS if regulation is None else _RECORDS_OF
    rows = conn.execute(query, {"employee": employee_id, "company": company, "regulation": regulation}).mappings()
    return {(row["regulation"], row["edition"]): dict(row) for row in rows}


def company_records(conn: Connection, company: str) -> dict[tuple[int, str, str], dict]:
    """Every record of ``company`` (HR only): (employee id, regulation, edition) → record."""
    r = t.acknowledgements.c
    rows = conn.execute(select(t.acknowledgements).where(r.company == company)).mappings()
    return {(row["employee_id"], row["regulation"], row["edition"]): dict(row) for row in rows}
