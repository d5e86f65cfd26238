"""The value a diff produces: :class:`Changes`, and its parts.

Plain frozen data classes with ``to_json`` / ``from_json`` and equality (as in
mike's ``versions.py``): a test, a CI job or another tool can compare values
directly, and the JSON form is the documented, stable interface
(``FORMAT_VERSION``; see README, «Diff between editions»).

Vocabulary:

* ``change`` of an item: ``added`` | ``removed`` | ``changed`` | ``moved``
  (moved only: same content, another number or place);
* ``move``: ``null`` | ``renumbered`` (its number changed because something
  before it was inserted or removed) | ``reordered`` (its place among its
  siblings changed) | ``relocated`` (another part, parent clause or
  regulation). A changed item can also have a ``move``;
* a redline is a list of ``[op, text]`` segments, ``op`` being ``=`` (kept),
  ``-`` (deleted) or ``+`` (inserted); joining the ``=``/``-`` texts gives the
  old text, the ``=``/``+`` texts the new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from reglament.diagnostics import Diagnostic

FORMAT_VERSION = 2

Op = Literal["=", "-", "+"]
ChangeKind = Literal["added", "removed", "changed", "moved"]
MoveKind = Literal["renumbered", "reordered", "relocated"]
BlockKind = Literal["paragraph", "heading", "list", "table", "code", "quote"]
ImpactKind = Literal["duty", "responsibility", "pay", "schedule", "role", "audience", "other"]


def _freeze(value: Any) -> Any:
    """Lists become tuples (hashable, comparable with what ``from_json`` gives back)."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Segment:
    """A piece of a redline: ``=`` kept, ``-`` deleted, ``+`` inserted text."""

    op: Op
    text: str

    def to_json(self) -> list:
        return [self.op, self.text]

    @classmethod
    def from_json(cls, data: list) -> Segment:
        op, text = data
        return cls(op, text)


def _segments(data: list) -> tuple[Segment, ...]:
    return tuple(Segment.from_json(s) for s in data)


@dataclass(frozen=True)
class FieldChange:
    """A changed field that is not a number: text (with a redline), a value, or a list."""

    field: str
    """Field name; nested values are dotted: ``raci.accountable``, ``hours.days``."""
    kind: Literal["text", "value", "list"]
    old: Any
    new: Any
    redline: tuple[Segment, ...] = ()
    """Word-level redline (``text`` only)."""
    added: tuple = ()
    """Elements added to a list (``list`` only)."""
    removed: tuple = ()
    """Elements removed from a list (``list`` only)."""

    def __post_init__(self) -> None:
        for name in ("old", "new", "added", "removed"):
            object.__setattr__(self, name, _freeze(getattr(self, name)))

    def to_json(self) -> dict:
        return {
            "field": self.field,
            "kind": self.kind,
            "old": _thaw(self.old),
            "new": _thaw(self.new),
            "redline": [s.to_json() for s in self.redline],
            "added": _thaw(self.added),
            "removed": _thaw(self.removed),
        }

    @classmethod
    def from_json(cls, data: dict) -> FieldChange:
        return cls(
            data["field"],
            data["kind"],
            data["old"],
            data["new"],
            _segments(data["redline"]),
            tuple(data["added"]),
            tuple(data["removed"]),
        )


@dataclass(frozen=True)
class ParameterChange:
    """A changed number: a numeric field (bonus 5 → 7 %, deadline 15 → 10 min) or a number inside a text."""

    field: str
    """The field it belongs to: ``bonus_percent``, ``fixed.amount``, or the text field holding the number."""
    old: int | float | str | None
    new: int | float | str | None
    unit: str | None = None
    """``%``, ``мин``, a currency sign; ``None`` when the number has no unit of its own."""
    source: Literal["field", "text"] = "field"
    """``field``: a numeric field of the model; ``text``: a number replaced inside a text."""
    context: str | None = None
    """For ``text``: the new words around the number, e.g. «в течение 10 минут»."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "old", _freeze(self.old))
        object.__setattr__(self, "new", _freeze(self.new))

    @property
    def delta(self) -> int | float | None:
        if isinstance(self.old, (int, float)) and isinstance(self.new, (int, float)):
            return _freeze(self.new - self.old)
        return None

    def to_json(self) -> dict:
        return {
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "delta": self.delta,
            "unit": self.unit,
            "source": self.source,
            "context": self.context,
        }

    @classmethod
    def from_json(cls, data: dict) -> ParameterChange:
        return cls(data["field"], data["old"], data["new"], data["unit"], data["source"], data["context"])


@dataclass(frozen=True)
class ItemChange:
    """An item with an id (clause, duty, term, role, KPI, tier…) added, removed, changed or moved."""

    id: str
    kind: str
    """``clause``, ``duty``, ``group``, ``responsibility``, ``kpi``, ``tier``, ``reduction``, ``block``,
    ``recurring``, ``category``, ``rule``, ``measure``, ``term``, ``role``."""
    change: ChangeKind
    label: str
    """A short human label: the term, the name, or the beginning of the text (new side when it exists)."""
    old_number: str | None = None
    """Clause number in the old edition («3.2»); ``None`` when added or not numbered (terms, roles)."""
    new_number: str | None = None
    move: MoveKind | None = None
    old_part: str | None = None
    new_part: str | None = None
    old_regulation: str | None = None
    new_regulation: str | None = None
    fields: tuple[FieldChange, ...] = ()
    parameters: tuple[ParameterChange, ...] = ()
    text: str | None = None
    """The item's main text (the new one; the old one for a removed item)."""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "change": self.change,
            "label": self.label,
            "old_number": self.old_number,
            "new_number": self.new_number,
            "move": self.move,
            "old_part": self.old_part,
            "new_part": self.new_part,
            "old_regulation": self.old_regulation,
            "new_regulation": self.new_regulation,
            "fields": [f.to_json() for f in self.fields],
            "parameters": [p.to_json() for p in self.parameters],
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict) -> ItemChange:
        return cls(
            data["id"],
            data["kind"],
            data["change"],
            data["label"],
            data["old_number"],
            data["new_number"],
            data["move"],
            data["old_part"],
            data["new_part"],
            data["old_regulation"],
            data["new_regulation"],
            tuple(FieldChange.from_json(f) for f in data["fields"]),
            tuple(ParameterChange.from_json(p) for p in data["parameters"]),
            data["text"],
        )

    @property
    def substantive(self) -> bool:
        """Added, removed or changed — not only moved or renumbered."""
        return self.change != "moved"


@dataclass(frozen=True)
class ParagraphChange:
    """A block of a Markdown text (paragraph, heading, list item, table row, code block) added, removed,
    changed or moved; positions are 1-based.

    ``moved``: the same block at another place (in the same text, or — ``moved_from`` — from another part
    or page), its redline showing the edits made inside it (all ``=`` when it moved unchanged).
    """

    change: Literal["added", "removed", "changed", "moved"]
    old_index: int | None
    """Position among the blocks of the old text (of the ``moved_from`` text for a move across texts)."""
    new_index: int | None
    redline: tuple[Segment, ...]
    kind: BlockKind = "paragraph"
    old_path: tuple[str, ...] = ()
    """The headings above it in the old text, outermost first (``()``: before any heading, or added)."""
    new_path: tuple[str, ...] = ()
    old_ordinal: int | None = None
    """Its number among the blocks under its nearest heading in the old text, headings not counted
    (``0`` for a heading): what a reader counts to find «абзац 2» of a section."""
    new_ordinal: int | None = None
    moved_from: str | None = None
    """For a move from another text: ``regulation/part`` or ``page:id`` it came from."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "old_path", tuple(self.old_path))
        object.__setattr__(self, "new_path", tuple(self.new_path))

    @property
    def path(self) -> tuple[str, ...]:
        """Where a reader finds it: the new headings, the old ones for a removed block."""
        return self.new_path if self.new_index is not None else self.old_path

    def to_json(self) -> dict:
        return {
            "change": self.change,
            "kind": self.kind,
            "old_index": self.old_index,
            "new_index": self.new_index,
            "old_path": list(self.old_path),
            "new_path": list(self.new_path),
            "old_ordinal": self.old_ordinal,
            "new_ordinal": self.new_ordinal,
            "moved_from": self.moved_from,
            "redline": [s.to_json() for s in self.redline],
        }

    @classmethod
    def from_json(cls, data: dict) -> ParagraphChange:
        return cls(
            data["change"],
            data["old_index"],
            data["new_index"],
            _segments(data["redline"]),
            data["kind"],
            tuple(data["old_path"]),
            tuple(data["new_path"]),
            data["old_ordinal"],
            data["new_ordinal"],
            data["moved_from"],
        )


@dataclass(frozen=True)
class PartChange:
    """A part (section) of a regulation, or a free page, with what changed in it."""

    id: str
    kind: str
    """Part kind (``clauses``, ``duties``, ``motivation``, ``schedule``, ``confidentiality``, ``terms``,
    ``prose``) or ``page`` for a free page."""
    change: ChangeKind
    title: str
    old_number: str | None = None
    new_number: str | None = None
    fields: tuple[FieldChange, ...] = ()
    parameters: tuple[ParameterChange, ...] = ()
    items: tuple[ItemChange, ...] = ()
    paragraphs: tuple[ParagraphChange, ...] = ()
    """Markdown parts and pages: the body, paragraph by paragraph."""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "change": self.change,
            "title": self.title,
            "old_number": self.old_number,
            "new_number": self.new_number,
            "fields": [f.to_json() for f in self.fields],
            "parameters": [p.to_json() for p in self.parameters],
            "items": [i.to_json() for i in self.items],
            "paragraphs": [p.to_json() for p in self.paragraphs],
        }

    @classmethod
    def from_json(cls, data: dict) -> PartChange:
        return cls(
            data["id"],
            data["kind"],
            data["change"],
            data["title"],
            data["old_number"],
            data["new_number"],
            tuple(FieldChange.from_json(f) for f in data["fields"]),
            tuple(ParameterChange.from_json(p) for p in data["parameters"]),
            tuple(ItemChange.from_json(i) for i in data["items"]),
            tuple(ParagraphChange.from_json(p) for p in data["paragraphs"]),
        )


@dataclass(frozen=True)
class RegulationChange:
    """A regulation added, removed or changed: its metadata fields and its parts."""

    id: str
    change: Literal["added", "removed", "changed"]
    title: str
    fields: tuple[FieldChange, ...] = ()
    parts: tuple[PartChange, ...] = ()

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "change": self.change,
            "title": self.title,
            "fields": [f.to_json() for f in self.fields],
            "parts": [p.to_json() for p in self.parts],
        }

    @classmethod
    def from_json(cls, data: dict) -> RegulationChange:
        return cls(
            data["id"],
            data["change"],
            data["title"],
            tuple(FieldChange.from_json(f) for f in data["fields"]),
            tuple(PartChange.from_json(p) for p in data["parts"]),
        )

    def items(self) -> Iterator[ItemChange]:
        for part in self.parts:
            yield from part.items


@dataclass(frozen=True)
class ImpactReason:
    """Why a role is affected: which item of which regulation changed, and how."""

    kind: ImpactKind
    regulation: str | None
    item: str
    number: str | None
    change: str

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "regulation": self.regulation,
            "item": self.item,
            "number": self.number,
            "change": self.change,
        }

    @classmethod
    def from_json(cls, data: dict) -> ImpactReason:
        return cls(data["kind"], data["regulation"], data["item"], data["number"], data["change"])


@dataclass(frozen=True)
class RoleImpact:
    """A role whose duties, responsibility, pay or rules changed: it must re-read the new edition."""

    role: str
    name: str
    reasons: tuple[ImpactReason, ...]

    def to_json(self) -> dict:
        return {"role": self.role, "name": self.name, "reasons": [r.to_json() for r in self.reasons]}

    @classmethod
    def from_json(cls, data: dict) -> RoleImpact:
        return cls(data["role"], data["name"], tuple(ImpactReason.from_json(r) for r in data["reasons"]))

    @property
    def kinds(self) -> tuple[str, ...]:
        """The reason kinds, each once, in a fixed order."""
        order = ("duty", "responsibility", "pay", "schedule", "role", "audience", "other")
        present = {r.kind for r in self.reasons}
        return tuple(k for k in order if k in present)


@dataclass(frozen=True)
class Side:
    """One side of a diff: what was asked for, the commit it resolved to, and its problems."""

    label: str
    """As given: a tag, a branch, an edition id, or ``working tree``."""
    revision: str | None = None
    """The full commit name; ``None`` for the working tree."""
    edition: str | None = None
    """The edition id, when the side was named by one."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Errors (and warnings) found loading and checking this side; it is still diffed where it loads."""

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "revision": self.revision,
            "edition": self.edition,
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }

    @classmethod
    def from_json(cls, data: dict) -> Side:
        return cls(
            data["label"],
            data["revision"],
            data["edition"],
            tuple(
                Diagnostic(d["file"], d["line"], d["column"], d["severity"], d["code"], d["message"], d["hint"])
                for d in data["diagnostics"]
            ),
        )

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


@dataclass(frozen=True)
class Summary:
    """Counts of a diff. ``added``…``moved`` count items (clauses, duties, terms…); parts, pages and
    sections (headings inside Markdown texts) are counted as such, and their blocks are not counted again
    as paragraphs: ``paragraphs`` counts blocks added, removed or changed inside texts both sides have,
    ``paragraphs_moved`` the blocks moved (with or without edits)."""

    added: int = 0
    removed: int = 0
    changed: int = 0
    moved: int = 0
    parameters: int = 0
    paragraphs: int = 0
    roles: int = 0
    regulations_added: int = 0
    regulations_removed: int = 0
    parts_added: int = 0
    parts_removed: int = 0
    parts_moved: int = 0
    pages_added: int = 0
    pages_removed: int = 0
    sections_added: int = 0
    sections_removed: int = 0
    sections_moved: int = 0
    paragraphs_moved: int = 0

    def to_json(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass(frozen=True)
class Changes:
    """Everything that changed between two editions (or two company variants)."""

    old: Side
    new: Side
    company: str | None = None
    terms: tuple[ItemChange, ...] = ()
    roles: tuple[ItemChange, ...] = ()
    regulations: tuple[RegulationChange, ...] = ()
    pages: tuple[PartChange, ...] = ()
    impact: tuple[RoleImpact, ...] = ()
    format: int = FORMAT_VERSION

    # ---------------------------------------------------------------- views

    def items(self) -> Iterator[ItemChange]:
        """Every item change: terms, roles, then the regulations' items in order."""
        yield from self.terms
        yield from self.roles
        for reg in self.regulations:
            yield from reg.items()

    def parameters(self) -> Iterator[tuple[str | None, ItemChange | PartChange, ParameterChange]]:
        """Every parameter change as (regulation id, the item or part holding it, the change)."""
        for reg in self.regulations:
            for part in reg.parts:
                for p in part.parameters:
                    yield reg.id, part, p
                for item in part.items:
                    for p in item.parameters:
                        yield reg.id, item, p

    @property
    def summary(self) -> Summary:
        counts = {"added": 0, "removed": 0, "changed": 0, "moved": 0}
        for item in self.items():
            counts[item.change] += 1
        extra = dict.fromkeys(
            (f for f in Summary.__dataclass_fields__ if f not in ("added", "removed", "changed", "moved")), 0
        )
        for reg in self.regulations:
            if reg.change != "changed":
                extra[f"regulations_{reg.change}"] += 1
                continue
            for part in reg.parts:
                if part.change in ("added", "removed", "moved"):
                    extra[f"parts_{part.change}"] += 1
        texts = [p for reg in self.regulations if reg.change == "changed" for p in reg.parts] + list(self.pages)
        for part in self.pages:
            if part.change in ("added", "removed"):
                extra[f"pages_{part.change}"] += 1
        for part in texts:
            whole = part.change in ("added", "removed")
            for para in part.paragraphs:
                if para.kind == "heading":
                    if para.change in ("added", "removed", "moved") and not (whole and para.moved_from is None):
                        extra[f"sections_{para.change}"] += 1
                elif para.change == "moved":
                    extra["paragraphs_moved"] += 1
                elif not whole:
                    extra["paragraphs"] += 1
        extra["parameters"] = sum(1 for _ in self.parameters())
        extra["roles"] = len(self.impact)
        return Summary(**counts, **extra)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.roles or self.regulations or self.pages)

    # ---------------------------------------------------------------- JSON

    def to_json(self) -> dict:
        """The documented JSON structure (``summary`` is derived and ignored by :meth:`from_json`)."""
        return {
            "format": self.format,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "company": self.company,
            "summary": self.summary.to_json(),
            "impact": [r.to_json() for r in self.impact],
            "terms": [t.to_json() for t in self.terms],
            "roles": [r.to_json() for r in self.roles],
            "regulations": [r.to_json() for r in self.regulations],
            "pages": [p.to_json() for p in self.pages],
        }

    @classmethod
    def from_json(cls, data: dict) -> Changes:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported diff format {data.get('format')!r} (expected {FORMAT_VERSION})")
        return cls(
            Side.from_json(data["old"]),
            Side.from_json(data["new"]),
            data["company"],
            tuple(ItemChange.from_json(t) for t in data["terms"]),
            tuple(ItemChange.from_json(r) for r in data["roles"]),
            tuple(RegulationChange.from_json(r) for r in data["regulations"]),
            tuple(PartChange.from_json(p) for p in data["pages"]),
            tuple(RoleImpact.from_json(r) for r in data["impact"]),
        )
