"""`reglament serve`: a live preview of the site while editing the sources.

The site engine's own `serve` watches only its docs folder; ours are rendered
from `content/` and `templates/`. So the preview watches the sources and, on
every change, re-checks them (with the source cache: only changed files are
read again) and re-renders the whole docs tree into a scratch folder — cheap
next to the engine — then copies into the engine's docs folder only the files
whose bytes changed (:mod:`reglament.site.tree_sync`). The engine then rebuilds
only those pages (MkDocs' dirty build), so an edit reaches exactly the pages it
shows on as text — its regulation, its role's page, the RACI table, for a term
the glossary — and no other. The navigation, the configuration or the theme
changing means a full build. reglament's post-build step (the allowlist over
the content, the links' tooltips, edit buttons, the search box) runs over the
rebuilt pages only; the search index follows in the background a moment after
the page has reloaded.

A link's tooltip is not in the Markdown (only a marker naming the item,
:attr:`reglament.render.pages.RenderedTree.tooltips`): a term's new definition
leaves the Markdown of the pages linking the term as it was. The post-build
step fills the titles, keeps each link's item id beside its title and records
which built page carries which items; when tooltips changed it puts the new
texts into the titles of the pages the engine did not rebuild
(:func:`reglament.site.pagesteps.refill_tips`).

Sources with errors do not replace the site being served: the reader keeps the
last good preview until the errors are fixed, and the server never stops.
Everything the preview writes stays in its stage folder
(``build/serve[-<company>]``) and its temporary site folder.
"""

from __future__ import annotations

import html
import ipaddress
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from reglament.diagnostics import format_text, has_errors
from reglament.errors import EngineError, NoContentError, TemplateFailure, UnknownCompanyError
from reglament.morphology import Morph
from reglament.project import check_variant, load_project, site_title
from reglament.render.pages import render
from reglament.site import search
from reglament.site.build import write_tree
from reglament.site.engines.base import CONFIG_FILE, edit_base
from reglament.site.engines.mkdocs import CHILD_CONFIG, MkDocsEngine, Rebuild, serve_site
from reglament.site.incremental import custom_dir, engine_inputs
from reglament.site.pagesteps import refill_tips, write_page
from reglament.site.postbuild import finish, html_path
from reglament.site.sanitize import sanitize_site
from reglament.site.tree_sync import Synced, sync

#: how long the site must stay unchanged before the search index is rebuilt (seconds)
INDEX_DELAY = 0.5
#: at most this many rebuilt pages are named in the terminal
NAMED_PAGES = 20


@dataclass
class Preview:
    """Re-check and re-render ``root`` into ``stage`` for each build of the preview.

    ``scratch`` is a working folder on the same file system as ``site_dir`` (the
    post-build step runs there on the rebuilt pages; default: ``<site_dir>.finish`` beside it).
    """

    root: Path
    stage: Path
    site_dir: Path
    report: Callable[[str], None]
    company: str | None = None
    color: bool = False
    scratch: Path | None = None
    builds: int = field(default=0, init=False)
    """Builds handed to the engine."""
    written: Synced = field(default_factory=Synced, init=False)
    """What the last build changed in the docs tree."""
    full: bool = field(default=True, init=False)
    """Whether the last build was a full one."""
    rebuilt: list[str] = field(default_factory=list, init=False)
    """The HTML pages the engine wrote in the last build (relative to ``site_dir``)."""
    refilled: list[str] = field(default_factory=list, init=False)
    """The pages of the last build whose tooltips alone were refreshed (not rebuilt by the engine)."""
    lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    """Held while the engine or the search indexer works on ``site_dir``."""
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _morph: Morph = field(default_factory=Morph, init=False, repr=False)
    _full_next: bool = field(default=True, init=False, repr=False)
    _engine_inputs: str | None = field(default=None, init=False, repr=False)
    _laps: list[tuple[str, float, float]] = field(default_factory=list, init=False, repr=False)
    _tips: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    """The tooltips (item id → text) the served pages carry."""
    _next_tips: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    """The tooltips of the render being built."""
    _carriers: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)
    """Each served page (path in the site) → the items whose tooltips it carries."""

    @property
    def docs(self) -> Path:
        return self.stage / "docs"

    def watched(self) -> list[Path]:
        """What a change to rebuilds on: the sources, the templates, the site configuration and the theme overrides."""
        paths = [self.root / "content", self.root / "templates", self.root / CONFIG_FILE]
        custom = custom_dir(self.root)
        if custom is not None and not custom.is_relative_to((self.root / "templates").resolve()):
            paths.append(custom)
        return paths

    def prepare(self) -> Rebuild | None:
        """Check and render the sources, update the docs tree; what the engine must build, or None to keep the old site."""
        with self._lock:
            self._laps = [("", time.perf_counter(), time.process_time())]
            try:
                project = load_project(self.root, morph=self._morph, cache=True)
                checked = check_variant(project, company=self.company)
            except (NoContentError, UnknownCompanyError, OSError) as exc:
                self._failed(str(exc))
                return None
            if checked.diagnostics:
                self.report(format_text(checked.diagnostics, root=self.root, color=self.color))
            if has_errors(checked.diagnostics):
                self._failed("the sources have errors (above)")
                return None
            self._lap("check")
            title = site_title(self.root)
            site_name = None
            if self.company is not None and checked.variant is not None:
                title = checked.variant.site_title(title)
                site_name = html.escape(title, quote=True)
            try:
                tree = render(checked.content, self.root / "templates", site_title=title, morph=self._morph)
            except TemplateFailure as exc:  # a page template being edited: say where, keep serving
                self.report(format_text([exc.diagnostic], root=self.root, color=self.color))
                self._failed("a page template has an error (above)")
                return None
            if not checked.diagnostics:
                self.report("check: no problems found")
            self._lap("render")
            engine = MkDocsEngine()
            # the whole tree, rendered afresh, goes to a scratch stage; only what differs reaches the engine's docs
            nxt = self.stage / ".next"
            _, spec = write_tree(tree, self.root, nxt, self.site_dir, engine=engine, site_name=site_name)
            self.written = sync(nxt / "docs", self.docs)
            config_file = self.stage / CHILD_CONFIG
            old_config = config_file.read_bytes() if config_file.is_file() else None
            config = engine.configure(replace(spec, docs_dir=self.docs), self.stage)
            inputs = engine_inputs(self.root)
            full = (
                self._full_next
                or old_config != config.read_bytes()  # the navigation, titles, site name
                or inputs != self._engine_inputs  # mkdocs.yml or the theme overrides
                or bool(self.written.added or self.written.removed)  # pages came or went
                or not (self.site_dir / "index.html").is_file()
            )
            self._engine_inputs = inputs
            self._lap("sync")
            self._next_tips = tree.tooltips
            if not full and not self.written.changed and tree.tooltips == self._tips:
                self.report("preview: the site is unchanged")
                return None
            self._full_next = True  # until the engine has finished this build
            self.full = full
            self.builds += 1
            stale = tuple(html_path(rel, directory_urls=True) for rel in self.written.written if rel.endswith(".md"))
            return Rebuild(config, full, stale)

    def finish(self, site_dir: Path, rebuilt: list[str]) -> None:
        """The allowlist and reglament's post-build step (edit buttons, search box) over the pages the engine wrote."""
        self._lap("engine")
        self.rebuilt = rebuilt
        work = self.scratch or site_dir.with_name(site_dir.name + ".finish")
        if work.exists():
            shutil.rmtree(work)
        for rel in rebuilt:  # the rebuilt pages alone, into the scratch folder (a rename: same file system)
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            _move(site_dir / rel, work / rel)
        tips = self._next_tips
        try:
            unsafe = sanitize_site(work)
            done = finish(work, self.docs, edit_base=edit_base(self.root), index=False, tooltips=tips, tip_marks=True)
        finally:
            for rel in rebuilt:
                _move(work / rel, site_dir / rel)
            shutil.rmtree(work, ignore_errors=True)
        if self.full:
            self._carriers = {}
        for rel in rebuilt:
            self._carriers.pop(rel, None)
        self._carriers.update(done.tips)
        self.refilled = [] if self.full else self._refill(site_dir, self._tips, tips)
        self._tips = tips
        if unsafe:
            self.report(
                "the preview has unsafe markup (a template puts it there; `reglament build` refuses it): "
                + "; ".join(unsafe[:5])
            )
        self._full_next = False
        self._lap("post")
        refreshed = f"; tooltips refreshed on {len(self.refilled)} more" if self.refilled else ""
        took = self._laps[-1][1] - self._laps[0][1]
        steps = ", ".join(
            f"{name} {wall - last_wall:.2f}/{cpu - last_cpu:.2f}"
            for (_, last_wall, last_cpu), (name, wall, cpu) in zip(self._laps, self._laps[1:])
        )
        total = sum(1 for _ in site_dir.rglob("*.html"))
        if self.full:
            self.report(f"preview: built all {total} pages in {took:.2f} s ({steps} s wall/CPU)")
        else:
            named = ", ".join(rebuilt[:NAMED_PAGES]) + (", …" if len(rebuilt) > NAMED_PAGES else "")
            self.report(
                f"preview: rebuilt {len(rebuilt)} of {total} pages in {took:.2f} s ({steps} s wall/CPU): {named}"
                + refreshed
            )

    def _refill(self, site_dir: Path, old: dict[str, str], new: dict[str, str]) -> list[str]:
        """Put the changed tooltips into the titles of the served pages that carry them; the pages changed."""
        changed = {ident for ident in old.keys() | new.keys() if old.get(ident) != new.get(ident)}
        if not changed:
            return []
        refilled = []
        for rel, ids in sorted(self._carriers.items()):
            if ids.isdisjoint(changed):
                continue
            path = site_dir / rel
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:  # gone with a page the sources no longer have
                continue
            page = refill_tips(text, new, ids & changed)
            if page != text:
                write_page(path, page)
                refilled.append(rel)
        return refilled

    def _lap(self, name: str) -> None:
        self._laps.append((name, time.perf_counter(), time.process_time()))

    def engine_failed(self) -> None:
        """The engine failed: the site may be half-built, so the next build is a full one."""
        self._full_next = True

    def _failed(self, why: str) -> None:
        if (self.site_dir / "index.html").exists():
            self.report(f"preview not updated: {why}; still serving the last good build")
        else:
            self.report(f"nothing to preview yet: {why}")
            write_error_page(self.site_dir, why)


def _move(src: Path, dest: Path) -> None:
    if src.exists():
        os.replace(src, dest)


class SearchIndexer:
    """Pagefind over the served site, in the background once the site has been unchanged for ``delay`` seconds.

    The page reloads without waiting for it; it holds ``lock`` (the engine's) while it works.
    """

    def __init__(self, site_dir: Path, lock: threading.Lock, report: Callable[[str], None], delay: float = INDEX_DELAY):
        self.site_dir = site_dir
        self.lock = lock
        self.report = report
        self.delay = delay
        self.runs = 0
        self._timer: threading.Timer | None = None
        self._morph = Morph()  # the titles' word forms: its own, loaded once (this thread alone uses it)
        self._guard = threading.Lock()

    def schedule(self) -> None:
        with self._guard:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self._run)
            self._timer.daemon = True
            self._timer.start()

    def _run(self) -> None:
        with self.lock:
            started = time.perf_counter()
            try:
                indexed = search.index(self.site_dir, morph=self._morph)
            except EngineError as exc:
                self.report(f"search index not updated: {exc}")
                return
            self.runs += 1
        self.report(f"search index updated ({indexed.files} files) in {time.perf_counter() - started:.2f} s")

    def stop(self) -> None:
        """Cancel a pending run and wait for a running one."""
        with self._guard:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            timer.join(timeout=60)


def write_error_page(site_dir: Path, why: str) -> None:
    """A placeholder page for the browser while the first build waits for the sources to be fixed."""
    site_dir.mkdir(parents=True, exist_ok=True)
    (site_dir / "index.html").write_text(
        '<!doctype html><html lang="ru"><meta charset="utf-8"><title>Предпросмотр: ошибки</title>'
        '<body style="font-family:sans-serif;max-width:40em;margin:3em auto">'
        "<h1>Предпросмотр ещё не собран</h1>"
        f"<p>{html.escape(why)}. Подробности — в терминале, где запущен <code>reglament serve</code>; "
        "страница обновится сама, когда ошибки будут исправлены.</p></body></html>",
        encoding="utf-8",
    )


def allowed_hosts(host: str) -> set[str]:
    """The ``Host`` names the preview answers to: the bound name, loopback names, this machine's names.

    A DNS-rebinding page (``http://attacker.example:8000`` resolved to 127.0.0.1)
    sends its own name: refused. IP literals are always accepted (rebinding needs a name).
    """
    names = {host.lower().strip("[]"), "localhost", "127.0.0.1", "::1"}
    if host in ("0.0.0.0", "::", ""):
        names.update({socket.gethostname().lower(), socket.getfqdn().lower()})
    return names


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_guard(app: Callable, host: str) -> Callable:
    """WSGI middleware: 421 for a request whose ``Host`` is not one of :func:`allowed_hosts`."""
    names = allowed_hosts(host)

    def guarded(environ: dict, start_response: Callable):
        name = _host_name(environ.get("HTTP_HOST", ""))
        if name in names or _is_ip(name):
            return app(environ, start_response)
        start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8")])
        return [f"unknown host: this preview answers to {', '.join(sorted(names))}\n".encode()]

    return guarded


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def serve(
    *, root: Path, host: str, port: int, report: Callable[[str], None], company: str | None = None, color: bool = False
) -> None:
    """Serve a live preview of ``root`` on ``host:port`` until interrupted (Ctrl+C)."""

    stage = root / "build" / (f"serve-{company}" if company else "serve")
    stage.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="reglament-serve-"))
    site_dir = base / "site"
    site_dir.mkdir()
    preview = Preview(
        root=root, stage=stage, site_dir=site_dir, report=report, company=company, color=color, scratch=base / "finish"
    )
    indexer = SearchIndexer(site_dir, preview.lock, report)

    def finished(site: Path, rebuilt: list[str]) -> None:
        preview.finish(site, rebuilt)
        indexer.schedule()

    try:
        serve_site(
            prepare=preview.prepare,
            watch=preview.watched(),
            site_dir=site_dir,
            host=host,
            port=port,
            report=report,
            guard=lambda app: host_guard(app, host),
            finish=finished,
            failed=preview.engine_failed,
            lock=preview.lock,
        )
    finally:
        indexer.stop()
        shutil.rmtree(base, ignore_errors=True)
