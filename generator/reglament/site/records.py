"""The search records of a built page: its article cut at its sections, as Pagefind indexes them.

A search result's excerpt file (Pagefind's *fragment*) carries the whole text of its record, so a record must
stay small: :func:`records` cuts each article at its top-level section headings (:data:`SPLIT_HEADINGS` with an
``id``) into records of up to :data:`RECORD_TEXT` characters — short sections share a record, a longer one is cut
at its clauses, every glossary entry is a record of its own. :mod:`reglament.site.search` indexes them.

This module reads markup with a few patterns and imports nothing heavy: the page pass's worker processes
(:mod:`reglament.site.pagesteps`) make each page's records as soon as the page is finished.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

BODY_ATTR = "data-pagefind-body"
#: an article is cut into records at these headings when they are its own children and have an ``id``
SPLIT_HEADINGS = ("h2", "h3")
#: how much text (characters) a record holds before the next section begins a record of its own
RECORD_TEXT = 8000
# A tag (quoted attribute values may hold ">"), a comment, or raw text elements' bodies skipped whole
TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_RAW_TEXT = ("script", "style", "textarea", "title")
_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr")
)
# One attribute of a start tag: its name and its value (double-quoted, single-quoted, bare or none)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_HEADERLINK = re.compile(r'<a\b[^>]*\bclass="headerlink"[^>]*>.*?</a>', re.S)
_ANYTAG = re.compile(r"<[^>]*>")
_TITLETAG = re.compile(r"<title>(.*?)</title>", re.S | re.I)


@dataclass(frozen=True)
class Record:
    """One search result: ``url`` as Pagefind writes a page's (``/a/`` or ``/a/#section``), its title, its HTML."""

    url: str
    title: str  # the section's heading; a page's own record: the page's title
    html: str
    page: str = ""  # a section's: the title of its page
    entry: bool = False  # a glossary entry (weighted by :mod:`reglament.site.search`)


def page_url(rel: str) -> str:
    """The address Pagefind gives the page at ``rel`` in the site: ``a/index.html`` → ``/a/``, ``a.html`` → ``/a.html``."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return "/" + rel


def tag_attrs(text: str) -> dict[str, str]:
    """A start tag's attributes (what follows its name), names lower-cased, values unescaped."""
    found: dict[str, str] = {}
    for mt in _ATTR.finditer(text):
        value = next((g for g in mt.groups()[1:] if g is not None), "")
        found.setdefault(mt.group(1).lower(), html.unescape(value))
    return found


def text_of(fragment: str) -> str:
    """The text of an HTML fragment: without headings' permalinks, tags and entities; whitespace collapsed."""
    return " ".join(html.unescape(_ANYTAG.sub(" ", _HEADERLINK.sub("", fragment))).split())


def _tokens(page: str, start: int) -> Iterator[re.Match]:
    """The tags of ``page`` from ``start``, the bodies of script/style/textarea/title skipped."""
    pos = start
    while True:
        mt = TAG.search(page, pos)
        if mt is None:
            return
        yield mt
        pos = mt.end()
        name = (mt.group(2) or "").lower()
        if name in _RAW_TEXT and not mt.group(1):
            close = re.compile(f"</{name}", re.I).search(page, pos)
            pos = close.start() if close else len(page)


def _article(page: str, *, whole: bool = False) -> tuple[int, int, list[tuple[int, str, str]]] | None:
    """Where the indexed element's content begins and ends in ``page``, and its own children that have an ``id``
    as (offset, tag, id); None when the page has no element marked with :data:`BODY_ATTR` (``whole``: no
    ``<body>``)."""
    found = None
    depth = 0
    begin = 0
    tops: list[tuple[int, str, str]] = []
    for mt in _tokens(page, 0):
        closing, name, attrs = mt.group(1), (mt.group(2) or "").lower(), mt.group(3) or ""
        if not name:  # a comment
            continue
        if found is None:
            if not closing and (name == "body" if whole else BODY_ATTR in attrs and BODY_ATTR in tag_attrs(attrs)):
                found, begin, depth = name, mt.end(), 0
            continue
        if name in _VOID or attrs.rstrip().endswith("/"):
            continue
        if closing:
            if depth == 0:
                if name == found:
                    return begin, mt.start(), tops
                continue  # a stray end tag: the sanitiser's output has none
            depth -= 1
            continue
        if depth == 0 and "id" in attrs:
            ident = tag_attrs(attrs).get("id")
            if ident:
                tops.append((mt.start(), name, ident))
        depth += 1
    return (begin, len(page), tops) if found is not None else None


@dataclass(frozen=True)
class _Block:
    """A place an article may be cut at: its start, a top-level section heading or another element with an id."""

    offset: int
    own: int  # where its own text begins (after a heading)
    url: str
    title: str
    heading: bool
    section: int  # the index of the heading block it is under (0: the page's start)


def records(page: str, rel: str, *, glossary: str, budget: int | None = None, whole: bool = False) -> list[Record]:
    """The search records of the built page ``page`` (at ``rel`` in the site); none without :data:`BODY_ATTR`
    (``whole``: the records of its whole ``<body>`` — for a site none of whose pages is marked, as Pagefind does).

    The article is cut at its own section headings (:data:`SPLIT_HEADINGS` with an ``id``): the part before the
    first is the page's record (its address, its title); a section's record has the address ``page/#id``, its
    heading as title and the page's title beside. Sections follow one another in a record while its text stays
    within ``budget`` characters (:data:`RECORD_TEXT`) — a short role page stays whole —, except on the glossary's
    pages, where each entry is a record of its own; a heading with nothing under it («3. Обязанности», then
    «3.1. …») begins the next record rather than being one. A section longer than the budget is cut further at
    its own elements that have an ``id`` (a regulation's clauses): such a record has the address of its first
    clause and the section's title. ``glossary``: where the glossary's pages are (``glossary.html`` or under
    ``glossary/``)."""
    found = _article(page, whole=whole)
    if found is None:
        return []
    begin, end, tops = found
    budget = RECORD_TEXT if budget is None else budget
    url = page_url(rel)
    glossary_page = rel == f"{glossary}.html" or rel.startswith(f"{glossary}/")
    first_h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", page[begin:end], re.S)
    title_tag = _TITLETAG.search(page)
    title = text_of(first_h1.group(1)) if first_h1 else (text_of(title_tag.group(1)) if title_tag else "") or url
    blocks = [_Block(begin, begin, url, title, True, 0)]
    for offset, tag, ident in tops:
        if tag in SPLIT_HEADINGS:
            close = page.find(f"</{tag}>", offset)
            close = close if close > 0 else offset
            heading = text_of(page[offset:close]) or title
            blocks.append(_Block(offset, close, f"{url}#{ident}", heading, True, len(blocks)))
        elif offset > begin:
            under = blocks[-1] if blocks[-1].heading else blocks[blocks[-1].section]
            blocks.append(_Block(offset, offset, f"{url}#{ident}", under.title, False, blocks[-1].section))
    stops = [b.offset for b in blocks[1:]] + [end]
    sizes = [len(text_of(page[b.offset : stop])) for b, stop in zip(blocks, stops, strict=True)]
    own = [bool(text_of(page[b.own : stop])) for b, stop in zip(blocks, stops, strict=True)]
    section_size = list(sizes)
    for i in range(len(blocks) - 1, -1, -1):
        if i + 1 < len(blocks) and not blocks[i + 1].heading:
            section_size[i] += section_size[i + 1]
    groups: list[list[int]] = []  # [first block, whether the record has text of its own yet]
    size = 0  # the text of the record under way (characters)
    for i, block in enumerate(blocks):
        grows = size + (section_size[i] if block.heading else sizes[i]) > budget or (glossary_page and block.heading)
        if not groups or (groups[-1][1] and grows):
            groups.append([i, own[i]])
            size = sizes[i]
        else:
            groups[-1][1] = groups[-1][1] or own[i]
            size += sizes[i]
    found_records = []
    for n, (first, _) in enumerate(groups):
        stop = blocks[groups[n + 1][0]].offset if n + 1 < len(groups) else end
        block = blocks[first]
        section = block.section > 0
        found_records.append(
            Record(
                block.url,
                block.title,
                page[block.offset : stop],
                page=title if section else "",
                entry=glossary_page and section and block.heading,
            )
        )
    return found_records
