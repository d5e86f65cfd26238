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
