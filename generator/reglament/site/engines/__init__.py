"""Site engines: one thin adapter per engine, behind one small interface (:mod:`.base`).

reglament renders a docs tree (Markdown, assets, HTML fragments; see
:func:`reglament.site.build.write_tree`) and hands it to an engine, which
turns it into HTML; everything reglament adds to the site beyond that
happens in the docs tree or in its own post-build step
(:mod:`reglament.site.postbuild`), never in an engine's plugin hooks.

* ``mkdocs`` — MkDocs 1.6 + Material, in-process (:mod:`.mkdocs`);
* ``properdocs`` — ProperDocs, the maintained MkDocs 1.x fork, in-process (:mod:`.mkdocs`);
* ``zensical`` — Zensical, as a subprocess (:mod:`.zensical`).
"""

from __future__ import annotations

from pathlib import Path

from reglament.errors import EngineError
from reglament.site.engines.base import ENGINE_NAMES, Engine, SiteSpec, project_engine
from reglament.site.engines.mkdocs import MkDocsEngine
from reglament.site.engines.zensical import ZensicalEngine

__all__ = ["ENGINE_NAMES", "Engine", "SiteSpec", "engine_for"]


def engine_for(name: str | None, root: Path) -> Engine:
    """The adapter for ``name`` (None: the project's setting, ``extra.reglament_engine`` in mkdocs.yml)."""
    chosen = name or project_engine(root)
    if chosen in ("mkdocs", "properdocs"):
        return MkDocsEngine(chosen)
    if chosen == "zensical":
        return ZensicalEngine()
    raise EngineError(
        f"unknown site engine `{chosen}`",
        hint=f"use one of: {', '.join(ENGINE_NAMES)} (--engine, or extra.reglament_engine in mkdocs.yml)",
    )
