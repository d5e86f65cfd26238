"""reglament's own post-build step over the built HTML — the same for every engine.

After the engine has turned the docs tree into HTML (:mod:`reglament.site.engines`),
:func:`finish` adds what the site needs beyond the theme, working on files only:

1. **edit buttons** — every page that was rendered from a source file gets one
   edit button pointing at that file (the engine's own button is off);
2. **search** — the search box (templates/assets/reglament-search.js, Pagefind's UI) is
   linked into every page, the article is marked as the part to index, and
   Pagefind indexes the built HTML in Russian (:mod:`reglament.site.search`).

A public build renders no internal item into the docs tree, so nothing
internal reaches the HTML and nothing internal reaches the index built from
it (the tests scan the decoded index, :func:`reglament.site.search.index_text`).
"""

from __future__ import annotations

import concurrent.futures
import html
import json
import multiprocessing
import os
import re
from dataclasses import dataclass
from pathlib import Path

from reglament.site import search
from reglament.site.sanitize import sanitize_page

SEARCH_SCRIPT = "assets/reglament-search.js"
EDIT_TITLE = "Редактировать страницу"
EDIT_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M10 20H6V4h7v5h5v3.1l2-2V8l-6-6H6c-1.1 '
    "0-2 .9-2 2v16c0 1.1.9 2 2 2h4zm10.2-7c.1 0 .3.1.4.2l1.3 1.3c.2.2.2.6 0 .8l-1 1-2.1-2.1 1-1c.1-.1.2-.2.4-.2m0 "
    '3.9L14.1 23H12v-2.1l6.1-6.1z"/></svg>'
)
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"')
_ENGINE_EDIT = re.compile(r'<a\b[^>]*\brel="edit"[^>]*>.*?</a>', re.S)
_HEAD_END = re.compile(r"</head>", re.I)
_HEADING = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>.*?</h\1>', re.S)
_SOURCE = re.compile(r'^reglament_source:\s*"((?:[^"\\]|\\.)*)"\s*$', re.M)


@dataclass(frozen=True)
class Finished:
    pages: int
    edit_buttons: int
    indexed: search.Indexed | None


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


def _rel_root(page: str) -> str:
    depth = page.count("/")
    return "../" * depth if depth else "./"


def edit_button(url: str) -> str:
    return (
        f'<a href="{html.escape(url, quote=True)}" title="{EDIT_TITLE}" class="md-content__button md-icon" '
        f'rel="edit">{EDIT_ICON}</a>'
    )


def _add_forms(page: str, forms: dict[str, str]) -> str:
    """Each term heading (``<hN id="term-id">``) carries the term's word forms in an attribute Pagefind indexes."""

    def add(mt: re.Match) -> str:
        words = forms.get(mt.group(2))
        if not words:
            return mt.group(0)
        attrs = f' data-pagefind-index-attrs="{search.FORMS_ATTR}" {search.FORMS_ATTR}="{html.escape(words)}"'
        return mt.group(0)[: mt.end(2) - mt.start(0) + 1] + attrs + mt.group(0)[mt.end(2) - mt.start(0) + 1 :]

    return _HEADING.sub(add, page)


_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"#?:]*)([?#][^"]*)?"')


def file_links(page: str, rel: str, site_dir: Path) -> str:
    """Relative links to a folder (``../glossary/``, ``..``) point at its ``index.html``: opened from
    ``file://`` a folder link shows a directory listing, not the page."""
    folder = (site_dir / rel).parent

    def fix(mt: re.Match) -> str:
        target = mt.group(2)
        if target.startswith("/") or target.endswith(".html") or (not target and mt.group(3)):
            return mt.group(0)
        place = (folder / target).resolve() if target else folder
        if not (place / "index.html").is_file():
            return mt.group(0)
        joined = target if not target or target.endswith("/") else target + "/"
        return f'{mt.group(1)}{joined}index.html{mt.group(3) or ""}"'

    return _HREF.sub(fix, page)


@dataclass(frozen=True)
class PageSteps:
    """What the per-page steps need to know about the site (picklable: the pass may run in worker processes)."""

    sources: dict[str, str]  # built page (``a/index.html``) → its source file
    edit_base: str | None
    offline: bool
    forms: dict[str, str]
    site_dir: str
    heads: dict[int, str]  # folder depth of a page → the tags its ``<head>`` gets


def page_steps(
    site_dir: Path, docs_dir: Path, *, edit_base: str | None, offline: bool, forms: dict[str, str] | None
) -> PageSteps:
    """The settings of :func:`finish_page` for one built site."""
    depths = {p.relative_to(site_dir).as_posix().count("/") for p in site_dir.rglob("*.html")}
    return PageSteps(
        sources={html_path(p, directory_urls=not offline): s for p, s in page_sources(docs_dir).items()},
        edit_base=edit_base,
        offline=offline,
        forms=dict(forms or {}),
        site_dir=str(site_dir),
        heads={d: search.head_tags(_rel_root("/" * d), script=SEARCH_SCRIPT, offline=offline) for d in sorted(depths)},
    )


def finish_page(text: str, rel: str, steps: PageSteps) -> tuple[str, bool, bool]:
    """One built page (``rel``: its path in the site) with the engine's edit link replaced by ours, the term
    headings' word forms, the article marked for the search index and the search box linked in its head.
    Returns the page, whether it has a ``<head>`` and whether it got an edit button."""
    new = _ENGINE_EDIT.sub("", text)
    if steps.forms:
        new = _add_forms(new, steps.forms)
    if steps.offline:
        new = file_links(new, rel, Path(steps.site_dir))
    source = steps.sources.get(rel)
    article = _ARTICLE.search(new)
    button = ""
    if article is not None:
        tag_end = new.index(">", article.end())
        button = edit_button(steps.edit_base + source) if source and steps.edit_base else ""
        new = (
            new[: article.end()]
            + f" {search.BODY_ATTR}"
            + new[article.end() : tag_end + 1]
            + button
            + new[tag_end + 1 :]
        )
    new, found = _HEAD_END.subn(steps.heads[rel.count("/")] + "</head>", new, count=1)
    return new, bool(found), bool(button)


def _write(path: Path, text: str) -> None:
    part = path.with_name(f".{path.name}.part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)


def finish(
    site_dir: Path,
    docs_dir: Path,
    *,
    edit_base: str | None,
    offline: bool = False,
    index: bool = True,
    forms: dict[str, str] | None = None,
) -> Finished:
    """Edit buttons, the search box and the search index for the site in ``site_dir`` (built from ``docs_dir``).

    ``forms`` (term id → word forms, :func:`reglament.site.search.term_forms`) go under the terms' headings.
    (``reglament build`` runs the same steps in one pass with the sanitiser: :func:`process_site`.)
    """
    steps = page_steps(site_dir, docs_dir, edit_base=edit_base, offline=offline, forms=forms)
    pages = edits = 0
    for path in sorted(site_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        new, head, button = finish_page(text, path.relative_to(site_dir).as_posix(), steps)
        pages += head
        edits += button
        if new != text:
            _write(path, new)
    indexed = search.index(site_dir, offline=offline) if index else None
    return Finished(pages, edits, indexed)


@dataclass(frozen=True)
class Processed:
    """The outcome of :func:`process_site`: what is unsafe (then nothing was indexed), or the finished site."""

    unsafe: list[str]
    finished: Finished | None


#: below this many pages the pass runs in this process: starting workers would cost more than it saves
PARALLEL_PAGES = 100
#: pages handed to a worker at a time
_CHUNK = 16


def _process_files(site_dir: str, rels: list[str], steps: PageSteps) -> list[tuple[list[str], bool, bool]]:
    """Sanitise, audit and finish the pages ``rels`` of ``site_dir`` in place (one read and one write each)."""
    results = []
    root = Path(site_dir)
    for rel in rels:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        cleaned, problems = sanitize_page(text)
        if problems:  # the build fails: the page is left as the engine wrote it
            results.append(([f"{rel}: {finding}" for finding in problems], False, False))
            continue
        if "\r" in cleaned:  # as if written and read back (universal newlines), as the two passes once did
            cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
        new, head, button = finish_page(cleaned, rel, steps)
        if new != text:
            _write(path, new)
        results.append(([], head, button))
    return results


def process_site(
    site_dir: Path,
    docs_dir: Path,
    *,
    edit_base: str | None,
    offline: bool = False,
    index: bool = True,
    forms: dict[str, str] | None = None,
    jobs: int = 1,
) -> Processed:
    """Everything reglament does to the HTML the engine wrote, one read and one write per page.

    Each page is first passed through the sanitiser (:func:`reglament.site.sanitize.sanitize_page`: the
    allowlist over its content area, then the parser audit of the whole page); a page the audit finds unsafe
    is reported and the site is not indexed (the build fails). A safe page then gets the steps of
    :func:`finish_page`, and the finished site is indexed for search. ``jobs`` > 1: a site of at least
    :data:`PARALLEL_PAGES` pages is processed in that many worker processes; the result is the same.
    """
    steps = page_steps(site_dir, docs_dir, edit_base=edit_base, offline=offline, forms=forms)
    rels = [p.relative_to(site_dir).as_posix() for p in sorted(site_dir.rglob("*.html"))]
    chunks = [rels[i : i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
    if jobs > 1 and len(rels) >= PARALLEL_PAGES:
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            done = list(pool.map(_process_files, [str(site_dir)] * len(chunks), chunks, [steps] * len(chunks)))
    else:
        done = [_process_files(str(site_dir), chunk, steps) for chunk in chunks]
    results = [r for chunk in done for r in chunk]
    unsafe = [problem for problems, _, _ in results for problem in problems]
    if unsafe:
        return Processed(unsafe, None)
    pages = sum(head for _, head, _ in results)
    edits = sum(button for _, _, button in results)
    indexed = search.index(site_dir, offline=offline) if index else None
    return Processed([], Finished(pages, edits, indexed))
