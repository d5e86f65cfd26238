"""Run every registered rule over loaded content and collect all diagnostics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from reglament.check.rules import RULES
from reglament.check.rules.broken_reference import unclosed
from reglament.diagnostics import Diagnostic
from reglament.model.content import Content, TextField
from reglament.model.references import Ref, blank, find_refs, mask_code, mask_for_terms
from reglament.morphology import Mention, Morph, TermMatcher
from reglament.perf import fewer_gc_passes

if TYPE_CHECKING:
    from reglament.variant.resolve import Variant


@dataclass
class Context:
    """What rules share: the content, and analyses computed once per run."""

    content: Content
    morph: Morph = field(default_factory=Morph)
    variant: Variant | None = None
    """The resolved variant (base or a company) when checking one; None for plain content."""
    today: dt.date = field(default_factory=dt.date.today)
    """The clock of date-dependent rules (review cycles): passed in, so that a rule never reads it itself."""

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
        for text, refs in zip(self.texts, self.refs_in):
            linked = {ref.target for ref in refs}
            masked = mask_for_terms(text.text)
            if "[[" in masked:  # a broken reference's words are not mentions (broken-reference reports it)
                for start, found in unclosed(mask_code(text.text), [(r.start, r.end) for r in refs]):
                    masked = blank(masked, start, found.end() if found else start + 2)
            out.append((text, self.matcher.find(masked), linked))
        return out


@fewer_gc_passes()
def check(
    content: Content, *, morph: Morph | None = None, variant: Variant | None = None, today: dt.date | None = None
) -> list[Diagnostic]:
    """Every rule's diagnostics, sorted by file, line and column.

    ``variant`` (a :class:`reglament.variant.Variant` whose ``content`` is ``content``)
    turns on the per-company rules.
    """

    ctx = Context(content, morph or Morph(), variant, today or dt.date.today())
    found: set[Diagnostic] = set()
    for rule in RULES:
        found.update(rule.check(ctx))
    return sorted(found)
