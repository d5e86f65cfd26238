"""reglament's own post-build step over the built HTML — the same for every engine.

After the engine has turned the docs tree into HTML (:mod:`reglament.site.engines`),
:func:`finish` adds what the site needs beyond the theme, working on files only:

1. **edit buttons** — every page that was rendered from a source file gets one
   edit button pointing at that file (the engine's own button is off);
   **tooltips** — each link's title, a marker in the Markdown (``rg-tip:<id>``),
   becomes the item's tooltip from the render's map, escaped
   (:func:`reglament.site.pagesteps.fill_tips`);
2. **search** — the search box (templates/assets/reglament-search.js, Pagefind's UI) is
   linked into every page, the article is marked as the part to index, and
   Pagefind indexes the built HTML in Russian (:mod:`reglament.site.search`).

``reglament build`` runs these steps together with the sanitiser in one pass per page
(:func:`process_site`; the per-page code is in :mod:`reglament.site.pagesteps`), in worker
processes for a large site, and indexes the site once every page is safe and finished.

A public build renders no internal item into the docs tree, so nothing
internal reaches the HTML and nothing internal reaches the index built from
it (the tests scan the decoded index, :func:`reglament.site.search.index_text`).
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from reglament.morphology import Morph
from reglament.site import search
from reglament.site.pagesteps import Done, PageSteps, finish_page, process_files, rel_root, tip_ids, write_page
from reglament.site.records import Record

SEARCH_SCRIPT = "assets/reglament-search.js"
_SOURCE = re.compile(r'^reglament_source:\s*"((?:[^"\\]|\\.)*)"\s*$', re.M)


@dataclass(frozen=True)
class Finished:
    pages: int
    edit_buttons: int
    indexed: search.Indexed | None
    tips: dict[str, frozenset[str]] = field(default_factory=dict)
    """With ``tip_marks`` (the preview): each page that carries tooltips (path in the site) → their item ids."""


def page_sources(docs_dir: Path) -> dict[str, str]:
    """Docs path (``sales-manager/index.md``) → the source file its front matter names (``reglament_source``)."""
    found: dict[str, str] = {}
    for path in sorted(docs_dir.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            continue
        end = text.find("\n---", 4)
        match = _SOURCE.search(text[4:end] if end > 0 else "")
        if match:
            found[path.relative_to(docs_dir).as_posix()] = json.loads(f'"{match.group(1)}"')
    return found


def html_path(docs_path: str, *, directory_urls: bool) -> str:
    """Where an engine writes a page: ``a/index.md`` → ``a/index.html``; ``a/b.md`` → ``a/b/index.html`` or ``a/b.html``."""
    stem = docs_path[: -len(".md")]
    if stem == "index" or stem.endswith("/index") or not directory_urls:
        return stem + ".html"
    return stem + "/index.html"


def page_steps(
    site_dir: Path,
    docs_dir: Path,
    *,
    edit_base: str | None,
    offline: bool,
    forms: dict[str, str] | None,
    tooltips: dict[str, str] | None = None,
    tip_marks: bool = False,
    records: bool = False,
) -> PageSteps:
    """The settings of :func:`finish_page` for one built site (``tooltips``: the render's
    :attr:`~reglament.render.pages.RenderedTree.tooltips`; ``records``: the pass makes each page's search
    records, for :func:`reglament.site.search.index`). The ``<head>`` tags are those of the pages ``site_dir``
    holds now (none before the engine: a pass adds the depths it meets, :func:`with_heads`)."""
    steps = PageSteps(
        sources={html_path(p, directory_urls=not offline): s for p, s in page_sources(docs_dir).items()},
        edit_base=edit_base,
        offline=offline,
        forms=dict(forms or {}),
        site_dir=str(site_dir),
        heads={},
        body_attr=search.BODY_ATTR,
        forms_attr=search.FORMS_ATTR,
        tooltips=dict(tooltips or {}),
        tip_marks=tip_marks,
        glossary=search.GLOSSARY_PAGES if records else None,
    )
    return with_heads(steps, {p.relative_to(site_dir).as_posix().count("/") for p in site_dir.rglob("*.html")})


def finish(
    site_dir: Path,
    docs_dir: Path,
    *,
    edit_base: str | None,
    offline: bool = False,
    index: bool = True,
    forms: dict[str, str] | None = None,
    tooltips: dict[str, str] | None = None,
    tip_marks: bool = False,
    morph: Morph | None = None,
) -> Finished:
    """Edit buttons, the links' tooltips, the search box and the search index for the site in ``site_dir``
    (built from ``docs_dir``).

    ``forms`` (term id → word forms, :func:`reglament.site.search.term_forms`) go under the terms' headings;
    ``tooltips`` (item id → text, the render's) into the links' titles; ``tip_marks`` (the preview): each
    filled link keeps its item id, and :attr:`Finished.tips` says which page carries which.
    (``reglament build`` runs the same steps in one pass with the sanitiser: :func:`process_site`.)
    """
    steps = page_steps(
        site_dir, docs_dir, edit_base=edit_base, offline=offline, forms=forms, tooltips=tooltips, tip_marks=tip_marks
    )
    pages = edits = 0
    tips: dict[str, frozenset[str]] = {}
    for path in sorted(site_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(site_dir).as_posix()
        new, head, button = finish_page(text, rel, steps)
        pages += head
        edits += button
        if tip_marks and (ids := tip_ids(new)):
            tips[rel] = ids
        if new != text:
            write_page(path, new)
    indexed = search.index(site_dir, offline=offline, morph=morph) if index else None
    return Finished(pages, edits, indexed, tips)


@dataclass(frozen=True)
class Processed:
    """The outcome of :func:`process_site`: what is unsafe (then nothing was indexed), or the finished site."""

    unsafe: list[str]
    finished: Finished | None
    records: dict[str, tuple[Record, ...]] = field(default_factory=dict)
    """The search records the pass made of each page (path in the site), when it made them: kept for the next
    incremental build (:mod:`reglament.site.incremental`)."""


#: below this many pages the pass runs in this process: starting workers would cost more than it saves
PARALLEL_PAGES = 40
#: pages handed to a worker at a time
_CHUNK = 8


def with_heads(steps: PageSteps, depths: Iterable[int]) -> PageSteps:
    """``steps`` with the ``<head>`` tags of pages at each of ``depths`` added (those it has stay)."""
    missing = sorted(set(depths) - steps.heads.keys())
    if not missing:
        return steps
    heads = dict(steps.heads)
    for depth in missing:
        heads[depth] = search.head_tags(rel_root("/" * depth), script=SEARCH_SCRIPT, offline=steps.offline)
    return replace(steps, heads=heads)


def process_site(site_dir: Path, steps: PageSteps, *, jobs: int = 1, morph: Morph | None = None) -> Processed:
    """Everything reglament does to the HTML the engine wrote, one read and one write per page (``steps``:
    :func:`page_steps` of the site, made before or after the engine).

    Each page is first passed through the sanitiser (:func:`reglament.site.sanitize.sanitize_page`: the
    allowlist over its content area, then the parser audit of the whole page); a page the audit finds unsafe
    is reported and the site is not indexed (the build fails). A safe page then gets the steps of
    :func:`finish_page`, and, when ``steps`` ask for the search records, the finished site is indexed for
    search. ``jobs`` > 1: a site of at least :data:`PARALLEL_PAGES` pages is processed in that many worker
    processes; the result is the same.
    """
    rels = [p.relative_to(site_dir).as_posix() for p in sorted(site_dir.rglob("*.html"))]
    steps = with_heads(steps, {rel.count("/") for rel in rels})
    chunks = [rels[i : i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
    if jobs > 1 and len(rels) >= PARALLEL_PAGES:
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            done = list(pool.map(process_files, [str(site_dir)] * len(chunks), chunks, [steps] * len(chunks)))
    else:
        done = [process_files(str(site_dir), chunk, steps) for chunk in chunks]
    return indexed_site(site_dir, dict(zip(rels, (r for chunk in done for r in chunk), strict=True)), steps, morph)


def indexed_site(site_dir: Path, results: dict[str, Done], steps: PageSteps, morph: Morph | None) -> Processed:
    """The outcome of a pass whose every page is done (``results``: path in the site → what was done, in the
    site's order): what is unsafe, else the site indexed for search (when the pass made the records:
    :attr:`PageSteps.glossary`) from the records the pass made."""
    unsafe = [problem for done in results.values() for problem in done.problems]
    if unsafe:
        return Processed(unsafe, None)
    pages = sum(done.head for done in results.values())
    edits = sum(done.button for done in results.values())
    indexed = None
    known = {rel: done.records for rel, done in results.items()} if steps.glossary is not None else {}
    if steps.glossary is not None:
        indexed = search.index(site_dir, offline=steps.offline, morph=morph, known=known)
    return Processed([], Finished(pages, edits, indexed), known)
