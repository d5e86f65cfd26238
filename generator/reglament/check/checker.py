"""Run every registered rule over loaded content and collect all diagnostics."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from reglament.check.rules import RULES
from reglament.check.rules.broken_reference import unclosed
from reglament.diagnostics import Diagnostic
from reglament.model import nodes as m
from reglament.model.content import Content, TextField
from reglament.model.references import Ref, blank, find_refs, mask_code, mask_for_terms
from reglament.morphology import Mention, Morph, TermMatcher
from reglament.perf import fewer_gc_passes
from reglament.source.cache import SourceCache

if TYPE_CHECKING:
    from reglament.variant.resolve import Variant


class MentionMemo:
    """The term mentions of each text for one glossary, kept between runs in ``.reglament-cache/``.

    Finding mentions (the morphology of every word) is the largest part of a
    check; a text's mentions depend only on its own characters, the glossary's
    matching fields and the tool (the morphology dictionary's version is part of
    the cache's tool digest). So a check after an edit finds them only in the
    texts that changed — and when none did, the morphology dictionary is not
    even loaded. One slot: a changed glossary starts it afresh; texts no
    longer present are dropped when it is saved. The slot also keeps the
    lemmas of every word form analysed (they depend on the dictionary alone),
    so that an edited text needs the dictionary only for words never seen.
    """

    SLOT = "memo-mentions"

    def __init__(self, store: SourceCache, terms: list[m.Term], morph: Morph) -> None:
        self.store = store
        self.morph = morph
        glossary = repr([(t.id, t.match, t.term, t.synonyms, t.forms, t.abbreviation) for t in terms])
        self.glossary = hashlib.sha256(glossary.encode()).hexdigest()
        hit, value = store.get(self.SLOT)
        kept: dict[bytes, tuple[tuple[int, int, str], ...]] = {}
        if hit and isinstance(value, tuple) and len(value) == 3:
            if value[0] == self.glossary:
                kept = value[1]
            morph.remember(value[2])
        self._kept = kept
        self._now: dict[bytes, tuple[tuple[int, int, str], ...]] = {}
        self._words = len(morph.known)
        self.found = 0

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def get(self, key: bytes) -> list[Mention] | None:
        stored = self._kept.get(key)
        if stored is None:
            return None
        self._now[key] = stored
        return [Mention(start, end, term_id) for start, end, term_id in stored]

    def add(self, key: bytes, mentions: list[Mention]) -> None:
        self._now[key] = tuple((x.start, x.end, x.term_id) for x in mentions)
        self.found += 1

    def save(self) -> None:
        """Store the mentions of this run's texts (only when some were found afresh or some dropped)."""
        if self.found or len(self._now) != len(self._kept) or len(self.morph.known) != self._words:
            self.store.put(self.SLOT, (self.glossary, self._now, dict(self.morph.known)))


@dataclass
class Context:
    """What rules share: the content, and analyses computed once per run."""

    content: Content
    morph: Morph = field(default_factory=Morph)
    variant: Variant | None = None
    """The resolved variant (base or a company) when checking one; None for plain content."""
    today: dt.date = field(default_factory=dt.date.today)
    """The clock of date-dependent rules (review cycles): passed in, so that a rule never reads it itself."""
    memo: MentionMemo | None = None
    """Term mentions kept from earlier runs (None: find every text's afresh)."""

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
    def matcher(self) -> TermMatcher:
        return TermMatcher(self.content.terms, self.morph)

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
        masked = mask_for_terms(source)
        if "[[" in masked:  # a broken reference's words are not mentions (broken-reference reports it)
            for start, found in unclosed(mask_code(source), [(r.start, r.end) for r in refs]):
                masked = blank(masked, start, found.end() if found else start + 2)
        return self.matcher.find(masked)


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
    the same with it and without it.
    """

    morph = morph or Morph()
    memo = MentionMemo(store, content.terms, morph) if store is not None and store.enabled else None
    ctx = Context(content, morph, variant, today or dt.date.today(), memo)
    found: set[Diagnostic] = set()
    for rule in RULES:
        found.update(rule.check(ctx))
    if memo is not None:
        memo.save()
    return sorted(found)
