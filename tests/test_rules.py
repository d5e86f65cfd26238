"""One short case per rule, with the expected (code, line, column) — yamllint style."""

from __future__ import annotations

import pytest

from conftest import DUTIES, GLOSSARY
from reglament.project import check_project


def problems(root, code=None):
    found = check_project(root).diagnostics
    return [(d.code, d.file, d.line, d.column) for d in found if code is None or d.code == code]


def test_minimal_content_is_clean(project):
    assert problems(project()) == []


def test_unknown_reference_in_yaml_text_points_at_the_brackets(project):
    duties = DUTIES.replace("Позвонить [[lead|лиду]]", "Позвонить [[leed|лиду]]")
    root = project({"content/regulations/rules/duties.yml": duties})
    found = check_project(root).diagnostics
    bad = [d for d in found if d.code == "unknown-reference"]
    assert [(d.file, d.line, d.column) for d in bad] == [("content/regulations/rules/duties.yml", 6, 21)]
    assert "`lead`" in bad[0].hint


def test_unknown_reference_in_markdown_part(project):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [intro.md, duties.yml]\n"
    md = "---\nid: intro\ntitle: Введение\n---\n\nО работе с [[lead|лидами]].\n\nСм. [[no-such-id-xyz]].\n"
    root = project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/general.yml": None,
            "content/regulations/rules/intro.md": md,
        }
    )
    assert problems(root, "unknown-reference") == [("unknown-reference", "content/regulations/rules/intro.md", 8, 5)]


def test_reference_inside_code_span_is_not_a_reference(project):
    md = "---\nid: intro\ntitle: Введение\n---\n\nО работе с [[lead|лидами]]. Синтаксис: `[[id]]`.\n"
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [intro.md, duties.yml]\n"
    root = project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/general.yml": None,
            "content/regulations/rules/intro.md": md,
        }
    )
    assert problems(root, "unknown-reference") == []


def test_role_field_must_name_a_role(project):
    root = project({"content/regulations/rules/duties.yml": DUTIES.replace("role: manager", "role: lead")})
    found = [d for d in check_project(root).diagnostics if d.code == "unknown-reference"]
    assert [(d.line, d.column) for d in found] == [(7, 11)]
    assert "must name a role" in found[0].message


def test_duplicate_id_reports_both_places(project):
    glossary = GLOSSARY + "  - id: call-lead\n    term: Звонок\n    definition: Разговор.\n"
    root = project({"content/glossary.yml": glossary})
    assert sorted(problems(root, "duplicate-id")) == [
        ("duplicate-id", "content/glossary.yml", 8, 9),
        ("duplicate-id", "content/regulations/rules/duties.yml", 5, 9),
    ]


def test_unused_term(project):
    glossary = GLOSSARY + "  - id: refund\n    term: Возврат\n    definition: Возврат товара.\n    match: exact\n"
    root = project({"content/glossary.yml": glossary})
    assert problems(root, "unused-term") == [("unused-term", "content/glossary.yml", 8, 9)]


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


def test_term_cycle(project):
    glossary = GLOSSARY.replace("Потенциальный клиент, оставивший контакты.", "Будущая [[deal|сделка]].")
    root = project({"content/glossary.yml": glossary})
    assert problems(root, "term-cycle") == [("term-cycle", "content/glossary.yml", 4, 17)]


def test_duty_without_role(project):
    root = project({"content/regulations/rules/duties.yml": DUTIES.replace("    role: manager\n", "")})
    assert problems(root, "duty-without-role") == [("duty-without-role", "content/regulations/rules/duties.yml", 5, 9)]


def test_raci_needs_one_accountable(project):
    duties = DUTIES.replace(
        "    role: manager\n", "    role: manager\n    raci:\n      responsible: [manager]\n      informed: [head]\n"
    )
    root = project({"content/regulations/rules/duties.yml": duties})
    assert problems(root, "raci-accountable") == [("raci-accountable", "content/regulations/rules/duties.yml", 9, 7)]


def test_responsibility_without_duty(project):
    root = project({"content/regulations/rules/duties.yml": DUTIES.replace("    enforces: [call-lead]\n", "")})
    assert problems(root, "responsibility-without-duty") == [
        ("responsibility-without-duty", "content/regulations/rules/duties.yml", 10, 9)
    ]


MOTIVATION = """\
id: pay
title: Мотивация
kind: motivation
bonus_base: 50000
kpis:
  - id: kpi-plan
    name: План
    measures: Доля закрытых [[deal|сделок]].
    weight: {w1}
    target: 100 %
  - id: kpi-calls
    name: Звонки
    measures: {measures}
    weight: 40
    target: 40 в день
tiers:
{tiers}
"""

GOOD_TIERS = """\
  - id: t0
    from_percent: 0
    to_percent: 80
    bonus_percent: 0
  - id: t1
    from_percent: 80
    bonus_percent: 50
"""


def motivation_project(project, *, w1=60, measures="Звонки по [[call-lead]].", tiers=GOOD_TIERS):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [general.yml, duties.yml, pay.yml]\n"
    return project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/pay.yml": MOTIVATION.format(w1=w1, measures=measures, tiers=tiers),
        }
    )


def test_motivation_clean(project):
    assert problems(motivation_project(project)) == []


def test_kpi_weights_must_sum_to_100(project):
    assert problems(motivation_project(project, w1=50), "kpi-weights") == [
        ("kpi-weights", "content/regulations/rules/pay.yml", 6, 3)
    ]


def test_kpi_measures_nothing(project):
    assert problems(motivation_project(project, measures="Количество звонков."), "kpi-measures-nothing") == [
        ("kpi-measures-nothing", "content/regulations/rules/pay.yml", 13, 15)
    ]


@pytest.mark.parametrize(
    "tiers, expected",
    [
        (
            "  - id: t0\n    from_percent: 0\n    to_percent: 80\n    bonus_percent: 0\n"
            "  - id: t1\n    from_percent: 90\n    bonus_percent: 50\n",
            [(22, 19)],
        ),  # gap 80..90
        (
            "  - id: t0\n    from_percent: 0\n    to_percent: 80\n    bonus_percent: 0\n"
            "  - id: t1\n    from_percent: 70\n    bonus_percent: 50\n",
            [(22, 19)],
        ),  # overlap 70..80
        ("  - id: t0\n    from_percent: 10\n    bonus_percent: 0\n", [(18, 19)]),  # no tier from 0
        ("  - id: t0\n    from_percent: 0\n    to_percent: 80\n    bonus_percent: 0\n", [(19, 17)]),  # closed top
    ],
)
def test_bonus_tiers(project, tiers, expected):
    found = problems(motivation_project(project, tiers=tiers), "bonus-tiers")
    assert [(line, col) for _, _, line, col in found] == expected


SCHEDULE = """\
id: time
title: Время
kind: schedule
hours: {{start: "09:00", end: "18:00"}}
routine:
  - id: b-morning
    start: "{s1}"
    end: "10:00"
    activity: Планёрка.
  - id: b-calls
    start: "{s2}"
    end: "13:00"
    activity: Звонки по [[call-lead]].
"""


def schedule_project(project, s1="09:00", s2="10:00"):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [general.yml, duties.yml, time.yml]\n"
    return project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/time.yml": SCHEDULE.format(s1=s1, s2=s2),
        }
    )


def test_schedule_clean(project):
    assert problems(schedule_project(project)) == []


def test_schedule_overlap(project):
    assert problems(schedule_project(project, s2="09:30"), "schedule-overlap") == [
        ("schedule-overlap", "content/regulations/rules/time.yml", 11, 12)
    ]


def test_schedule_outside_hours(project):
    assert problems(schedule_project(project, s1="08:00"), "schedule-overlap") == [
        ("schedule-overlap", "content/regulations/rules/time.yml", 7, 12)
    ]


CONF = """\
id: data
title: Данные
kind: confidentiality
categories:
  - id: cat-pd
    name: Персональные данные
    classification: personal
  - id: cat-prices
    name: Цены
    classification: trade-secret
rules:
  - id: rule-pd
    text: Не пересылать в мессенджерах.
    applies_to: [cat-pd]
"""


def test_category_without_rule(project):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [general.yml, duties.yml, data.yml]\n"
    root = project({"content/regulations/rules/regulation.yml": reg, "content/regulations/rules/data.yml": CONF})
    assert problems(root, "category-without-rule") == [
        ("category-without-rule", "content/regulations/rules/data.yml", 8, 9)
    ]
