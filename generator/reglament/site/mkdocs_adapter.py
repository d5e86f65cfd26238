"""The thin MkDocs adapter: everything MkDocs-specific lives here.

* :class:`ReglamentPlugin` (entry point ``reglament`` in ``mkdocs.plugins``)
  points each page's edit button at the source file that produced it (the
  ``reglament_source`` front matter written by the renderer).
  Links the renderer writes as ``reglament-source:<path>`` (a section's own
  source file) become edit links the same way. After the build it rewrites the
  search index as UTF-8 (Material escapes every Cyrillic letter as ``\\uXXXX``,
  which makes a Russian index about three times larger).
* :func:`build_site` runs an in-process MkDocs build of a rendered tree.
* :func:`serve_site` serves a live preview that rebuilds on changes (`reglament serve`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import base, load_config
from mkdocs.config import config_options as c
from mkdocs.exceptions import MkDocsException
from mkdocs.plugins import BasePlugin, event_priority

from reglament.errors import EngineError
from reglament.render.pages import EDIT_SCHEME

_EDIT_LINK = re.compile(r'(<a\b[^>]*?)href="' + EDIT_SCHEME + r'([^"]*)"')
_EDIT_ANCHOR = re.compile(r'<a\b[^>]*href="' + EDIT_SCHEME + r'[^"]*"[^>]*>.*?</a>', re.S)


def edit_base(config) -> str | None:
    """The URL that a source path (relative to the repository root) is appended to, or None."""
    if not config.repo_url:
        return None
    return (config.repo_url.rstrip("/") + "/" + (config.edit_uri or "").lstrip("/")).rstrip("/") + "/"


class ReglamentPluginConfig(base.Config):
    watch = c.ListOfItems(c.Type(str), default=[])
    """Extra folders for `mkdocs serve` to watch (the sources under `content/`, `templates/`)."""


class ReglamentPlugin(BasePlugin[ReglamentPluginConfig]):
    def on_config(self, config):
        for path in self.config.watch:
            if path not in config.watch:
                config.watch.append(path)
        return config

    def on_page_markdown(self, markdown, page, config, files):
        source = page.meta.get("reglament_source")
        base = edit_base(config)
        if source and base:
            page.edit_url = base + source
        return markdown

    def on_page_content(self, html, page, config, files):
        if EDIT_SCHEME not in html:
            return html
        base = edit_base(config)
        if base is None:
            return _EDIT_ANCHOR.sub("", html)  # no repository: no edit links
        return _EDIT_LINK.sub(lambda mt: f'{mt.group(1)}href="{base}{mt.group(2)}"', html)

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, config):
        index = Path(config.site_dir) / "search" / "search_index.json"
        if index.is_file():
            data = json.loads(index.read_text(encoding="utf-8"))
            index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(config_file: Path) -> list[str]:
    """Build the site described by ``config_file``; returns the engine's warnings.

    Raises :class:`EngineError` when MkDocs fails.
    """
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        cfg = load_config(config_file=str(config_file))
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    except (MkDocsException, OSError) as exc:
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
    guard: Callable[[Callable], Callable] | None = None,
) -> None:
    """Serve ``site_dir`` with live reload; rebuild whenever a file under ``watch`` changes.

    Before each build ``prepare()`` re-checks and re-renders the sources and returns the
    child MkDocs config to build, or None to keep serving the previous site (the sources
    have errors, which ``prepare`` has reported). Engine failures are reported through
    ``report`` and never stop the server. Returns on Ctrl+C (KeyboardInterrupt).
    """
    from mkdocs.livereload import LiveReloadServer

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
        except (MkDocsException, OSError) as exc:
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
