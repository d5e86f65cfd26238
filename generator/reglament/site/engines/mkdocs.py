"""The MkDocs and ProperDocs adapter: everything MkDocs-specific lives here.

ProperDocs is the maintained fork of MkDocs 1.x with the same configuration
and build API under another module name, so one adapter drives both,
in-process. The child config inherits the project's ``mkdocs.yml``
(``INHERIT``: its relative paths stay relative to the project) and sets what
:func:`.base.common_settings` asks for. No reglament plugin runs: edit
buttons and search are added by :mod:`reglament.site.postbuild`.

:func:`serve_site` serves a live preview that rebuilds on changes (``reglament serve``, MkDocs only).
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click import ClickException
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer

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

    def build(self, config: Path, spec: SiteSpec) -> list[str]:
        try:
            engine_config = importlib.import_module(f"{self.name}.config").load_config
            engine_build = importlib.import_module(f"{self.name}.commands.build").build
        except (ImportError, AttributeError) as exc:
            raise EngineError(f"the site engine `{self.name}` is not installed: {exc}") from exc
        handler = _Collect()
        logger = logging.getLogger(self.name)
        logger.addHandler(handler)
        try:
            cfg = engine_config(config_file=str(config))
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                engine_build(cfg)
            finally:
                cfg.plugins.on_shutdown()
        except (ClickException, OSError) as exc:  # both engines' errors derive from click's
            raise EngineError("\n".join([str(exc), *handler.messages])) from exc
        finally:
            logger.removeHandler(handler)
        return handler.messages


def serve_site(
    *,
    prepare: Callable[[], Path | None],
    watch: list[Path],
    site_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    report: Callable[[str], None],
    finish: Callable[[Path], None] | None = None,
    guard: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
) -> None:
    """Serve ``site_dir`` with live reload (MkDocs); rebuild whenever a file under ``watch`` changes.

    Before each build ``prepare()`` re-checks and re-renders the sources and returns the
    child MkDocs config to build, or None to keep serving the previous site (the sources
    have errors, which ``prepare`` has reported). ``finish(site_dir)`` runs reglament's
    post-build step after each build; ``guard`` wraps the WSGI app (the preview's Host
    check). Engine failures are reported through ``report`` and
    never stop the server. Returns on Ctrl+C (KeyboardInterrupt).
    """
    server = LiveReloadServer(builder=lambda: None, host=host, port=port, root=str(site_dir))
    app = server.get_app()
    if guard is not None and app is not None:  # e.g. the preview's Host check (DNS rebinding)
        server.set_app(guard(app))
    serve_url = server.url

    def builder() -> None:
        config_file = prepare()
        if config_file is None:
            return
        try:
            cfg = load_config(config_file=str(config_file), site_dir=str(site_dir))
            cfg.site_url = serve_url
            cfg.plugins.on_startup(command="serve", dirty=False)
            try:
                mkdocs_build(cfg, serve_url=serve_url)
            finally:
                cfg.plugins.on_shutdown()
            if finish is not None:
                finish(site_dir)
        except (MkDocsException, OSError, EngineError) as exc:
            report(f"the site engine failed: {exc}")

    server.builder = builder
    builder()
    for path in watch:
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
