"""The engine-neutral interface every site-engine adapter implements (see :mod:`reglament.site.engines`).

reglament renders a docs tree (Markdown, assets, HTML fragments; see
:func:`reglament.site.build.write_tree`) and hands it to an engine, which
turns it into HTML; everything reglament adds to the site beyond that
happens in the docs tree or in its own post-build step
(:mod:`reglament.site.postbuild`), never in an engine's plugin hooks. An
adapter only translates an engine-neutral :class:`SiteSpec` into the
engine's configuration and runs the engine:

* ``mkdocs`` — MkDocs 1.6 + Material, in-process (:mod:`.mkdocs`);
* ``properdocs`` — ProperDocs, the maintained MkDocs 1.x fork, in-process (:mod:`.mkdocs`);
* ``zensical`` — Zensical, as a subprocess (:mod:`.zensical`).

The project's ``mkdocs.yml`` is the shared site configuration every engine
reads (all three read MkDocs' format); ``extra.reglament_engine`` in it picks
the default engine, ``--engine`` overrides it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ruamel.yaml import YAML

from reglament.errors import EngineError

ENGINE_NAMES = ("mkdocs", "properdocs", "zensical")
DEFAULT_ENGINE = "mkdocs"
CONFIG_FILE = "mkdocs.yml"


@dataclass(frozen=True)
class SiteSpec:
    """What to build, in no engine's terms.

    ``edition`` (publishing only) carries the edition banner's data and the
    version alias: ``{"id", "title", "alias", "effective", "effective_ru",
    "approved", "approved_ru", "approved_by"}``; the adapter turns it into the
    theme's version selector (mike's layout) and banner settings.
    ``offline``: page links end in ``.html`` (no directory URLs), for a site
    opened from ``file://``.
    """

    root: Path
    docs_dir: Path
    site_dir: Path
    nav: list
    site_name: str | None = None
    edition: dict | None = None
    offline: bool = False
    extra: dict = field(default_factory=dict)


class Engine(Protocol):
    name: str

    def configure(self, spec: SiteSpec, stage: Path) -> Path:
        """Write the engine's configuration for ``spec`` into ``stage``; returns its path."""
        ...

    def build(self, config: Path, spec: SiteSpec) -> list[str]:
        """Build the site into ``spec.site_dir``; returns the engine's warnings. Raises EngineError."""
        ...


def project_config(root: Path) -> dict:
    """The project's ``mkdocs.yml`` as plain data (every engine reads this format)."""
    path = root / CONFIG_FILE
    try:
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except Exception as exc:  # a YAML error: its position is in the message
        raise EngineError(f"{CONFIG_FILE} cannot be read: {exc}") from exc
    return data if isinstance(data, dict) else {}


def project_engine(root: Path) -> str:
    """The engine the project asks for (``extra.reglament_engine`` in mkdocs.yml), default MkDocs."""
    extra = project_config(root).get("extra")
    name = extra.get("reglament_engine") if isinstance(extra, dict) else None
    return str(name) if name else DEFAULT_ENGINE


def edit_base(root: Path) -> str | None:
    """The URL that a source path (relative to the repository root) is appended to, or None."""
    cfg = project_config(root)
    repo_url = cfg.get("repo_url")
    if not repo_url:
        return None
    return (str(repo_url).rstrip("/") + "/" + str(cfg.get("edit_uri") or "").lstrip("/")).rstrip("/") + "/"


def merge(base: dict, over: dict) -> dict:
    """``over`` merged into a copy of ``base``: mappings key by key, everything else replaced (as INHERIT)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def common_settings(spec: SiteSpec) -> dict:
    """The settings every engine gets on top of the project's mkdocs.yml.

    The engine's own search is off (reglament indexes the built HTML with
    Pagefind in its post-build step), and so is its edit button (the
    post-build step adds one pointing at each page's source file).
    """
    settings: dict = {
        "docs_dir": str(spec.docs_dir.resolve()),
        "site_dir": str(spec.site_dir.resolve()),
        "nav": spec.nav,
        "edit_uri": "",
        "use_directory_urls": not spec.offline,
        "theme": {"name": "material", "custom_dir": str((spec.root / "templates" / "overrides").resolve())},
    }
    if spec.site_name is not None:
        settings["site_name"] = spec.site_name
    extra: dict = dict(spec.extra)
    if spec.edition is not None:
        extra["version"] = {"provider": "mike", "default": spec.edition["alias"], "alias": True}
        extra["reglament_edition"] = spec.edition
    if extra:
        settings["extra"] = extra
    return settings


def without_search(plugins: object) -> list:
    """The plugin list with the engine's search (and reglament's old MkDocs plugin) left out."""
    if not isinstance(plugins, list):
        return []
    kept = []
    for item in plugins:
        name = next(iter(item)) if isinstance(item, dict) and item else item
        if name not in ("search", "reglament"):
            kept.append(item)
    return kept
