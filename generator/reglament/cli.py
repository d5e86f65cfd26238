"""The `reglament` command: a thin driver over the library.

Exit codes: 0 clean, 1 problems in the content (errors, or warnings with
``--strict``), 2 when it cannot run (no content, bad arguments).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .diagnostics import FORMATS, exit_code, format_text
from .loader import NoContentError

ROOT = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                    show_default=True, help="Project root (holds content/, templates/, mkdocs.yml).")
FORMAT = click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True,
                      help="Output format of diagnostics.")


def emit(diagnostics, fmt: str, root: Path) -> None:
    if fmt == "text":
        if diagnostics:
            click.echo(format_text(diagnostics, root=root, color=sys.stdout.isatty()))
    elif fmt == "json":
        click.echo(FORMATS["json"](diagnostics))
    elif diagnostics:
        click.echo(FORMATS[fmt](diagnostics))


@click.group()
@click.version_option(package_name="reglament")
def main() -> None:
    """reglament — regulations as code: check, render, publish and diff."""


@main.command("check")
@ROOT
@FORMAT
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check_cmd(root: Path, fmt: str, strict: bool) -> None:
    """Check the content: references, ids, terms, duties, motivation, schedule, data."""
    from .build import check_project

    try:
        checked = check_project(root)
    except NoContentError as exc:
        raise click.UsageError(str(exc)) from exc
    emit(checked.diagnostics, fmt, root)
    if fmt == "text" and not checked.diagnostics:
        click.echo("ok: no problems found", err=True)
    sys.exit(exit_code(checked.diagnostics, strict=strict))


@main.command("build")
@ROOT
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Site folder (default: <root>/site).")
@FORMAT
@click.option("--strict", is_flag=True, help="Refuse to build on warnings too.")
def build_cmd(root: Path, out: Path | None, fmt: str, strict: bool) -> None:
    """Check, render and build the site. On errors nothing is written and the old site stays."""
    from .build import build, check_project
    from .diagnostics import has_errors

    out = out or root / "site"
    try:
        checked = check_project(root)
    except NoContentError as exc:
        raise click.UsageError(str(exc)) from exc
    if has_errors(checked.diagnostics, strict=strict):
        emit(checked.diagnostics, fmt, root)
        click.echo(f"build stopped: {out} is unchanged", err=True)
        sys.exit(1)
    built = build(root, out, checked=checked)
    emit(built.diagnostics, fmt, root)
    if not built.ok:
        click.echo(f"build failed: {out} is unchanged", err=True)
        sys.exit(1)
    click.echo(f"built {out}", err=True)


@main.command("pdf")
@ROOT
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the PDF files (default: <root>/build/pdf).")
@click.option("--edition", default=None, help="Edition id from content/editions.yml (default: a working edition).")
@click.option("--date", "on_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of a working edition, YYYY-MM-DD (default: today).")
@click.option("--public", is_flag=True, help="Leave out every internal item.")
@FORMAT
def pdf_cmd(root: Path, out: Path | None, edition: str | None, on_date, public: bool, fmt: str) -> None:
    """Print edition: one A4 PDF per regulation, with approval block and acknowledgement sheet."""
    import datetime as dt

    from .pdf import PdfError, print_editions

    out = out or root / "build" / "pdf"
    today = on_date.date() if on_date else dt.date.today()
    try:
        printed = print_editions(root, out, today=today, edition=edition, public=public)
    except NoContentError as exc:
        raise click.UsageError(str(exc)) from exc
    except PdfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    emit(printed.diagnostics, fmt, root)
    for note in printed.notes:
        click.echo(f"note: {note}", err=True)
    if not printed.ok:
        click.echo("pdf stopped: the content has errors; nothing was written", err=True)
        sys.exit(1)
    for path in printed.files:
        click.echo(f"wrote {path}", err=True)


@main.command("schema")
@ROOT
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the schema files (default: <root>/schema).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when the folder is not up to date with the models.")
def schema_cmd(root: Path, out: Path | None, check_only: bool) -> None:
    """Write a JSON Schema for every source file kind (for editor validation and autocompletion)."""
    from .schema import DEFAULT_DIR, stale_files, write_schemas

    out = out or root / DEFAULT_DIR
    if check_only:
        stale = stale_files(out)
        for name in stale:
            click.echo(f"{out / name}: out of date", err=True)
        if stale:
            click.echo("run `reglament schema` and commit the result", err=True)
            sys.exit(1)
        click.echo(f"ok: {out} is up to date", err=True)
        return
    changed = write_schemas(out)
    for path in changed:
        click.echo(f"wrote {path}" if path.exists() else f"removed {path}", err=True)
    click.echo(f"{out}: {len(changed)} file(s) changed", err=True)


@main.group("new")
def new_group() -> None:
    """Create valid, commented starting files for a regulation or a company."""


@new_group.command("regulation")
@click.argument("reg_id", metavar="ID")
@ROOT
@click.option("--title", default=None, help="Full title (default: «Регламент ID»; edit it in regulation.yml).")
@click.option("--role", default=None, help="Role id the regulation is for (default: the first position in roles.yml).")
@click.option("--owner", default=None, help="Role id that maintains it (default: whom --role reports to).")
@click.option("--approver", default=None, help="Role id that approves it (default: the owner).")
def new_regulation_cmd(reg_id: str, root: Path, title: str | None, role: str | None, owner: str | None,
                       approver: str | None) -> None:
    """Create content/regulations/ID/ with a regulation that passes `reglament check`."""
    from .scaffold import ScaffoldError, new_regulation

    try:
        written = new_regulation(root, reg_id, title=title, role=role, owner=owner, approver=approver)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from exc
    for path in written:
        click.echo(f"created {path}", err=True)
    click.echo(f"next: fill in the files, then run `reglament check --root {root}`", err=True)
