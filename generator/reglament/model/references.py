"""`[[id]]` and `[[id|display form]]` references inside text.

Positions are character offsets into the text, so a caller that knows where
the text starts in its file can turn them into file:line:column.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

REF_RE = re.compile(r"\[\[([^\[\]|\n]*)(?:\|([^\[\]\n]*))?\]\]")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_MD_LINK = re.compile(r"!?\[[^\[\]\n]*\]\([^)\n]*\)")
_HTML_TAG = re.compile(r"<[^>\n]+>")
_AUTOLINK = re.compile(r"https?://\S+")


class Ref(NamedTuple):
    """One reference: its span in the text, the id it names and its display form (a tuple: made by the
    hundred thousand, as `tuple.__new__` makes it in C)."""

    start: int
    end: int
    target: str
    display: str | None

    @property
    def raw(self) -> str:
        return f"[[{self.target}{'|' + self.display if self.display is not None else ''}]]"


_NOT_NEWLINE = re.compile(r"[^\n]")


def blank(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` replaced by spaces (newlines kept), so offsets stay valid."""
    return text[:start] + _spaces(text[start:end]) + text[end:]


def _spaces(span: str) -> str:
    return _NOT_NEWLINE.sub(" ", span) if "\n" in span else " " * len(span)


def _blank_match(match: re.Match) -> str:
    return _spaces(match.group())


def _blank_line_match(match: re.Match) -> str:
    """:func:`_blank_match` for a pattern that never matches across a line (no newline to keep)."""
    return " " * (match.end() - match.start())


def mask_code(text: str) -> str:
    """Blank out inline code spans: nothing inside them is a reference or a term."""
    if "`" not in text:
        return text
    return _CODE_SPAN.sub(_blank_match, text)


def escape_html(text: str) -> str:
    """``<``, ``>`` and ``&`` escaped outside inline code spans (code spans are kept verbatim)."""
    masked = mask_code(text)
    out, pos = [], 0
    for mt in re.finditer(r"[<>&]", masked):
        out.append(text[pos : mt.start()])
        out.append(html.escape(mt.group()))
        pos = mt.end()
    out.append(text[pos:])
    return "".join(out)


def find_refs(text: str) -> list[Ref]:
    """Every reference in ``text``, outside code spans."""
    masked = mask_code(text)
    new = tuple.__new__
    found = []
    for mt in REF_RE.finditer(masked):  # (a match's span and groups read in one call each)
        start, end = mt.span()
        target, display = mt.groups()
        found.append(new(Ref, (start, end, target.strip(), display)))
    return found


def mask_for_terms(text: str, refs: list[Ref] | None = None) -> str:
    """Blank out what must never be recognised as a term mention: code, references, links' targets, HTML, URLs.

    ``refs``: the references of ``text`` as :func:`find_refs` gives them, when the caller has them: blanked at
    their spans (the same matches, on the same code-masked text) instead of looked for again.
    """
    text = mask_code(text)
    if refs is None:
        if "[[" in text:
            text = REF_RE.sub(_blank_line_match, text)
    elif refs:  # (a reference never spans lines: no newline to keep)
        pieces, pos = [], 0
        for ref in refs:
            pieces.append(text[pos : ref.start])
            pieces.append(" " * (ref.end - ref.start))
            pos = ref.end
        pieces.append(text[pos:])
        text = "".join(pieces)
    for pattern, probe in ((_MD_LINK, "]("), (_HTML_TAG, "<"), (_AUTOLINK, "://")):
        if probe in text:  # one substitution per pattern: its matches never overlap, nor span lines
            text = pattern.sub(_blank_line_match, text)
    return text
