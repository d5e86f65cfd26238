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

import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from reglament.site import search

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
    """
    sources = {html_path(p, directory_urls=not offline): s for p, s in page_sources(docs_dir).items()}
    pages = edits = 0
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        text = path.read_text(encoding="utf-8")
        new = _ENGINE_EDIT.sub("", text)
        if forms:
            new = _add_forms(new, forms)
        if offline:
            new = file_links(new, rel, site_dir)
        source = sources.get(rel)
        article = _ARTICLE.search(new)
        if article is not None:
            tag_end = new.index(">", article.end())
            button = edit_button(edit_base + source) if source and edit_base else ""
            edits += bool(button)
            new = (
                new[: article.end()]
                + f" {search.BODY_ATTR}"
                + new[article.end() : tag_end + 1]
                + button
                + new[tag_end + 1 :]
            )
        root = _rel_root(rel)
        head = search.head_tags(root, script=SEARCH_SCRIPT, offline=offline)
        new, found = _HEAD_END.subn(head + "</head>", new, count=1)
        if found:
            pages += 1
        if new != text:
            part = path.with_name(f".{path.name}.part")
            part.write_text(new, encoding="utf-8")
            os.replace(part, path)
    indexed = search.index(site_dir, offline=offline) if index else None
    return Finished(pages, edits, indexed)
