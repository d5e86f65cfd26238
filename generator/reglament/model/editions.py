"""Editions: which approved state of the regulations is in force, from when.

An edition is a git tag plus metadata. The metadata lives in
``content/editions.yml`` (so it is reviewed in the same pull request as the
text it approves), oldest edition first::

    editions:
      - id: "2025.1"              # quoted: unquoted 2025.10 would be the number 2025.1
        title: Первая редакция
        effective: 2025-02-01     # «действует с»
        approved_by: Генеральный директор А. В. Смирнов
        approved: 2025-01-20

The approved commit is tagged ``edition/<id>`` (:func:`tag_name`);
``reglament publish <id>`` builds the site from that tag, never from the
working tree, so a published edition is exactly what was approved.

The model accepts what YAML gives (a date, or a string; a string or a number
for ids) so that the checker rules ``edition-id``, ``edition-date`` and
``edition-order`` can report malformed values with a hint instead of a bare
type error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from reglament import ru
from reglament.model.nodes import Node

TAG_PREFIX = "edition/"
EDITIONS_FILE = "content/editions.yml"
#: what an edition id may look like: it becomes a folder name, a git tag and a mike version
ID_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")
#: names an edition id may not take: they are (or look like) aliases on the published site
RESERVED_IDS = frozenset({"latest", "current", "stable", "dev", "versions.json", "index.html"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class Edition(Node):
    """An approved edition («редакция») of the regulations."""

    # (descriptions as `Field(description=…)`, not attribute docstrings: reading those from the source costs
    # every run that imports the model ~10 ms)
    id: str | int | float = Field(
        description='Edition id, e.g. `"2025.1"` or `"1.2"` — quote it; it names the published folder and the '
        "git tag `edition/<id>`."
    )
    title: str = Field(
        min_length=1, description="Title shown in the edition selector: «Редакция от 1 февраля 2025 г.»."
    )
    effective: dt.date | str = Field(description="Date the edition takes effect («действует с»), `YYYY-MM-DD`.")
    approved_by: str = Field(
        min_length=1, description="Who approved the edition: «Генеральный директор А. В. Смирнов»."
    )
    approved: dt.date | str = Field(description="Date of approval, `YYYY-MM-DD`; not after `effective`.")
    acknowledge: Literal["affected", "all", "none"] = Field(
        "affected",
        description="Who must (re)acknowledge this edition (`reglament ack`): `affected` — the employees whose roles "
        "the diff with the previous edition affects, only the changed clauses; `all` — every employee of the "
        "audience, the whole text; `none` — nobody (new employees still acknowledge the edition in force).",
    )

    @property
    def key(self) -> str:
        """The id as text (what a malformed numeric id reads as, for messages)."""
        return self.id if isinstance(self.id, str) else repr(self.id)

    @property
    def effective_date(self) -> dt.date | None:
        return parse_date(self.effective)

    @property
    def approved_date(self) -> dt.date | None:
        return parse_date(self.approved)

    @property
    def tag(self) -> str:
        return tag_name(self.key)

    def properties(self) -> dict[str, str]:
        """The edition's metadata as published version properties (ISO dates)."""
        effective, approved = self.effective_date, self.approved_date
        return {
            "effective": effective.isoformat() if effective else str(self.effective),
            "approved_by": self.approved_by,
            "approved": approved.isoformat() if approved else str(self.approved),
        }


class Editions(Node):
    """`content/editions.yml`: the editions, oldest first."""

    editions: list[Edition] = Field(
        default_factory=list,
        description="Editions in order of release; ids ascending, effective dates not decreasing.",
    )


# --------------------------------------------------------------------------
# Dates


def parse_date(value: object) -> dt.date | None:
    """A `datetime.date` from a YAML date or an ISO `YYYY-MM-DD` string; None when malformed."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def date_hint(value: object) -> str:
    """How to write a malformed date: a Russian `01.03.2025` is rewritten for the user."""
    text = str(value).strip()
    ru = _RU_DATE.match(text)
    if ru:
        day, month, year = (int(x) for x in ru.groups())
        try:
            return f"write dates as YYYY-MM-DD: `{dt.date(year, month, day).isoformat()}`"
        except ValueError:
            pass
    return "write dates as YYYY-MM-DD, e.g. `2025-03-01` (a real calendar date)"


def format_date_ru(value: dt.date | str) -> str:
    """«1 марта 2025 г.» (a malformed value is returned as written)."""
    date = parse_date(value)
    if date is None:
        return str(value)
    return ru.date_text(date)


# --------------------------------------------------------------------------
# Ids, order, tags


def edition_key(edition_id: str) -> tuple:
    """Sort key of an edition id: numbers compare as numbers (`2025.2` < `2025.10`)."""
    parts = re.findall(r"\d+|[A-Za-z]+", edition_id)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts)


def id_problem(edition_id: object) -> str | None:
    """Why ``edition_id`` cannot be an edition id, or None when it can."""
    if not isinstance(edition_id, str):
        return f"edition id {edition_id!r} is a number in YAML, not text"
    if edition_id in RESERVED_IDS:
        return f"`{edition_id}` is reserved for aliases on the published site"
    if not ID_PATTERN.match(edition_id):
        return f"`{edition_id}` is not a valid edition id"
    return None


def tag_name(edition_id: str) -> str:
    """The git tag of an edition: ``edition/<id>``."""
    return f"{TAG_PREFIX}{edition_id}"


def find(editions: Iterable[Edition], edition_id: str) -> Edition | None:
    for edition in editions:
        if edition.key == edition_id:
            return edition
    return None


def previous(editions: list[Edition], edition_id: str) -> Edition | None:
    """The edition listed just before ``edition_id`` (the one it replaces), if any."""
    for before, edition in zip(editions, editions[1:]):
        if edition.key == edition_id:
            return before
    return None
