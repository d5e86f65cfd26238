"""The thin MkDocs adapter: everything MkDocs-specific lives here.

* :class:`ReglamentPlugin` (entry point ``reglament`` in ``mkdocs.plugins``)
  points each page's edit button at the source file that produced it (the
  ``reglament_source`` front matter written by the renderer).
* :func:`build_site` runs an in-process MkDocs build of a rendered tree.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import MkDocsException
from mkdocs.plugins import BasePlugin


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
        if source and config.repo_url:
            base_url = config.repo_url.rstrip("/") + "/" + (config.edit_uri or "").lstrip("/")
            page.edit_url = base_url.rstrip("/") + "/" + source
        return markdown


class EngineError(Exception):
    """The site engine failed; carries the engine's warnings and errors."""


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
