"""Build every company's site in one run (``reglament build --all-companies``), in parallel processes.

Each company is checked and built on its own (a failing one keeps its old
site and is named); the root ``index.html`` lists the companies' sites.
Loading and checking live in :mod:`reglament.project`.
"""

from __future__ import annotations

import concurrent.futures
import functools
import html
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reglament.diagnostics import Diagnostic, has_errors
from reglament.model.profile import Profile
from reglament.pdf.document import Edition, site_pdfs
from reglament.project import Project, check_variant, load_project, site_title
from reglament.site.build import build, replace_dir
from reglament.site.out_guard import guard_out, mark
from reglament.site.stamp import fresh, inputs_digest, link_copy

INDEX_FILE = "index.html"


# --------------------------------------------------------------------------
# Building every company


@dataclass
class CompanyBuild:
    """The outcome of one company's build."""

    company: str
    ok: bool
    diagnostics: list[Diagnostic]
    seconds: float
    kept_old: bool = False  # the build failed and the company's previous site was kept
    skipped: bool = False  # nothing changed since the company's site was built: it was kept as it is


@dataclass
class AllBuilt:
    """The outcome of `build --all-companies`: one entry per company, in profile order."""

    out: Path
    builds: list[CompanyBuild]

    @property
    def failed(self) -> list[str]:
        return [b.company for b in self.builds if not b.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found: set[Diagnostic] = set()
        for b in self.builds:
            found.update(b.diagnostics)
        return sorted(found)


def _build_one(
    root: Path,
    site: Path,
    company: str,
    public: bool,
    strict: bool,
    project: Project | None = None,
    pdf: Edition | None = None,
    digest: str | None = None,
    engine: str | None = None,
    offline: bool = False,
    jobs: int = 1,
) -> CompanyBuild:
    """Check and build one company into ``site`` (through :func:`reglament.build.build`, atomic); ``jobs``:
    worker processes for its post-build pass."""

    started = time.monotonic()
    project = project or load_project(root)
    checked = check_variant(project, company=company, public=public)
    if has_errors(checked.diagnostics, strict=strict):
        return CompanyBuild(company, False, checked.diagnostics, time.monotonic() - started)
    built = build(
        root,
        site,
        checked=checked,
        company=company,
        public=public,
        pdf=functools.partial(site_pdfs, edition=pdf) if pdf is not None else None,
        digest=digest,
        engine=engine,
        offline=offline,
        morph=project.morph,  # the dictionary and word forms the check loaded serve the term links too
        jobs=jobs,
    )
    return CompanyBuild(company, built.ok, built.diagnostics, time.monotonic() - started)


def _build_worker(
    root: str,
    site: str,
    company: str,
    public: bool,
    strict: bool,
    pdf: Edition | None = None,
    digest: str | None = None,
    engine: str | None = None,
    offline: bool = False,
) -> CompanyBuild:
    """Entry point of a worker process (``--jobs N``): the project its pool loaded (:func:`_load_worker`)."""
    project = _WORKER_PROJECT.get(root)
    if project is None:
        project = _WORKER_PROJECT[root] = load_project(Path(root))
    return _build_one(
        Path(root),
        Path(site),
        company,
        public,
        strict,
        project,
        pdf=pdf,
        digest=digest,
        engine=engine,
        offline=offline,
    )


#: (in a worker process of :func:`build_all`) the project it loaded, by root: loaded once per worker, shared by
#: every company the worker builds (each company's check resolves its own variant from it)
_WORKER_PROJECT: dict[str, Project] = {}


def _load_worker(root: str) -> None:
    """Initializer of a worker process: load the project and the morphology dictionary while the parent
    hands out the first companies)."""
    try:
        project = load_project(Path(root))
    except Exception:  # reported by the first company this worker builds (it loads again there)
        return
    project.morph.lemmas("заявка")  # the dictionary loads on first use
    _WORKER_PROJECT[root] = project


def _unchanged(root: Path, out: Path, tmp: Path, company: str, digest: str, strict: bool) -> CompanyBuild | None:
    """The company's site in ``out`` when its inputs have not changed since it was built (carried into ``tmp``)."""

    cached = fresh(root / "build" / company, out / company, digest)
    if cached is None or has_errors(cached, strict=strict):
        return None
    if tmp != out:
        link_copy(out / company, tmp / company)  # hard links: no data copied, the stamp still knows the site
    return CompanyBuild(company, True, cached, 0.0, skipped=True)


def build_all(
    root: Path,
    out: Path,
    *,
    companies: Iterable[str] | None = None,
    public: bool = False,
    strict: bool = False,
    jobs: int = 1,
    project: Project | None = None,
    progress: Callable[[CompanyBuild, int, int], None] | None = None,
    pdf: Edition | None = None,
    engine: str | None = None,
    offline: bool = False,
) -> AllBuilt:
    """Build every company (or the listed ones) into ``out/<company-id>/`` plus ``out/index.html``.

    Each company goes through the atomic :func:`reglament.build.build`
    (``jobs`` > 1: in that many processes); a company whose build fails keeps
    its previous site, and the others are not stopped. Every company
    (``companies=None``): they are built into a fresh folder next to ``out``
    that then replaces ``out`` at once (stale folders of removed companies go
    away). Listed companies: each replaces its own ``out/<id>/`` and the other
    companies' sites stay. ``out/index.html`` lists every company whose site is
    there. ``progress(result, done, total)`` is called as each company finishes. ``pdf`` (a :class:`reglament.pdf.Edition`)
    adds each company's print editions to its site (see :func:`reglament.build.build`); ``engine`` and
    ``offline`` as there (offline: the root page links ``<id>/index.html``).
    """

    digests: dict[str, str] = {}
    if project is None:  # hash the sources before loading them, so an edit during the build is never skipped
        digests = {
            p.stem: inputs_digest(
                root, company=p.stem, options={"public": public, "pdf": pdf, "engine": engine, "offline": offline}
            )
            for p in sorted((root / "content" / "companies").glob("*.y*ml"))
        }
    project = project or load_project(root)
    ids = list(companies) if companies is not None else project.profiles.all_ids
    for cid in ids:
        if cid not in digests:
            digests[cid] = inputs_digest(
                root, company=cid, options={"public": public, "pdf": pdf, "engine": engine, "offline": offline}
            )
    for cid in ids:
        project.profiles.lookup(cid)  # an unknown id fails here; a broken profile fails with its own errors
    guard_out(out, root=root)  # `--out` replaces only an absent or empty folder, or sites this tool built
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    whole = companies is None
    if whole:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.all-", dir=out.parent))
    else:
        out.mkdir(exist_ok=True)
        tmp = out  # build.build replaces each out/<id>/ atomically; the others stay
    results: dict[str, CompanyBuild] = {}
    try:

        def finished(result: CompanyBuild) -> None:
            cid = result.company
            if not result.ok and (out / cid / INDEX_FILE).is_file():
                if whole and not (tmp / cid).exists():
                    shutil.copytree(out / cid, tmp / cid, symlinks=True)  # keep the last good site of this company
                result.kept_old = True
            results[cid] = result
            if progress is not None:
                progress(result, len(results), len(ids))

        todo = []
        for cid in ids:
            kept = _unchanged(root, out, tmp, cid, digests[cid], strict)
            if kept is not None:
                finished(kept)
            else:
                todo.append(cid)
        if jobs > 1 and len(todo) > 1:
            ctx = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(
                max_workers=min(jobs, len(todo)), mp_context=ctx, initializer=_load_worker, initargs=(str(root),)
            ) as pool:
                futures = {
                    pool.submit(
                        _build_worker,
                        str(root),
                        str(tmp / cid),
                        cid,
                        public,
                        strict,
                        pdf,
                        digests[cid],
                        engine,
                        offline,
                    ): cid
                    for cid in todo
                }
                for future in concurrent.futures.as_completed(futures):
                    cid = futures[future]
                    try:
                        finished(future.result())
                    except Exception as exc:  # a crashed worker fails its company only
                        diag = Diagnostic(
                            "content/companies",
                            1,
                            1,
                            "error",
                            "engine",
                            f"company `{cid}`: the build process failed: {type(exc).__name__}: {exc}",
                        )
                        finished(CompanyBuild(cid, False, [diag], 0.0))
        else:
            for cid in todo:
                finished(
                    _build_one(
                        root,
                        tmp / cid,
                        cid,
                        public,
                        strict,
                        project,
                        pdf=pdf,
                        digest=digests[cid],
                        engine=engine,
                        offline=offline,
                        jobs=jobs,  # one company left to build: its post-build pass may use the cores
                    )
                )
        listed = [p for p in project.companies if (tmp / p.id / INDEX_FILE).is_file()]
        if not listed and not (out / INDEX_FILE).exists():
            return AllBuilt(out, [results[cid] for cid in ids])
        _write_index(tmp / INDEX_FILE, listed, title=_site_name(root), offline=offline)
        mark(tmp)
        if whole:
            replace_dir(tmp, out)
    finally:
        if whole and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return AllBuilt(out, [results[cid] for cid in ids])


def _site_name(root: Path) -> str:
    return site_title(root) or "Регламенты"


def index_html(
    title: str, entries: list[tuple[str, str, str]], *, lead: str = "Регламенты компаний:", offline: bool = False
) -> str:
    """The root page listing companies' sites: ``entries`` are (folder, name, detail); every value HTML-escaped."""
    items = []
    for folder, name, detail in entries:
        small = f"<br><small>{html.escape(detail)}</small>" if detail else ""
        target = f"{folder}/index.html" if offline else f"{folder}/"
        items.append(f'    <li><a href="{html.escape(target)}">{html.escape(name)}</a>{small}</li>')
    body = "\n".join(items)
    return f"""<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(title)}</title>
  <style>
    body {{ font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #222; }}
    h1 {{ font-size: 1.6rem; }} li {{ margin: .8rem 0; }} a {{ font-size: 1.15rem; color: #3f51b5; }}
    small {{ color: #666; }}
  </style>
</head>
<body>
  <h1>{html.escape(title)}</h1>
  <p>{html.escape(lead)}</p>
  <ul>
{body}
  </ul>
</body>
</html>
"""


def _write_index(path: Path, companies: list[Profile], *, title: str, offline: bool = False) -> None:
    """The root page listing every company's site; written atomically."""
    entries = [(p.id, p.short_name, p.name + (f" · {p.city}" if p.city else "")) for p in companies]
    part = path.with_name(f".{path.name}.new")
    part.write_text(index_html(title, entries, offline=offline), encoding="utf-8")
    part.replace(path)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)
