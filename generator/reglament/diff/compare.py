"""Compare two loaded models into a :class:`~reglament.diff.model.Changes` value.

Items are matched by their stable ids, never by position or text, so an
edited clause is «changed», and a clause whose number changed only because
something was inserted before it is «moved» (``renumbered``) — not removed
plus added. The work is linear in the number of items: fields are compared
for equality first, and only changed texts get a word redline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal, Protocol, TypeAlias, TypeVar

from reglament.diff.model import (
    ChangeKind,
    Changes,
    FieldChange,
    ImpactKind,
    ImpactReason,
    ItemChange,
    MoveKind,
    ParagraphChange,
    ParameterChange,
    PartChange,
    RegulationChange,
    RoleImpact,
    Side,
)
from reglament.diff.redline import (
    LANGUAGES,
    changed,
    diff_texts,
    new_text,
    number_changes,
    old_text,
    plain,
    shorten,
    word_diff,
)
from reglament.model import nodes as m
from reglament.model.content import KINDS, Content, Numbered, children, part_items
from reglament.render.pages import duty_roles

#: list fields that hold child items (compared as items of their own), and the regulation's part file list
CHILD_FIELDS = frozenset(
    {
        "clauses",
        "duties",
        "groups",
        "responsibility",
        "kpis",
        "tiers",
        "reductions",
        "routine",
        "recurring",
        "categories",
        "rules",
        "measures",
        "parts",
    }
)
PERCENT_FIELDS = frozenset({"bonus_percent", "from_percent", "to_percent", "weight", "percent"})
CLOCK_FIELDS = frozenset({"start", "end"})

Container: TypeAlias = tuple[str, ...]
"""What holds an item: ``("part", regulation id, part id)`` or ``("item", parent item id)``."""
ImpactKey: TypeAlias = tuple[ImpactKind, str | None, str, str]
"""One reason of a role's impact, counted once: (kind, regulation, item, change)."""


# --------------------------------------------------------------------------
# Where every item sits


@dataclass(slots=True)
class Placed:
    """An item and its place: regulation, part, parent container and clause number."""

    node: Numbered
    kind: str
    regulation: m.Regulation
    part: m.Part
    container: Container
    number: str


def placements(content: Content) -> tuple[dict[str, Placed], dict[Container, list[str]]]:
    """Every numbered item by id (first occurrence wins, like the content index) and each container's ids in order."""
    placed: dict[str, Placed] = {}
    containers: dict[Container, list[str]] = {}

    def walk(nodes: list[Numbered], reg: m.Regulation, part: m.Part, container: Container, prefix: str) -> None:
        ids = containers.setdefault(container, [])
        for i, node in enumerate(nodes, 1):
            number = f"{prefix}.{i}"
            if node.id not in placed:
                placed[node.id] = Placed(node, KINDS[type(node)], reg, part, container, number)
                ids.append(node.id)
            walk(children(node), reg, part, ("item", node.id), number)

    for reg in content.regulations:
        for s, part in enumerate(reg.loaded_parts, 1):
            walk(list(part_items(part)), reg, part, ("part", reg.id, part.id), str(s))
    return placed, containers


def reordered_ids(old: dict[Container, list[str]], new: dict[Container, list[str]]) -> set[str]:
    """Ids whose order among the siblings they kept changed (outside the longest common order)."""
    out: set[str] = set()
    for key, new_ids in new.items():
        old_ids = old.get(key)
        if not old_ids:
            continue
        common = set(old_ids) & set(new_ids)
        a = [i for i in old_ids if i in common]
        b = [i for i in new_ids if i in common]
        if a == b:
            continue
        kept: set[str] = set()
        for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
            kept.update(a[block.a : block.a + block.size])
        out.update(common - kept)
    return out


# --------------------------------------------------------------------------
# Fields


def _unit(node: m.Node | None, name: str) -> str | None:
    if name in PERCENT_FIELDS:
        return "%"
    if name == "deadline_minutes":
        return "мин"
    if name in ("amount", "bonus_base"):
        return getattr(node, "currency", None) or "₽"
    return None


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_FIELDS: dict[type[m.Node], tuple[str, ...]] = {}


def _compared_fields(cls: type[m.Node]) -> tuple[str, ...]:
    """The fields of a model class that a diff compares (not the id, not child item lists), cached per class."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(n for n in cls.model_fields if n != "id" and n not in CHILD_FIELDS)
    return names


def compare_fields(
    old: m.Node | None, new: m.Node | None, *, prefix: str = "", lang: str = "ru"
) -> tuple[list[FieldChange], list[ParameterChange]]:
    """Field changes and parameter changes between two nodes of the same item (child items left out)."""
    fields: list[FieldChange] = []
    params: list[ParameterChange] = []
    names = _compared_fields(type(new)) if new is not None else ()
    if old is not None and (new is None or type(old) is not type(new)):
        names += tuple(n for n in _compared_fields(type(old)) if n not in names)
    old_values = old.__dict__ if old is not None else {}
    new_values = new.__dict__ if new is not None else {}
    for name in names:
        a = old_values.get(name)
        b = new_values.get(name)
        if a == b:
            continue
        key = prefix + name
        if isinstance(a, m.Node) or isinstance(b, m.Node):
            sub_f, sub_p = compare_fields(
                a if isinstance(a, m.Node) else None,
                b if isinstance(b, m.Node) else None,
                prefix=key + ".",
                lang=lang,
            )
            fields += sub_f
            params += sub_p
        elif _number(a) or _number(b) or (name in CLOCK_FIELDS and isinstance(a or b, str)):
            params.append(ParameterChange(key, a, b, _unit(new if new is not None else old, name)))
        elif isinstance(a, list) or isinstance(b, list):
            a_list, b_list = list(a or []), list(b or [])
            fields.append(
                FieldChange(
                    key,
                    "list",
                    a_list,
                    b_list,
                    added=tuple(x for x in b_list if x not in a_list),
                    removed=tuple(x for x in a_list if x not in b_list),
                )
            )
        elif isinstance(a, str) or isinstance(b, str):
            segments, numbers = word_diff(a or "", b or "", lang=lang)
            if not changed(segments):
                continue  # only no-break spaces differ (or None vs "")
            fields.append(FieldChange(key, "text", a, b, segments))
            params += [ParameterChange(key, x, y, None, "text", ctx) for x, y, ctx in numbers]
        else:
            fields.append(FieldChange(key, "value", a, b))
    return fields, params


def main_text(node: m.Node | None) -> str | None:
    """The text a reader recognises an item by."""
    for name in ("text", "definition", "measures", "activity", "description", "examples"):
        value = getattr(node, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def label(node: m.Node) -> str:
    """A short human label of an item."""
    if isinstance(node, m.Term):
        return node.term
    if isinstance(node, (m.Role, m.Kpi, m.DataCategory)):
        return node.name
    if isinstance(node, m.DutyGroup):
        return node.title
    if isinstance(node, m.BonusTier):
        upper = f"–{node.to_percent:g} %" if node.to_percent is not None else " % и выше"
        return f"план {node.from_percent:g}{upper}: премия {node.bonus_percent:g} %"
    if isinstance(node, m.TimeBlock):
        return shorten(f"{node.start}–{node.end} {node.activity}")
    if isinstance(node, m.Recurring):
        return shorten(f"{node.when}: {node.activity}")
    text = main_text(node)
    return shorten(text) if text else getattr(node, "id", "")


#: what a change to a part of a kind means to the roles that read it
_PART_IMPACT: dict[str, ImpactKind] = {"motivation": "pay", "schedule": "schedule"}


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


Identified = TypeVar("Identified", bound=_HasId)
PartKey: TypeAlias = tuple[str | None, str | None]
"""(regulation id, part id) of the part that shows an item change (the new one; the old one for removed items)."""


def _part_kind(part: m.Node) -> str:
    return getattr(part, "kind", "prose")


def _body(part: m.Node | None) -> str:
    return part.body if isinstance(part, m.ProsePart) else ""


# --------------------------------------------------------------------------
# The comparison


def text_key(regulation: str, part: str) -> str:
    """The key of a regulation part's text in :func:`~reglament.diff.redline.diff_texts`."""
    return f"{regulation}/{part}"


def page_key(page: str) -> str:
    return f"page:{page}"


class Comparer:
    def __init__(self, old: Content, new: Content, *, lang: str = "ru") -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown content language {lang!r} (one of {', '.join(LANGUAGES)})")
        self.old, self.new, self.lang = old, new, lang
        self.paragraphs = self._paragraphs()
        self.old_placed, old_containers = placements(old)
        self.new_placed, new_containers = placements(new)
        self.reordered = reordered_ids(old_containers, new_containers)
        self.reasons: dict[str, dict[ImpactKey, ImpactReason]] = {}
        # for each removed item: the item before it in the old part that the new part still holds
        self.anchor: dict[str, str | None] = {}
        last: dict[tuple[str, str], str | None] = {}
        for ident, placed in self.old_placed.items():
            key = (placed.regulation.id, placed.part.id)
            now = self.new_placed.get(ident)
            if now is None:
                self.anchor[ident] = last.get(key)
            elif (now.regulation.id, now.part.id) == key:
                last[key] = ident

    def _paragraphs(self) -> dict[str, tuple[ParagraphChange, ...]]:
        """Every Markdown text (prose parts, pages) diffed at once, so moves across them are found."""
        texts: dict[str, tuple[str, str]] = {}
        old_regs = {r.id: r for r in self.old.regulations}
        new_regs = {r.id: r for r in self.new.regulations}
        for rid in [*new_regs, *(r for r in old_regs if r not in new_regs)]:
            old_parts = {p.id: p for p in old_regs[rid].loaded_parts} if rid in old_regs else {}
            new_parts = {p.id: p for p in new_regs[rid].loaded_parts} if rid in new_regs else {}
            for pid in [*new_parts, *(p for p in old_parts if p not in new_parts)]:
                texts[text_key(rid, pid)] = (_body(old_parts.get(pid)), _body(new_parts.get(pid)))
        old_pages = {p.id: p for p in self.old.pages}
        new_pages = {p.id: p for p in self.new.pages}
        for pid in [*new_pages, *(p for p in old_pages if p not in new_pages)]:
            texts[page_key(pid)] = (_body(old_pages.get(pid)), _body(new_pages.get(pid)))
        out = diff_texts(texts)
        # texts that lost a block to another text changed, even when nothing else in them did
        self.moved_away = {p.moved_from for changes in out.values() for p in changes if p.moved_from}
        return out

    # ------------------------------------------------------------ items

    def item_change(self, ident: str) -> ItemChange | None:
        a, b = self.old_placed.get(ident), self.new_placed.get(ident)
        if a is None:
            if b is None:
                return None
            return ItemChange(
                ident,
                b.kind,
                "added",
                label(b.node),
                None,
                b.number,
                new_part=b.part.id,
                new_regulation=b.regulation.id,
                text=main_text(b.node),
            )
        if b is None:
            return ItemChange(
                ident,
                a.kind,
                "removed",
                label(a.node),
                a.number,
                None,
                old_part=a.part.id,
                old_regulation=a.regulation.id,
                text=main_text(a.node),
            )
        fields, params = compare_fields(a.node, b.node, lang=self.lang)
        if type(a.node) is not type(b.node):
            fields.insert(0, FieldChange("kind", "value", a.kind, b.kind))
        move: MoveKind | None = None
        if a.container != b.container:
            move = "relocated"
        elif a.number != b.number:
            move = "reordered" if ident in self.reordered else "renumbered"
        if not fields and not params and move is None:
            return None
        return ItemChange(
            ident,
            b.kind,
            "changed" if fields or params else "moved",
            label(b.node),
            a.number,
            b.number,
            move,
            a.part.id,
            b.part.id,
            a.regulation.id,
            b.regulation.id,
            tuple(fields),
            tuple(params),
            main_text(b.node),
        )

    def glossary_change(self, old: m.Term | m.Role | None, new: m.Term | m.Role | None, kind: str) -> ItemChange | None:
        if old is None:
            if new is None:
                return None
            return ItemChange(new.id, kind, "added", label(new), text=main_text(new))
        if new is None:
            return ItemChange(old.id, kind, "removed", label(old), text=main_text(old))
        fields, params = compare_fields(old, new, lang=self.lang)
        if not fields and not params:
            return None
        return ItemChange(
            new.id, kind, "changed", label(new), fields=tuple(fields), parameters=tuple(params), text=main_text(new)
        )

    # ------------------------------------------------------------ regulations

    def regulation_change(
        self, old: m.Regulation | None, new: m.Regulation | None, items_by_part: dict[PartKey, list[ItemChange]]
    ) -> RegulationChange | None:
        reg = new if new is not None else old
        if reg is None:
            return None
        old_parts = {p.id: (str(s), p) for s, p in enumerate(old.loaded_parts, 1)} if old is not None else {}
        new_parts = {p.id: (str(s), p) for s, p in enumerate(new.loaded_parts, 1)} if new is not None else {}
        parts: list[tuple[tuple[int, int], PartChange]] = []
        for pid in [*new_parts, *(p for p in old_parts if p not in new_parts)]:
            on, op = old_parts.get(pid, (None, None))
            nn, np_ = new_parts.get(pid, (None, None))
            items = items_by_part.get((reg.id, pid), [])
            change = self.part_change(text_key(reg.id, pid), pid, op, np_, on, nn, items)
            if change is not None:
                number = new_parts[pid][0] if pid in new_parts else old_parts[pid][0]
                parts.append(((int(number), 0 if nn else 1), change))
        parts.sort(key=lambda pair: pair[0])
        if old is None or new is None:
            fields: list[FieldChange] = []
        else:
            fields, params = compare_fields(old, new, lang=self.lang)
            fields += [FieldChange(p.field, "value", p.old, p.new) for p in params]
        if not parts and not fields and old is not None and new is not None:
            return None
        kind: Literal["added", "removed", "changed"] = (
            "added" if old is None else "removed" if new is None else "changed"
        )
        return RegulationChange(reg.id, kind, reg.title, tuple(fields), tuple(p for _, p in parts))

    def part_change(
        self,
        key: str,
        pid: str,
        old: m.Part | None,
        new: m.Part | None,
        old_number: str | None,
        new_number: str | None,
        items: list[ItemChange],
    ) -> PartChange | None:
        part = new if new is not None else old
        if part is None:
            return None
        if old is not None and new is not None:
            fields, params = compare_fields(old, new, lang=self.lang)
        else:
            fields, params = [], []
        paragraphs = self.paragraphs.get(key, ())
        for para in paragraphs:
            # numbers only between paragraphs paired as one (changed, or moved with edits inside)
            if para.change in ("changed", "moved") and changed(para.redline):
                params += [
                    ParameterChange("body", x, y, None, "text", ctx)
                    for x, y, ctx in number_changes(old_text(para.redline), new_text(para.redline), lang=self.lang)
                ]
        items = sorted(items, key=self._item_order)
        change: ChangeKind
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        elif fields or params or paragraphs or items or key in self.moved_away:
            change = "changed"
        elif old_number != new_number:
            change = "moved"
        else:
            return None
        return PartChange(
            pid,
            _part_kind(part),
            change,
            part.title,
            old_number,
            new_number,
            tuple(fields),
            tuple(params),
            tuple(items),
            paragraphs,
        )

    def _item_order(self, change: ItemChange) -> tuple[tuple[int, ...], int, tuple[int, ...]]:
        """New document order; a removed item right after the item that preceded it in the old edition."""
        if change.change != "removed":
            return (_number_key(change.new_number), 0, ())
        anchor = self.anchor.get(change.id)
        placed = self.new_placed.get(anchor) if anchor else None
        return (_number_key(placed.number) if placed else (), 1, _number_key(change.old_number))

    # ------------------------------------------------------------ impact

    def _reason(self, roles: Iterable[str], reason: ImpactReason) -> None:
        for role in roles:
            if role:
                self.reasons.setdefault(role, {})[(reason.kind, reason.regulation, reason.item, reason.change)] = reason

    def _audience(self, reg_id: str | None) -> list[str]:
        out: list[str] = []
        for content in (self.old, self.new):
            for reg in content.regulations:
                if reg.id == reg_id:
                    out += [r for r in reg.audience if r not in out]
        return out

    def _duty_roles(self, duty_ids: Iterable[str]) -> list[str]:
        out: list[str] = []
        for did in duty_ids:
            for placed in (self.old_placed.get(did), self.new_placed.get(did)):
                if placed is not None and isinstance(placed.node, m.Duty):
                    out += [r for r in duty_roles(placed.node) if r not in out]
        return out

    def item_impact(self, change: ItemChange) -> None:
        if change.change == "moved" and change.move != "relocated":
            return  # a new number alone changes nobody's work
        a, b = self.old_placed.get(change.id), self.new_placed.get(change.id)
        nodes = [p.node for p in (a, b) if p is not None]
        regs = list(dict.fromkeys(r for r in (change.new_regulation, change.old_regulation) if r))
        part_kinds = {_part_kind(p.part) for p in (a, b) if p is not None}

        def reason(kind: ImpactKind) -> ImpactReason:
            return ImpactReason(
                kind, regs[0] if regs else None, change.id, change.new_number or change.old_number, change.change
            )

        audience = [r for reg in regs for r in self._audience(reg)]
        if change.kind == "duty":
            roles = self._duty_roles([change.id])
            self._reason(roles or audience, reason("duty"))
        elif change.kind == "group":
            duties = [d.id for n in nodes for d in getattr(n, "duties", [])]
            self._reason(self._duty_roles(duties) or audience, reason("duty"))
        elif change.kind == "responsibility":
            # the old side may be another kind under the same id (a duty that became a responsibility clause)
            duties = [d for n in nodes if isinstance(n, m.Responsibility) for d in n.enforces]
            self._reason(self._duty_roles(duties) or audience, reason("responsibility"))
        elif "motivation" in part_kinds:
            self._reason(audience, reason("pay"))
        elif "schedule" in part_kinds:
            self._reason(audience, reason("schedule"))
        else:
            self._reason(audience, reason("other"))

    def part_impact(self, reg_id: str, part: PartChange) -> None:
        # text only moved, word for word, changes nobody's work (as a renumbered clause does not)
        edited = [p for p in part.paragraphs if p.change != "moved" or changed(p.redline)]
        if not (part.fields or part.parameters or edited) and part.change in ("changed", "moved"):
            return
        kind = _PART_IMPACT.get(part.kind, "other")
        self._reason(
            self._audience(reg_id), ImpactReason(kind, reg_id, part.id, part.new_number or part.old_number, part.change)
        )

    def regulation_impact(self, reg: RegulationChange) -> None:
        for f in reg.fields:
            if f.field == "audience":
                self._reason([*f.added, *f.removed], ImpactReason("audience", reg.id, reg.id, None, "changed"))
        if reg.change in ("added", "removed"):
            self._reason(self._audience(reg.id), ImpactReason("audience", reg.id, reg.id, None, reg.change))

    def impact(self) -> tuple[RoleImpact, ...]:
        names = {r.id: r.name for r in self.old.roles}
        names.update({r.id: r.name for r in self.new.roles})
        order = [r.id for r in self.new.roles] + [r.id for r in self.old.roles]
        ranked = {rid: i for i, rid in reversed(list(enumerate(order)))}
        out = []
        for role in sorted(self.reasons, key=lambda r: (ranked.get(r, len(ranked)), r)):
            out.append(RoleImpact(role, names.get(role, role), tuple(self.reasons[role].values())))
        return tuple(out)

    # ------------------------------------------------------------ all

    def run(self, old_side: Side, new_side: Side, company: str | None) -> Changes:
        # glossary and roles (not numbered: their order in the file is not part of the edition)
        terms = _pairs(self.old.terms, self.new.terms)
        term_changes = tuple(c for o, n in terms if (c := self.glossary_change(o, n, "term")) is not None)
        role_pairs = _pairs(self.old.roles, self.new.roles)
        role_changes = tuple(c for o, n in role_pairs if (c := self.glossary_change(o, n, "role")) is not None)
        for change in role_changes:
            if change.change == "changed":
                self._reason([change.id], ImpactReason("role", None, change.id, None, "changed"))

        # items, grouped by the part that shows them (the new one; the old one for removed items)
        items_by_part: dict[PartKey, list[ItemChange]] = {}
        for ident in [*self.new_placed, *(i for i in self.old_placed if i not in self.new_placed)]:
            item = self.item_change(ident)
            if item is None:
                continue
            self.item_impact(item)
            key = (item.new_regulation or item.old_regulation, item.new_part or item.old_part)
            items_by_part.setdefault(key, []).append(item)

        old_regs = {r.id: r for r in self.old.regulations}
        new_regs = {r.id: r for r in self.new.regulations}
        regulations = []
        for rid in [*new_regs, *(r for r in old_regs if r not in new_regs)]:
            reg = self.regulation_change(old_regs.get(rid), new_regs.get(rid), items_by_part)
            if reg is None:
                continue
            regulations.append(reg)
            self.regulation_impact(reg)
            for part in reg.parts:
                self.part_impact(reg.id, part)

        old_pages = {p.id: p for p in self.old.pages}
        new_pages = {p.id: p for p in self.new.pages}
        pages = []
        for pid in [*new_pages, *(p for p in old_pages if p not in new_pages)]:
            a, b = old_pages.get(pid), new_pages.get(pid)
            page = self.part_change(page_key(pid), pid, a, b, None, None, [])
            if page is not None:
                pages.append(
                    PartChange(
                        page.id,
                        "page",
                        page.change,
                        page.title,
                        None,
                        None,
                        page.fields,
                        page.parameters,
                        (),
                        page.paragraphs,
                    )
                )

        return Changes(
            old_side, new_side, company, term_changes, role_changes, tuple(regulations), tuple(pages), self.impact()
        )


def _pairs(old: list[Identified], new: list[Identified]) -> list[tuple[Identified | None, Identified | None]]:
    """(old, new) by id: the new order first, then what only the old side has."""
    old_by = {x.id: x for x in reversed(old)}
    new_by = {x.id: x for x in reversed(new)}
    ids = list(dict.fromkeys([x.id for x in new] + [x.id for x in old]))
    return [(old_by.get(i), new_by.get(i)) for i in ids]


def _number_key(number: str | None) -> tuple[int, ...]:
    return tuple(int(x) for x in number.split(".")) if number else ()


def compare_editions(
    old: Content,
    new: Content,
    *,
    old_side: Side | None = None,
    new_side: Side | None = None,
    company: str | None = None,
    lang: str = "ru",
) -> Changes:
    """What changed from ``old`` to ``new``: a :class:`Changes` value (pure: same inputs, same value).

    ``lang`` is the content's language, for reading numbers in texts (``ru``: «3,5», «1 200 000»;
    ``en``: «3,500», «3.5»).
    """
    return Comparer(old, new, lang=lang).run(old_side or Side("old"), new_side or Side("new"), company)


__all__ = ["compare_editions", "compare_fields", "placements", "plain"]
