"""Russian morphology: recognise a glossary term in any word form.

pymorphy3 gives each word form its lemmas (normal forms); a term word matches
a token when they share a lemma. Parsing is cached per distinct word form, so
a large corpus costs one parse per form, not per token. Unlikely parses
(score below a tenth of the best) are ignored, so «стали» is the verb
«стать», not the noun «сталь».
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple, Protocol

from reglament.perf import fewer_gc_passes

WORD_RE = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+(?:-[0-9A-Za-zА-Яа-яЁё]+)*")


def fold(word: str) -> str:
    return word.lower().replace("ё", "е")


class Morph:
    """A lemmatiser with a per-word-form cache. One instance per run; not global state."""

    def __init__(self) -> None:
        self._cache: dict[str, frozenset[str]] = {}
        self._nouns: dict[str, tuple[str, ...]] = {}
        self.kept: dict[str, int] = {}
        """Bookkeeping of whoever keeps these words between runs (``check.MentionMemo``): a store → how many
        answers (as :attr:`size` counts them) it holds, as far as this instance read or wrote it there."""

    @cached_property
    def _analyzer(self):
        # the dictionary is many small objects: with the collector's default thresholds, loading it beside a
        # loaded model rescans that model; and its folder is named here, not looked up among the entry points of
        # every installed package (the same dictionary: the one package reglament depends on)
        with fewer_gc_passes():
            import pymorphy3
            import pymorphy3_dicts_ru  # type: ignore[import-untyped]

            return pymorphy3.MorphAnalyzer(path=pymorphy3_dicts_ru.get_path(), lang="ru")

    @property
    def analyzer(self):  # pymorphy3.MorphAnalyzer, loaded on first use
        """The dictionary (loaded once per instance: ~0.05 s), for callers that need more than lemmas."""
        return self._analyzer

    @property
    def loaded(self) -> bool:
        """Whether this instance has loaded the dictionary (a run whose words were all known never does)."""
        return "_analyzer" in self.__dict__

    @property
    def known(self) -> dict[str, frozenset[str]]:
        """The word forms analysed so far and their lemmas (to keep between runs: see ``check.MentionMemo``)."""
        return self._cache

    @property
    def nouns(self) -> dict[str, tuple[str, ...]]:
        """The words whose noun paradigm was asked so far (:meth:`noun_forms`) and its forms (kept as :attr:`known`)."""
        return self._nouns

    @property
    def size(self) -> int:
        """How many answers this instance holds (lemmas and paradigms): grows as it analyses new words."""
        return len(self._cache) + len(self._nouns)

    def remember(self, known: dict[str, frozenset[str]], nouns: dict[str, tuple[str, ...]] | None = None) -> None:
        """Take word forms analysed in an earlier run with the same dictionary (the ones known here win)."""
        for key, lemmas in known.items():
            self._cache.setdefault(key, lemmas)
        for word, forms in (nouns or {}).items():
            self._nouns.setdefault(word, forms)

    def noun_forms(self, word: str) -> tuple[str, ...]:
        """Every form of the paradigm of ``word``'s likeliest parse as a noun (pymorphy3's first ``NOUN`` parse,
        its lexeme in order), as the dictionary spells them; () when no parse is a noun. ``word`` is taken as
        given (not folded): the search's word forms (``site.search``) ask for the lower-case words they index."""
        found = self._nouns.get(word)
        if found is None:
            parses = [p for p in self._analyzer.parse(word) if p.tag.POS == "NOUN"]
            found = self._nouns[word] = tuple(form.word for form in parses[0].lexeme) if parses else ()
        return found

    def lemmas(self, word: str) -> frozenset[str]:
        key = fold(word)
        found = self._cache.get(key)
        if found is None:
            if re.search("[а-я]", key):
                parses = self._analyzer.parse(key)
                top = max((p.score for p in parses), default=0.0)
                found = frozenset(fold(p.normal_form) for p in parses if p.score >= top * 0.1) | {key}
            else:
                found = frozenset({key})
            self._cache[key] = found
        return found


class Mention(NamedTuple):
    """A term's mention: its span in the text and the term's id (a tuple: made by the hundred thousand)."""

    start: int
    end: int
    term_id: str


@dataclass(frozen=True)
class _Variant:
    term_id: str
    words: tuple[str, ...]  # folded words of the variant
    exact: bool  # compare word forms, not lemmas
    case_sensitive: bool  # abbreviations: «КП», «CRM»


class TermLike(Protocol):
    """What the matcher reads of a glossary term (a ``model.nodes.Term``, or the check's small copy of one)."""

    @property
    def id(self) -> str: ...
    @property
    def match(self) -> str: ...
    @property
    def term(self) -> str: ...
    @property
    def synonyms(self) -> Sequence[str]: ...
    @property
    def forms(self) -> Sequence[str]: ...
    @property
    def abbreviation(self) -> str | None: ...


class TermMatcher:
    """Finds mentions of glossary terms in text, longest match first, never overlapping."""

    def __init__(self, terms: Iterable[TermLike], morph: Morph) -> None:
        self.morph = morph
        self._by_first: dict[str, list[tuple[_Variant, tuple]]] = {}
        self._candidates_of: dict[str, list[tuple[_Variant, tuple]]] = {}  # per word form, filled lazily
        for term in terms:
            exact = term.match == "exact"
            names = [term.term, *term.synonyms]
            for name in names:
                self._add(term.id, name, exact=exact, case_sensitive=False)
            for form in term.forms:
                self._add(term.id, form, exact=True, case_sensitive=False)
            if term.abbreviation:
                self._add(term.id, term.abbreviation, exact=True, case_sensitive=True)

    def _add(self, term_id: str, name: str, *, exact: bool, case_sensitive: bool) -> None:
        words = tuple(WORD_RE.findall(name))
        if not words:
            return
        variant = _Variant(term_id, tuple(w if case_sensitive else fold(w) for w in words), exact, case_sensitive)
        if exact:
            self._by_first.setdefault(variant.words[0] if case_sensitive else fold(words[0]), []).append((variant, ()))
            return
        lemma_sets = tuple(self.morph.lemmas(w) for w in words)
        # index by each lemma of the first word; the token's lemmas are looked up the same way
        for lemma in lemma_sets[0]:
            self._by_first.setdefault("~" + lemma, []).append((variant, lemma_sets))

    def find(self, text: str) -> list[Mention]:
        # Most texts mention no term outside their links: rule them out on the bare words
        # (findall builds no match objects), and tokenise with positions only the rest.
        known = self._candidates_of
        for word in WORD_RE.findall(text):
            candidates = known.get(word)
            if candidates is None:
                candidates = self._candidates(word)
            if candidates:
                break
        else:
            return []
        tokens = [(mt.start(), mt.end(), mt.group()) for mt in WORD_RE.finditer(text)]
        found: list[Mention] = []
        i = 0
        while i < len(tokens):
            best: tuple[int, str] | None = None
            for variant, lemma_sets in self._candidates(tokens[i][2]):
                n = len(variant.words)
                if i + n > len(tokens) or (best and n <= best[0]):
                    continue
                if all(self._word_matches(tokens[i + k][2], variant, lemma_sets, k) for k in range(n)) and _adjacent(
                    text, tokens, i, n
                ):
                    best = (n, variant.term_id)
            if best:
                n, term_id = best
                found.append(Mention(tokens[i][0], tokens[i + n - 1][1], term_id))
                i += n
            else:
                i += 1
        return found

    def _candidates(self, token: str):
        found = self._candidates_of.get(token)
        if found is None:
            found = self._candidates_of[token] = self._lookup(token)
        return found

    def _lookup(self, token: str):
        out = list(self._by_first.get(token, ()))
        if fold(token) != token:
            out += self._by_first.get(fold(token), ())
        for lemma in self.morph.lemmas(token):
            out += self._by_first.get("~" + lemma, ())
        return out

    def _word_matches(self, token: str, variant: _Variant, lemma_sets: tuple, k: int) -> bool:
        if variant.case_sensitive:
            return token == variant.words[k]
        if variant.exact:
            return fold(token) == variant.words[k]
        return bool(self.morph.lemmas(token) & lemma_sets[k])


def _adjacent(text: str, tokens: list, i: int, n: int) -> bool:
    """Words of a multi-word term must be separated by whitespace only (not by punctuation)."""
    for k in range(i, i + n - 1):
        gap = text[tokens[k][1] : tokens[k + 1][0]]
        if gap.strip():
            return False
    return True
