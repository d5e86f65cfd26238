"""`reglament build` after an edit: rebuild only the pages whose Markdown changed, and give the very same site.

A build of the base regulation renders the whole docs tree (cheap next to the engine). When the output folder
still holds the site the last build of this stage produced — known by the identity of its ``index.html``
(device, inode, size, modification time), recorded in the stage folder (:data:`STATE_FILE`) as
:mod:`reglament.site.stamp` records it, so that a site nobody built here (say, committed by a pull request) is
never reused — and nothing but the pages' Markdown changed since, the build (:func:`reglament.site.build.build`):

1. copies the previous site into its temporary site folder (a real copy: the old site stays exactly as it was
   if this build fails; the copies are newer than the docs tree just written, so the engine sees every
   unchanged page as built; the search index is not copied, it is written afresh);
2. removes the HTML of the pages whose Markdown changed, and of the pages that carry a link tooltip
   (:attr:`reglament.render.pages.RenderedTree.tooltips`) whose text changed — a tooltip is not in the
   Markdown, only a marker naming the item, so such a page is rebuilt whole rather than patched (a filled
   title carries no mark in a built site: patching it as the preview does would need the preview's marks,
   which are not in the full build's bytes);
3. runs MkDocs' dirty build (only those pages, and the theme's static templates, are written);
4. runs reglament's page pass (:func:`reglament.site.pagesteps.process_files`) over the pages the engine wrote
   (found by their bytes: a finished page is never what the engine writes);
5. indexes the whole site for search: the records of the rebuilt pages from the pass, those of the others kept
   in the stage folder by the last build (the records a page pass made of the page as it still is).

"Nothing but the pages' Markdown" is :func:`inputs`' key: the reglament package and the engines' versions,
the engine, the child config without its site folder (navigation, titles, site name), the project's
``mkdocs.yml`` and the theme overrides, the set of pages, every other file of the docs tree (the assets), the
page pass's settings (edit base, offline, the search's term forms) and the build date. A project whose
``mkdocs.yml`` uses engine plugins, hooks, an inherited config or Markdown extensions that read files is always
built in full (their inputs are not known here), and so is an edit that reaches more than :data:`MAX_SHARE` of
the pages. Anything in doubt means the full build, exactly as without this module; the result is the full
build's, byte for byte (tests/site/test_incremental_build.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reglament.errors import EngineError
from reglament.htmlsafe import TIP_MARK
from reglament.site.engines.base import CONFIG_FILE, project_config, without_search
from reglament.site.postbuild import html_path
from reglament.site.records import Record
from reglament.site.search import FOLDER as SEARCH_FOLDER
from reglament.site.stamp import ENGINE_LIBRARIES, site_identity, write_json
from reglament.site.tree_sync import files_of
from reglament.source.cache import library_versions, tool_digest

STATE_FILE = "incremental.json"
FORMAT = 1
#: the engines whose dirty build is used (ProperDocs is MkDocs' fork, same build API)
ENGINES = ("mkdocs", "properdocs")
#: more than this share of the pages to rebuild: the full build (its pass overlaps the engine, in workers)
MAX_SHARE = 0.5
#: Markdown extensions that read files beyond the docs tree: their inputs are unknown here
_READS_FILES = re.compile(r"snippets|include", re.I)


@dataclass(frozen=True)
class Inputs:
    """What a site is built from: ``key`` (everything but the pages' Markdown) and each page's digest."""

    key: str
    pages: dict[str, str]
    """Docs path of each Markdown page → SHA-256 of its bytes."""
    tooltips: dict[str, str]


@dataclass(frozen=True)
class Previous:
    """The last build of a stage, its site still in place: its inputs and each page's search records."""

    inputs: Inputs
    records: dict[str, tuple[Record, ...]]


@dataclass(frozen=True)
class Plan:
    """An incremental build: the HTML pages (relative to the site) to remove before the dirty build."""

    stale: tuple[str, ...]
    changed: tuple[str, ...]
    """The docs paths whose Markdown changed."""
    retipped: tuple[str, ...]
    """The docs paths rebuilt because a tooltip they carry changed (their Markdown did not)."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folder_digest(folder: Path | None) -> str:
    h = hashlib.sha256()
    if folder is not None:
        for rel, path in sorted(files_of(folder).items()):
            h.update(b"\0" + rel.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def engine_dependent(root: Path) -> bool:
    """Whether the project's ``mkdocs.yml`` makes the engine read inputs not known here (plugins, hooks, file-reading
    Markdown extensions, an inherited config): such a project is always built in full."""
    cfg = project_config(root)
    if without_search(cfg.get("plugins", [])) or cfg.get("hooks") or cfg.get("INHERIT"):
        return True
    extensions = cfg.get("markdown_extensions") or []
    names = [next(iter(e)) if isinstance(e, dict) and e else e for e in extensions]
    return any(_READS_FILES.search(str(name)) for name in names)


def custom_dir(root: Path) -> Path | None:
    """The theme overrides folder the project's mkdocs.yml names (``theme.custom_dir``), if any."""
    try:
        theme = project_config(root).get("theme")
    except EngineError:
        return None
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return (root / str(custom)).resolve() if custom else None


def engine_inputs(root: Path) -> str:
    """A digest of what the engine reads besides the docs tree: mkdocs.yml and the theme overrides.

    When it changes, every page may look different: the preview builds in full.
    """
    digest = hashlib.sha256()
    config = root / CONFIG_FILE
    digest.update(config.read_bytes() if config.is_file() else b"")
    custom = custom_dir(root)
    if custom is not None:
        digest.update(_folder_digest(custom).encode())
    return digest.hexdigest()


def inputs(
    *,
    root: Path,
    docs: Path,
    config: Path,
    engine: str,
    settings: dict,
    tooltips: dict[str, str],
    build_date: str,
) -> Inputs:
    """The :class:`Inputs` of the build whose docs tree is ``docs`` and child config ``config``; ``settings``: the
    page pass's (edit base, offline, the term forms…), JSON-serialisable."""
    child = json.loads(config.read_text(encoding="utf-8"))
    child.pop("site_dir", None)  # the build's temporary folder
    pages: dict[str, str] = {}
    others = hashlib.sha256()
    for rel, path in sorted(files_of(docs).items()):
        data = path.read_bytes()
        if rel.endswith(".md"):
            pages[rel] = _sha(data)
        else:
            others.update(b"\0" + rel.encode() + b"\0" + data)
    parts = {
        "format": FORMAT,
        "tool": tool_digest(),
        "engines": library_versions(ENGINE_LIBRARIES),
        "engine": engine,
        "child": child,
        "engine_inputs": engine_inputs(root),  # mkdocs.yml and its theme overrides, as the preview has them
        "overrides": _folder_digest(root / "templates" / "overrides"),  # the child config's custom_dir
        "pages": sorted(pages),
        "others": others.hexdigest(),
        "settings": settings,
        "date": build_date,
    }
    key = _sha(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=repr).encode())
    return Inputs(key, pages, dict(tooltips))


def load(stage: Path, site: Path) -> Previous | None:
    """The last build of ``stage`` when ``site`` is still the site it produced; else None."""
    try:
        data = json.loads((stage / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("index") is None or data["index"] != site_identity(site):
            return None
        inputs = Inputs(str(data["key"]), dict(data["pages"]), dict(data["tooltips"]))
        records = {str(rel): tuple(_record(item) for item in items) for rel, items in data["records"].items()}
        return Previous(inputs, records)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


_RECORD_TYPES = (str, str, str, str, bool)


def _record(item: list) -> Record:
    if len(item) != len(_RECORD_TYPES) or not all(isinstance(v, k) for v, k in zip(item, _RECORD_TYPES, strict=True)):
        raise ValueError("not a search record")
    return Record(*item)


def forget(stage: Path) -> None:
    (stage / STATE_FILE).unlink(missing_ok=True)


def record(stage: Path, site: Path, built: Inputs, records: Mapping[str, Sequence[Record]]) -> None:
    """Remember the inputs ``site`` (now in place) was built from and its pages' search records (atomic write)."""
    identity = site_identity(site)
    if identity is None:
        return
    data = {
        "format": FORMAT,
        "index": identity,
        "key": built.key,
        "pages": built.pages,
        "tooltips": built.tooltips,
        "records": {rel: [[r.url, r.title, r.html, r.page, r.entry] for r in found] for rel, found in records.items()},
    }
    write_json(stage / STATE_FILE, data)


def plan(previous: Inputs | None, current: Inputs, docs: Path, *, offline: bool) -> Plan | None:
    """What an incremental build from ``previous`` to ``current`` removes, or None: the full build."""
    if previous is None or previous.key != current.key or previous.pages.keys() != current.pages.keys():
        return None
    changed = sorted(p for p, digest in current.pages.items() if previous.pages[p] != digest)
    old, new = previous.tooltips, current.tooltips
    tips = {ident for ident in old.keys() | new.keys() if old.get(ident) != new.get(ident)}
    retipped: list[str] = []
    if tips:
        markers = [f'{TIP_MARK}{ident}"' for ident in sorted(tips)]
        for page in sorted(set(current.pages) - set(changed)):
            text = (docs / page).read_text(encoding="utf-8")
            if TIP_MARK in text and any(marker in text for marker in markers):
                retipped.append(page)
    rebuilt = [*changed, *retipped]
    if len(rebuilt) > MAX_SHARE * len(current.pages):
        return None
    stale = tuple(sorted(html_path(p, directory_urls=not offline) for p in rebuilt))
    return Plan(stale, tuple(changed), tuple(retipped))


def copy_site(src: Path, dst: Path) -> None:
    """A real copy of the site ``src`` into the (empty) folder ``dst``: new files, written now (so that they are
    newer than the docs tree written before; the engine's dirty build compares the two times). The search index
    is left out: it is written afresh, as in a full build."""

    def skipped(folder: str, names: list[str]) -> list[str]:
        return [SEARCH_FOLDER] if Path(folder) == src and SEARCH_FOLDER in names else []

    shutil.copytree(src, dst, symlinks=True, copy_function=shutil.copyfile, dirs_exist_ok=True, ignore=skipped)
