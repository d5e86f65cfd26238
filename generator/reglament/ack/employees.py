"""HR import of employees from CSV or XLSX, validated with positioned diagnostics like the sources.

Columns are found by their header (Russian or English, any order, any case)::

    ФИО | name                       required
    Роль | Роли | roles              required: role ids (or role names), `,` or `;` between several
    Компания | company               required when the project has several companies (else --company)
    Должность | position
    Подразделение | department
    E-mail | email | Почта
    Табельный номер | number         an e-mail or a personnel number is required (the identity)
    Дата приёма | hired              YYYY-MM-DD or ДД.ММ.ГГГГ

Every problem is reported in one run as ``file:row:column`` (the spreadsheet's
row and column, 1-based, the header being row 1); with any error nothing is
imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from .errors import ImportProblems
from .registry import EmployeeRow

HEADERS = {
    "name": ("фио", "ф.и.о.", "сотрудник", "name", "full name", "full_name"),
    "roles": ("роль", "роли", "role", "roles"),
    "company": ("компания", "организация", "company"),
    "position": ("должность", "position", "title"),
    "department": ("подразделение", "отдел", "department"),
    "email": ("e-mail", "email", "почта", "эл. почта", "электронная почта"),
    "number": ("табельный номер", "таб. номер", "табельный", "number", "personnel number", "employee id"),
    "hired": ("дата приёма", "дата приема", "hired", "hire date"),
}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RU_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Cell:
    row: int
    column: int
    value: str


def _rows_csv(path: Path) -> Iterator[list[Cell]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251")  # what Excel writes in a Russian locale
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    for r, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        yield [Cell(r, c, v.strip()) for c, v in enumerate(values, 1)]


def _rows_xlsx(path: Path) -> Iterator[list[Cell]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        for r, values in enumerate(ws.iter_rows(values_only=True), 1):
            cells = []
            for c, v in enumerate(values, 1):
                if isinstance(v, dt.datetime):
                    v = v.date()
                cells.append(
                    Cell(r, c, v.isoformat() if isinstance(v, dt.date) else ("" if v is None else str(v).strip()))
                )
            yield cells
    finally:
        wb.close()


def _date(value: str) -> dt.date | None:
    ru = RU_DATE_RE.match(value)
    try:
        if ru:
            day, month, year = (int(x) for x in ru.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def read_employees(
    path: Path,
    *,
    companies: list[str],
    roles: dict[str, dict[str, dict]],
    company: str | None = None,
    label: str | None = None,
) -> tuple[list[EmployeeRow], list[Diagnostic]]:
    """Rows and problems of an HR file; ``roles`` is company → role id → {name, department}."""
    file = label or str(path)
    if path.suffix.lower() == ".xlsx":
        reader = _rows_xlsx(path)
    elif path.suffix.lower() in (".csv", ".txt"):
        reader = _rows_csv(path)
    else:
        return [], [
            Diagnostic(
                file,
                1,
                1,
                "error",
                "ack-import-format",
                f"`{path.name}`: not a .csv or .xlsx file",
                "save the sheet as CSV (UTF-8) or .xlsx",
            )
        ]
    problems: list[Diagnostic] = []
    out: list[EmployeeRow] = []

    def problem(row: int, column: int, code: str, message: str, hint: str = "") -> None:
        problems.append(Diagnostic(file, row, column, "error", code, message, hint))

    try:
        header = next(reader)
    except StopIteration:
        return [], [
            Diagnostic(
                file,
                1,
                1,
                "error",
                "ack-import-empty",
                "the file is empty",
                "the first row names the columns: ФИО; Роль; E-mail; …",
            )
        ]
    columns: dict[str, int] = {}
    for cell in header:
        key = cell.value.lower().strip()
        field = next((f for f, names in HEADERS.items() if key in names), None)
        if field is None:
            if key:
                all_names = [n for names in HEADERS.values() for n in names]
                close = difflib.get_close_matches(key, all_names, n=1)
                problems.append(
                    Diagnostic(
                        file,
                        1,
                        cell.column,
                        "warning",
                        "ack-import-column",
                        f"unknown column `{cell.value}` is ignored",
                        f"did you mean `{close[0]}`?" if close else "",
                    )
                )
            continue
        if field in columns:
            problem(1, cell.column, "ack-import-column", f"column `{cell.value}` appears twice")
        columns[field] = cell.column
    for required in ("name", "roles"):
        if required not in columns:
            problem(
                1,
                1,
                "ack-import-column",
                f"no `{HEADERS[required][0]}` column",
                f"add a column named `{HEADERS[required][0]}`",
            )
    if "email" not in columns and "number" not in columns:
        problem(
            1,
            1,
            "ack-import-column",
            "no `e-mail` or `табельный номер` column: employees could not sign in",
            "add a column `e-mail` or `табельный номер`",
        )
    if "company" not in columns and company is None and len(companies) > 1:
        problem(
            1,
            1,
            "ack-import-column",
            "no `компания` column and no --company",
            f"add a column `компания` (one of: {', '.join(companies)}) or pass --company",
        )
    if any(p.severity == "error" for p in problems):
        return [], problems

    seen: dict[tuple[str, str], int] = {}
    for cells in reader:
        if not cells or all(not c.value for c in cells):
            continue
        row = cells[0].row
        if row > MAX_ROWS:
            problem(row, 1, "ack-import-size", f"more than {MAX_ROWS} rows")
            break

        def get(field: str, cells: list[Cell] = cells, row: int = row) -> Cell:
            col = columns.get(field)
            if col is None or col > len(cells):
                return Cell(row, col or 1, "")
            return cells[col - 1]

        name, role_cell, comp_cell = get("name"), get("roles"), get("company")
        email, number, hired_cell = get("email"), get("number"), get("hired")
        cid = comp_cell.value or company or (companies[0] if len(companies) == 1 else "")
        if cid not in companies:
            close = difflib.get_close_matches(cid, companies, n=1)
            problem(
                row,
                comp_cell.column,
                "ack-import-company",
                f"unknown company `{cid}`",
                f"did you mean `{close[0]}`?" if close else f"known companies: {', '.join(companies)}",
            )
            continue
        if not name.value:
            problem(row, name.column, "ack-import-name", "the full name is empty")
        known = roles.get(cid, {})
        by_name = {str(v.get("name", "")).lower(): k for k, v in known.items()}
        role_ids: list[str] = []
        for raw in re.split(r"[;,]", role_cell.value):
            raw = raw.strip()
            if not raw:
                continue
            rid = raw if raw in known else by_name.get(raw.lower())
            if rid is None:
                close = difflib.get_close_matches(raw, list(known), n=1)
                problem(
                    row,
                    role_cell.column,
                    "ack-import-role",
                    f"unknown role `{raw}` in company `{cid}`",
                    f"did you mean `{close[0]}`?" if close else "use a role id from content/roles.yml",
                )
            else:
                role_ids.append(rid)
        if not role_cell.value:
            problem(row, role_cell.column, "ack-import-role", "no role", "the role id from content/roles.yml")
        if email.value and not EMAIL_RE.match(email.value):
            problem(row, email.column, "ack-import-email", f"`{email.value}` is not an e-mail address")
        if not email.value and not number.value:
            problem(
                row,
                email.column if "email" in columns else number.column,
                "ack-import-identity",
                "neither an e-mail nor a personnel number: this employee could not sign in",
            )
        hired = None
        if hired_cell.value:
            hired = _date(hired_cell.value)
            if hired is None:
                problem(
                    row,
                    hired_cell.column,
                    "ack-import-date",
                    f"`{hired_cell.value}` is not a date",
                    "write YYYY-MM-DD or ДД.ММ.ГГГГ",
                )
        person = EmployeeRow(
            cid,
            name.value,
            tuple(role_ids),
            get("position").value or None,
            get("department").value or None,
            email.value or None,
            number.value or None,
            hired,
        )
        ident = (cid, person.key)
        if ident in seen:
            problem(
                row,
                (number if number.value else email).column,
                "ack-import-duplicate",
                f"the same employee as in row {seen[ident]} ({person.key.split(':', 1)[1]})",
            )
        else:
            seen[ident] = row
        out.append(person)
    return out, problems


def import_file(path: Path, **kwargs: object) -> list[EmployeeRow]:
    """The rows, or :class:`ImportProblems` with every problem when there is any error."""
    people, problems = read_employees(path, **kwargs)  # type: ignore[arg-type]
    if any(p.severity == "error" for p in problems):
        errors = sum(p.severity == "error" for p in problems)
        raise ImportProblems(f"{path}: {errors} problem(s); nothing imported", diagnostics=problems)
    return people
