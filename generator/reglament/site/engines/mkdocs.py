"""The MkDocs and ProperDocs adapter: everything MkDocs-specific lives here.

ProperDocs is the maintained fork of MkDocs 1.x with the same configuration
and build API under another module name, so one adapter drives both,
in-process. The child config inherits the project's ``mkdocs.yml``
(``INHERIT``: its relative paths stay relative to the project) and sets what
:func:`.base.common_settings` asks for. No reglament plugin runs: edit
buttons and search are added by :mod:`reglament.site.postbuild`.

:func:`serve_site` serves a live preview that rebuilds on changes (``reglament serve``, MkDocs only):
after an edit, a dirty build of only the pages whose Markdown changed (see :class:`Rebuild`).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click import ClickException
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer
from watchdog.events import (
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from reglament.errors import EngineError
from reglament.site.engines.base import SiteSpec, common_settings, project_config, without_search

CHILD_CONFIG = "mkdocs.yml"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class MkDocsEngine:
    """``mkdocs`` or ``properdocs`` (the module of that name provides ``config.load_config`` and ``commands.build``)."""

    def __init__(self, name: str = "mkdocs") -> None:
        self.name = name

    def configure(self, spec: SiteSpec, stage: Path) -> Path:
        settings = common_settings(spec)
        settings["plugins"] = without_search(project_config(spec.root).get("plugins", []))
        config = {"INHERIT": str((spec.root / "mkdocs.yml").resolve()), **settings}
        path = stage / CHILD_CONFIG
        path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")  # JSON is YAML
        return path

    def build(self, config: Path, spec: SiteSpec, *, dirty: bool = False) -> list[str]:
        """Build the site; ``dirty``: MkDocs' dirty build — only the pages whose Markdown is newer than their HTML
        (the site folder holds the previous site: :mod:`reglament.site.incremental`)."""
        try:
            engine_config = importlib.import_module(f"{self.name}.config").load_config
            engine_build = importlib.import_module(f"{self.name}.commands.build").build
        except (ImportError, AttributeError) as exc:
            raise EngineError(f"the site engine `{self.name}` is not installed: {exc}") from exc
        handler = _Collect()
        logger = logging.getLogger(self.name)
        logger.addHandler(handler)
        quiet = _DropDirtyWarning()
        build_log = logging.getLogger(f"{self.name}.commands.build")
        build_log.addFilter(quiet)
        try:
            cfg = engine_config(config_file=str(config))
            cfg.plugins.on_startup(command="build", dirty=dirty)
            try:
                engine_build(cfg, dirty=dirty)
            finally:
                cfg.plugins.on_shutdown()
        except (ClickException, OSError) as exc:  # both engines' errors derive from click's
            raise EngineError("\n".join([str(exc), *handler.messages])) from exc
        finally:
            build_log.removeFilter(quiet)
            logger.removeHandler(handler)
        return handler.messages


@dataclass(frozen=True)
class Rebuild:
    """What the live preview asks of the engine after a change of the sources."""

    config: Path
    """The child config to build."""
    full: bool
    """True: every page (the first build, or the navigation, the configuration or the theme changed).
    False: MkDocs' dirty build — only the pages whose Markdown is newer than their HTML (MkDocs
    compares the two files' modification times), with the theme's compiled templates kept."""
    stale: tuple[str, ...] = ()
    """HTML pages (relative to the site folder) removed before a dirty build: the pages whose Markdown changed,
    so that they are rebuilt whatever the file system's clock says."""


class _DropDirtyWarning(logging.Filter):
    """MkDocs warns on every dirty build that navigation may be inaccurate; the preview builds in full whenever
    the navigation or the configuration changes, so the warning is not true here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def html_stamps(site_dir: Path) -> dict[str, int]:
    """Every HTML file of the built site (relative POSIX path) → its modification time in nanoseconds."""
    found: dict[str, int] = {}
    for dirpath, _dirs, names in os.walk(site_dir):
        for name in names:
            if name.endswith(".html"):
                path = os.path.join(dirpath, name)
                found[Path(path).relative_to(site_dir).as_posix()] = os.stat(path).st_mtime_ns
    return found


class _ThemeEnv:
    """The theme's Jinja environment, kept from one dirty build to the next.

    MkDocs makes a new environment for every build, so every build compiles
    Material's templates again (a quarter of a second). Nothing in it depends on
    the pages; a full build (the theme or the configuration may have changed)
    starts a fresh one.
    """

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.env: Any = None

    def install(self, cfg: Any, *, fresh: bool) -> None:
        theme = cfg.theme
        key = (tuple(theme.dirs), str(theme.locale))
        if fresh or self.key != key or self.env is None:
            self.key, self.env = key, _listing_kept(theme.get_env())
        env = self.env
        theme.get_env = lambda: env


def _listing_kept(env: Any) -> Any:
    """``env`` with its template listing kept: MkDocs lists every file of the theme on each build to find its
    static files (Material ships 14,500 icons: most of a dirty build's time). The listing and MkDocs' filter
    over it depend only on the theme and the configuration, which a kept environment shares."""
    listed: dict[tuple, list[str]] = {}
    original = env.list_templates

    def list_templates(extensions: Any = None, filter_func: Any = None) -> list[str]:
        key = (tuple(extensions) if extensions else None, getattr(filter_func, "__code__", filter_func))
        if key not in listed:
            listed[key] = original(extensions, filter_func)
        return list(listed[key])

    env.list_templates = list_templates
    return env


class LiveBuilder:
    """Runs the preview's builds of one site folder: full or dirty (:class:`Rebuild`), the theme kept between them."""

    def __init__(self, site_dir: Path, serve_url: str) -> None:
        self.site_dir = site_dir
        self.serve_url = serve_url
        self._theme_env = _ThemeEnv()
        self._quiet = _DropDirtyWarning()

    def build(self, plan: Rebuild) -> list[str]:
        """Build; the HTML pages the engine wrote (relative POSIX paths). Raises MkDocsException or OSError."""
        if not plan.full:
            for rel in plan.stale:
                (self.site_dir / rel).unlink(missing_ok=True)
        before = html_stamps(self.site_dir) if not plan.full else {}
        build_log = logging.getLogger("mkdocs.commands.build")
        build_log.addFilter(self._quiet)
        try:
            cfg = load_config(config_file=str(plan.config), site_dir=str(self.site_dir))
            cfg.site_url = self.serve_url
            self._theme_env.install(cfg, fresh=plan.full)
            cfg.plugins.on_startup(command="serve", dirty=not plan.full)
            try:
                mkdocs_build(cfg, serve_url=self.serve_url, dirty=not plan.full)
            finally:
                cfg.plugins.on_shutdown()
        except BaseException:
            self._theme_env.key = None
            raise
        finally:
            build_log.removeFilter(self._quiet)
        after = html_stamps(self.site_dir)
        return sorted(rel for rel, stamp in after.items() if before.get(rel) != stamp)


def serve_site(
    *,
    prepare: Callable[[], Rebuild | None],
    watch: list[Path],
    site_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    report: Callable[[str], None],
    finish: Callable[[Path, list[str]], None] | None = None,
    failed: Callable[[], None] | None = None,
    guard: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
    lock: threading.Lock | None = None,
) -> None:
    """Serve ``site_dir`` with live reload (MkDocs); rebuild whenever a file under ``watch`` changes.

    Before each build ``prepare()`` re-checks and re-renders the sources and returns the
    :class:`Rebuild` to run, or None to keep serving the previous site (the sources have
    errors, which ``prepare`` has reported, or nothing the engine reads changed).
    ``finish(site_dir, rebuilt)`` runs reglament's post-build step over the HTML pages the
    engine wrote in this build (relative paths); ``failed()`` is told when the engine failed
    (the site may be half-built: the next build must be full). ``guard`` wraps the WSGI app
    (the preview's Host check); ``lock`` is held from the engine's start to the end of
    ``finish`` (the preview's background search indexing takes it too). Engine failures
    are reported through ``report`` and never stop the server. Returns on Ctrl+C
    (KeyboardInterrupt).

    Changes are noticed through the kernel's file events (inotify), not MkDocs' polling
    every half second; where the kernel's watches run out, polling every 0.2 s.
    """
    server = LiveReloadServer(builder=lambda: None, host=host, port=port, root=str(site_dir))
    server.observer = _observer()
    app = server.get_app()
    if guard is not None and app is not None:  # e.g. the preview's Host check (DNS rebinding)
        server.set_app(guard(app))
    live = LiveBuilder(site_dir, server.url)

    def builder() -> None:
        plan = prepare()
        if plan is None:
            return
        with lock if lock is not None else contextlib.nullcontext():
            try:
                rebuilt = live.build(plan)
                if finish is not None:
                    finish(site_dir, rebuilt)
            except (MkDocsException, OSError, EngineError) as exc:
                if failed is not None:
                    failed()
                report(f"the site engine failed: {exc}")

    server.builder = builder
    builder()
    for path in watch:  # watchdog watches a file through its folder: an editor's rename-over-it save counts
        if path.exists():
            server.watch(str(path), recursive=path.is_dir())
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


#: the file events that mean a change (inotify also reports files being opened and read: the check reads them all)
_CHANGES = [FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileDeletedEvent]


class _ChangesObserver(Observer):  # type: ignore[misc,valid-type]
    """The kernel's observer, told to report only :data:`_CHANGES` (MkDocs' server reacts to any event)."""

    def schedule(self, event_handler: Any, path: str, *, recursive: bool = False, event_filter: Any = None) -> Any:
        return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or _CHANGES)


def _observer() -> Any:
    """The kernel's file events where available (inotify on Linux), else polling every 0.2 s."""
    probe = _ChangesObserver()
    try:
        probe.schedule(FileSystemEventHandler(), tempfile.gettempdir(), recursive=False)
        probe.start()  # the kernel's watch is made here (and fails here when the limit is reached)
    except OSError:
        return PollingObserver(timeout=0.2)
    probe.stop()
    probe.join()
    return _ChangesObserver()
