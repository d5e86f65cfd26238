"""The `reglament` command: a thin driver over the library (as mike's ``driver.py``).

Each command parses its options, makes one library call and prints the
result. Every error the library raises on purpose derives from
:class:`~reglament.errors.ReglamentError` and is reported by the one handler
in :class:`_Main` — its diagnostics, one ``error:`` line, a ``hint:`` — with
its own exit code; a traceback only with ``--debug``. Exit codes: 0 clean,
1 problems in the content (errors, or warnings with ``--strict``), 2 when it
cannot run (no content, bad arguments, unknown company or revision).

The library is imported inside each command, on purpose: ``reglament check``
should not pay for importing the site engine, WeasyPrint or the diff.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reglament.diagnostics import FORMATS, Diagnostic, exit_code, format_text
from reglament.errors import ReglamentError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from reglament.pdf.document import Edition
    from reglament.site.build import PrintEdition

ROOT = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project root (holds content/, templates/, mkdocs.yml).",
)
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="Output format of diagnostics.",
)


def emit(diagnostics: list[Diagnostic], fmt: str, root: Path) -> None:
    """Print diagnostics in the chosen format (text: with source lines, colour on a terminal)."""
    if fmt == "text":
        if diagnostics:
            click.echo(format_text(diagnostics, root=root, color=sys.stdout.isatty()))
    elif fmt == "json":
        click.echo(FORMATS["json"](diagnostics))
    elif diagnostics:
        click.echo(FORMATS[fmt](diagnostics))


FORMAT_KEY = "reglament.format"


def use_format(fmt: str) -> None:
    """Remember the command's ``--format``, so the error handler prints diagnostics the same way."""
    click.get_current_context().meta[FORMAT_KEY] = fmt


#: ``ctx.meta`` key: the command runs as the program itself (the console script), not called in-process
PROGRAM_KEY = "reglament.program"


class _Main(click.Group):
    """The command group with the one error handler."""

    as_program = False

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        # the console script passes no arguments (click reads sys.argv); a caller in-process (click's test runner,
        # a script) passes them: only the program itself may end without tearing the interpreter down (`leave`)
        self.as_program = args is None
        return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context) -> object:
        ctx.meta[PROGRAM_KEY] = self.as_program
        try:
            return super().invoke(ctx)
        except ReglamentError as exc:
            if ctx.meta.get("reglament.debug"):
                raise
            if exc.diagnostics:
                emit(exc.diagnostics, ctx.meta.get(FORMAT_KEY, "text"), exc.root or Path("."))
            click.echo(f"error: {exc}", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Main)
@click.version_option(package_name="reglament")
@click.option("--debug", is_flag=True, help="Show a traceback instead of a one-line error.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """reglament — regulations as code: check, render, publish and diff."""
    ctx.meta["reglament.debug"] = debug


COMPANY = click.option(
    "--company",
    "companies",
    multiple=True,
    metavar="ID",
    help="A company (content/companies/ID.yml); repeat for several.",
)
ALL_COMPANIES = click.option(
    "--all-companies", "--all", "all_companies", is_flag=True, help="Every company in content/companies/."
)
PUBLIC = click.option(
    "--public",
    is_flag=True,
    help="As a public site: leave out every internal item (companies with `visibility: public` always are).",
)
NO_CACHE = click.option(
    "--no-cache",
    is_flag=True,
    help="Read every source file afresh, neither using nor updating .reglament-cache/ (safe to delete anyway).",
)


def _company_ids(root: Path, companies: tuple[str, ...], all_companies: bool) -> list[str] | None:
    """The companies a command runs for (None: the base regulation); exit 2 on unknown ids."""
    if not companies and not all_companies:
        return None
    from reglament.errors import UsageError
    from reglament.source.profiles import load_profiles

    profiles = load_profiles(root)
    if all_companies:  # the loaded profiles, then those that exist but do not load (they fail with their errors)
        if not profiles.all_ids:
            raise UsageError(f"no company profiles in {root / 'content' / 'companies'}")
        return profiles.all_ids
    for cid in companies:
        profiles.lookup(cid)  # an unknown id: exit 2 with a did-you-mean
    return list(companies)


def _check_diagnostics(
    root: Path,
    companies: tuple[str, ...],
    all_companies: bool,
    public: bool,
    no_cache: bool,
    files: dict[str, str] | None = None,
    unchanged: Callable[[], bool] | None = None,
) -> list[Diagnostic]:
    """What `check` reports (before translation): the content's and the page templates' diagnostics.

    ``files``: the input files' digests, when the cache may be used: the base regulation is then
    checked by partition (only what an edit touched is loaded and checked again); ``unchanged()``: whether
    they still are, once computed (what was computed is kept only then).
    """
    if files is not None and not companies and not all_companies and not no_cache:
        from reglament.check.incremental import check_base

        found = check_base(root, files, public=public, unchanged=unchanged)
        if found is not None:
            return found
    from reglament.check.templates import page_template_diagnostics
    from reglament.project import check_companies, check_project, load_project, merged

    ids = _company_ids(root, companies, all_companies)
    if ids is None:
        checked = check_project(root, public=public, cache=not no_cache)
        keep_until_exit(checked)
        diagnostics = checked.diagnostics
    else:
        project = load_project(root, cache=not no_cache)
        keep_until_exit(project)
        diagnostics = merged(check_companies(project, companies=ids, public=public).values())
    return sorted(set(diagnostics) | set(page_template_diagnostics(root)))


#: what `check` reads below the root: the sources (company profiles included) and the page templates
#: (the same as ``check.incremental.INPUTS``)
CHECK_INPUTS = ("content", "templates/pages")


@main.command("check")
@ROOT
@FORMAT
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@COMPANY
@ALL_COMPANIES
@PUBLIC
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    default=None,
    help="Language of the messages (default: from the locale, LANG=ru_RU… → ru; else en).",
)
@NO_CACHE
def check_cmd(
    root: Path,
    fmt: str,
    strict: bool,
    companies: tuple[str, ...],
    all_companies: bool,
    public: bool,
    lang: str | None,
    no_cache: bool,
) -> None:
    """Check the content: references, ids, terms, duties, motivation, schedule, data.

    Without --company: the base regulation (texts rendered with content/defaults.yml).
    With --company ID / --all-companies: each company's resolved variant, with the
    per-company rules (missing or unused parameters, unknown overrides and
    exclusions, references orphaned by an exclusion, internal items on a public site).
    """
    from reglament.check.messages import default_lang, translate
    from reglament.source.cache import ResultCache

    # reference counting frees what the check drops (the cyclic collector finds about a thousand objects at
    # 10,000 clauses), while its passes over the loaded model cost ~0.2 s CPU: paused for the whole command (a
    # pass over what the check allocated would otherwise come with the first allocation after it)
    collecting = gc.isenabled()
    gc.disable()
    try:
        # an unchanged tree is answered from the stored result, before the model's modules are even imported
        stored = None if no_cache else ResultCache(root, "check", (companies, all_companies, public), CHECK_INPUTS)
        diagnostics = stored.get() if stored is not None else None
        if not isinstance(diagnostics, list):
            files = stored.files if stored is not None else None
            unchanged = stored.unchanged if stored is not None else None
            diagnostics = _check_diagnostics(root, companies, all_companies, public, no_cache, files, unchanged)
            if stored is not None:
                stored.put(diagnostics)
        lang = lang or default_lang()
        emit([translate(d, lang) for d in diagnostics], fmt, root)
        if fmt == "text" and not diagnostics:
            click.echo("ok: no problems found", err=True)
        code = exit_code(diagnostics, strict=strict)
        leave(code)
    finally:
        if collecting:
            gc.enable()
    sys.exit(code)


def keep_until_exit(value: object) -> None:
    """Keep ``value`` (a loaded model) alive for the rest of the command: the program ends without freeing it
    object by object (``leave``: ~0.035 s at 10,000 clauses); called in-process, it goes with the context."""
    click.get_current_context().meta.setdefault("reglament.kept", []).append(value)


def leave(code: int) -> None:
    """End the program with ``code`` at once when it runs as the program itself (else return: the caller exits).

    Nothing is left to clean up: the output is flushed here and every cache entry is already written and renamed
    into place; tearing the interpreter down would free the loaded model object by object (~0.05 s at 10,000
    clauses) — as mypy ends its runs.
    """
    if not click.get_current_context().meta.get(PROGRAM_KEY):
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`): what could be written was
            stream.flush()
    os._exit(code)


@main.command("build")
@ROOT
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Site folder (default: <root>/site)."
)
@FORMAT
@click.option("--strict", is_flag=True, help="Refuse to build on warnings too.")
@COMPANY
@ALL_COMPANIES
@PUBLIC
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel processes (default: the number of cores): companies built at once; "
    "for one site, workers for the pass over its built pages.",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Add each regulation's print edition (PDF, working edition of today) "
    "to the site and link it from the regulation's page.",
)
@click.option(
    "--engine",
    type=click.Choice(["mkdocs", "properdocs", "zensical"]),
    default=None,
    help="The site engine (default: extra.reglament_engine in mkdocs.yml, else mkdocs).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="A site that works opened from a folder (file://): links end in .html, search loads as a script.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Rebuild every page (default: after an edit, only the pages whose Markdown changed; the same site). "
    "Company builds always rebuild every page.",
)
@NO_CACHE
def build_cmd(
    root: Path,
    out: Path | None,
    fmt: str,
    strict: bool,
    companies: tuple[str, ...],
    all_companies: bool,
    public: bool,
    jobs: int | None,
    pdf: bool,
    engine: str | None,
    offline: bool,
    full: bool,
    no_cache: bool,
) -> None:
    """Check, render and build the site. On errors nothing is written and the old site stays.

    With --company ID (repeatable) or --all-companies: each company's site goes
    to OUT/<company-id>/, with OUT/index.html listing them. A failing company
    keeps its previous site and does not stop the others; the command then
    exits 1 and names it.

    The build reads and keeps .reglament-cache/ as `check` does (the loaded
    files, the term mentions, the morphology's answers), the companies' builds
    too: the same diagnostics and the same sites as with --no-cache. When OUT holds
    the site the previous build of the base regulation made, only the pages whose
    Markdown changed are rebuilt (byte for byte the site of a full build); --full
    rebuilds all.
    """
    import datetime as dt

    from reglament.diagnostics import has_errors
    from reglament.perf import lap
    from reglament.site.stamp import fresh, inputs_digest

    lap("start")  # the interpreter's start-up, the imports and the options

    out = out or root / "site"
    edition = None
    print_edition: PrintEdition | None = None
    if pdf:  # the PDF and diff modules are imported only for a build that prints
        import functools

        from reglament.pdf.document import Edition, site_pdfs

        edition = Edition(effective=dt.date.today())
        print_edition = functools.partial(site_pdfs, edition=edition)
    if companies or all_companies:
        _build_companies(
            root,
            out,
            companies,
            all_companies,
            fmt=fmt,
            strict=strict,
            public=public,
            jobs=jobs,
            pdf=edition,
            engine=engine,
            offline=offline,
            cache=not no_cache,
        )
        return
    # nothing changed since the site in OUT was built: say so, with that build's diagnostics
    digest = inputs_digest(root, options={"public": public, "pdf": edition, "engine": engine, "offline": offline})
    cached = fresh(root / "build" / "default", out, digest)
    lap("stamp")
    if cached is not None and not has_errors(cached, strict=strict):
        emit(cached, fmt, root)
        click.echo(f"{out} is up to date (sources unchanged since it was built)", err=True)
        return
    # the model, the render and the engine's modules: imported only for a build that runs (an unchanged site's
    # answer above needs none of them)
    from reglament.project import check_variant, load_project
    from reglament.site.build import build
    from reglament.site.out_guard import replaceable

    lap("imports")
    # a build that will be refused its --out (see site.out_guard) writes nothing, not even the cache
    project = load_project(root, cache=not no_cache and replaceable(out, root=root) is None)
    lap("load")
    checked = check_variant(project, public=public)
    lap("check", dictionary=project.morph.loaded)
    if has_errors(checked.diagnostics, strict=strict):
        project.keep_words()
        emit(checked.diagnostics, fmt, root)
        click.echo(f"build stopped: {out} is unchanged", err=True)
        sys.exit(1)
    built = build(
        root,
        out,
        checked=checked,
        public=public,
        pdf=print_edition,
        digest=digest,
        engine=engine,
        offline=offline,
        morph=project.morph,  # the word forms the check analysed serve the render's term links
        jobs=jobs,
        incremental=True,
        full=full,
    )
    lap("engine_and_after")  # the engine, the pass over its pages, the search index
    project.keep_words()  # what the term links and the search's word forms asked, for the next build
    lap("keep_words", dictionary=project.morph.loaded)
    emit(built.diagnostics, fmt, root)
    if not built.ok:
        click.echo(f"build failed: {out} is unchanged", err=True)
        sys.exit(1)
    if built.rebuilt is not None:
        click.echo(f"built {out}: the engine rebuilt {len(built.rebuilt)} of {built.pages} pages", err=True)
    else:
        click.echo(f"built {out}", err=True)


@main.command("serve")
@ROOT
@click.option(
    "--addr", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT", help="Where to serve the preview."
)
@click.option(
    "--company", default=None, metavar="ID", help="Preview this company's variant (content/companies/ID.yml)."
)
@click.option(
    "--editions",
    is_flag=True,
    help="Serve the published editions instead (the gh-pages branch, with mike's version selector).",
)
def serve_cmd(root: Path, addr: str, company: str | None, editions: bool) -> None:
    """Live preview: serve the site and rebuild it on any change under content/,
    templates/ or mkdocs.yml. Check problems are printed here; sources with errors
    keep the last good preview in the browser and the server keeps running.

    With --editions: serve the gh-pages branch as published (every edition,
    `latest`, versions.json), so the edition selector and banners work."""
    import logging
    import signal

    from reglament.site.preview import serve

    host, _, port = addr.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter("use HOST:PORT, e.g. 127.0.0.1:8000", param_hint="--addr")
    if editions:
        _serve_editions(root, addr, company)
        return
    if not (root / "content").is_dir():
        raise click.UsageError(f"no `content/` folder in {root}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    engine_log = logging.getLogger("mkdocs")
    engine_log.addHandler(handler)
    engine_log.setLevel(logging.INFO)

    def stop(signum, frame):  # a terminal's Ctrl+C and a supervisor's SIGTERM end the same way
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        serve(
            root=root,
            host=host,
            port=int(port),
            company=company,
            color=sys.stderr.isatty(),
            report=lambda text: click.echo(text, err=True),
        )
    except OSError as exc:
        raise click.UsageError(f"cannot serve on {addr}: {exc.strerror or exc}") from exc
    click.echo("preview stopped", err=True)


def _build_companies(
    root: Path,
    out: Path,
    companies: tuple[str, ...],
    all_companies: bool,
    *,
    fmt: str,
    strict: bool,
    public: bool,
    jobs: int | None,
    pdf: Edition | None = None,
    engine: str | None = None,
    offline: bool = False,
    cache: bool = True,
) -> None:
    """Build the listed companies (``all_companies``: every company, replacing OUT whole) into OUT/<id>/;
    ``cache``: with the project's .reglament-cache/ (as the base regulation's build)."""
    from reglament.diagnostics import has_errors
    from reglament.site.stamp import fresh_companies

    tty = sys.stderr.isatty()

    def report(company: str, status: str, ok: bool, seconds: float, done: int, total: int) -> None:
        if tty:
            status = click.style(status, fg="green" if ok else "red", bold=not ok)
        click.echo(f"[{done}/{total}] {company}: {status} ({seconds:.1f} s)", err=True)

    # nothing changed since `--all-companies` built OUT: the same answer as the build's (every company
    # unchanged, with its diagnostics), from the build stamps alone — before the model and the engine are imported
    options = {"public": public, "pdf": pdf, "engine": engine, "offline": offline}
    unchanged = fresh_companies(root, out, options) if all_companies else None
    if unchanged is not None and not any(has_errors(found, strict=strict) for _, found in unchanged):
        noun = "company" if len(unchanged) == 1 else "companies"
        if tty:
            click.echo(f"building {len(unchanged)} {noun} into {out} …", err=True)
        for done, (cid, _) in enumerate(unchanged, 1):
            report(cid, "unchanged", True, 0.0, done, len(unchanged))
        emit(sorted({d for _, found in unchanged for d in found}), fmt, root)
        click.echo(f"built {len(unchanged)} {noun} into {out.resolve()}", err=True)
        return

    from reglament.site.all_companies import build_all, default_jobs

    ids = _company_ids(root, companies, all_companies)
    assert ids is not None  # (some company was asked for)

    def progress(result, done: int, total: int) -> None:
        status = "ok" if result.ok else ("FAILED, previous site kept" if result.kept_old else "FAILED")
        report(result.company, "unchanged" if result.skipped else status, result.ok, result.seconds, done, total)

    noun = "company" if len(ids) == 1 else "companies"
    if tty:
        click.echo(f"building {len(ids)} {noun} into {out} …", err=True)
    result = build_all(
        root,
        out,
        companies=None if all_companies else ids,
        public=public,
        strict=strict,
        jobs=jobs or default_jobs(),
        progress=progress,
        pdf=pdf,
        engine=engine,
        offline=offline,
        cache=cache,
    )
    emit(result.diagnostics, fmt, root)
    if not result.ok:
        click.echo(f"build failed for: {', '.join(result.failed)}", err=True)
        sys.exit(1)
    click.echo(f"built {len(ids)} {noun} into {result.out}", err=True)


@main.command("companies")
@ROOT
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="A JSON list (for CI matrices): id, names, city, visibility, publish (the internal site's target).",
)
@click.option(
    "--default",
    "default_site",
    is_flag=True,
    help="With --json: describe the default site instead (content/defaults.yml): visibility and publish.",
)
def companies_cmd(root: Path, as_json: bool, default_site: bool) -> None:
    """List the company profiles in content/companies/ (exit 1 when one does not load)."""
    import json

    from reglament.project import describe
    from reglament.source.profiles import load_profiles

    profiles = load_profiles(root)
    if default_site:
        if not as_json:
            raise click.UsageError("--default goes with --json")
        defaults, target = profiles.defaults, profiles.publish_target(None)
        site = {
            "id": None,
            "visibility": defaults.visibility if defaults is not None else "internal",
            "publish": {"remote": target.remote, "branch": target.branch} if target else None,
        }
        click.echo(json.dumps(site, ensure_ascii=False, indent=2))
    elif as_json:
        listed = [describe(p, profiles.publish_target(p.id)) for p in profiles.companies]
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
    else:
        for p in profiles.companies:
            click.echo(f"{p.id}\t{p.short_name}\t{p.visibility}\t{p.name}")
    if profiles.diagnostics:
        click.echo(format_text(profiles.diagnostics, root=root), err=True)
        sys.exit(exit_code(profiles.diagnostics))


@main.command("compare")
@click.argument("company_a", metavar="COMPANY_A")
@click.argument("company_b", metavar="[COMPANY_B]", required=False)
@ROOT
@PUBLIC
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def compare_cmd(company_a: str, company_b: str | None, root: Path, public: bool, fmt: str) -> None:
    """What differs between two companies' resolved regulations (without COMPANY_B: against the base).

    Company names, parameters, role names, the regulations, parts and items one
    has and the other leaves out, and every overridden or differently rendered text.
    """
    from reglament.project import check_variant, load_project
    from reglament.variant.company_compare import COMPARISON_FORMATS, compare_companies

    project = load_project(root)
    sides, variants = [], []
    for cid in (company_a, company_b):
        checked = check_variant(project, company=cid, public=public)
        if checked.variant is None:  # the profile does not load
            click.echo(format_text(checked.diagnostics, root=root), err=True)
            sys.exit(1)
        sides.append(checked)
        variants.append(checked.variant)
    result = compare_companies(variants[0], variants[1])
    click.echo(COMPARISON_FORMATS[fmt](result))
    errors = [d for side in sides for d in side.diagnostics if d.severity == "error"]
    if errors:
        click.echo(f"warning: {len(errors)} error(s) in these variants; run `reglament check --company …`", err=True)


@main.command("pdf")
@ROOT
@click.option(
    "--company",
    "companies",
    multiple=True,
    metavar="ID",
    help="A company (content/companies/ID.yml); repeat for several. Default: the base content.",
)
@click.option("--all", "all_companies", is_flag=True, help="Every company in content/companies/.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the PDF files (default: <root>/build/pdf; a company's go to <out>/<company>/).",
)
@click.option("--edition", default=None, help="Edition id from content/editions.yml (default: a working edition).")
@click.option(
    "--date",
    "on_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date of a working edition, YYYY-MM-DD (default: today).",
)
@click.option("--public", is_flag=True, help="Leave out every internal item and every employee's name.")
@FORMAT
def pdf_cmd(
    root: Path,
    companies: tuple[str, ...],
    all_companies: bool,
    out: Path | None,
    edition: str | None,
    on_date,
    public: bool,
    fmt: str,
) -> None:
    """Print edition: one A4 PDF per regulation, with approval block and acknowledgement sheet.

    A company whose content has errors prints nothing and does not stop the
    others; the command then exits 1 and names it.
    """
    import datetime as dt

    from reglament.pdf.document import print_editions
    from reglament.source.profiles import load_profiles

    if companies and all_companies:
        raise click.UsageError("use --company ID or --all, not both")
    out = out or root / "build" / "pdf"
    today = on_date.date() if on_date else dt.date.today()
    ids = list(companies) or None
    if all_companies:
        ids = load_profiles(root).ids
        if not ids:
            raise click.UsageError(f"no company profiles in {root / 'content' / 'companies'}")
    printed = print_editions(root, out, today=today, edition=edition, companies=ids, public=public)
    emit(printed.diagnostics, fmt, root)
    for note in printed.notes:
        click.echo(f"note: {note}", err=True)
    for path in printed.files:
        click.echo(f"wrote {path}", err=True)
    if not printed.ok:
        click.echo(
            f"pdf failed for {', '.join(printed.failed)}: the content has errors; nothing written for it", err=True
        )
        sys.exit(1)


@main.command("schema")
@ROOT
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the schema files (default: <root>/schema).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 when the folder is not up to date with the models.",
)
def schema_cmd(root: Path, out: Path | None, check_only: bool) -> None:
    """Write a JSON Schema for every source file kind (for editor validation and autocompletion)."""
    from reglament.editor.schema import DEFAULT_DIR, stale_files, write_schemas

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
def new_regulation_cmd(
    reg_id: str, root: Path, title: str | None, role: str | None, owner: str | None, approver: str | None
) -> None:
    """Create content/regulations/ID/ with a regulation that passes `reglament check`."""
    from reglament.editor.scaffold import new_regulation

    written = new_regulation(root, reg_id, title=title, role=role, owner=owner, approver=approver)
    for path in written:
        click.echo(f"created {path}", err=True)
    click.echo(f"next: fill in the files, then run `reglament check --root {root}`", err=True)


# --------------------------------------------------------------------------
# Editions: publish with mike, list what is published


@main.command("publish")
@click.argument("edition", metavar="EDITION")
@ROOT
@click.option("--company", "company", default=None, metavar="ID", help="Publish this company's site only.")
@click.option("--all", "all_companies", is_flag=True, help="Publish every company's site.")
@click.option("--alias", default="latest", show_default=True, help="Alias that follows the edition in force.")
@click.option(
    "--push",
    is_flag=True,
    help="Push gh-pages (and each internal target) to its remote, only when every company succeeded.",
)
@click.option(
    "--remote", default="origin", show_default=True, help="Remote to fetch gh-pages from and push public sites to."
)
@click.option("--force", is_flag=True, help="Overwrite an edition published with different content (recorded).")
@click.option("--public", is_flag=True, help="Leave out every internal item (as `build --public`).")
@click.option(
    "--purge-history",
    is_flag=True,
    help="Rewrite gh-pages as one commit (force-pushed with lease): no removed internal build stays reachable.",
)
@click.option("--build-only", is_flag=True, help="Only build the site(s) from the tag into --out (CI build jobs).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --build-only: folder for the built site and its edition.json.",
)
@click.option(
    "--from",
    "prebuilt",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Deploy the sites built by --build-only in this folder (verified against the tag).",
)
@FORMAT
def publish_cmd(
    edition: str,
    root: Path,
    company: str | None,
    all_companies: bool,
    alias: str,
    push: bool,
    remote: str,
    force: bool,
    public: bool,
    build_only: bool,
    out: Path | None,
    prebuilt: Path | None,
    fmt: str,
    purge_history: bool = False,
) -> None:
    """Build EDITION from its tag `edition/EDITION` and publish it with mike into gh-pages.

    Each company goes under `<company>/<edition>/`; the alias moves to the
    edition in force; an edition already published with other content is
    refused unless --force. An internal site (`visibility: internal`) never
    goes to gh-pages: it goes to the target its profile (or
    content/defaults.yml) names, `publish: {remote: REMOTE, branch: BRANCH}`
    (a host with access control), and is left out (refused when named alone)
    without one. With --from, internal sites are still built here. On any
    failure, every local branch and every remote stays exactly as it was.
    """
    from reglament.publish import build, transaction

    if company and all_companies:
        raise click.UsageError("use --company ID or --all, not both")
    if build_only and (out is None or push or prebuilt):
        raise click.UsageError("--build-only needs --out DIR and publishes nothing (no --push, no --from)")
    if out is not None and not build_only:
        raise click.UsageError("--out goes with --build-only")
    if build_only and out is not None:
        sites = build.build_only(
            root, edition=edition, company=company, all_companies=all_companies, alias=alias, public=public, out=out
        )
        for site in sites:
            click.echo(
                f"built {site.site}  {site.content_hash[:19]}…  (edition {edition}"
                f"{', company ' + site.target.company if site.target.company else ''})",
                err=True,
            )
        return
    result = transaction.publish(
        root,
        edition=edition,
        company=company,
        all_companies=all_companies,
        alias=alias,
        push=push,
        remote=remote,
        force=force,
        public=public,
        prebuilt=prebuilt,
        purge_history=purge_history,
    )
    for delivery in result.destinations:
        dest = delivery.destination
        for item in delivery.results:
            where = f"{dest.local_branch}:{item.target.prefix + '/' if item.target.prefix else ''}{edition}/"
            what = {
                "published": "published",
                "overwritten": "overwrote (--force)",
                "unchanged": "unchanged",
                "alias": "unchanged",
            }[item.status]
            internal = f"  (internal: {dest.label})" if dest.internal else ""
            click.echo(f"{what}: {where}  {item.content_hash[:19]}…  {alias} → {item.current}{internal}", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for delivery in result.destinations:
        dest = delivery.destination
        if not delivery.changed:
            click.echo(f"nothing to commit: {dest.local_branch} already holds edition {edition} as built", err=True)
        elif delivery.pushed:
            renamed = f" `{dest.branch}`" if dest.local_branch != dest.branch else ""
            click.echo(f"pushed {dest.local_branch} to {dest.remote}{renamed}", err=True)
        else:
            refspec = dest.branch if dest.local_branch == dest.branch else f"{dest.local_branch}:{dest.branch}"
            click.echo(
                f"committed to local {dest.local_branch}; publish with --push (or `git push {dest.remote} {refspec}`)",
                err=True,
            )


@main.command("editions")
@ROOT
@click.option("--company", default=None, metavar="ID", help="Only this company's editions.")
@click.option("--branch", default="gh-pages", show_default=True, help="Publish branch to read.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def editions_cmd(root: Path, company: str | None, branch: str, fmt: str) -> None:
    """List the published editions (from the gh-pages branch): effective dates, status, aliases."""
    import datetime as dt
    import json

    from reglament.model.editions import format_date_ru
    from reglament.publish.published import in_force, list_published

    listing = list_published(root, branch=branch, company=company)
    today = dt.date.today()
    if fmt == "json":
        click.echo(
            json.dumps(
                {prefix: [p.to_json() for p in items] for prefix, items in listing.items()},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not listing:
        click.echo(f"no editions published on `{branch}` yet", err=True)
        return
    for prefix, items in listing.items():
        current = in_force(items, today)
        click.echo(f"{prefix or '(default site)'}:")
        for p in items:
            aliases = f" [{', '.join(p.aliases)}]" if p.aliases else ""
            props = p.properties
            approved = (
                f"; утверждена {format_date_ru(props['approved'])}, {props.get('approved_by', '')}"
                if props.get("approved")
                else ""
            )
            click.echo(
                f"  {p.version}{aliases}  «{p.title}» — действует с {format_date_ru(props.get('effective', '?'))}"
                f" — {p.status(today, current)}{approved}"
            )


@new_group.command("company")
@click.argument("company_id", metavar="ID")
@ROOT
@click.option("--name", default=None, help="Full legal name (default: a placeholder to replace).")
@click.option("--short-name", default=None, help="Short name used in texts and the site title.")
@click.option("--city", default=None, help="City of the company.")
@click.option(
    "--visibility",
    type=click.Choice(["public", "internal"]),
    default="public",
    show_default=True,
    help="public: the site leaves out internal items; internal: a site for employees.",
)
def new_company_cmd(
    company_id: str, root: Path, name: str | None, short_name: str | None, city: str | None, visibility: str
) -> None:
    """Create content/companies/ID.yml, a profile that passes `reglament check --company ID`."""
    from reglament.editor.scaffold import new_company

    written = new_company(root, company_id, name=name, short_name=short_name, city=city, visibility=visibility)
    for path in written:
        click.echo(f"created {path}", err=True)
    click.echo(
        f"next: fill in the names and parameters, then run `reglament check --root {root} --company {company_id}`",
        err=True,
    )


@main.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option(
    "--company",
    default=None,
    metavar="ID",
    help="Compare this company's resolved variants (content/companies/ID.yml at each revision).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html", "json", "order", "order-html"]),
    default="text",
    show_default=True,
    help="text (colour on a terminal), markdown (a pull-request comment), "
    "html (a standalone redline page), json (the documented structure), "
    "order / order-html (the amendment order, «приказ о внесении изменений»).",
)
@click.option("--public", is_flag=True, help="Compare public variants: internal items left out, as on a public site.")
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    default="ru",
    show_default=True,
    help="The content's language, for reading numbers in texts (ru: 3,5 and 1 200 000; en: 3.5 and 3,500).",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are changes (like `git diff --exit-code`).")
@ROOT
def diff_cmd(
    old: str, new: str | None, company: str | None, fmt: str, public: bool, lang: str, exit_code: bool, root: Path
) -> None:
    """What changed from OLD to NEW (default: the working tree), clause by clause.

    OLD and NEW are git revisions (tags, branches, commits) or edition ids
    from content/editions.yml; revisions are read from git objects, never
    checked out. Each side is the variant `reglament build` builds (the base,
    or --company's). A side with check errors is still compared where it
    loads, and its errors are listed. Exit 2 when a side cannot be compared.
    """
    from reglament.diff import DIFF_FORMATS, diff_revisions, order_revisions

    if fmt in ("order", "order-html"):
        changes, order = order_revisions(
            root, old=old, new=new, company=company, public=public, lang=lang, html=fmt == "order-html"
        )
        click.echo(order.rstrip("\n"))
        sys.exit(1 if exit_code and not changes.is_empty else 0)
    changes = diff_revisions(root, old=old, new=new, company=company, public=public, lang=lang)
    if fmt == "text":
        click.echo(DIFF_FORMATS["text"](changes, color=sys.stdout.isatty()))
    else:
        output = DIFF_FORMATS[fmt](changes)
        if fmt == "html":  # the HTML report passes the allowlist like every page made from content
            from reglament.htmlsafe import clean_document

            output = clean_document(output)
        click.echo(output.rstrip("\n"))
    for side in (changes.old, changes.new):
        if side.errors:
            click.echo(
                f"warning: `{side.label}` has {len(side.errors)} error(s); compared what loads "
                f"(run `reglament check` on it to fix them)",
                err=True,
            )
    sys.exit(1 if exit_code and not changes.is_empty else 0)


@main.command("reviewers")
@click.argument("base")
@click.argument("head")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text, markdown (a pull request's summary; nobody pinged) or json.",
)
@click.option("--approved", multiple=True, metavar="LOGIN", help="A login that approved HEAD (repeatable): check mode.")
@click.option(
    "--reviews",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The pull request's reviews as the GitHub API lists them (JSON array or JSON lines): check mode; "
    "only each reviewer's latest decisive review counts, and only when it approves HEAD's commit.",
)
@click.option(
    "--teams",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='Team members as JSON: {"org/team": ["login", ...]} (the workflow reads them from the GitHub API).',
)
@click.option("--map", "map_path", default=None, metavar="PATH", help="The reviewers map in the repository.")
@ROOT
def reviewers_cmd(
    base: str,
    head: str,
    fmt: str,
    approved: tuple[str, ...],
    reviews: Path | None,
    teams: Path | None,
    map_path: str | None,
    root: Path,
) -> None:
    """Who must approve what HEAD changes since it left BASE — by the kind of content changed, in any file.

    The reviewers map (.github/reviewers.yml) is read at BASE, never at HEAD. With --approved or --reviews,
    exit 1 while some kind of change still lacks an approval.
    """
    from reglament.diff.reviewers import (
        REVIEWER_FORMATS,
        REVIEWERS_FILE,
        apply_approvals,
        approvals_from_reviews,
        require_approvals,
        route,
    )
    from reglament.errors import UsageError

    routing = route(root, base=base, head=head, map_path=map_path or REVIEWERS_FILE)
    check = bool(approved) or reviews is not None
    if check:
        logins = set(approved)
        if reviews is not None:
            logins |= approvals_from_reviews(_json_records(reviews, "--reviews"), head_sha=routing.head)
        members = _json_records(teams, "--teams") if teams is not None else {}
        if not isinstance(members, dict) or not all(isinstance(v, list) for v in members.values()):
            raise UsageError(f'--teams {teams}: expected {{"org/team": ["login", ...]}}')
        routing = apply_approvals(routing, logins, members)
    click.echo(REVIEWER_FORMATS[fmt](routing).rstrip("\n"))
    if routing.diagnostics:  # warnings about the map; the report above stays parseable
        click.echo(format_text(list(routing.diagnostics)), err=True)
    if check:
        require_approvals(routing)


def _json_records(path: Path, option: str):
    """A JSON file, or JSON lines (one value a line) as a list; a bad file is a usage error (exit 2)."""
    import json

    from reglament.errors import UsageError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{option} {path}: cannot read it ({exc})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise UsageError(f"{option} {path}: neither JSON nor JSON lines ({exc.msg})") from exc


def _serve_editions(root: Path, addr: str, company: str | None) -> None:
    """`reglament serve --editions`: mike's server over gh-pages until Ctrl+C (or SIGTERM)."""
    import signal

    from reglament.publish.published import serve_editions

    if company:
        raise click.UsageError("--editions serves every company's editions: open /<company>/ instead of --company")

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"serving the published editions at http://{addr}/ (Ctrl+C stops)", err=True)
    try:
        code = serve_editions(root, address=addr)
    except KeyboardInterrupt:
        code = 0
    click.echo("stopped", err=True)
    sys.exit(code)


# Subsystems with commands of their own: Word (`reglament import`, `reglament export docx`) and the
# acknowledgement service (`reglament ack …`)
from reglament.ack.cli import ack_group  # noqa: E402
from reglament.word.cli import register as _register_word  # noqa: E402

_register_word(main)
main.add_command(ack_group)
