"""Everything the Word subsystem takes from the rest of reglament, in one place.

When the package layout changes, only these imports move. Russian numbers, percents and dates
come from :mod:`reglament.ru`, the one formatter the site, the PDF and the diff use, so the .docx
writes «60 000», «10 %» and «"20" января 2025 г.» exactly as they do.
"""

from __future__ import annotations

from reglament.diagnostics import Diagnostic, format_text
from reglament.diff import load_side
from reglament.diff.redline import redline as word_redline
from reglament.errors import DiffError, ReglamentError, UsageError
from reglament.model import nodes as m
from reglament.model.content import Content, Item, children, part_items
from reglament.model.nodes import SLUG_RE
from reglament.model.references import REF_RE, escape_html
from reglament.morphology import Morph, TermMatcher
from reglament.pdf.document import (
    Company,
    Edition,
    Employee,
    PrintJob,
    acknowledgement_rows,
    edition_variants,
    initials,
    part_terms,
    raci_letters,
    referenced_terms,
    sections,
)
from reglament.project import Project, load_project
from reglament.render.pages import display_name
from reglament.ru import CLASSIFICATIONS, PERIODS, date_long, date_short
from reglament.ru import money_text as money
from reglament.ru import number as num
from reglament.ru import percent as pct
from reglament.source.profiles import load_profiles

__all__ = [
    "CLASSIFICATIONS",
    "PERIODS",
    "REF_RE",
    "SLUG_RE",
    "Company",
    "Content",
    "Diagnostic",
    "DiffError",
    "Edition",
    "Employee",
    "Item",
    "Morph",
    "PrintJob",
    "Project",
    "ReglamentError",
    "TermMatcher",
    "UsageError",
    "acknowledgement_rows",
    "children",
    "date_long",
    "date_short",
    "display_name",
    "edition_variants",
    "escape_html",
    "format_text",
    "initials",
    "load_profiles",
    "load_project",
    "load_side",
    "m",
    "money",
    "num",
    "part_items",
    "part_terms",
    "pct",
    "raci_letters",
    "referenced_terms",
    "sections",
    "word_redline",
]
