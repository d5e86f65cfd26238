"""The hash chain (`reglament ack verify`), migrations that keep records, HR's files, the HR import, the CLI."""

from __future__ import annotations

import io

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from reglament.ack import registry
from reglament.ack import tables as t
from reglament.ack.dashboard import rows, to_csv, to_xlsx
from reglament.ack.db import _alembic_config, current_revision, head_revision, make_engine, migrate, writing
from reglament.ack.employees import read_employees
from reglament.ack.errors import AckError
from reglament.ack.records import verify
from reglament.ack.service import acknowledge, sync_employees
from reglament.cli import main


@pytest.fixture
def three_records(engine, cfg, ack_project, publish):
    publish("2025.1")
    sync_employees(engine, ack_project)
    with engine.connect() as conn:
        people = registry.employees_of(conn, "base")
    for person in people:
        acknowledge(engine, cfg, person, "rules", "2025.1", method="link", client_addr="192.0.2.1", user_agent="ua")
    return people


def tamper(engine, sql: str, **params) -> None:
    """What someone with database access does by hand: drop the guard, change rows."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS ack_records_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS ack_records_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS ack_records_append_only ON ack_records"))
        conn.execute(text(sql), params)


def test_an_intact_chain_verifies(engine, three_records):
    result = verify(engine)
    assert result.ok and result.records == 3 and result.head_seq == 3


def test_an_edited_record_is_found(engine, three_records):
    tamper(engine, "UPDATE ack_records SET acked_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2")
    result = verify(engine)
    assert [p.seq for p in result.problems] == [2] and "edited" in result.problems[0].message


def test_a_deleted_record_is_found(engine, three_records):
    tamper(engine, "DELETE FROM ack_records WHERE seq = 2")
    assert {p.seq for p in verify(engine).problems} == {3}
    tamper(engine, "DELETE FROM ack_records WHERE seq = 3")
    assert any("deleted" in p.message for p in verify(engine).problems)


def test_an_inserted_record_is_found(engine, three_records):
    with engine.connect() as conn:
        row = dict(conn.execute(select(t.acknowledgements).where(t.acknowledgements.c.seq == 3)).mappings().one())
    # a forged record appended with a correct-looking hash, and the chain head left alone
    row.update(id=None, seq=4, edition="2025.2", prev_hash=row["record_hash"], record_hash="f" * 64)
    row.pop("id")
    with engine.begin() as conn:
        conn.execute(t.acknowledgements.insert().values(**row))
    problems = verify(engine).problems
    assert problems and {p.seq for p in problems} >= {4}


def test_a_rewritten_chain_is_found_against_a_noted_head(engine, three_records):
    head = verify(engine).head_hash
    assert verify(engine, expect_head=head).ok
    assert not verify(engine, expect_head="0" * 64).ok


def test_a_migration_from_the_first_schema_keeps_every_record(db_url, cfg, ack_project, snapshots):
    """Records written, the schema taken back to the first revision (the columns and triggers of later ones
    dropped, the rows kept), then migrated forward again: every record is there and the chain intact."""
    engine = make_engine(db_url)
    migrate(engine)
    registry.register(engine, snapshots["2025.1"])
    sync_employees(engine, ack_project)
    with engine.connect() as conn:
        people = registry.employees_of(conn, "base")
    for person in people:
        acknowledge(engine, cfg, person, "rules", "2025.1", method="proxy", client_addr="10.0.0.5", user_agent="ua")
    with writing(engine) as conn:
        command.downgrade(_alembic_config(conn), "0001")
    assert current_revision(engine) == "0001"
    with engine.connect() as conn:
        assert "review_due" not in {c["name"] for c in inspect(conn).get_columns("ack_documents")}
    migrate(engine)
    assert current_revision(engine) == head_revision() == "0003"
    result = verify(engine)
    assert result.ok and result.records == len(people) == 3
    with engine.connect() as conn:
        assert [d.review_due for d in registry.docs(conn, "base")] == [None]  # unknown for rows from before
    engine.dispose()


def test_dashboard_csv_and_xlsx(engine, cfg, ack_project, publish):
    publish("2025.1")
    sync_employees(engine, ack_project)
    with engine.connect() as conn:
        people = {p["email"]: p for p in registry.employees_of(conn, "base")}
    acknowledge(
        engine,
        cfg,
        people["ivanov@example.ru"],
        "rules",
        "2025.1",
        method="proxy",
        client_addr="10.0.0.5",
        user_agent="ua",
    )
    import datetime as dt

    with engine.connect() as conn:
        table = rows(conn, cfg, "base", today=dt.date(2025, 3, 5))
        later = rows(conn, cfg, "base", today=dt.date(2025, 3, 7))
    status = {r.employee: r.status for r in table}
    assert status == {
        "Иванов Иван Иванович": "done",
        "Петрова Мария Сергеевна": "pending",
        "Сидоров Олег Петрович": "pending",
    }
    # effective Monday 2025-03-03 + 3 working days = Thursday 2025-03-06; overdue from Friday
    assert {r.due for r in table if r.status == "pending"} == {dt.date(2025, 3, 6)}
    assert {r.status for r in later} == {"done", "overdue"}
    csv_text = to_csv(table).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Компания;Подразделение;Роль;ФИО")
    assert "Иванов Иван Иванович" in csv_text and ";ознакомлен;" in csv_text and "Отдел продаж" in csv_text
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(to_xlsx(table))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][3] == "ФИО" and len(values) == 4
    assert any(v[3] == "Петрова Мария Сергеевна" and v[10] == "не ознакомлен" for v in values[1:])


@pytest.mark.slow
def test_the_pdf_sheet_lists_the_records(engine, cfg, three_records):
    from pypdf import PdfReader

    from reglament.ack.service import document
    from reglament.ack.sheet import render_sheet

    with engine.connect() as conn:
        pdf = render_sheet(conn, document(conn, "base", "rules", "2025.1"), company="АО «Тест»")
    text_ = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Лист ознакомления" in text_
    for name in ("Иванов Иван Иванович", "Петрова Мария Сергеевна", "Сидоров Олег Петрович"):
        assert name in text_
    assert "персональная ссылка" in text_


# --------------------------------------------------------------------------
# HR import

ROLES = {
    "base": {
        "manager": {"name": "Менеджер", "department": "Отдел продаж"},
        "head": {"name": "Руководитель отдела", "department": "Отдел продаж"},
    }
}


def test_a_bad_csv_reports_every_problem_at_its_row_and_column(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "ФИО;Роль;E-mail;Дата приёма;Отедл\n"
        "Иванов И. И.;manager;ivanov@example.ru;01.03.2025;\n"
        "Петров П. П.;manger;petrov@example;2025-02-30;\n"
        ";head;;;\n"
        "Иванов И. И.;Менеджер;IVANOV@example.ru;;\n",
        encoding="utf-8",
    )
    people, problems = read_employees(path, companies=["base"], roles=ROLES, label="staff.csv")
    found = [(p.line, p.column, p.code) for p in problems]
    assert found == [
        (1, 5, "ack-import-column"),
        (3, 2, "ack-import-role"),
        (3, 3, "ack-import-email"),
        (3, 4, "ack-import-date"),
        (4, 1, "ack-import-name"),
        (4, 3, "ack-import-identity"),
        (5, 3, "ack-import-duplicate"),
    ]
    assert problems[1].hint == "did you mean `manager`?"
    assert problems[0].severity == "warning"
    assert people[0].hired is not None and people[0].hired.isoformat() == "2025-03-01"
    assert people[3].roles == ("manager",)  # a role name is accepted for its id


def test_an_xlsx_import_and_the_cli(tmp_path, ack_project, db_url):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Табельный номер", "ФИО", "Роли", "Должность", "Подразделение", "E-mail"])
    ws.append(["1001", "Кузнецова Анна Львовна", "manager", "Менеджер", "Продажи Север", "kuz@example.ru"])
    ws.append(["1002", "Орлов Игорь", "manager, head", None, None, None])
    path = tmp_path / "staff.xlsx"
    wb.save(path)
    runner = CliRunner()
    result = runner.invoke(main, ["ack", "import-employees", str(path), "--root", str(ack_project), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    engine = make_engine(db_url)
    with engine.connect() as conn:
        people = {p["name"]: p for p in registry.employees_of(conn, "base")}
    engine.dispose()
    assert people["Орлов Игорь"]["key"] == "number:1002" and registry.roles_of(people["Орлов Игорь"]) == [
        "manager",
        "head",
    ]
    assert people["Кузнецова Анна Львовна"]["department"] == "Продажи Север"

    bad = tmp_path / "bad.csv"
    bad.write_text("ФИО,Роль,E-mail\nИванов,ghost,ivanov@example.ru\n", encoding="utf-8")
    result = runner.invoke(main, ["ack", "import-employees", str(bad), "--root", str(ack_project), "--db", db_url])
    assert result.exit_code == 1
    assert "bad.csv:2:2: error [ack-import-role]" in result.output


def test_cli_publish_verify_and_status(ack_project, db_url):
    runner = CliRunner()
    args = ["--root", str(ack_project), "--db", db_url]
    result = runner.invoke(main, ["ack", "publish", "2025.1", *args])
    assert result.exit_code == 0, result.output
    assert "base: rules 2025.1 registered; asks: manager, head" in result.output
    result = runner.invoke(main, ["ack", "publish", "2025.2", *args])
    assert "base: rules 2025.2 registered; asks: head" in result.output
    result = runner.invoke(main, ["ack", "verify", *args])
    assert result.exit_code == 0 and "0 record(s), chain intact" in result.output
    result = runner.invoke(main, ["ack", "publish", "2099.9", *args])
    assert result.exit_code == 2 and "error: edition `2099.9` is not listed" in result.output
    assert "Traceback" not in result.output
    # main's one handler: with --debug the error is raised (a traceback), not reported
    result = runner.invoke(main, ["--debug", "ack", "publish", "2099.9", *args])
    assert isinstance(result.exception, AckError) and "2099.9" in str(result.exception)
