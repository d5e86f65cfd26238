"""What the reader's pages show, computed from the content: a role's duties,
deadlines, responsibility and interactions with other roles; the RACI matrix;
where each term and item is used.

Pure functions over :class:`~reglament.content.Content`; the templates only
lay the results out. Role letters follow RACI: R performs, A answers for the
result, C is consulted, I is informed. A duty's ``role`` counts as R.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from reglament import ru
from reglament.model import nodes as m
from reglament.model.content import Content, Item
from reglament.model.references import find_refs
from reglament.morphology import Mention

RACI_ORDER = ("R", "A", "C", "I")

N = TypeVar("N", bound=m.Node)


def node_of(item: Item, kind: type[N]) -> N:
    """``item.node`` as the model class its kind guarantees (a duty item holds a :class:`~reglament.model.nodes.Duty`);
    a mismatch is a bug in the index, not bad input, and raises :class:`TypeError`."""
    node = item.node
    if not isinstance(node, kind):
        raise TypeError(f"{item.kind} {item.id!r} holds a {type(node).__name__}, not a {kind.__name__}")
    return node


def regulation_of(item: Item) -> m.Regulation:
    """The regulation that holds ``item`` (a clause, duty or other item of a regulation's parts)."""
    if item.regulation is None:
        raise TypeError(f"{item.kind} {item.id!r} belongs to no regulation")
    return item.regulation


#: what each letter means, for legends and tooltips
RACI_LABELS = {
    "R": "исполняет",
    "A": "отвечает за результат",
    "C": "согласует",
    "I": "информируется",
}


def raci_of(duty: m.Duty) -> dict[str, tuple[str, ...]]:
    """Role id → its RACI letters for ``duty``, in R, A, C, I order (roles in order of first appearance)."""
    found: dict[str, list[str]] = {}

    def add(role_id: str | None, letter: str) -> None:
        if role_id:
            letters = found.setdefault(role_id, [])
            if letter not in letters:
                letters.append(letter)

    add(duty.role, "R")
    if duty.raci:
        for rid in duty.raci.responsible:
            add(rid, "R")
        add(duty.raci.accountable, "A")
        for rid in duty.raci.consulted:
            add(rid, "C")
        for rid in duty.raci.informed:
            add(rid, "I")
    return {rid: tuple(sorted(letters, key=RACI_ORDER.index)) for rid, letters in found.items()}


def mentioned_roles(content: Content, duty: m.Duty) -> list[str]:
    """Role ids a duty's text or deadline references with ``[[role]]``."""
    out: list[str] = []
    for text in (duty.text, duty.deadline or ""):
        for ref in find_refs(text):
            item = content.get(ref.target)
            if item is not None and item.kind == "role" and ref.target not in out:
                out.append(ref.target)
    return out


def duty_groups(content: Content) -> dict[str, m.DutyGroup]:
    """Duty id → the group that holds it (ungrouped duties are absent)."""
    groups: dict[str, m.DutyGroup] = {}
    for reg in content.regulations:
        for part in reg.loaded_parts:
            if isinstance(part, m.DutiesPart):
                for group in part.groups:
                    for duty in group.duties:
                        groups.setdefault(duty.id, group)
    return groups


# --------------------------------------------------------------------------- role page


@dataclass
class DutyEntry:
    """A duty as seen from one role: the role's letters in it."""

    item: Item
    letters: tuple[str, ...]
    group: m.DutyGroup | None = None

    @property
    def duty(self) -> m.Duty:
        return node_of(self.item, m.Duty)

    @property
    def performs(self) -> bool:
        return "R" in self.letters


@dataclass
class DutyGroupView:
    """Consecutive duties of one group (or ungrouped: ``group`` is None)."""

    group: m.DutyGroup | None
    entries: list[DutyEntry] = field(default_factory=list)


@dataclass
class RegulationDuties:
    """A role's duties in one regulation: those it performs (by group) and those it takes part in."""

    regulation: m.Regulation
    performs: list[DutyGroupView] = field(default_factory=list)
    participates: list[DutyEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(g.entries) for g in self.performs) + len(self.participates)


@dataclass
class Relation:
    """A regulation and why it concerns a role."""

    regulation: m.Regulation
    why: list[str]


@dataclass
class ResponsibilityView:
    """A responsibility clause that enforces some of the role's duties, with the bonus reductions tied to it."""

    item: Item
    duties: list[Item]
    reductions: list[Item]


@dataclass
class InteractionEntry:
    """One duty that links two roles: who does what in it."""

    item: Item
    giver_letters: tuple[str, ...]  # letters of the role that gives (empty: mentioned in the text)
    taker_letters: tuple[str, ...]


@dataclass
class Interaction:
    """What another role owes this role, and what this role owes it."""

    other: m.Role
    from_other: list[InteractionEntry] = field(default_factory=list)
    to_other: list[InteractionEntry] = field(default_factory=list)


@dataclass
class RoleView:
    role: m.Role
    reports_to: m.Role | None
    subordinates: list[m.Role]
    regulations: list[Relation]
    duties: list[RegulationDuties]
    deadlines: list[DutyEntry]
    responsibility: list[ResponsibilityView]
    interactions: list[Interaction]

    @property
    def duty_count(self) -> int:
        return sum(rd.count for rd in self.duties)

    @property
    def performed_count(self) -> int:
        return sum(len(g.entries) for rd in self.duties for g in rd.performs)


def _gives(giver: tuple[str, ...], taker: tuple[str, ...], taker_mentioned: bool) -> bool:
    """Does the role with ``giver`` letters owe something to the role with ``taker`` letters in a duty?

    The performer (R) owes the result to A, a report to I and — when the text names it —
    whatever the text says to a mentioned role; A and C owe the performer a decision or
    an approval.
    """
    if "R" in giver and (set(taker) & {"A", "I"} or taker_mentioned):
        return True
    return "R" in taker and bool(set(giver) & {"A", "C"})


@dataclass
class DutyIndex:
    """Every duty's RACI letters and the roles its text names, computed once for all role pages."""

    entries: list[tuple[Item, dict[str, tuple[str, ...]], list[str]]]
    #: role id → positions in ``entries`` of the duties the role takes part in or is named by, in order
    by_role: dict[str, list[int]]
    groups: dict[str, m.DutyGroup]
    # what every role page looks up, indexed once per render rather than scanned per role:
    roles: dict[str, m.Role] = field(default_factory=dict)
    role_order: dict[str, int] = field(default_factory=dict)
    regulation_order: dict[str, int] = field(default_factory=dict)
    subordinates: dict[str, list[m.Role]] = field(default_factory=dict)
    #: the responsibility items in order, and for each duty id the positions of those that enforce it
    responsibilities: list[Item] = field(default_factory=list)
    enforcing: dict[str, list[int]] = field(default_factory=dict)
    reductions: dict[str, list[Item]] = field(default_factory=dict)


def duty_index(content: Content) -> DutyIndex:
    entries: list[tuple[Item, dict[str, tuple[str, ...]], list[str]]] = []
    by_role: dict[str, list[int]] = {}
    for item in content.items("duty"):
        duty = node_of(item, m.Duty)
        letters = raci_of(duty)
        mentioned = mentioned_roles(content, duty)
        for rid in dict.fromkeys([*letters, *mentioned]):
            by_role.setdefault(rid, []).append(len(entries))
        entries.append((item, letters, mentioned))
    subordinates: dict[str, list[m.Role]] = {}
    for r in content.roles:
        if r.reports_to:
            subordinates.setdefault(r.reports_to, []).append(r)
    responsibilities = content.items("responsibility")
    enforcing: dict[str, list[int]] = {}
    for position, resp in enumerate(responsibilities):
        for duty_id in dict.fromkeys(node_of(resp, m.Responsibility).enforces):
            enforcing.setdefault(duty_id, []).append(position)
    reductions: dict[str, list[Item]] = {}
    for red in content.items("reduction"):
        reductions.setdefault(node_of(red, m.Reduction).responsibility, []).append(red)
    return DutyIndex(
        entries,
        by_role,
        duty_groups(content),
        roles={r.id: r for r in content.roles},
        role_order={r.id: i for i, r in enumerate(content.roles)},
        regulation_order={reg.id: i for i, reg in enumerate(content.regulations)},
        subordinates=subordinates,
        responsibilities=responsibilities,
        enforcing=enforcing,
        reductions=reductions,
    )


def role_view(content: Content, role: m.Role, *, index: DutyIndex | None = None) -> RoleView:
    """Everything the role page shows about ``role``.

    ``index`` (:func:`duty_index`) is shared by the role pages of one render: only
    the duties a role takes part in or is named by are visited (a duty that does
    neither adds nothing to the page), so a site's role pages cost its duties once,
    not once per role.
    """
    index = index or duty_index(content)
    roles = index.roles
    groups = index.groups

    duties_by_reg: dict[str, RegulationDuties] = {}
    mine: list[DutyEntry] = []
    interactions: dict[str, Interaction] = {}
    for position in index.by_role.get(role.id, ()):
        item, letters, mentioned = index.entries[position]
        own = letters.get(role.id, ())
        if own:
            entry = DutyEntry(item, own, groups.get(item.id))
            mine.append(entry)
            reg = regulation_of(item)
            rd = duties_by_reg.get(reg.id)
            if rd is None:
                rd = duties_by_reg[reg.id] = RegulationDuties(reg)
            if entry.performs:
                if not rd.performs or rd.performs[-1].group is not entry.group:
                    rd.performs.append(DutyGroupView(entry.group))
                rd.performs[-1].entries.append(entry)
            else:
                rd.participates.append(entry)
        for other_id, other_letters in letters.items():
            if other_id == role.id or other_id not in roles:
                continue
            inter = interactions.setdefault(other_id, Interaction(roles[other_id]))
            if _gives(other_letters, own, role.id in mentioned):
                inter.from_other.append(InteractionEntry(item, other_letters, own))
            if _gives(own, other_letters, other_id in mentioned):
                inter.to_other.append(InteractionEntry(item, own, other_letters))
        # another role named in the text of a duty this role performs, taking no RACI part in it:
        # this role owes it what the text says (the reverse case is covered above: ``own`` is empty)
        if "R" in own:
            for other_id in mentioned:
                if other_id in letters or other_id == role.id or other_id not in roles:
                    continue
                inter = interactions.setdefault(other_id, Interaction(roles[other_id]))
                inter.to_other.append(InteractionEntry(item, own, ()))

    order = index.role_order
    interaction_list = sorted(
        (i for i in interactions.values() if i.from_other or i.to_other),
        key=lambda i: order.get(i.other.id, len(order)),
    )

    reg_order = index.regulation_order
    duties = sorted(duties_by_reg.values(), key=lambda rd: reg_order[rd.regulation.id])

    relations = []
    for reg in content.regulations:
        why = []
        if role.id in reg.audience:
            why.append("распространяется на роль")
        if reg.owner == role.id:
            why.append("владелец регламента")
        if reg.approver == role.id:
            why.append("утверждает регламент")
        if reg.id in duties_by_reg:
            why.append("обязанности роли")
        if why:
            relations.append(Relation(reg, why))

    responsible_ids = {e.item.id for e in mine if set(e.letters) & {"R", "A"}}
    responsibility = []
    # only the responsibility items that enforce one of this role's duties, in their order
    for position in sorted({p for d in responsible_ids for p in index.enforcing.get(d, ())}):
        resp = index.responsibilities[position]
        enforces = node_of(resp, m.Responsibility).enforces
        enforced = [content.index[d] for d in enforces if d in responsible_ids and d in content.index]
        if enforced:
            responsibility.append(ResponsibilityView(resp, enforced, index.reductions.get(resp.id, [])))

    deadlines = sorted(
        (e for e in mine if e.performs and e.duty.deadline),
        key=lambda e: (e.duty.deadline_minutes is None, e.duty.deadline_minutes or 0),
    )

    return RoleView(
        role=role,
        reports_to=roles.get(role.reports_to or ""),
        subordinates=list(index.subordinates.get(role.id, ())),
        regulations=relations,
        duties=duties,
        deadlines=deadlines,
        responsibility=responsibility,
        interactions=interaction_list,
    )


# --------------------------------------------------------------------------- RACI matrix


@dataclass
class RaciRow:
    item: Item
    letters: dict[str, tuple[str, ...]]
    group: m.DutyGroup | None

    @property
    def shared(self) -> bool:
        return node_of(self.item, m.Duty).raci is not None


@dataclass
class RaciSection:
    regulation: m.Regulation
    rows: list[RaciRow] = field(default_factory=list)
    #: the section's columns: the roles taking part in its duties (all roles of a large site would make
    #: every section's table as wide as the whole company, and the page grow as duties × roles)
    roles: list[m.Role] = field(default_factory=list)


@dataclass
class RaciMatrix:
    roles: list[m.Role]
    sections: list[RaciSection]

    @property
    def rows(self) -> list[RaciRow]:
        return [row for s in self.sections for row in s.rows]

    @property
    def shared(self) -> list[RaciRow]:
        return [row for s in self.sections for row in s.rows if row.shared]

    @property
    def without_accountable(self) -> list[RaciRow]:
        return [
            row for row in self.shared if (raci := node_of(row.item, m.Duty).raci) is not None and not raci.accountable
        ]


def raci_matrix(content: Content) -> RaciMatrix:
    """Roles × duties: every duty of every regulation with each role's letters.

    Columns are the roles that take part in at least one duty, in the order of `roles.yml`
    (``matrix.roles``; each section's own: ``section.roles``).
    """
    groups = duty_groups(content)
    sections: dict[str, RaciSection] = {}
    used: set[str] = set()
    for item in content.items("duty"):
        letters = raci_of(node_of(item, m.Duty))
        used.update(letters)
        reg = regulation_of(item)
        section = sections.get(reg.id)
        if section is None:
            section = sections[reg.id] = RaciSection(reg)
        section.rows.append(RaciRow(item, letters, groups.get(item.id)))
    reg_order = {reg.id: i for i, reg in enumerate(content.regulations)}
    for section in sections.values():
        taking_part = {rid for row in section.rows for rid in row.letters}
        section.roles = [r for r in content.roles if r.id in taking_part]
    return RaciMatrix(
        roles=[r for r in content.roles if r.id in used],
        sections=sorted(sections.values(), key=lambda s: reg_order[s.regulation.id]),
    )


# --------------------------------------------------------------------------- where used


def usage(
    content: Content,
    mentions: Callable[[str], Iterable[Mention]] | None = None,
    *,
    referenced: dict[int, set[str]] | None = None,
) -> dict[str, list[Item]]:
    """Id → the items whose text uses it: by an explicit ``[[id]]`` reference or, for terms,
    by a mention in any word form (when ``mentions`` is given: a text → its term mentions, such as
    ``Renderer.term_mentions``). Source order, once each;
    an item never lists itself.

    ``referenced``, when given, is filled in the same pass over the texts: ``id(regulation)`` → every id
    the regulation's texts reference with ``[[…]]`` (what a terms part without its own list shows)."""
    used: dict[str, list[Item]] = {}
    listed: dict[str, set[int]] = {}  # ids of the items already listed per target (Item equality compares models)
    for text in content.texts():
        refs = [ref.target for ref in find_refs(text.text)] if "[[" in text.text else []
        if referenced is not None and refs and text.regulation is not None:
            referenced.setdefault(id(text.regulation), set()).update(refs)
        owner = text.owner
        if owner is None:
            continue
        targets = refs
        if mentions is not None:
            targets = [*refs, *(mention.term_id for mention in mentions(text.text))]
        for target in targets:
            if target == owner.id:
                continue
            seen = listed.setdefault(target, set())
            if id(owner) not in seen:
                seen.add(id(owner))
                used.setdefault(target, []).append(owner)
    return used


# --------------------------------------------------------------------------- working day


def clock_minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def duration_text(minutes: int) -> str:
    """«1 ч 30 мин», «45 мин», «2 ч»."""
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours}\u00a0ч"] if hours else []) + ([f"{rest}\u00a0мин"] if rest or not hours else [])
    return " ".join(parts)


@dataclass
class TimelineBlock:
    block: m.TimeBlock
    left: float  # percent of the day's span
    width: float
    duration: str


@dataclass
class Timeline:
    start: str
    end: str
    blocks: list[TimelineBlock]
    hours: list[tuple[str, float]]  # hour marks: label, percent
    work: str  # working time without breaks
    breaks: str


def timeline(part: m.SchedulePart) -> Timeline:
    """The daily routine laid out on the span from the earliest to the latest time (hours or blocks)."""
    starts = [clock_minutes(b.start) for b in part.routine] + [clock_minutes(part.hours.start)]
    ends = [clock_minutes(b.end) for b in part.routine] + [clock_minutes(part.hours.end)]
    first, last = min(starts), max(ends)
    span = max(last - first, 1)
    blocks = []
    work = breaks = 0
    for b in part.routine:
        s, e = clock_minutes(b.start), clock_minutes(b.end)
        length = max(e - s, 0)
        if b.is_break:
            breaks += length
        else:
            work += length
        blocks.append(
            TimelineBlock(b, round(100 * (s - first) / span, 3), round(100 * length / span, 3), duration_text(length))
        )
    marks = []
    hour = -(-first // 60) * 60
    while hour <= last:
        marks.append((f"{hour // 60:02d}:00", round(100 * (hour - first) / span, 3)))
        hour += 60
    return Timeline(
        f"{first // 60:02d}:{first % 60:02d}",
        f"{last // 60:02d}:{last % 60:02d}",
        blocks,
        marks,
        duration_text(work),
        duration_text(breaks),
    )


def group_uses(items: list[Item]) -> list[tuple[str, list[Item]]]:
    """Where-used items grouped under a label: the regulation's short title, or «Глоссарий», «Роли», «Страницы»."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        if item.regulation is not None:
            label = item.regulation.short_title or item.regulation.title
        else:
            label = {"term": "Глоссарий", "role": "Роли"}.get(item.kind, "Страницы")
        groups.setdefault(label, []).append(item)
    return list(groups.items())


def term_sort_key(term: m.Term) -> tuple[int, str]:
    """Russian glossary order: Cyrillic terms alphabetically (ё as е), then Latin ones («CRM-система»)."""
    name = term.term.lower().replace("ё", "е")
    return (0 if re.match("[а-я]", name) else 1, name)


def letter_index(terms: list[m.Term]) -> list[tuple[str, str]]:
    """(first letter, id of the first term starting with it), for the glossary's alphabet bar."""
    out: list[tuple[str, str]] = []
    for term in terms:
        letter = term.term[:1].upper().replace("Ё", "Е")
        if not out or out[-1][0] != letter:
            out.append((letter, term.id))
    return out


# --------------------------------------------------------------------------- page splitting
#
# A page of a large site must not grow with the site: the glossary with every term's
# where-used list (6.5 MB of Markdown at 10,000 clauses) and the RACI matrix of every
# duty (1.7 MB) are split when they outgrow one page — the glossary by first letter
# (a letter with many terms into several pages), the RACI matrix by regulation.

#: a glossary page holds terms up to this weight: 3 per term (heading, definition, synonyms) + 1 per where-used link;
#: a where-used link with its tooltip is ~0.35 KB, so a page stays near 350 KB whatever the site's size
GLOSSARY_PAGE_WEIGHT = 1000
#: the RACI matrix is one page up to this many duties, then one page per regulation
RACI_PAGE_ROWS = 400


@dataclass
class GlossaryChunk:
    """One page of a split glossary: terms of one first letter (or a run of them, when the letter is large)."""

    letter: str
    slug: str
    terms: list[m.Term]
    part: int = 1  # the letter's page number, when it has several
    parts: int = 1

    @property
    def title(self) -> str:
        return self.letter if self.parts == 1 else f"{self.letter} ({self.part})"

    @property
    def path(self) -> str:
        return f"glossary/{self.slug}.md"


def term_letter(term: m.Term) -> str:
    """The letter a term is filed under in the alphabet bar (Ё under Е)."""
    return term.term[:1].upper().replace("Ё", "Е") or "?"


def letter_slug(letter: str) -> str:
    """The page name of a glossary letter: ASCII, so URLs stay readable when copied (``ru.translit``'s
    ``letters`` system: «Э» → ``eh``); a letter with no Latin spelling by its code point (``u00e9``)."""
    slug = ru.translit(letter, "letters")
    return slug if re.fullmatch(r"[a-z0-9]+", slug) else f"u{ord(letter):04x}"


def glossary_chunks(
    terms: list[m.Term], used_in: dict[str, list[Item]], *, budget: int | None = None
) -> list[GlossaryChunk]:
    """``terms`` (in glossary order) as pages: none when the whole glossary fits on one page, otherwise
    one page per first letter, a letter heavier than ``budget`` over several consecutive pages."""

    budget = GLOSSARY_PAGE_WEIGHT if budget is None else budget

    def weight(term: m.Term) -> int:
        return 3 + len(used_in.get(term.id, ()))

    if sum(weight(t) for t in terms) <= budget:
        return []
    by_letter: dict[str, list[m.Term]] = {}
    for term in terms:
        by_letter.setdefault(term_letter(term), []).append(term)
    chunks: list[GlossaryChunk] = []
    slugs: set[str] = set()
    for letter, group in by_letter.items():
        runs: list[list[m.Term]] = [[]]
        load = 0
        for term in group:
            if runs[-1] and load + weight(term) > budget:
                runs.append([])
                load = 0
            runs[-1].append(term)
            load += weight(term)
        base = letter_slug(letter)
        while base in slugs:  # a guard: letters never share a transliteration above
            base += "x"
        slugs.add(base)
        for n, run in enumerate(runs, 1):
            slug = base if n == 1 else f"{base}-{n}"
            chunks.append(GlossaryChunk(letter, slug, run, n, len(runs)))
    return chunks


def raci_split(matrix: RaciMatrix, *, limit: int | None = None) -> bool:
    """Whether the RACI matrix goes on one page per regulation (more than ``limit`` duties in all)."""
    return len(matrix.rows) > (RACI_PAGE_ROWS if limit is None else limit)


def raci_page(regulation_id: str) -> str:
    return f"roles/raci/{regulation_id}.md"
