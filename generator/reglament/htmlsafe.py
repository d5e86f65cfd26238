"""The one HTML allowlist: what markup made from content may contain, anywhere it is emitted.

Content is untrusted input. Texts are HTML-escaped and Markdown links are
filtered before they are rendered, but Markdown extensions can still put
attributes on elements (``attr_list``: ``{: onmouseover=… }``) and templates may
mis-escape a field. Every HTML the project emits from content therefore passes
:func:`clean_fragment` — `nh3 <https://nh3.readthedocs.io>`_ (the Rust
``ammonia`` sanitizer) with an allowlist of exactly the tags, attributes, URL
schemes and CSS properties the templates produce:

* the site's content area (:mod:`reglament.site.sanitize`, after the engine),
* the PDF's texts (:mod:`reglament.pdf.document`),
* the diff's HTML report.

:func:`findings` is the independent check: it parses a document as a browser
does (`Lexbor <https://lexbor.com>`_, a parser of the HTML Standard, through
``selectolax``) and lists every event attribute, script-capable URL and
``style`` outside the allowed properties in the tree a browser would build —
the build fails on any, and the tests use it on every file they build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode

TIP_MARK = "rg-tip:"
"""A link's title in the rendered Markdown is ``rg-tip:<item id>``, a marker, not the tooltip: reglament's page
pass after the engine puts the tooltip's text there (:func:`reglament.site.pagesteps.fill_tips`), escaped."""
TIP_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")
"""The item ids a marker may name (``fullmatch``): no quote, bracket or ampersand can reach the page through one."""
TIP_ATTR = "data-rg-tip"
"""In the live preview a filled link keeps its item id in this attribute, so that its title can be filled again
when the tooltip alone changed, without the engine (:func:`reglament.site.pagesteps.refill_tips`)."""

TAGS = frozenset(
    {
        # text
        "p", "br", "hr", "span", "div", "a", "abbr", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark",
        "small", "sub", "sup", "code", "kbd", "pre", "blockquote", "q", "cite", "dfn", "time",
        "h1", "h2", "h3", "h4", "h5", "h6",
        # lists, tables
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
        # admonitions, details, page widgets (the bonus calculator), figures
        "details", "summary", "nav", "section", "figure", "figcaption", "img",
        "label", "input", "output",
        # the theme's icons
        "svg", "path",
    }
)  # fmt: skip
"""Tags kept; any other tag is dropped (its text stays), ``script``/``style`` with their content."""

ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "aria-live",
          "aria-describedby", "hidden"},
    "a": {"href", "style", "rel", TIP_ATTR},
    "abbr": {"title"},
    "span": {"style", "data-tier"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "col": {"span"},
    "ol": {"start", "type"},
    "li": {"value"},
    "img": {"src", "alt", "width", "height"},
    "time": {"datetime"},
    "details": {"open"},
    "div": {"data-rg-calc", "data-rg-tiers", "data-ack-service", "data-company", "data-regulation"},
    "output": {"data-rg-out", "for"},
    "input": {"type", "name", "value", "pattern", "inputmode", "autocomplete", "min", "max", "step"},
    "label": {"for"},
    "svg": {"xmlns", "viewbox", "viewBox", "width", "height"},
    "path": {"d"},
}  # fmt: skip
"""Attributes kept per tag (``*``: on every tag). No event handler, no ``srcdoc``, no ``formaction``."""

STYLE_PROPERTIES = frozenset({"width", "left", "text-align"})
"""The CSS properties a ``style`` may keep: the bar widths and positions, table alignment — nothing else."""

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
"""Schemes a link may use; relative links and ``#anchors`` are kept; ``javascript:``, ``data:``… are dropped."""

_INPUT_TYPES = {"text", "number", "checkbox"}


_ABSOLUTE = re.compile(r"^(?:https?|mailto|tel):", re.I)


_REL = {"edit", "nofollow", "noopener", "noreferrer", "external", "license", "prev", "next"}


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "rel" and not set(value.lower().split()) <= _REL:
        return None  # never `attachment` (WeasyPrint embeds the target file), nor anything else unknown
    if tag == "input" and attr == "type" and value.lower() not in _INPUT_TYPES:
        return None
    if attr == "style" and re.search(r"url\s*\(|expression\s*\(|\\", value, re.I):
        return None
    return value


def _document_filter(tag: str, attr: str, value: str) -> str | None:
    """For a self-contained document (the PDF): links only to its own anchors or to the web, no images by path."""
    if attr in ("href", "src") and not (value.startswith("#") or _ABSOLUTE.match(value.strip())):
        return None
    if attr == "rel":
        return None
    return _attribute_filter(tag, attr, value)


def clean_fragment(html: str, *, relative_links: bool = True) -> str:
    """``html`` (a fragment) with only the allowlisted tags, attributes, URL schemes and style properties left.

    ``relative_links=False`` (a PDF) also drops links and image sources that are
    neither ``#anchors`` nor http(s)/mailto/tel URLs: a path means a local file there.
    """
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags={"script", "style", "template", "iframe", "object", "embed", "noscript"},
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter if relative_links else _document_filter,
        strip_comments=True,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
    ).replace("&nbsp;", "\u00a0")  # the serializer writes U+00A0 as an entity: keep the character, as written


# --------------------------------------------------------------------------
# The independent check


_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background", "ping"}
_SCRIPT_URL = re.compile(r"(javascript|vbscript|data|file|livescript)\s*:", re.I)
#: what a browser's URL parser drops before it reads the scheme: tabs and newlines anywhere, C0 controls and
#: spaces around (so ``java&#9;script:`` is a ``javascript:`` URL)
_URL_DROPPED = re.compile(r"[\t\n\r]")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_ALLOWED_STYLE = re.compile(r"^\s*(?:(?:width|left|text-align)\s*:\s*[-\w.%\s]+;?\s*)*$", re.I)


#: elements a page may never hold: they embed other documents or change where the page's links go; and
#: ``noscript``, whose content a browser that runs scripts reads as text, so the tree audited here (Lexbor's,
#: scripts off) would not be the one the reader's browser builds
_NEVER = frozenset(("iframe", "object", "embed", "base", "frame", "frameset", "applet", "noscript"))


def _elements(root: LexborNode) -> Iterator[LexborNode]:
    """Every element under ``root``, the content of ``<template>`` elements included (outside the tree)."""
    roots = [root]
    while roots:
        top = roots.pop()
        for node in top.traverse(include_text=False):
            if node.is_element_node:
                yield node
        roots.extend(reversed(top.template_fragments()))


def _problems(tag: str, attrs: dict[str, str | None], *, allow_scripts: bool) -> Iterator[tuple[str, str]]:
    """What is unsafe in one element: (the attribute it is in, or "", the finding)."""
    if tag in _NEVER or (tag == "script" and not allow_scripts):
        yield "", "is not allowed"
    if tag == "meta" and any(
        k.lower() == "http-equiv" and (v or "").strip().lower() == "refresh" for k, v in attrs.items()
    ):
        yield "http-equiv", "refresh"
    for raw_name, raw_value in attrs.items():
        name, value = raw_name.lower(), raw_value or ""
        if name.startswith("on"):
            yield raw_name, f"event attribute {raw_name}={value!r}"
        elif name in _URL_ATTRS and _SCRIPT_URL.match(url := _as_url(value)) and not url.startswith("data:image/svg"):
            if not (tag in ("link", "img") and url.startswith("data:image/")):
                yield raw_name, f"script-capable URL {raw_name}={value!r}"
        elif name == "style" and not _ALLOWED_STYLE.match(value):
            yield raw_name, f"style {value!r}"
        elif name in ("srcdoc", "formaction"):
            yield raw_name, f"attribute {raw_name}"


def _as_url(value: str) -> str:
    """An attribute's value as a browser's URL parser reads its scheme (lower case)."""
    return _URL_DROPPED.sub("", value).strip(_C0_OR_SPACE).lower()


class _Lines:
    """Where in the source an element with a finding begins (the parsed tree keeps no positions): the next start
    tag of that name holding that attribute, searched from the last one found — a best guess for the message."""

    def __init__(self, document: str) -> None:
        self.document = document
        self.after: dict[tuple[str, str], int] = {}

    def __call__(self, tag: str, attr: str) -> str:
        pattern = rf"<{re.escape(tag)}\b" + (rf"[^>]*?[\s\"'/]{re.escape(attr)}\b" if attr else "")
        found = re.compile(pattern, re.I).search(self.document, self.after.get((tag, attr), 0))
        if found is None:
            return "line ?"
        self.after[(tag, attr)] = found.end()
        return f"line {self.document.count(chr(10), 0, found.start()) + 1}"


def findings(document: str, *, allow_scripts: bool = True) -> list[str]:
    """Every event attribute, script-capable URL, disallowed ``style`` or embedding tag in ``document``, as
    ``line N: <tag> finding`` — in the tree a browser builds from it (Lexbor: entities decoded, a stray ``<`` in a
    tag read as the browser reads it, foreign content, ``<template>`` content).

    ``allow_scripts``: the theme's own ``<script>`` elements are expected in site pages;
    content can never add one (its HTML is escaped, then cleaned).
    """
    found: list[str] = []
    lines = _Lines(document)
    root = LexborHTMLParser(document).root
    for node in _elements(root) if root is not None else ():
        attrs = node.attributes
        tag = node.tag or ""
        if not attrs and tag not in _NEVER and tag != "script":
            continue
        for attr, problem in _problems(tag, attrs, allow_scripts=allow_scripts):
            found.append(f"{lines(tag, attr)}: <{tag}> {problem}")
    return found


_BODY = re.compile(r"(<body\b[^>]*>)(.*)(</body>)", re.I | re.S)


def clean_document(document: str) -> str:
    """A whole HTML document made by the project (head: static, escaped) with its ``<body>`` cleaned.

    The head keeps the project's own ``<style>``/``<title>``; everything content
    shaped — the body — passes :func:`clean_fragment`. A document without a body
    is cleaned whole (as a fragment).
    """
    mt = _BODY.search(document)
    if mt is None:
        return clean_fragment(document)
    return document[: mt.start(2)] + clean_fragment(mt.group(2)) + document[mt.end(2) :]
