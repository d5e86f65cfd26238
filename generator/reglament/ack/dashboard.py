"""HR's view: who has not acknowledged, by company, department, role, regulation and edition; CSV and XLSX.

One row per active employee and registered regulation that asks something
of them (or that they acknowledged): status ``done`` (this edition),
``current`` (an earlier edition, and nothing since affects their roles),
``pending`` or ``overdue`` (pending after the deadline — N working days from
the effective date, or from the hiring date when later).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import Connection

from . import registry
from .config import AckConfig
from .materiality import obligation
from .service import due_date

STATUS_RU = {
    "done": "ознакомлен",
    "current": "ознакомлен с прежней редакцией (изменений для роли нет)",
    "pending": "не ознакомлен",
    "overdue": "не ознакомлен, срок истёк",
}
METHOD_RU = {
    "proxy": "электронная подпись (вход через корпоративную учётную запись)",
    "link": "электронная подпись (персональная ссылка)",
}
COLUMNS = (
    "company",
    "department",
    "role",
    "employee",
    "position",
    "number",
    "email",
    "regulation",
    "title",
    "edition",
    "status",
    "what",
    "due",
    "acknowledged_at",
    "method",
    "record_hash",
)
HEADERS_RU = (
    "Компания",
    "Подразделение",
    "Роль",
    "ФИО",
    "Должность",
    "Табельный номер",
    "E-mail",
    "Регламент",
    "Название",
    "Редакция",
    "Статус",
    "Что подтвердить",
    "Срок",
    "Дата и время (UTC)",
    "Способ подписания",
    "Хеш записи",
)


@dataclass(frozen=True)
class Row:
    company: str
    department: str
    role: str
    employee: str
    position: str
    number: str
    email: str
    regulation: str
    title: str
    edition: str
    status: str
    what: str
    due: dt.date | None
    acknowledged_at: str
    method: str
    record_hash: str
    employee_id: int

    def values(self) -> list[object]:
        """The row as exported: dates as ISO text, the status in Russian."""
        out: list[object] = []
        for c in COLUMNS:
            value = getattr(self, c)
            if c == "due":
                value = value.isoformat() if value else ""
            elif c == "status":
                value = STATUS_RU[value]
            out.append(value)
        return out


@dataclass(frozen=True)
class Filters:
    department: str | None = None
    role: str | None = None
    regulation: str | None = None
    edition: str | None = None
    status: str | None = None

    def keep(self, row: Row) -> bool:
        return (
            (not self.department or row.department == self.department)
            and (not self.role or self.role in row.role.split(", "))
            and (not self.regulation or row.regulation == self.regulation)
            and (not self.edition or row.edition == self.edition)
            and (not self.status or row.status == self.status or (self.status == "pending" and row.status == "overdue"))
        )


def rows(
    conn: Connection, cfg: AckConfig, company: str, *, filters: Filters = Filters(), today: dt.date | None = None
) -> list[Row]:
    today = today or dt.date.today()
    all_docs = registry.docs(conn, company)
    if filters.edition:
        targets = {d.regulation: d for d in all_docs if d.edition == filters.edition}
    else:
        targets = registry.latest(all_docs)
    records = registry.company_records(conn, company)
    by_employee: dict[int, dict[str, set[str]]] = {}
    for emp, reg, edition in records:
        by_employee.setdefault(emp, {}).setdefault(reg, set()).add(edition)
    out = []
    for person in registry.employees_of(conn, company):
        roles = registry.roles_of(person)
        for reg_id, target in sorted(targets.items()):
            same = [d for d in all_docs if d.regulation == reg_id]
            acked = by_employee.get(person["id"], {}).get(reg_id, set())
            ob = obligation(roles, same, target, acked)
            if ob.status == "not_required":
                continue
            status: str = ob.status
            due = None
            if ob.status == "pending":
                due = due_date(cfg, target, person)
                if today > due:
                    status = "overdue"
            record = records.get((person["id"], reg_id, target.edition if ob.status == "done" else ob.since or ""))
            names = target.roles
            department = (
                person.get("department")
                or next((names.get(r, {}).get("department") for r in roles if names.get(r, {}).get("department")), "")
                or ""
            )
            what = "весь текст" if ob.whole else f"изменения ({len(ob.changes)})" if ob.status == "pending" else ""
            out.append(
                Row(
                    company,
                    department,
                    ", ".join(roles),
                    person["name"],
                    person.get("position") or "",
                    person.get("number") or "",
                    person.get("email") or "",
                    reg_id,
                    target.title,
                    target.edition,
                    status,
                    what,
                    due,
                    record["acked_at"] if record else "",
                    METHOD_RU.get(record["method"], record["method"]) if record else "",
                    record["record_hash"] if record else "",
                    person["id"],
                )
            )
    return [r for r in out if filters.keep(r)]


REVIEW_SOON_DAYS = 30


@dataclass(frozen=True)
class Review:
    """A regulation whose review (``review_by:`` / ``review_every:`` of its current edition) is due."""

    regulation: str
    title: str
    edition: str
    due: dt.date
    days: int
    """Days overdue (positive) or left (zero or negative)."""

    @property
    def overdue(self) -> bool:
        return self.days > 0


def reviews(conn: Connection, company: str, *, today: dt.date | None = None) -> list[Review]:
    """Regulations of ``company`` whose review is overdue or due within 30 days, most overdue first."""
    today = today or dt.date.today()
    out = []
    for doc in registry.latest(registry.docs(conn, company)).values():
        due = doc.review_due
        if due is None:
            continue
        if isinstance(due, str):  # SQLite hands back what was stored
            due = dt.date.fromisoformat(due)
        if (due - today).days <= REVIEW_SOON_DAYS:
            out.append(Review(doc.regulation, doc.title, doc.edition, due, (today - due).days))
    return sorted(out, key=lambda r: (-r.days, r.regulation))


def summary(table: list[Row]) -> dict[str, int]:
    counts = {"done": 0, "current": 0, "pending": 0, "overdue": 0}
    for row in table:
        counts[row.status] += 1
    return counts


def to_csv(table: list[Row]) -> bytes:
    """UTF-8 with a BOM and `;` (what Excel in a Russian locale opens directly)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS_RU)
    for row in table:
        writer.writerow([_safe_cell(v) for v in row.values()])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _safe_cell(value: object) -> object:
    """Names come from HR files: a cell starting with = + - @ would run as a formula in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_xlsx(table: list[Row], *, title: str = "Ознакомление") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(list(HEADERS_RU))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in table:
        values = row.values()
        values[COLUMNS.index("due")] = row.due  # a real date cell
        ws.append([_safe_cell(v) for v in values])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, header in enumerate(HEADERS_RU, 1):
        width = max([len(header)] + [len(str(r.values()[i - 1])) for r in table[:500]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 60)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
