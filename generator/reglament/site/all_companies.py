"""Build every company's site in one run (``reglament build --all-companies``), in parallel processes.

Each company is checked and built on its own (a failing one keeps its old
site and is named); the root ``index.html`` lists the companies' sites.
Loading and checking live in :mod:`reglament.project`.

With the project's cache (``cache=True``, as `reglament build` has it unless ``--no-cache``), every process
that builds companies loads the project once from ``.reglament-cache/`` (the files unchanged since they were
last loaded are not parsed again) and its checks keep the term mentions there; the morphology's answers
(the check's, the term links', the search's word forms) are kept too, so a warm build whose words are all
known never loads the dictionary. Worker processes (``jobs`` > 1) hand their words back to the parent, which
keeps them all in one write after the last company: each entry is written whole (a temporary file renamed
into place), and no worker's words are lost to another's write.
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

from reglament.check.checker import MentionMemo
from reglament.diagnostics import Diagnostic, has_errors
from reglament.model.profile import Profile
from reglament.morphology import Morph
from reglament.pdf.document import Edition, site_pdfs
from reglament.perf import lap
from reglament.project import Project, check_variant, load_project, site_title
from reglament.site.build import build, replace_dir
from reglament.site.out_guard import guard_out, mark
from reglament.site.stamp import fresh, inputs_digest, link_copy, record_companies
from reglament.source.cache import SourceCache
from reglament.source.profiles import load_profiles

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
        lap("company", company=company, dictionary=project.morph.loaded)
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
    # (for the benchmark and the tests, with $REGLAMENT_STAGE_TIMES) whether this process has loaded the dictionary
    lap("company", company=company, dictionary=project.morph.loaded)
    return CompanyBuild(company, built.ok, built.diagnostics, time.monotonic() - started)


#: what a morphology knows (:attr:`Morph.known`, :attr:`Morph.nouns`): what a worker hands back to keep
Words = tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]


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
    cache: bool = False,
) -> tuple[CompanyBuild, Words | None]:
    """Entry point of a worker process (``--jobs N``): the project its pool loaded (:func:`_load_worker`).

    With the cache: also what this process's morphology knows once the company is built (None when it learnt
    nothing since it last handed its words back), for the parent to keep (:func:`_keep_words`)."""
    project = _WORKER_PROJECT.get((root, cache))
    if project is None:
        project = _WORKER_PROJECT[root, cache] = load_project(Path(root), cache=cache)
    result = _build_one(
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
    words = None
    if project.store is not None and _HANDED.get(root) != project.morph.size:
        words = (project.morph.known, project.morph.nouns)
        _HANDED[root] = project.morph.size
    return result, words


#: (in a worker process of :func:`build_all`) the project it loaded, by root and whether with the cache: loaded
#: once per worker, shared by every company the worker builds (each company's check resolves its own variant
#: from it, and the base regulation's check is made once: :func:`reglament.project.base_check`)
_WORKER_PROJECT: dict[tuple[str, bool], Project] = {}
#: (in a worker process) how many answers its morphology held when it last handed them to the parent, by root
_HANDED: dict[str, int] = {}


def _load_worker(root: str, cache: bool) -> None:
    """Initializer of a worker process: load the project while the parent hands out the first companies.

    Without the cache, the morphology dictionary is loaded here too (every check needs it); with the cache,
    it is left to load on the first word the kept answers do not know (a warm build never loads it)."""
    try:
        project = load_project(Path(root), cache=cache)
    except Exception:  # reported by the first company this worker builds (it loads again there)
        return
    if project.store is None:
        project.morph.lemmas("заявка")  # the dictionary loads on first use
    _WORKER_PROJECT[root, cache] = project


def _keep_words(root: Path, handed: list[Words]) -> None:
    """(in the parent, after every worker finished) Keep the words the workers' morphologies knew, merged with
    those the cache holds, in one write: each worker's checks also keep their words as they go, and one such
    write may replace another's (each is whole); this last one holds them all."""
    if not handed:
        return
    morph = Morph()
    for known, nouns in handed:
        morph.remember(known, nouns)
    MentionMemo.keep_words(SourceCache(root), morph)


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
    cache: bool = False,
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

    ``cache``: the project is loaded with ``root/.reglament-cache/`` and the morphology's answers are kept there
    (see the module's docstring); the sites and diagnostics are the same without it. An ``out`` the build may
    not replace is refused before anything is written, the cache included. The project is loaded only when a
    company has changed, once per process that builds companies (``project``: the one to use in this process).
    """

    options = {"public": public, "pdf": pdf, "engine": engine, "offline": offline}
    digests: dict[str, str] = {}
    if project is None:  # hash the sources before loading them, so an edit during the build is never skipped
        digests = {
            p.stem: inputs_digest(root, company=p.stem, options=options)
            for p in sorted((root / "content" / "companies").glob("*.y*ml"))
        }
    profiles = project.profiles if project is not None else load_profiles(root)
    ids = list(companies) if companies is not None else profiles.all_ids
    for cid in ids:
        if cid not in digests:
            digests[cid] = inputs_digest(root, company=cid, options=options)
    for cid in ids:
        profiles.lookup(cid)  # an unknown id fails here; a broken profile fails with its own errors
    # `--out` replaces only an absent or empty folder, or sites this tool built: refused before anything is
    # written (the project is loaded with the cache below, which writes it)
    guard_out(out, root=root)
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
            # each worker loads the project once (its initializer), for every company it builds; this process
            # only hands the companies out and lists them
            handed: list[Words] = []
            ctx = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(
                max_workers=min(jobs, len(todo)),
                mp_context=ctx,
                initializer=_load_worker,
                initargs=(str(root), cache),
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
                        cache,
                    ): cid
                    for cid in todo
                }
                for future in concurrent.futures.as_completed(futures):
                    cid = futures[future]
                    try:
                        result, words = future.result()
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
                        continue
                    if words is not None:
                        handed.append(words)
                    finished(result)
            _keep_words(root, handed)
        elif todo:
            project = project or load_project(root, cache=cache)
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
            project.keep_words()  # what the term links and the search's word forms asked, for the next build
        listed = [p for p in profiles.companies if (tmp / p.id / INDEX_FILE).is_file()]
        if not listed and not (out / INDEX_FILE).exists():
            return AllBuilt(out, [results[cid] for cid in ids])
        _write_index(tmp / INDEX_FILE, listed, title=_site_name(root), offline=offline)
        mark(tmp)
        if whole:
            replace_dir(tmp, out)
            # the next `--all-companies` with nothing changed answers from the stamps alone (see cli.build_cmd)
            record_companies(root, out, [(cid, digests[cid]) for cid in ids])
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
