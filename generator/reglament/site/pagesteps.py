"""The steps reglament applies to each page the engine wrote, in one read and one write per page.

:func:`process_files` (run by :func:`reglament.site.postbuild.process_site`, in this process or in worker
processes) passes each page through the sanitiser (:func:`reglament.site.sanitize.sanitize_page`: the
allowlist over its content area, then the audit of the whole page) and then :func:`finish_page` (the edit
button, the links' tooltips, the terms' word forms, the search marker and search box). This module imports
only what those steps need, so that a worker process starts quickly.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from reglament.htmlsafe import TIP_ATTR, TIP_MARK
from reglament.site.records import Record, records
from reglament.site.sanitize import sanitize_page

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


def rel_root(page: str) -> str:
    depth = page.count("/")
    return "../" * depth if depth else "./"


def edit_button(url: str) -> str:
    return (
        f'<a href="{html.escape(url, quote=True)}" title="{EDIT_TITLE}" class="md-content__button md-icon" '
        f'rel="edit">{EDIT_ICON}</a>'
    )


def _add_forms(page: str, forms: dict[str, str], attr: str) -> str:
    """Each term heading (``<hN id="term-id">``) carries the term's word forms in an attribute Pagefind indexes."""

    def add(mt: re.Match) -> str:
        words = forms.get(mt.group(2))
        if not words:
            return mt.group(0)
        attrs = f' data-pagefind-index-attrs="{attr}" {attr}="{html.escape(words)}"'
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


#: the attributes of a tag as the engine and the sanitiser write them (every value double-quoted)
_ATTRS = r'(?:\s+[\w:.-]+(?:="[^"]*")?)*?'
#: a link whose title is a tooltip marker (``rg-tip:<id>``, written by the render): the tag so far, the id
_TIP_TITLE = re.compile(r"(<a\b" + _ATTRS + r')\s+title="' + re.escape(TIP_MARK) + r'([^"]*)"')
#: a link filled in the preview: the tag before its title, the title, and the id kept beside it
_TIP_FILLED = re.compile(r"(<a\b" + _ATTRS + r'\s+title=)"[^"]*"( ' + TIP_ATTR + r'="([^"]*)")')


def attribute_text(text: str) -> str:
    """``text`` as a double-quoted attribute value, escaped as the sanitiser's serializer escapes one (``&``,
    ``<``, ``>``, ``"``), so that a filled title is byte for byte what the engine and the sanitiser made of the
    same text written into the Markdown."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def fill_tips(page: str, tips: Mapping[str, str], *, mark: bool = False) -> str:
    """``page`` with each link's tooltip marker (``title="rg-tip:<id>"``) replaced by that item's tooltip from
    ``tips`` (item id → text), escaped; a marker naming no item in ``tips`` loses its title (no marker ever
    reaches a reader). ``mark`` (the preview): the link keeps the id in :data:`~reglament.htmlsafe.TIP_ATTR`,
    so :func:`refill_tips` can put a changed tooltip there later."""
    if TIP_MARK not in page:
        return page

    def fill(mt: re.Match[str]) -> str:
        ident = mt.group(2)
        tip = tips.get(ident)
        if tip is None:
            return mt.group(1)
        title = f'{mt.group(1)} title="{attribute_text(tip)}"'
        return f'{title} {TIP_ATTR}="{attribute_text(ident)}"' if mark else title

    return _TIP_TITLE.sub(fill, page)


def refill_tips(page: str, tips: Mapping[str, str], ids: Collection[str]) -> str:
    """``page`` (filled by :func:`fill_tips` with ``mark``) with the title of each link to one of ``ids`` set
    to that item's tooltip in ``tips`` afresh (empty when ``tips`` has none); idempotent."""

    def fill(mt: re.Match[str]) -> str:
        ident = html.unescape(mt.group(3))
        if ident not in ids:
            return mt.group(0)
        return f'{mt.group(1)}"{attribute_text(tips.get(ident, ""))}"{mt.group(2)}'

    return _TIP_FILLED.sub(fill, page) if TIP_ATTR in page else page


def tip_ids(page: str) -> frozenset[str]:
    """The items whose tooltips a page filled with ``mark`` carries."""
    return (
        frozenset(html.unescape(mt.group(3)) for mt in _TIP_FILLED.finditer(page)) if TIP_ATTR in page else frozenset()
    )


@dataclass(frozen=True)
class PageSteps:
    """What the per-page steps need to know about the site (picklable: the pass may run in worker processes)."""

    sources: dict[str, str]  # built page (``a/index.html``) → its source file
    edit_base: str | None
    offline: bool
    forms: dict[str, str]
    site_dir: str
    heads: dict[int, str]  # folder depth of a page → the tags its ``<head>`` gets
    body_attr: str  # the attribute that marks the article for the search index
    forms_attr: str  # the attribute of a term heading with the term's word forms
    tooltips: dict[str, str] = field(default_factory=dict)  # item id → its links' tooltip (:func:`fill_tips`)
    tip_marks: bool = False  # the preview: filled links keep their item id (:func:`refill_tips`)
    glossary: str | None = None
    """Where the glossary's pages are: each finished page's search records are made at once
    (:func:`reglament.site.records.records`), so that the index after the pass reads no page again; None: none."""


class Done(NamedTuple):
    """What the pass made of one page."""

    problems: list[str]  # what is unsafe, as ``rel: finding`` (then the page is left as the engine wrote it)
    head: bool  # it has a ``<head>`` (the search box went there)
    button: bool  # it got an edit button
    records: tuple[Record, ...]  # its search records (:attr:`PageSteps.glossary`)


def finish_page(text: str, rel: str, steps: PageSteps) -> tuple[str, bool, bool]:
    """One built page (``rel``: its path in the site) with the engine's edit link replaced by ours, the term
    headings' word forms, the article marked for the search index and the search box linked in its head.
    The links' tooltips are filled in (:func:`fill_tips`). Returns the page, whether it has a ``<head>`` and
    whether it got an edit button."""
    new = _ENGINE_EDIT.sub("", text)
    new = fill_tips(new, steps.tooltips, mark=steps.tip_marks)
    if steps.forms:
        new = _add_forms(new, steps.forms, steps.forms_attr)
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
            + f" {steps.body_attr}"
            + new[article.end() : tag_end + 1]
            + button
            + new[tag_end + 1 :]
        )
    new, found = _HEAD_END.subn(steps.heads[rel.count("/")] + "</head>", new, count=1)
    return new, bool(found), bool(button)


def write_page(path: Path, text: str) -> None:
    part = path.with_name(f".{path.name}.part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)


def process_page(text: str, rel: str, steps: PageSteps) -> tuple[str | None, Done]:
    """One page (``text``, read with universal newlines) sanitised, audited and finished: the new text (None when
    the audit found unsafe markup: the build fails, the page is left as the engine wrote it) and what was done."""
    cleaned, problems = sanitize_page(text)
    if problems:
        return None, Done([f"{rel}: {finding}" for finding in problems], False, False, ())
    if "\r" in cleaned:  # as if written and read back (universal newlines), as the two passes once did
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    new, head, button = finish_page(cleaned, rel, steps)
    found = () if steps.glossary is None else tuple(records(new, rel, glossary=steps.glossary))
    return new, Done([], head, button, found)


def process_files(site_dir: str, rels: list[str], steps: PageSteps) -> list[Done]:
    """Sanitise, audit and finish the pages ``rels`` of ``site_dir`` in place (one read and one write each)."""
    results = []
    root = Path(site_dir)
    for rel in rels:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        new, done = process_page(text, rel, steps)
        if new is not None and new != text:
            write_page(path, new)
        results.append(done)
    return results


# --------------------------------------------------------------------------
# The pass while the engine builds (reglament.site.overlap): one page at a time, its output set aside


_WORKER: dict[str, object] = {}


def start_worker(site_dir: str, aside: str, steps: PageSteps) -> None:
    """(worker process) What :func:`process_aside` needs, given once per worker rather than with every page."""
    _WORKER.update(site=Path(site_dir), aside=Path(aside), steps=steps)


def warm() -> None:
    """(worker process) Nothing: submitted first, so that the worker starts while the engine is still busy."""


def page_digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def process_aside(rel: str, aside_name: str) -> tuple[bytes, bool, Done]:
    """(worker process) The page ``rel`` as the engine wrote it so far, processed like :func:`process_files` does,
    but its new text written to ``aside_name`` in the folder set aside (the engine may still be writing the site):
    returns the digest of the bytes read (the pass keeps the result only if the page is still those bytes once
    the engine is done), whether a new text was written aside, and what was done."""
    site, aside, steps = _WORKER["site"], _WORKER["aside"], _WORKER["steps"]
    assert isinstance(site, Path) and isinstance(aside, Path) and isinstance(steps, PageSteps)
    raw = (site / rel).read_bytes()
    text = raw.decode("utf-8")
    if "\r" in text:  # what read_text() gives (universal newlines)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    new, done = process_page(text, rel, steps)
    wrote = new is not None and new != text
    if wrote:
        (aside / aside_name).write_text(new or "", encoding="utf-8")
    return page_digest(raw), wrote, done
