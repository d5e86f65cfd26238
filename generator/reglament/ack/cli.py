"""``reglament ack …``: the acknowledgement service's commands (registered in :mod:`reglament.cli`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..diagnostics import format_json, format_text

ROOT = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project root (holds content/ and, optionally, ack.yml).",
)
DB = click.option(
    "--db",
    default=None,
    metavar="URL",
    help="Database URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB "
    "(default: ack.yml, $REGLAMENT_ACK_DB, else .reglament/ack.sqlite3 under the root).",
)


def _engine(root: Path, db: str | None, *, migrate: bool = False):  # type: ignore[no-untyped-def]
    from .config import load_config
    from .db import ensure_current, make_engine
    from .db import migrate as run_migrations

    cfg = load_config(root, db=db)
    engine = make_engine(cfg.url(root))
    if migrate:
        run_migrations(engine)
    else:
        ensure_current(engine)
    return cfg, engine


@click.group("ack")
def ack_group() -> None:
    """Electronic acknowledgement («ознакомление»): who read which edition."""


@ack_group.command("serve")
@ROOT
@DB
@click.option("--addr", default="127.0.0.1:8100", show_default=True, metavar="HOST:PORT")
@click.option("--no-sync", is_flag=True, help="Do not read employees and tagged editions from the project first.")
@click.option(
    "--site",
    "site_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Also serve this built site under /site/ (same origin as the service: no CORS needed).",
)
def serve_cmd(root: Path, db: str | None, addr: str, no_sync: bool, site_dir: Path | None) -> None:
    """Serve the acknowledgement service (creates and migrates the database first)."""
    import uvicorn

    from . import sources
    from .app import create_app
    from .service import sync

    cfg, engine = _engine(root, db, migrate=True)
    names: dict[str, str] = {}
    if (root / "content").is_dir():
        names = sources.company_names(root)
    if not no_sync and (root / "content").is_dir():
        report = sync(engine, root)
        added, updated, gone = report.employees
        click.echo(f"employees from the profiles: {added} added, {updated} updated, {gone} deactivated", err=True)
        for reg in report.registered:
            click.echo(f"registered {reg.company}: {reg.regulation} {reg.edition}", err=True)
        for note in report.skipped:
            click.echo(f"not registered: {note}", err=True)
    host, _, port = addr.rpartition(":")
    click.echo(f"acknowledgement service at http://{addr}/ (database: {engine.url.render_as_string()})", err=True)
    uvicorn.run(
        create_app(cfg, engine, company_names=names, site_dir=site_dir),
        host=host or "127.0.0.1",
        port=int(port),
        proxy_headers=False,
        log_level="warning",
    )


@ack_group.command("migrate")
@ROOT
@DB
@click.option("--revision", default="head", show_default=True)
def migrate_cmd(root: Path, db: str | None, revision: str) -> None:
    """Create the database or bring its schema up to date (records are kept)."""
    from .config import load_config
    from .db import current_revision, make_engine, migrate

    cfg = load_config(root, db=db)
    engine = make_engine(cfg.url(root))
    migrate(engine, revision)
    click.echo(f"schema at {current_revision(engine)}")


@ack_group.command("publish")
@click.argument("edition")
@click.option("--company", "companies", multiple=True, metavar="ID", help="A company (repeat); default: all.")
@ROOT
@DB
def publish_cmd(edition: str, companies: tuple[str, ...], root: Path, db: str | None) -> None:
    """Register EDITION (from its tag): who must (re)acknowledge which clauses, from the diff."""
    from .service import register_edition

    _, engine = _engine(root, db, migrate=True)
    for reg in register_edition(engine, root, edition, list(companies) or None):
        state = "registered" if reg.created else "already registered"
        asked = f"; asks: {', '.join(reg.roles_asked) or 'nobody'}" if reg.created else ""
        click.echo(f"{reg.company}: {reg.regulation} {reg.edition} {state}{asked}")


@ack_group.command("import-employees")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--company", default=None, metavar="ID", help="The company of rows without a `компания` column.")
@click.option(
    "--deactivate-missing",
    is_flag=True,
    help="Deactivate imported employees of the file's companies that the file no longer lists.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@ROOT
@DB
def import_cmd(file: Path, company: str | None, deactivate_missing: bool, fmt: str, root: Path, db: str | None) -> None:
    """Import employees from FILE (.csv or .xlsx); every problem is reported at its row and column."""
    from . import sources
    from .employees import read_employees
    from .errors import ImportProblems
    from .registry import upsert_employees

    project = sources.project(root)
    people, problems = read_employees(file, companies=project.companies, roles=project.roles, company=company)
    if fmt == "json":
        click.echo(format_json(problems))
    elif problems:
        click.echo(format_text(problems, root=None), err=True)
    if any(p.severity == "error" for p in problems):
        raise ImportProblems(f"{file}: nothing imported")
    _, engine = _engine(root, db, migrate=True)
    companies = sorted({p.company for p in people}) if deactivate_missing else []
    added, updated, gone = upsert_employees(engine, people, source="import", deactivate_missing=companies)
    click.echo(f"{file}: {added} added, {updated} updated, {gone} deactivated", err=fmt == "json")


@ack_group.command("verify")
@ROOT
@DB
@click.option("--expect-head", default=None, metavar="HASH", help="The head hash noted earlier (detects a rewrite).")
def verify_cmd(root: Path, db: str | None, expect_head: str | None) -> None:
    """Check the hash chain: exit 1 when any record was edited, inserted or deleted."""
    from ..diagnostics import Diagnostic
    from .errors import ChainBroken
    from .records import verify

    _, engine = _engine(root, db)
    result = verify(engine, expect_head=expect_head)
    if not result.ok:
        raise ChainBroken(
            f"{len(result.problems)} problem(s) in {result.records} record(s)",
            diagnostics=[
                Diagnostic("ack_records", p.seq or 0, 1, "error", "ack-chain", p.message) for p in result.problems
            ],
        )
    click.echo(f"{result.records} record(s), chain intact; head {result.head_seq} {result.head_hash}")


@ack_group.command("status")
@click.option("--company", required=True, metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "xlsx"]), default="text", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to this file (needed for xlsx)."
)
@click.option("--status", "status", type=click.Choice(["done", "current", "pending", "overdue"]), default=None)
@ROOT
@DB
def status_cmd(company: str, fmt: str, out: Path | None, status: str | None, root: Path, db: str | None) -> None:
    """HR's table: who has (not) acknowledged what, with deadlines."""
    from .dashboard import STATUS_RU, Filters, rows, to_csv, to_xlsx
    from .errors import AckError

    cfg, engine = _engine(root, db)
    with engine.connect() as conn:
        table = rows(conn, cfg, company, filters=Filters(status=status))
    if fmt in ("csv", "xlsx"):
        data = to_csv(table) if fmt == "csv" else to_xlsx(table)
        if out is None:
            if fmt == "xlsx":
                raise AckError("--format xlsx needs --out FILE")
            sys.stdout.buffer.write(data)
            return
        out.write_bytes(data)
        click.echo(f"{out}: {len(table)} row(s)", err=True)
        return
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    dict(
                        zip(
                            ("employee", "role", "regulation", "edition", "status", "due", "acknowledged_at"),
                            (
                                r.employee,
                                r.role,
                                r.regulation,
                                r.edition,
                                r.status,
                                r.due.isoformat() if r.due else None,
                                r.acknowledged_at or None,
                            ),
                        )
                    )
                    for r in table
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for r in table:
        due = f", срок {r.due:%d.%m.%Y}" if r.due else ""
        click.echo(f"{r.employee} [{r.role}] {r.regulation} {r.edition}: {STATUS_RU[r.status]}{due}")


@ack_group.command("sheet")
@click.argument("regulation")
@click.argument("edition")
@click.option("--company", required=True, metavar="ID")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@ROOT
@DB
def sheet_cmd(regulation: str, edition: str, company: str, out: Path, root: Path, db: str | None) -> None:
    """The electronic лист ознакомления of one edition as a PDF, from the records."""
    from .service import document
    from .sheet import render_sheet
    from .sources import company_names

    _, engine = _engine(root, db)
    names = company_names(root) if (root / "content").is_dir() else {}
    with engine.connect() as conn:
        pdf = render_sheet(conn, document(conn, company, regulation, edition), company=names.get(company, company))
    out.write_bytes(pdf)
    click.echo(f"{out}: {len(pdf)} bytes", err=True)


@ack_group.command("links")
@click.option("--company", required=True, metavar="ID")
@ROOT
@DB
def links_cmd(company: str, root: Path, db: str | None) -> None:
    """Personal links (CSV) for everyone who still has to acknowledge, to send by e-mail."""
    import csv

    from .dashboard import Filters, rows
    from .db import secret_key
    from .identity import Link, Links

    cfg, engine = _engine(root, db)
    links = Links(secret_key(engine, cfg.secret), cfg.link_max_age_days)
    with engine.connect() as conn:
        table = rows(conn, cfg, company, filters=Filters(status="pending"))
    writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
    writer.writerow(["ФИО", "E-mail", "Регламент", "Редакция", "Срок", "Ссылка"])
    base = cfg.public_url.rstrip("/")
    for r in table:
        token = links.make(Link(r.employee_id, company, r.regulation, r.edition))
        writer.writerow(
            [r.employee, r.email, r.title, r.edition, r.due.isoformat() if r.due else "", f"{base}/l/{token}"]
        )


@ack_group.command("remind")
@click.option("--company", required=True, metavar="ID")
@click.option("--dry-run", is_flag=True, help="List the letters, send nothing.")
@ROOT
@DB
def remind_cmd(company: str, dry_run: bool, root: Path, db: str | None) -> None:
    """E-mail everyone who still has to acknowledge (SMTP from ack.yml), with personal links."""
    from .db import secret_key
    from .reminders import send_reminders

    cfg, engine = _engine(root, db)
    sent = send_reminders(engine, cfg, secret_key(engine, cfg.secret), company, dry_run=dry_run)
    for letter in sent:
        click.echo(f"{'would send' if dry_run else 'sent'}: {letter.to} ({len(letter.regulations)} regulation(s))")
