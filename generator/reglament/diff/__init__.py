"""Diff between editions: two models in, a structured :class:`Changes` value out, in four formats.

::

    model(ref A) ─diff─ model(ref B) ─▶ changes ─▶ text | markdown | html | json | order

* :mod:`.model` — the :class:`Changes` value (``to_json``/``from_json``, equality);
* :mod:`.compare` — :func:`compare_editions` of two loaded :class:`~reglament.content.Content` values;
* :mod:`.redline` — paragraphs first, then words inside changed paragraphs;
* :mod:`.formats` — ``text``, ``markdown``, ``html``, ``json``;
* :mod:`.order` — the amendment order («приказ о внесении изменений») drafted from a diff;
* :mod:`.sources` — both sides from git objects (or the working tree): :func:`diff_revisions`;
* :mod:`.site` — the «Что изменилось» page of a published edition: :func:`changes_page`;
* :mod:`.reviewers` — who must approve a pull request, by the kind of content it changes: :func:`~.reviewers.route`.
"""

from reglament.diff.compare import compare_editions
from reglament.diff.formats import DIFF_FORMATS, format_html, format_json, format_markdown, format_text
from reglament.diff.model import (
    Changes,
    FieldChange,
    ItemChange,
    ParagraphChange,
    ParameterChange,
    PartChange,
    RegulationChange,
)
from reglament.diff.site import changes_page
from reglament.diff.sources import diff_revisions, edition_revision, load_side, order_revisions
from reglament.errors import DiffError

__all__ = [
    "DIFF_FORMATS",
    "Changes",
    "DiffError",
    "FieldChange",
    "ItemChange",
    "ParagraphChange",
    "ParameterChange",
    "PartChange",
    "RegulationChange",
    "changes_page",
    "compare_editions",
    "diff_revisions",
    "edition_revision",
    "format_html",
    "format_json",
    "format_markdown",
    "format_text",
    "load_side",
    "order_revisions",
]
