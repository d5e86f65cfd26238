"""The morphology dictionary reglament loads (named by its folder, under paused collector passes) is the one
pymorphy3 finds by itself: the same lemmas for every word form."""

from __future__ import annotations

import gc

import pymorphy3

from reglament.morphology import Morph, fold

WORDS = [
    "стали",
    "сталь",
    "стать",
    "заявки",
    "заявкам",
    "входящими",
    "просроченной",
    "презентацией",
    "люди",
    "человек",
    "шёл",
    "идти",
    "КП",
    "CRM",
    "ёлка",
    "елки",
    "клиентов",
    "менеджеру",
    "ответственного",
    "утверждает",
    "согласованию",
]


def test_the_same_lemmas_as_pymorphy3_s_own_dictionary():
    own = Morph()
    theirs = pymorphy3.MorphAnalyzer(lang="ru")
    for word in WORDS:
        key = fold(word)
        parses = theirs.parse(key)
        top = max(p.score for p in parses)
        expected = frozenset(fold(p.normal_form) for p in parses if p.score >= top * 0.1) | {key}
        assert own.lemmas(word) == expected, word
    assert own.analyzer.dictionary.path == theirs.dictionary.path


def test_loading_the_dictionary_leaves_the_collector_as_it_was():
    before = gc.get_threshold()
    Morph().lemmas("заявка")
    assert gc.get_threshold() == before
