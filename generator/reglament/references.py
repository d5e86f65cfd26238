"""`[[id]]` and `[[id|display form]]` references inside text.

Positions are character offsets into the text, so a caller that knows where
the text starts in its file can turn them into file:line:column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REF_RE = re.compile(r"\[\[([^\[\]|\n]*)(?:\|([^\[\]\n]*))?\]\]")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_MD_LINK = re.compile(r"!?\[[^\[\]\n]*\]\([^)\n]*\)")
_HTML_TAG = re.compile(r"<[^>\n]+>")
_AUTOLINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Ref:
    start: int
    end: int
    target: str
    display: str | None

    @property
    def raw(self) -> str:
        return f"[[{self.target}{'|' + self.display if self.display is not None else ''}]]"


def blank(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` replaced by spaces (newlines kept), so offsets stay valid."""
    return text[:start] + "".join("\n" if c == "\n" else " " for c in text[start:end]) + text[end:]


def mask_code(text: str) -> str:
    """Blank out inline code spans: nothing inside them is a reference or a term."""
    for match in reversed(list(_CODE_SPAN.finditer(text))):
        text = blank(text, match.start(), match.end())
    return text


def find_refs(text: str) -> list[Ref]:
    """Every reference in ``text``, outside code spans."""
    masked = mask_code(text)
    return [Ref(mt.start(), mt.end(), mt.group(1).strip(), mt.group(2)) for mt in REF_RE.finditer(masked)]


def mask_for_terms(text: str) -> str:
    """Blank out what must never be recognised as a term mention: code, references, links' targets, HTML, URLs."""
    text = mask_code(text)
    for pattern in (REF_RE, _MD_LINK, _HTML_TAG, _AUTOLINK):
        for match in reversed(list(pattern.finditer(text))):
            text = blank(text, match.start(), match.end())
    return text
