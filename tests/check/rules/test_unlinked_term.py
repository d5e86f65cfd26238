"""Rule `unlinked-term`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

import pytest
from rule_cases import GLOSSARY, problems


@pytest.mark.parametrize(
    "text, column",
    [
        ("Перезвонить лиду завтра.", 23),  # dative
        ("Список лидов за неделю.", 18),  # genitive plural
        ("Работа с лидом.", 20),  # instrumental
    ],
)
def test_unlinked_term_in_any_word_form(project, text, column):
    general = f"id: general\ntitle: О\nkind: clauses\nclauses:\n  - id: purpose\n    text: {text}\n"
    root = project({"content/regulations/rules/general.yml": general})
    assert problems(root, "unlinked-term") == [("unlinked-term", "content/regulations/rules/general.yml", 6, column)]


def test_unlinked_term_only_first_mention_and_not_when_linked(project):
    general = (
        "id: general\ntitle: О\nkind: clauses\nclauses:\n"
        "  - id: purpose\n    text: Лиды и снова лиды.\n"
        "  - id: other\n    text: О [[lead|лидах]] и лидах.\n"
    )
    root = project({"content/regulations/rules/general.yml": general})
    assert problems(root, "unlinked-term") == [("unlinked-term", "content/regulations/rules/general.yml", 6, 11)]


def test_word_sharing_a_stem_is_not_a_term(project):
    # «лидер», «лидировать» share letters with «лид» but are other words
    general = (
        "id: general\ntitle: О\nkind: clauses\nclauses:\n  - id: purpose\n    text: Лидер рынка лидирует. [[lead]]\n"
    )
    root = project({"content/regulations/rules/general.yml": general})
    assert problems(root, "unlinked-term") == []


def test_exact_match_term_ignores_other_forms(project):
    glossary = (
        GLOSSARY
        + "  - id: plan\n    term: План\n    definition: Сумма продаж на месяц.\n    match: exact\n    forms: [план продаж]\n"
    )
    general = (
        "id: general\ntitle: О\nkind: clauses\nclauses:\n"
        "  - id: purpose\n    text: По плану работы с [[lead|лидами]]. План продаж по [[plan]].\n"
        "  - id: other\n    text: Выполнить план продаж.\n"
    )
    root = project({"content/glossary.yml": glossary, "content/regulations/rules/general.yml": general})
    assert problems(root, "unlinked-term") == [("unlinked-term", "content/regulations/rules/general.yml", 8, 21)]
