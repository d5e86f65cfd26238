"""The service's operations, shared by the web application and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from . import registry, sources
from .config import AckConfig, working_days_after
from .errors import AckError, NotRegistered
from .materiality import Doc, Obligation, clause_ids, obligation
from .records import Acknowledgement, append


@dataclass(frozen=True)
class Status:
    """One regulation as one employee sees it."""

    doc: Doc
    obligation: Obligation
    record: dict | None
    """The record of this edition (done), or of the last edition acknowledged (current / re-acknowledgement)."""
    due: dt.date | None


def due_date(cfg: AckConfig, doc: Doc, person: dict) -> dt.date:
    """The acknowledgement deadline: N working days after the effective date, or after hiring when later."""
    start = doc.effective
    hired = person.get("hired")
    if hired is not None and hired > start:
        start = hired
    return working_days_after(start, cfg.deadline_working_days, frozenset(cfg.holidays))


def status_of(
    conn: Connection,
    cfg: AckConfig,
    person: dict,
    regulation: str | None = None,
    *,
    documents: registry.DocCache | None = None,
) -> list[Status]:
    """The employee's status for each regulation of their company (their own records only); ``documents``: the
    instance's cache of registered documents (default: read them)."""
    company = person["company"]
    all_docs = (documents.docs if documents is not None else registry.docs)(conn, company, regulation)
    records = registry.acknowledged(conn, person["id"], company, regulation)
    roles = registry.roles_of(person)
    out = []
    for reg_id, target in sorted(registry.latest(all_docs).items()):
        same = [d for d in all_docs if d.regulation == reg_id]
        acked = {edition for (reg, edition) in records if reg == reg_id}
        ob = obligation(roles, same, target, acked)
        record = records.get((reg_id, target.edition))
        if record is None and ob.since:
            record = records.get((reg_id, ob.since))
        out.append(Status(target, ob, record, due_date(cfg, target, person) if ob.status == "pending" else None))
    return out


def document(conn: Connection, company: str, regulation: str, edition: str | None = None) -> Doc:
    all_docs = registry.docs(conn, company, regulation)
    if not all_docs:
        raise NotRegistered(f"no registered edition of `{regulation}` for `{company}`")
    if edition is None:
        return registry.latest(all_docs)[regulation]
    for doc in all_docs:
        if doc.edition == edition:
            return doc
    raise NotRegistered(f"edition {edition} of `{regulation}` is not registered for `{company}`")


def acknowledge(
    engine: Engine,
    cfg: AckConfig,
    person: dict,
    regulation: str,
    edition: str,
    *,
    method: str,
    client_addr: str,
    user_agent: str,
    writer: Callable[[Acknowledgement], tuple[dict, bool]] | None = None,
    documents: registry.DocCache | None = None,
) -> tuple[dict, bool]:
    """Record that ``person`` confirmed what the edition asks of them; idempotent.

    Only the newest registered edition can be acknowledged, and only by
    someone it asks (or who acknowledges it a second time): the clauses
    recorded are the ones the server showed, never what the client claims.
    ``writer`` (the service's :class:`~reglament.ack.writer.GroupCommit`) writes the record; default: alone.
    ``documents``: the instance's cache of registered documents.
    """
    with engine.connect() as conn:
        statuses = status_of(conn, cfg, person, regulation, documents=documents)
        current = [s for s in statuses if s.doc.regulation == regulation]
    if not current:
        raise NotRegistered(f"no registered edition of `{regulation}` for `{person['company']}`")
    st = current[0]
    if st.doc.edition != edition:
        raise AckError(f"edition {edition} is not the current edition of `{regulation}` ({st.doc.edition})")
    if st.obligation.status == "done" and st.record is not None:
        return st.record, False
    if st.obligation.status != "pending":
        raise AckError(f"edition {edition} of `{regulation}` asks nothing of this employee")
    ack = Acknowledgement(
        employee_id=person["id"],
        employee_key=person["key"],
        employee_name=person["name"],
        position=person.get("position") or "",
        company=person["company"],
        regulation=regulation,
        edition=edition,
        content_hash=st.doc.content_hash,
        clauses=tuple(clause_ids(st.doc, st.obligation)),
        method=method,
        client_addr=client_addr,
        user_agent=user_agent,
    )
    return writer(ack) if writer is not None else append(engine, ack)


# --------------------------------------------------------------------------
# Sync with the project


@dataclass(frozen=True)
class SyncReport:
    registered: list[registry.Registered]
    skipped: list[str]
    employees: tuple[int, int, int]


def register_edition(
    engine: Engine, root: Path, edition_id: str, companies: list[str] | None = None
) -> list[registry.Registered]:
    """Register one edition (from its tag) for the given companies (default: all)."""
    editions = {e.id: e for e in sources.editions(root)}
    if edition_id not in editions:
        raise AckError(f"edition `{edition_id}` is not listed in content/editions.yml")
    out = []
    for company in companies or sources.company_ids(root):
        out += registry.register(engine, sources.snapshot(root, editions[edition_id], company))
    return out


def sync_employees(engine: Engine, root: Path, project: sources.Project | None = None) -> tuple[int, int, int]:
    """The profiles' ``employees:`` into the database (an HR import of the same person updates the same row)."""
    project = project or sources.project(root)
    people = [
        registry.EmployeeRow(p.company, p.name, tuple(p.roles), p.position, p.department, p.email, p.number)
        for p in sources.profile_employees(root, project.roles)
    ]
    return registry.upsert_employees(engine, people, source="profile", deactivate_missing=project.companies)


def sync(engine: Engine, root: Path) -> SyncReport:
    """Employees from the profiles, and every listed edition that has a tag and is not registered yet."""
    project = sources.project(root)
    counts = sync_employees(engine, root, project)
    registered: list[registry.Registered] = []
    skipped: list[str] = []
    with engine.connect() as conn:
        known = {(d.company, d.edition) for c in project.companies for d in registry.docs(conn, c)}
    for edition in sources.editions(root):
        for company in project.companies:
            if (company, edition.id) in known:
                continue
            try:
                registered += registry.register(engine, sources.snapshot(root, edition, company))
            except AckError as exc:
                skipped.append(f"{edition.id} ({company}): {exc}")
                break  # the same reason (no tag, a predecessor without a tag) holds for every company
    return SyncReport(registered, skipped, counts)
