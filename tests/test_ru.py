"""One formatter: a value prints the same on the site, in the PDF, in the diff and in the texts' templates."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import REPO, minimal_files, write_tree
from reglament import ru
from reglament.diff import compare_editions, format_markdown, format_text
from reglament.pdf.document import Company, Edition, PrintJob, document_html
from reglament.project import check_project
from reglament.render.pages import render

MOTIVATION = """\
id: pay
title: Система мотивации
kind: motivation
fixed:
  amount: 61234.5
bonus_base: 2469
kpis:
  - id: kpi-plan
    name: План
    measures: Выполнение плана по [[deal|сделкам]].
    weight: {plan}
    target: 100 %
  - id: kpi-calls
    name: Звонки
    measures: Звонки по [[lead|лидам]] за {{{{ params.minutes | num }}}} {{{{ params.minutes | plural('минуту', 'минуты', 'минут') }}}}.
    weight: {calls}
    target: 40 в день
tiers:
  - {{id: t0, from_percent: 0, to_percent: 70, bonus_percent: 0}}
  - {{id: t70, from_percent: 70, bonus_percent: 50}}
"""
REGULATION = (
    "id: rules\ntitle: Регламент\nowner: head\napprover: head\naudience: [manager]\n"
    "parts: [general.yml, duties.yml, pay.yml]\n"
)


@pytest.mark.parametrize(
    "value, text",
    [
        (3000000, "3\u00a0000\u00a0000"),
        (87.5, "87,5"),
        (0.25, "0,25"),
        (-1200.5, "-1\u00a0200,5"),
        (7.0, "7"),
        (None, "—"),
        ("сорок", "сорок"),
        (True, "True"),
    ],
)
def test_number(value, text):
    assert ru.number(value) == text


def test_money_rounds_halves_up_as_the_calculator_does():
    assert [ru.money(x) for x in (0.5, 1.5, 2.5, 1234.5, 1234.49)] == [1, 2, 3, 1235, 1234]
    assert ru.money_text(1234.5) == "1\u00a0235"
    assert ru.number(2.345, digits=2) == "2,35"


def test_percent_plural_dates_and_labels():
    assert ru.percent(87.5) == "87,5\u00a0%"
    assert [ru.plural(n, "минута", "минуты", "минут") for n in (1, 2, 5, 11, 21, 104, 112)] == [
        "минута",
        "минуты",
        "минут",
        "минут",
        "минута",
        "минуты",
        "минут",
    ]
    day = dt.date(2025, 3, 1)
    assert (ru.date_short(day), ru.date_text(day), ru.date_long(day)) == (
        "01.03.2025",
        "1 марта 2025 г.",
        "«01» марта 2025 г.",
    )
    assert ru.field_label("hours.end") == "конец рабочего дня" and ru.field_label("no.such") == "no.such"


@pytest.fixture
def sides(tmp_path):
    def make(plan: float, calls: float):
        files = {
            **minimal_files(),
            "content/regulations/rules/regulation.yml": REGULATION,
            "content/regulations/rules/pay.yml": MOTIVATION.format(plan=plan, calls=calls),
            "content/defaults.yml": "params:\n  minutes: 21\n",
        }
        root = write_tree(tmp_path / f"plan-{plan}", files)
        checked = check_project(root)
        assert checked.ok, checked.diagnostics
        return checked.content

    return make


def test_one_value_prints_the_same_on_the_site_in_the_pdf_and_in_the_diff(sides):
    old = sides(80, 20)
    new = sides(87.5, 12.5)
    site = render(new, REPO / "templates").pages["rules/index.md"]
    job = PrintJob(
        content=new,
        regulation=new.regulations[0],
        public=False,
        company=Company(full_name="ООО «Ромашка»", short_name="ООО «Ромашка»", city="Казань"),
        edition=Edition(effective=dt.date(2026, 3, 2)),
    )
    pdf = document_html(job, templates=REPO / "templates")
    changes = compare_editions(old, new)
    diff_text, diff_md = format_text(changes), format_markdown(changes)

    weight, bonus, fixed = ru.percent(87.5), ru.money_text(2469 * 50 / 100), ru.money_text(61234.5)
    assert (weight, bonus, fixed) == ("87,5\u00a0%", "1\u00a0235", "61\u00a0235")
    for name, output in (("site", site), ("pdf", pdf)):
        output = re.sub(r'\s[\w-]+="[^"]*"', "", output)  # what a reader sees, not CSS widths or data attributes
        assert weight in output, name
        assert bonus in output, name
        assert fixed in output, name
        assert "87.5" not in output and "1\u00a0234" not in output and "61\u00a0234" not in output, name
        assert "за 21 минуту" in output, name  # the texts' own `num` and `plural` filters
    for name, output in (("diff text", diff_text), ("diff markdown", diff_md)):
        assert ru.number(87.5) in output and ru.number(80) in output, name
        assert "87.5" not in output, name


# --------------------------------------------------------------------------- one transliteration

ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def test_translit_spells_every_letter_by_each_system():
    spelt = {system: [ru.translit(letter, system) for letter in ALPHABET] for system in ("gost", "letters", "simple")}
    common = "a b v g d e {ё} zh z i {й} k l m n o p r s t u f {х} {ц} ch sh {щ} {ъ} y {ь} {э} yu ya"

    def expected(**diff: str) -> list[str]:
        return [diff.get(word.strip("{}"), word) if word.startswith("{") else word for word in common.split()]

    gost = dict(ё="yo", й="j", х="x", ц="cz", щ="shh", ъ="", ь="", э="e")
    assert spelt["gost"] == expected(**gost)
    assert spelt["letters"] == expected(ё="yo", й="j", х="h", ц="c", щ="shch", ъ="hard", ь="soft", э="eh")
    assert spelt["simple"] == expected(ё="e", й="y", х="kh", ц="ts", щ="shch", ъ="", ь="", э="e")
    # the glossary's page names must be distinct and non-empty, one per letter
    assert len(set(spelt["letters"])) == len(ALPHABET) and all(spelt["letters"])


def test_translit_lowers_keeps_other_characters_and_spells_gost_ts_before_soft_vowels():
    assert ru.translit("Щука, цыплёнок, цирк, чаща, юла, объём") == "shhuka, cyplyonok, cirk, chashha, yula, obyom"
    assert ru.translit("Цапля Цены Цыган Цйх Ц") == "czaplya ceny cygan cjx cz"
    assert ru.translit("Цех Цены Ц", "simple") == "tsekh tseny ts"
    assert ru.translit("Отчёт №3 — KPI (Q2)", "simple") == "otchet №3 — kpi (q2)"
    assert ru.translit("ÉЭ", "letters") == "éeh"
