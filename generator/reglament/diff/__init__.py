"""Diff between editions: two models in, a structured :class:`Changes` value out, in four formats.

::

    model(ref A) ─diff─ model(ref B) ─▶ changes ─▶ text | markdown | html | json

* :mod:`.model` — the :class:`Changes` value (``to_json``/``from_json``, equality);
* :mod:`.compare` — :func:`compare` of two loaded :class:`~reglament.content.Content` values;
* :mod:`.redline` — paragraphs first, then words inside changed paragraphs;
* :mod:`.formats` — ``text``, ``markdown``, ``html``, ``json``;
* :mod:`.sources` — both sides from git objects (or the working tree): :func:`diff_revisions`;
* :mod:`.site` — the «Что изменилось» page of a published edition: :func:`changes_page`.
"""

from .compare import compare
from .formats import FORMATS, format_html, format_json, format_markdown, format_text
from .model import Changes, FieldChange, ItemChange, ParagraphChange, ParameterChange, PartChange, RegulationChange
from .site import changes_page
from .sources import DiffError, diff_revisions, edition_revision, load_side

__all__ = [
    "FORMATS", "Changes", "DiffError", "FieldChange", "ItemChange", "ParagraphChange", "ParameterChange",
    "PartChange", "RegulationChange", "changes_page", "compare", "diff_revisions", "edition_revision",
    "format_html", "format_json", "format_markdown", "format_text", "load_side",
]
