"""Everything the Word subsystem takes from the rest of reglament, in one place.

When the package layout changes (LAYOUT.md: ``companies.py``/``build.py`` → ``project.py``,
``model.py`` → ``model/nodes.py``, ``pdf.py`` → ``pdf/…``), only these imports move.
The Russian number and date formatting is the print edition's (``pdf.py``), so the .docx
and the PDF write «60 000», «10 %» and «20» января 2025 г.» the same way.
"""

from __future__ import annotations

from .. import model as m
from ..companies import Project, check_variant, load_project
from ..content import Content, Item, children, part_items
from ..diagnostics import Diagnostic
from ..errors import ReglamentError, UsageError
from ..model import SLUG_RE
from ..morphology import Morph, TermMatcher
from ..pdf import (
    CLASSIFICATIONS,
    PERIODS,
    Company,
    Edition,
    Employee,
    PrintJob,
    acknowledgement_rows,
    change_sheet_from,
    company_of,
    date_long,
    date_short,
    edition_for,
    employees_of,
    initials,
    load_sources,
    num,
    part_terms,
    pct,
    raci_letters,
    referenced_terms,
    sections,
    tagged_revision,
)
from ..references import REF_RE, escape_html
from ..render import display_name

__all__ = [
    "CLASSIFICATIONS",
    "PERIODS",
    "REF_RE",
    "SLUG_RE",
    "Company",
    "Content",
    "Diagnostic",
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
    "change_sheet_from",
    "check_variant",
    "children",
    "company_of",
    "date_long",
    "date_short",
    "display_name",
    "edition_for",
    "employees_of",
    "escape_html",
    "initials",
    "load_project",
    "load_sources",
    "m",
    "num",
    "part_items",
    "part_terms",
    "pct",
    "raci_letters",
    "referenced_terms",
    "sections",
    "tagged_revision",
]
