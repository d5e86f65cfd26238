"""The loaded content of a site: glossary, roles, regulations, pages — and
what every later stage asks of it: the id index, clause numbers, and every
text field with a way to locate a character of it in its source file.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TypeAlias

from pydantic import BaseModel

from reglament.diagnostics import Position
from reglament.model import nodes as m
from reglament.model.editions import Edition

#: item kinds by model class
KINDS: dict[type, str] = {
    m.Term: "term",
    m.Role: "role",
    m.Regulation: "regulation",
    m.Page: "page",
    m.ProsePart: "part",
    m.ClausesPart: "part",
    m.TermsPart: "part",
    m.DutiesPart: "part",
    m.MotivationPart: "part",
    m.SchedulePart: "part",
    m.ConfidentialityPart: "part",
    m.Clause: "clause",
    m.DutyGroup: "group",
    m.Duty: "duty",
    m.Responsibility: "responsibility",
    m.Kpi: "kpi",
    m.BonusTier: "tier",
    m.Reduction: "reduction",
    m.TimeBlock: "block",
    m.Recurring: "recurring",
    m.DataCategory: "category",
    m.DataRule: "rule",
    m.Measure: "measure",
}


@dataclass(slots=True)
class Item:
    """Anything with an id: where it is, what it is, and which regulation/part holds it.

    (Slots: one made per item and per index, ~25,000 at 10,000 clauses, without an attribute dict each.)"""

    id: str
    kind: str
    node: m.Node
    regulation: m.Regulation | None = None
    part: m.Node | None = None
    number: str | None = None

    @property
    def position(self) -> Position:
        return self.node.at("id")

    @property
    def visibility(self) -> str:
        return getattr(self.node, "visibility", "public")


@dataclass(slots=True)
class TextField:
    """One text (a YAML text field, or a Markdown block) that may hold references and term mentions."""

    text: str
    locate: Callable[[int], Position]
    owner: Item | None
    regulation: m.Regulation | None
    markdown_block: bool = False

    @property
    def owner_id(self) -> str | None:
        return self.owner.id if self.owner else None


#: the numbered items of parts (every one has an id)
Numbered: TypeAlias = (
    m.Clause
    | m.DutyGroup
    | m.Duty
    | m.Responsibility
    | m.Kpi
    | m.BonusTier
    | m.Reduction
    | m.TimeBlock
    | m.Recurring
    | m.DataCategory
    | m.DataRule
    | m.Measure
)


def part_items(part: m.Node) -> Iterator[Numbered]:
    """The numbered items of a part, in clause order (the order numbers are given in)."""
    if isinstance(part, m.ClausesPart):
        yield from part.clauses
    elif isinstance(part, m.DutiesPart):
        yield from part.groups
        yield from part.duties
        yield from part.responsibility
    elif isinstance(part, m.MotivationPart):
        yield from part.kpis
        yield from part.tiers
        yield from part.reductions
        yield from part.clauses
    elif isinstance(part, m.SchedulePart):
        yield from part.routine
        yield from part.recurring
        yield from part.clauses
    elif isinstance(part, m.ConfidentialityPart):
        yield from part.categories
        yield from part.rules
        yield from part.measures


def children(node: m.Node) -> list[Numbered]:
    """Numbered sub-items of a numbered item (sub-clauses, duties of a group)."""
    if isinstance(node, m.Clause):
        return list(node.clauses)
    if isinstance(node, m.DutyGroup):
        return list(node.duties)
    return []


@dataclass
class Content:
    terms: list[m.Term] = field(default_factory=list)
    roles: list[m.Role] = field(default_factory=list)
    regulations: list[m.Regulation] = field(default_factory=list)
    pages: list[m.Page] = field(default_factory=list)
    #: `content/editions.yml`, oldest first (not in the id index: edition ids are their own namespace)
    editions: list[Edition] = field(default_factory=list)
    #: ids declared in items (or files) that failed to load, with their kind when known: a reference
    #: to one of them is not "unknown" — the broken item has its own diagnostic
    broken: dict[str, str | None] = field(default_factory=dict)
    #: ids referenced (`[[id]]`) from the texts of items that failed to load
    broken_refs: set[str] = field(default_factory=set)
    #: parameters (`params.x`) used in the texts of items that failed to load
    broken_params: set[str] = field(default_factory=set)
    #: files that lost items to errors: rules that judge a whole list (weights, tiers, coverage) skip them
    incomplete: set[str] = field(default_factory=set)

    index: dict[str, Item] = field(default_factory=dict)
    #: every (id, item) including duplicates, in source order
    all_items: list[Item] = field(default_factory=list)
    #: items by kind, for :meth:`items` (rebuilt when the index is replaced or grows)
    _kinds: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _kinds_of: dict | None = field(default=None, init=False, repr=False, compare=False)
    _kinds_size: int = field(default=-1, init=False, repr=False, compare=False)

    def build_index(self) -> None:
        self.index = {}
        self.all_items = []

        def add(item: Item) -> None:
            self.all_items.append(item)
            self.index.setdefault(item.id, item)

        for term in self.terms:
            add(Item(term.id, "term", term))
        for role in self.roles:
            add(Item(role.id, "role", role))
        for page in self.pages:
            add(Item(page.id, "page", page))
        for reg in self.regulations:
            add(Item(reg.id, "regulation", reg, reg))
            for s, part in enumerate(reg.loaded_parts, 1):
                add(Item(part.id, "part", part, reg, part, str(s)))

                self._number(list(part_items(part)), str(s), reg, part, add)

    def _number(
        self, nodes: list[Numbered], prefix: str, reg: m.Regulation, part: m.Node, add: Callable[[Item], None]
    ) -> None:
        """Number a part's items in document order at any depth: «3.2», «3.2.1», «3.2.1.1» …"""
        for i, node in enumerate(nodes, 1):
            num = f"{prefix}.{i}"
            add(Item(node.id, KINDS[type(node)], node, reg, part, num))
            below = children(node)
            if below:  # (most items have none: no call to number nothing)
                self._number(below, num, reg, part, add)

    # ---------------------------------------------------------------- queries

    def items(self, kind: str) -> list[Item]:
        """The items of one kind, in index order (grouped once per index: pages ask this per role)."""
        if self._kinds_of is not self.index or self._kinds_size != len(self.index):
            kinds: dict[str, list[Item]] = {}
            for it in self.index.values():
                kinds.setdefault(it.kind, []).append(it)
            self._kinds, self._kinds_of, self._kinds_size = kinds, self.index, len(self.index)
        return list(self._kinds.get(kind, ()))

    def get(self, id_: str) -> Item | None:
        return self.index.get(id_)

    @property
    def duties(self) -> list[Item]:
        return self.items("duty")

    # ---------------------------------------------------------------- texts

    def texts(self) -> Iterator[TextField]:
        """Every text that may hold references, with its owner item and a locator."""
        for item in self.all_items:
            node = item.node
            if isinstance(node, m.ProsePart):
                yield from markdown_blocks(node, item)
            found: list[TextField] = []
            _add_yaml_texts(node, item, found)
            yield from found

    def nodes(self) -> Iterator[m.Node]:
        """Every model node (items and their nested values), depth first.

        A stack of iterators, not generators nested once per level and per field (a node reached through
        five levels passed through five frames; every field value made a generator of its own).
        """
        roots: list[object] = [self.terms, self.roles, self.pages]
        for reg in self.regulations:
            roots.append(reg)
            roots.append(reg.loaded_parts)
        stack: list[Iterator[object]] = [iter(roots)]
        while stack:
            for value in stack[-1]:
                if isinstance(value, m.Node):
                    yield value
                    fields = value.__dict__  # the field values (read past pydantic's class attributes)
                    stack.append(iter([fields[name] for name in node_fields(type(value))]))
                    break
                if isinstance(value, list):
                    stack.append(iter(value))
                    break
            else:
                stack.pop()

    def owner_of(self, node: m.Node) -> Item | None:
        ident = getattr(node, "id", None)
        return self.index.get(ident) if ident else None


def yaml_texts(node: m.Node, item: Item) -> Iterator[TextField]:
    """Text fields of ``node`` and its nested non-item nodes (Raci, FixedPay, WorkingHours)."""
    found: list[TextField] = []
    _add_yaml_texts(node, item, found)
    return iter(found)


def _add_yaml_texts(node: m.Node, item: Item, found: list[TextField]) -> None:
    """:func:`yaml_texts` appended to ``found`` (no generator per node: this runs for every item)."""
    texts, holders = _text_and_holder_fields(type(node))
    fields = node.__dict__  # the field values (read past pydantic's class attributes)
    for name in texts:
        value = fields[name]
        if isinstance(value, str):
            found.append(TextField(value, _locator(node, name), item, item.regulation))
    for name in holders:
        value = fields[name]
        if isinstance(value, m.Node) and not _has_id(type(value)):
            _add_yaml_texts(value, item, found)


@cache
def _text_and_holder_fields(cls: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """:func:`text_fields` and :func:`node_fields` of ``cls``, asked once per node."""
    return text_fields(cls), node_fields(cls)


@cache
def _has_id(cls: type[BaseModel]) -> bool:
    """Whether ``cls`` has an ``id`` field (its nodes are items of their own, with their own texts)."""
    return "id" in cls.model_fields


# Field lists per model class, computed once: walking every field of every node
# through pydantic's class properties was the largest cost of `check` on big sites.


@cache
def text_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """Fields of ``cls`` declared as :data:`~reglament.model.Text` (they may hold references)."""
    return tuple(name for name, info in cls.model_fields.items() if m.TEXT in info.metadata)


@cache
def node_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """Fields of ``cls`` whose type may hold model nodes, directly or in lists."""
    return tuple(name for name, info in cls.model_fields.items() if _may_hold_node(info.annotation))


def _may_hold_node(annotation: object) -> bool:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return False
    if origin is typing.Annotated:
        return _may_hold_node(args[0])
    if args:
        return any(_may_hold_node(arg) for arg in args)
    if isinstance(annotation, type):
        return issubclass(annotation, m.Node) or annotation in (list, tuple, set, dict, object)
    return annotation not in (None, type(None))  # Any, a forward reference…: look inside


def _locator(node: m.Node, name: str) -> Callable[[int], Position]:
    return lambda offset: node.text_at(name, offset)


_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")


def markdown_blocks(part: m.ProsePart, item: Item) -> Iterator[TextField]:
    """Blocks (paragraphs, list items, table rows) of a Markdown body; code and headings left out."""
    lines = part.body.split("\n")
    file = part.origin.file
    in_fence = False
    block: list[tuple[int, str]] = []

    def flush() -> Iterator[TextField]:
        if not block:
            return
        text = "\n".join(line for _, line in block)
        starts = []
        offset = 0
        for lineno, line in block:
            starts.append((offset, lineno))
            offset += len(line) + 1

        def locate(off: int, starts=tuple(starts)) -> Position:
            base, lineno = starts[0]
            for b, ln in starts:
                if b <= off:
                    base, lineno = b, ln
            return Position(file, *part.source_position(lineno, off - base + 1))

        yield TextField(text, locate, item, item.regulation, markdown_block=True)

    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            yield from flush()
            block = []
            continue
        if in_fence:
            continue
        if not line.strip() or _HEADING.match(line) or _LIST_ITEM.match(line):
            yield from flush()
            block = []
            if not line.strip() or _HEADING.match(line):
                continue
        if line.startswith("    ") and not block:
            continue  # indented code block
        block.append((i, line))
    yield from flush()
