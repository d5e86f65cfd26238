"""`reglament import FILE.docx --id ID` and `reglament export docx`: click commands over the library.

Errors are :class:`~reglament.errors.ReglamentError` and reach the one handler of ``reglament.cli``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "reg_id", required=True, help="Id of the new regulation (a Latin slug): content/regulations/ID/.")
@click.option("--title", default=None, help="Title (default: the title page's).")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project root (holds content/).",
)
@click.option("--force", is_flag=True, help="Write over an existing content/regulations/ID/.")
def import_cmd(file: Path, reg_id: str, title: str | None, root: Path, force: bool) -> None:
    """Import a regulation from Word (.docx): numbering, sections, terms, duties → content/regulations/ID/.

    Prints what was recognised as what, and what to review; run `reglament check` next.
    """
    from .deps import load_project
    from .importer import import_docx, write_import

    project = load_project(root)
    imported = import_docx(file, reg_id=reg_id, vocabulary=project.loaded.content, morph=project.morph, title=title)
    written = write_import(imported, root, force=force)
    for line in imported.report:
        click.echo(line)
    for line in imported.warnings:
        click.echo(f"review: {line}")
    for path in written:
        click.echo(f"wrote {path}", err=True)


@click.group("export")
def export_group() -> None:
    """Export the regulations to other formats."""


@export_group.command("docx")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@click.option("--company", "companies", multiple=True, metavar="ID", help="A company; repeat for several.")
@click.option("--all", "all_companies", is_flag=True, help="Every company in content/companies/.")
@click.option("--edition", default=None, help="Edition id from content/editions.yml (default: a working edition).")
@click.option(
    "--date",
    "on_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date of a working edition, YYYY-MM-DD (default: today).",
)
@click.option("--public", is_flag=True, help="Leave out every internal item and every employee's name.")
@click.option(
    "--redline",
    "redline_old",
    default=None,
    metavar="OLD",
    help="Write tracked changes (w:ins/w:del) against OLD: an edition id or a git revision.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder (default: <root>/build/docx; a company's go to <out>/<company>/).",
)
def export_docx_cmd(
    root: Path,
    companies: tuple[str, ...],
    all_companies: bool,
    edition: str | None,
    on_date,
    public: bool,
    redline_old: str | None,
    out: Path | None,
) -> None:
    """One .docx per regulation with real Word numbering equal to the site's."""
    from .deps import format_text
    from .export import export_editions

    if companies and all_companies:
        raise click.UsageError("use --company ID or --all, not both")
    ids = list(companies) or None
    if all_companies:
        from .deps import load_profiles

        ids = load_profiles(root).all_ids
        if not ids:
            raise click.UsageError(f"no company profiles in {root / 'content' / 'companies'}")
    done = export_editions(
        root,
        out or root / "build" / "docx",
        today=on_date.date() if on_date else dt.date.today(),
        edition=edition,
        companies=ids,
        public=public,
        redline_old=redline_old,
    )
    if done.diagnostics:
        click.echo(format_text(done.diagnostics, root=root, color=False))
    for note in done.notes:
        click.echo(f"note: {note}", err=True)
    for path in done.files:
        click.echo(f"wrote {path}", err=True)
    if done.failed:
        click.echo(f"export failed for {', '.join(done.failed)}: the content has errors", err=True)
        sys.exit(1)


def register(main: click.Group) -> None:
    main.add_command(import_cmd)
    main.add_command(export_group)
