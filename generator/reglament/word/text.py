"""Model text (Markdown inline with ``[[id|form]]`` references) → Word runs, and back.

Export: a reference to something this document prints (a clause, a section, a duty, a
term of its glossary…) becomes an internal hyperlink to that item's bookmark, shown in
its display form; anything else (a role, another regulation) becomes its display form
as plain text, as in the print edition. ``**bold**``, ``*italic*``, ``code`` and links
become formatted runs.

Import: the inverse — see :func:`runs_to_markdown`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import markdown
from lxml import etree
from lxml import html as lhtml

from . import oxml
from .deps import REF_RE, Content, display_name, escape_html
from .reader import Run

_MD = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def markdown_html(text: str) -> str:
    _MD.reset()
    return _MD.convert(text)


class TextWriter:
    """Writes model text into python-docx paragraphs."""

    def __init__(self, content: Content, anchors: set[str]) -> None:
        self.content = content
        self.anchors = anchors

    def display(self, ident: str) -> str:
        return display_name(self.content.get(ident), ident)

    def to_markdown(self, value: str) -> str:
        """References resolved: in-document ones to ``[shown](#id)`` links, the rest to their display text."""
        escaped = escape_html(value)

        def repl(mt: re.Match) -> str:
            ident = mt.group(1).strip()
            shown = mt.group(2) if mt.group(2) is not None else html.escape(self.display(ident))
            shown = shown.replace("[", "&#91;").replace("]", "&#93;")
            return f"[{shown}](#{ident})" if ident in self.anchors else shown

        return REF_RE.sub(repl, escaped)

    def inline(
        self, paragraph, value: str | None, *, bold: bool = False, italic: bool = False, size: int | None = None
    ) -> None:
        """Append ``value`` (one text field) to ``paragraph`` as runs."""
        if not value:
            return
        source = markdown_html(self.to_markdown(value).strip())
        root = lhtml.fragment_fromstring(source, create_parent="div")
        blocks = [c for c in root if isinstance(c.tag, str)]
        for i, block in enumerate(blocks):
            if i:
                paragraph._p.append(oxml.run("\n"))
            self._walk(paragraph._p, block, bold=bold, italic=italic, size=size, first=True)

    def element_runs(self, target, node, *, bold: bool = False, italic: bool = False) -> None:
        """Runs of an HTML element's content (used by the Markdown body writer)."""
        self._walk(target, node, bold=bold, italic=italic, size=None, first=True)

    def _walk(
        self,
        target,
        node,
        *,
        bold: bool,
        italic: bool,
        size: int | None,
        first: bool = False,
        link: str | None = None,
        mono: bool = False,
    ) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if not first:
            if tag in ("strong", "b"):
                bold = True
            elif tag in ("em", "i"):
                italic = True
            elif tag == "code":
                mono = True
            elif tag == "br":
                target.append(oxml.run("\n"))
            elif tag == "a":
                href = node.get("href") or ""
                if href.startswith("#") and href[1:] in self.anchors:
                    hyper = oxml.hyperlink(href[1:])
                    target.append(hyper)
                    target, link = hyper, href[1:]
                else:
                    link = None
        if node.text:
            target.append(
                oxml.run(_soft(node.text), bold=bold, italic=italic, link=link is not None, mono=mono, size=size)
            )
        for child in node:
            if isinstance(child.tag, str):
                self._walk(target, child, bold=bold, italic=italic, size=size, link=link, mono=mono)
            if child.tail:
                target.append(
                    oxml.run(_soft(child.tail), bold=bold, italic=italic, link=link is not None, mono=mono, size=size)
                )


def _soft(text: str) -> str:
    """A newline in Markdown source is a space (hard breaks come as <br>)."""
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)


# --------------------------------------------------------------------------
# Import: runs → Markdown inline with references

_MD_SPECIAL = re.compile(r"([\\*`\[\]])")


def _escape_md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def runs_to_markdown(
    runs: list[Run],
    *,
    ref: Callable[[str, str], str | None],
    footnote: Callable[[str], str] | None = None,
    image: Callable[[str], str] | None = None,
) -> str:
    """Runs → Markdown inline. ``ref(anchor, shown)`` turns an internal link into ``[[id|form]]`` text
    (or None to keep the plain text); footnotes and images go through their callbacks."""
    out: list[str] = []
    i = 0
    while i < len(runs):
        r = runs[i]
        if r.footnote is not None:
            if footnote is not None:
                out.append(footnote(r.footnote))
            i += 1
            continue
        if r.image is not None:
            if image is not None:
                out.append(image(r.image))
            i += 1
            continue
        if r.anchor is not None:
            j = i
            shown = ""
            while j < len(runs) and runs[j].anchor == r.anchor and runs[j].footnote is None and runs[j].image is None:
                shown += runs[j].text
                j += 1
            made = ref(r.anchor, shown)
            out.append(made if made is not None else _escape_md(shown))
            i = j
            continue
        text = r.text
        if r.url and text.strip():
            text = f"[{_escape_md(text)}]({r.url})"
        else:
            text = _escape_md(text)
        if (r.bold or r.italic) and text.strip():
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            core = text.strip()
            mark = "***" if r.bold and r.italic else "**" if r.bold else "*"
            text = f"{lead}{mark}{core}{mark}{trail}"
        out.append(text)
        i += 1
    joined = "".join(out).replace("\t", " ")
    return re.sub(r"[ \u00a0]*\n[ \u00a0]*", "\n", joined)


def plain_of(root) -> str:
    """Text content of an lxml element (for tests and table cells)."""
    return etree.tostring(root, method="text", encoding="unicode")
