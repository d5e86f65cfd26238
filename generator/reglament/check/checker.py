"""Run every registered rule over loaded content and collect all diagnostics."""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from reglament.check.rules import RULES
from reglament.check.rules.broken_reference import unclosed
from reglament.check.rules.unknown_reference import id_fields
from reglament.diagnostics import Diagnostic, Position
from reglament.model import nodes as m
from reglament.model.content import Content, Item, TextField
from reglament.model.profile import param_infos
from reglament.model.references import Ref, blank, find_refs, mask_code, mask_for_terms
from reglament.morphology import Mention, Morph, TermMatcher
from reglament.perf import fewer_gc_passes
from reglament.source.cache import SourceCache

if TYPE_CHECKING:
    from reglament.variant.resolve import Removal, Variant


class MentionMemo:
    """The term mentions of each text for one glossary, kept between runs in ``.reglament-cache/``.

    Finding mentions (the morphology of every word) is the largest part of a
    check; a text's mentions depend only on its own characters, the glossary's
    matching fields and the tool (the morphology dictionary's version is part of
    the cache's tool digest). So a check after an edit finds them only in the
    texts that changed — and when none did, the morphology dictionary is not
    even loaded. One slot: a changed glossary starts it afresh; texts no
    longer present are dropped when it is saved.

    A second slot (:data:`WORDS`) keeps what the morphology answered — the lemmas of every word form analysed
    and the noun paradigms the search's word forms asked for (they depend on the dictionary alone) — so that
    an edited text needs the dictionary only for words never seen, and a build whose words are all known
    (its check, its term links, its search forms) never loads it: :meth:`recall` and :meth:`keep_words`.
    Both slots are entries of the source cache: signed with the user's key, so an entry that came with the
    project (a pull request can write ``.reglament-cache/``) fails verification and is never unpickled.
    """

    SLOT = "memo-mentions"
    WORDS = "memo-words"

    def __init__(self, store: SourceCache, terms: Sequence[TermKey], morph: Morph) -> None:
        self.store = store
        self.morph = morph
        glossary = repr([(t.id, t.match, t.term, t.synonyms, t.forms, t.abbreviation) for t in terms])
        self.glossary = hashlib.sha256(glossary.encode()).hexdigest()
        hit, value = store.get(self.SLOT)
        kept: dict[bytes, tuple[tuple[int, int, str], ...]] = {}
        if hit and isinstance(value, tuple) and len(value) == 2 and value[0] == self.glossary:
            kept = value[1]
        self.recall(store, morph)
        self._kept = kept
        self._now: dict[bytes, tuple[tuple[int, int, str], ...]] = {}
        self.found = 0

    @classmethod
    def recall(cls, store: SourceCache, morph: Morph) -> None:
        """Give ``morph`` the words kept in ``store`` (once per store and instance; the ones it knows win)."""
        if not store.enabled or str(store.folder) in morph.kept:
            return
        hit, value = store.get(cls.WORDS)
        stored = -1  # nothing kept there: any word is worth writing
        if hit and isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, dict) for v in value):
            morph.remember(value[0], value[1])
            stored = len(value[0]) + len(value[1])
        # what the store holds: when ``morph`` knew words it does not, its size is larger and they get written
        morph.kept[str(store.folder)] = stored

    @classmethod
    def keep_words(cls, store: SourceCache, morph: Morph) -> None:
        """Store ``morph``'s words in ``store`` when it learnt some since it read or wrote them there."""
        if not store.enabled:
            return
        cls.recall(store, morph)  # (what is kept there is not lost by this write)
        where = str(store.folder)
        if morph.kept.get(where) != morph.size:
            store.put(cls.WORDS, (dict(morph.known), dict(morph.nouns)))
            morph.kept[where] = morph.size

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def get(self, key: bytes) -> list[Mention] | None:
        stored = self._kept.get(key)
        if stored is None:
            return None
        self._now[key] = stored
        new = tuple.__new__
        return [new(Mention, mention) for mention in stored]

    def add(self, key: bytes, mentions: list[Mention]) -> None:
        self._now[key] = tuple((x.start, x.end, x.term_id) for x in mentions)
        self.found += 1

    def save(self, *, every_text: bool = True) -> None:
        """Store the mentions of this run's texts (only when some were found afresh or some dropped), and the
        words the morphology learnt.

        ``every_text``: this run saw every text of the model, so the others are dropped; else (a check of
        some partitions only) the mentions kept from before stay beside this run's.
        """
        if not every_text:
            if self.found:
                self.store.put(self.SLOT, (self.glossary, {**self._kept, **self._now}))
        elif self.found or len(self._now) != len(self._kept):
            self.store.put(self.SLOT, (self.glossary, self._now))
        self.keep_words(self.store, self.morph)


#: the partition of everything outside ``content/regulations/<folder>/`` (glossary, roles, pages, editions,
#: profiles, page templates); :mod:`reglament.check.incremental` keys the others by their folder
GLOBAL_PART = ""


@dataclass(frozen=True)
class TermKey:
    """What the term matcher and the messages need of one glossary term (kept between runs, small)."""

    id: str
    match: str
    term: str
    synonyms: tuple[str, ...]
    forms: tuple[str, ...]
    abbreviation: str | None

    @classmethod
    def of(cls, term: m.Term) -> TermKey:
        return cls(term.id, term.match, term.term, tuple(term.synonyms), tuple(term.forms), term.abbreviation)


@dataclass
class Exports:
    """What one partition of the model tells the others and the whole-model rules.

    A partition is the whole model, or (see :mod:`reglament.check.incremental`)
    one regulation's folder, or everything else. The rules that judge one
    partition read the others only through the :class:`World` made of every
    partition's exports; the whole-model rules (``check_whole``) read only these.
    """

    items: list[tuple[str, str]]
    """(id, kind) of every item, duplicates included, in index order (their positions: :meth:`position`)."""
    wanted: set[str]
    """The ids its texts and id fields name (what it looks up in the world)."""
    used_terms: set[str]
    """Ids referenced by its texts other than from the referenced item itself."""
    rules: list[tuple[int, tuple[str, ...]]]
    """(index in ``items``, categories it applies to) of each data rule."""
    categories: list[tuple[int, bool]]
    """(index in ``items``, whether its file lost items to errors) of each data category."""
    used_params: set[str]
    """Parameters its texts use (for the partition holding the profiles: their overrides' too)."""
    broken: dict[str, str | None]
    broken_refs: set[str]
    broken_params: set[str]
    removed: dict[str, Removal]
    terms: list[TermKey]
    approved: dt.date | None
    """The latest approval date among the editions it lists."""
    params: list[tuple[str, str, int, int]] | None
    """(name, file, line, column) of the parameters of the variant's values (None: not this partition's)."""
    positions: list[tuple[str, int, int]] | None = None
    """Each item's position as (file, line, column), once :meth:`freeze` computed them."""
    nodes: list[Item] | None = field(default=None, repr=False, compare=False)
    """The items themselves, until :meth:`freeze` (most positions are never asked for in one run)."""

    def position(self, i: int) -> Position:
        if self.positions is not None:
            return Position(*self.positions[i])
        assert self.nodes is not None
        return self.nodes[i].position

    def freeze(self) -> Exports:
        """Every position computed, the items let go (what is kept between runs)."""
        if self.positions is None and self.nodes is not None:
            self.positions = [(p.file, p.line, p.column) for p in (it.position for it in self.nodes)]
        self.nodes = None
        return self

    def __getstate__(self) -> dict[str, object]:
        return self.freeze().__dict__


@dataclass
class World:
    """What the rules of one partition know of the whole model."""

    kinds: dict[str, str]
    """Every id (its first occurrence, in index order) → its kind."""
    owners: dict[str, str] | None
    """Id → the partition of its first occurrence; None when the whole model is one partition."""
    broken: dict[str, str | None]
    removed: dict[str, Removal]
    terms: list[TermKey]
    term_names: dict[str, str]
    approved: dt.date | None
    _matchers: dict[int, tuple[Morph, TermMatcher]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def merge(cls, parts: Iterable[tuple[str, Exports]], *, partitioned: bool) -> World:
        kinds: dict[str, str] = {}
        owners: dict[str, str] = {}
        broken: dict[str, str | None] = {}
        removed: dict[str, Removal] = {}
        terms: list[TermKey] = []
        approved: dt.date | None = None
        for key, ex in parts:
            for ident, kind in ex.items:
                if ident not in kinds:
                    kinds[ident] = kind
                    owners[ident] = key
            for ident, what in ex.broken.items():
                broken.setdefault(ident, what)
            for ident, gone in ex.removed.items():
                removed.setdefault(ident, gone)
            terms.extend(ex.terms)
            if ex.approved is not None and (approved is None or ex.approved > approved):
                approved = ex.approved
        broken = {ident: what for ident, what in broken.items() if ident not in kinds}
        names: dict[str, str] = {}
        for t in terms:
            names.setdefault(t.id, t.term)
        return cls(kinds, owners if partitioned else None, broken, removed, terms, names, approved)

    @cached_property
    def glossary(self) -> str:
        """A digest of what the term mentions and their messages depend on."""
        return hashlib.sha256(repr(self.terms).encode()).hexdigest()

    @cached_property
    def pool(self) -> str:
        """A digest of every id and its kind (what a did-you-mean chooses from)."""
        return hashlib.sha256(repr(list(self.kinds.items())).encode()).hexdigest()

    def matcher(self, morph: Morph) -> TermMatcher:
        """The glossary's term matcher (one per world and morphology: every partition shares it)."""
        made = self._matchers.get(id(morph))
        if made is None or made[0] is not morph:
            made = self._matchers[id(morph)] = (morph, TermMatcher(self.terms, morph))
        return made[1]

    def lookup(self, ident: str) -> tuple[object, ...]:
        """All the world says about one id (a partition's check depends on this for each id it names)."""
        gone = self.removed.get(ident)
        return (
            self.kinds.get(ident),
            self.owners.get(ident) if self.owners is not None else None,
            ident in self.broken,
            (gone.reason, gone.by) if gone is not None else None,
        )


@dataclass
class Whole:
    """Every partition's exports put together: what the whole-model rules (``check_whole``) read."""

    world: World
    items: list[tuple[str, str]]
    first: dict[str, int]
    """Id → index in ``items`` of its first occurrence (the item the index holds)."""
    used_terms: set[str]
    broken_refs: set[str]
    broken_params: set[str]
    used_params: set[str]
    rules: list[tuple[int, tuple[str, ...]]]
    categories: list[tuple[int, bool]]
    params: list[tuple[str, str, int, int]] | None
    offsets: list[tuple[int, Exports]] = field(default_factory=list)
    """(index in ``items`` of its first item, exports) of each partition."""

    @classmethod
    def of(cls, parts: list[tuple[str, Exports]], world: World) -> Whole:
        items: list[tuple[str, str]] = []
        first: dict[str, int] = {}
        whole = cls(world, items, first, set(), set(), set(), set(), [], [], None)
        for _key, ex in parts:
            offset = len(items)
            whole.offsets.append((offset, ex))
            for i, (ident, _kind) in enumerate(ex.items, offset):
                first.setdefault(ident, i)
            items.extend(ex.items)
            whole.used_terms |= ex.used_terms
            whole.broken_refs |= ex.broken_refs
            whole.broken_params |= ex.broken_params
            whole.used_params |= ex.used_params
            whole.rules.extend((offset + i, cats) for i, cats in ex.rules)
            whole.categories.extend((offset + i, lost) for i, lost in ex.categories)
            if ex.params is not None:
                whole.params = ex.params
        return whole

    def position(self, i: int) -> Position:
        """The position of item ``i`` of :attr:`items`."""
        n = bisect_right(self.offsets, i, key=lambda o: o[0]) - 1
        offset, ex = self.offsets[n]
        return ex.position(i - offset)

    def items_of(self, kind: str) -> list[tuple[str, Position]]:
        """(id, position) of the items of one kind the index holds (first occurrences), in index order."""
        items = self.items
        return [(ident, self.position(i)) for ident, i in self.first.items() if items[i][1] == kind]


@dataclass
class Context:
    """What rules share: the content, and analyses computed once per run.

    ``part`` names the partition checked (None: the whole model); the rules read
    the rest of the model only through :attr:`world`.
    """

    content: Content
    morph: Morph = field(default_factory=Morph)
    variant: Variant | None = None
    """The resolved variant (base or a company) when checking one; None for plain content."""
    today: dt.date = field(default_factory=dt.date.today)
    """The clock of date-dependent rules (review cycles): passed in, so that a rule never reads it itself."""
    memo: MentionMemo | None = None
    """Term mentions kept from earlier runs (None: find every text's afresh)."""
    part: str | None = None
    given_world: World | None = None
    pooled: bool = False
    """Set when a rule looked at every id of the world (a did-you-mean): the result depends on all of them."""

    @cached_property
    def world(self) -> World:
        if self.given_world is not None:
            return self.given_world
        return World.merge([(GLOBAL_PART, self.exports)], partitioned=False)

    def items(self, kind: str) -> list[Item]:
        """The items of one kind that this partition holds and the index keeps (first occurrences)."""
        found = self.content.items(kind)
        owners = self.world.owners if self.part is not None else None
        if owners is None:
            return found
        return [it for it in found if owners.get(it.id) == self.part]

    def nearest_pool(self, kind: str | None) -> list[str]:
        self.pooled = True
        return [i for i, k in self.world.kinds.items() if kind is None or k == kind]

    @cached_property
    def texts(self) -> list[TextField]:
        return list(self.content.texts())

    @cached_property
    def refs_in(self) -> list[list[Ref]]:
        """The references of each text, in the order of :attr:`texts`."""
        return [find_refs(text.text) if "[[" in text.text else [] for text in self.texts]

    @cached_property
    def refs(self) -> list[tuple[TextField, Ref]]:
        """Every ``[[…]]`` reference, with the text it stands in."""
        return [(text, ref) for text, refs in zip(self.texts, self.refs_in) for ref in refs]

    @cached_property
    def id_fields(self) -> list[tuple[m.Node, str, str | None, str, Position]]:
        """Every id-valued field: (node, field name, expected kind, value, position)."""
        return list(id_fields(self.content))

    @cached_property
    def matcher(self) -> TermMatcher:
        return self.world.matcher(self.morph)

    @cached_property
    def exports(self) -> Exports:
        content, variant = self.content, self.variant
        all_items = content.all_items
        index_of = {id(it): i for i, it in enumerate(all_items)}
        wanted = {ref.target for _text, ref in self.refs}
        wanted.update(value for _n, _name, _kind, value, _pos in self.id_fields)
        for it in content.items("kpi"):
            if isinstance(it.node, m.Kpi):
                wanted.update(ref.target for ref in find_refs(it.node.measures))
        params = None
        if variant is not None and self.part in (None, GLOBAL_PART) and variant.values_source is not None:
            params = [(i.name, i.file, i.line, i.column) for i in param_infos(variant.values_source).values()]
        approved = max((e.approved_date for e in content.editions if e.approved_date is not None), default=None)
        return Exports(
            items=[(it.id, it.kind) for it in all_items],
            wanted=wanted,
            used_terms={ref.target for text, ref in self.refs if text.owner_id != ref.target},
            rules=[
                (index_of[id(it)], tuple(it.node.applies_to))
                for it in content.items("rule")
                if isinstance(it.node, m.DataRule)
            ],
            categories=[
                (index_of[id(it)], it.node.origin.file in content.incomplete) for it in content.items("category")
            ],
            used_params=set(variant.used_params) if variant is not None else set(),
            broken=dict(content.broken),
            broken_refs=set(content.broken_refs),
            broken_params=set(content.broken_params),
            removed=dict(variant.removed) if variant is not None else {},
            terms=[TermKey.of(t) for t in content.terms],
            approved=approved,
            params=params,
            nodes=list(all_items),
        )

    def stamp(self) -> str:
        """What this partition's rules read from the world beyond the ids it names (known once they ran: see
        :attr:`pooled`): see :func:`world_stamp`."""
        return world_stamp(self.world, self.today, self.pooled)

    @cached_property
    def mentions(self) -> list[tuple[TextField, list[Mention], set[str]]]:
        """Per text: the term mentions outside references, and the term ids it links explicitly."""
        out = []
        memo = self.memo
        for text, refs in zip(self.texts, self.refs_in):
            linked = {ref.target for ref in refs}
            key = memo.key(text.text) if memo is not None else b""
            mentions = memo.get(key) if memo is not None else None
            if mentions is None:
                mentions = self._find_mentions(text.text, refs)
                if memo is not None:
                    memo.add(key, mentions)
            out.append((text, mentions, linked))
        return out

    def _find_mentions(self, source: str, refs: list[Ref]) -> list[Mention]:
        """The term mentions of one text outside its references (a function of the text and the glossary)."""
        masked = mask_for_terms(source, refs)
        if "[[" in masked:  # a broken reference's words are not mentions (broken-reference reports it)
            for start, found in unclosed(mask_code(source), [(r.start, r.end) for r in refs]):
                masked = blank(masked, start, found.end() if found else start + 2)
        return self.matcher.find(masked)


def world_stamp(world: World, today: dt.date, pooled: bool) -> str:
    """A digest of what a partition's rules read from ``world`` besides the ids it names or holds (for
    those, see :meth:`World.lookup`): the glossary's matching fields and names, the latest approval, the
    date, and when ``pooled`` every id with its kind."""
    h = hashlib.sha256(f"{world.glossary}\0{world.approved}\0{today}\0".encode())
    if pooled:
        h.update(world.pool.encode())
    return h.hexdigest()


def touched_ids(exports: Exports) -> set[str]:
    """The ids whose :meth:`World.lookup` the partition with ``exports`` may change (declared, broken or
    left out there)."""
    found = {ident for ident, _kind in exports.items}
    found.update(exports.broken)
    found.update(exports.removed)
    return found


def names(exports: Exports) -> set[str]:
    """The ids whose :meth:`World.lookup` the rules of the partition with ``exports`` read."""
    return exports.wanted | {ident for ident, _kind in exports.items}


#: the rules that judge one partition (``check(ctx)``) and those that judge the whole model from every
#: partition's exports (``check_whole(whole)``)
LOCAL_RULES = tuple(rule for rule in RULES if hasattr(rule, "check"))
WHOLE_RULES = tuple(rule for rule in RULES if hasattr(rule, "check_whole"))


def local_diagnostics(ctx: Context) -> set[Diagnostic]:
    """The diagnostics of the partition ``ctx`` holds (its world set)."""
    found: set[Diagnostic] = set()
    for rule in LOCAL_RULES:
        found.update(rule.check(ctx))
    return found


def whole_diagnostics(whole: Whole) -> set[Diagnostic]:
    """The diagnostics of the rules that judge the whole model (from the partitions' exports)."""
    found: set[Diagnostic] = set()
    for rule in WHOLE_RULES:
        found.update(rule.check_whole(whole))
    return found


@fewer_gc_passes()
def check(
    content: Content,
    *,
    morph: Morph | None = None,
    variant: Variant | None = None,
    today: dt.date | None = None,
    store: SourceCache | None = None,
) -> list[Diagnostic]:
    """Every rule's diagnostics, sorted by file, line and column.

    ``variant`` (a :class:`reglament.variant.Variant` whose ``content`` is ``content``)
    turns on the per-company rules; ``store`` (the project's source cache) keeps
    each text's term mentions between runs (:class:`MentionMemo`) — the result is
    the same with it and without it. The whole model is one partition here (see
    :mod:`reglament.check.incremental` for the check split by regulation).
    """

    morph = morph or Morph()
    ctx = Context(content, morph, variant, today or dt.date.today())
    memo = MentionMemo(store, ctx.world.terms, morph) if store is not None and store.enabled else None
    ctx.memo = memo
    found = local_diagnostics(ctx)
    found |= whole_diagnostics(Whole.of([(GLOBAL_PART, ctx.exports)], ctx.world))
    if memo is not None:
        memo.save()
    return sorted(found)
