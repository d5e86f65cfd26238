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

:func:`findings` is the independent check: it parses a document with
:mod:`html.parser` and lists every event attribute, script-capable URL and
``style`` outside the allowed properties — the build fails on any, and the
tests use it on every file they build.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

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
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data|file|livescript)\s*:", re.I)
_ALLOWED_STYLE = re.compile(r"^\s*(?:(?:width|left|text-align)\s*:\s*[-\w.%\s]+;?\s*)*$", re.I)


class _Auditor(HTMLParser):
    def __init__(self, *, allow_scripts: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.allow_scripts = allow_scripts
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"line {self.getpos()[0]}: <{tag}>"
        if tag in ("iframe", "object", "embed", "base", "frame", "frameset", "applet"):
            self.found.append(f"{where} is not allowed")
        if tag == "script" and not self.allow_scripts:
            self.found.append(f"{where} is not allowed")
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            self.found.append(f"{where} refresh")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"{where} event attribute {name}={value!r}")
            elif name in _URL_ATTRS and (_SCRIPT_URL.match(value) and not value.lower().startswith("data:image/svg")):
                if not (tag in ("link", "img") and value.lower().startswith("data:image/")):
                    self.found.append(f"{where} script-capable URL {name}={value!r}")
            elif name == "style" and not _ALLOWED_STYLE.match(value):
                self.found.append(f"{where} style {value!r}")
            elif name in ("srcdoc", "formaction"):
                self.found.append(f"{where} attribute {name}")


def findings(document: str, *, allow_scripts: bool = True) -> list[str]:
    """Every event attribute, script-capable URL, disallowed ``style`` or embedding tag in ``document``.

    ``allow_scripts``: the theme's own ``<script>`` elements are expected in site pages;
    content can never add one (its HTML is escaped, then cleaned).
    """
    auditor = _Auditor(allow_scripts=allow_scripts)
    auditor.feed(document)
    auditor.close()
    return auditor.found


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
