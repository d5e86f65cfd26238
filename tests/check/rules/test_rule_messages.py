"""Every rule of the registry speaks both languages: each of its messages (and hints), made in English where the
diagnostic is made, has a Russian form in check/messages.py. A rule added without a case here fails the test."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from rule_cases import CONF, GOOD_TIERS, MOTIVATION

from conftest import DUTIES, GLOSSARY, minimal_files
from reglament.check.checker import check
from reglament.check.messages import translate
from reglament.check.rules import RULES
from reglament.diagnostics import Diagnostic
from reglament.project import check_project, load_project

REG_FILE = "content/regulations/rules/regulation.yml"
REG = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [general.yml, duties.yml{extra}]\n"
TODAY = dt.date(2026, 12, 1)


def regulation_with(name: str, text: str) -> dict[str, str]:
    return {REG_FILE: REG.format(extra=f", {name}"), f"content/regulations/rules/{name}": text}


def tiers(*rows: tuple[str, int, int | None]) -> dict[str, str]:
    lines = []
    for ident, start, end in rows:
        lines += [f"  - id: {ident}", f"    from_percent: {start}"]
        lines += [f"    to_percent: {end}"] if end is not None else []
        lines += ["    bonus_percent: 10"]
    text = MOTIVATION.format(w1=60, measures="Звонки по [[call-lead]].", tiers="\n".join(lines))
    return regulation_with("pay.yml", text)


def schedule(hours: str, *blocks: tuple[str, str, str]) -> dict[str, str]:
    lines = ["id: time", "title: Время", "kind: schedule", f"hours: {hours}", "routine:"]
    for ident, start, end in blocks:
        lines += [f"  - id: {ident}", f'    start: "{start}"', f'    end: "{end}"', "    activity: Звонки."]
    return regulation_with("time.yml", "\n".join(lines) + "\n")


def editions(*rows: tuple[str, str, str]) -> dict[str, str]:
    lines = ["editions:"]
    for ident, effective, approved in rows:
        lines += [f"  - id: {ident}", "    title: Редакция", f"    effective: {effective}", f"    approved: {approved}"]
        lines += ["    approved_by: Директор"]
    return {"content/editions.yml": "\n".join(lines) + "\n"}


def nested_clauses(depth: int) -> str:
    lines = ["id: general", "title: Общие положения", "kind: clauses", "clauses:"]
    for level in range(1, depth + 1):
        pad = "    " * (level - 1)
        lines += [f"{pad}  - id: c{level}", f"{pad}    text: Пункт уровня {level}."]
        lines += [f"{pad}    clauses:"] if level < depth else []
    return "\n".join(lines) + "\n"


DEFAULTS = "name: Компания\nshort_name: Компания\nparams:\n  minutes: 15\n"
TEMPLATED = "Звонок [[lead|лиду]] за {{ params.minutes }} минут в {{ company.short_name }}."
COMPANY = """\
id: alpha
name: ООО «Альфа»
short_name: Альфа
params:
  minutes: 10
"""


def company(extra: str = "", params: str = "  minutes: 10\n") -> dict[str, str]:
    general = minimal_files()["content/regulations/rules/general.yml"].replace(
        "Регламент описывает работу с [[lead|лидами]].", TEMPLATED
    )
    return {
        "content/regulations/rules/general.yml": general,
        "content/defaults.yml": DEFAULTS,
        "content/companies/alpha.yml": COMPANY.replace("  minutes: 10\n", params) + extra,
    }


def duties(text: str) -> dict[str, str]:
    return {"content/regulations/rules/duties.yml": text}


DUTY = "  - id: {id}\n    text: Позвонить [[lead|лиду]] и оформить [[deal|сделку]].\n"
DUTIES_HEAD = "id: duties\ntitle: Обязанности\nkind: duties\nduties:\n"
INTERNAL_TERM = "  - id: secret\n    term: Тайна\n    definition: Внутреннее.\n    visibility: internal\n"

# rule id → trees that make each of its messages: (files over the minimal tree, company, public)
Case = tuple[dict[str, str], str | None, bool]
CASES: dict[str, list[Case]] = {
    "duplicate-id": [
        ({"content/glossary.yml": GLOSSARY + "  - id: head\n    term: Глава\n    definition: Д.\n"}, None, False)
    ],
    "unknown-reference": [
        (duties(DUTIES.replace("role: manager", "role: manger").replace("[[deal|", "[[nothing|")), None, False),
        (duties(DUTIES.replace("role: manager", "role: lead")), None, False),
    ],
    "broken-reference": [
        (duties(DUTIES.replace("[[deal|сделку]]", "[[deal|сделку] и [[lead|]] и [[|лид]] и [[lead|лида")), None, False)
    ],
    "unused-term": [
        ({"content/glossary.yml": GLOSSARY + "  - id: spare\n    term: Запас\n    definition: Д.\n"}, None, False)
    ],
    "unlinked-term": [(duties(DUTIES.replace("— замечание.", "— замечание, сделка отменяется.")), None, False)],
    "term-cycle": [
        ({"content/glossary.yml": GLOSSARY.replace("оставивший контакты.", "до [[deal|сделки]].")}, None, False)
    ],
    "duty-without-role": [(duties(DUTIES.replace("    role: manager\n", "")), None, False)],
    "raci-accountable": [
        (duties(DUTIES.replace("role: manager", "raci: {responsible: [manager, head]}")), None, False),
        (
            duties(
                DUTIES.replace("role: manager", "role: head\n    raci: {responsible: [manager], accountable: manager}")
            ),
            None,
            False,
        ),
    ],
    "responsibility-without-duty": [(duties(DUTIES.replace("enforces: [call-lead]", "enforces: []")), None, False)],
    "kpi-weights": [
        (
            regulation_with("pay.yml", MOTIVATION.format(w1=50, measures="По [[call-lead]].", tiers=GOOD_TIERS)),
            None,
            False,
        )
    ],
    "kpi-measures-nothing": [
        (regulation_with("pay.yml", MOTIVATION.format(w1=60, measures="Звонки.", tiers=GOOD_TIERS)), None, False)
    ],
    "bonus-tiers": [
        (tiers(("t0", 10, 80), ("t1", 80, None)), None, False),  # starts above 0
        (tiers(("t0", 0, None), ("t1", 80, None)), None, False),  # open-ended, then another
        (tiers(("t0", 0, 70), ("t1", 80, None)), None, False),  # gap
        (tiers(("t0", 0, 90), ("t1", 80, None)), None, False),  # overlap
        (tiers(("t0", 0, 80), ("t1", 80, 80), ("t2", 80, 100)), None, False),  # ends at its start; top ends
    ],
    "schedule-overlap": [
        (schedule('{start: "18:00", end: "09:00"}', ("b-a", "10:00", "11:00")), None, False),
        (schedule('{start: "09:00", end: "18:00"}', ("b-a", "11:00", "10:00")), None, False),
        (schedule('{start: "09:00", end: "18:00"}', ("b-a", "08:00", "10:00"), ("b-b", "09:30", "11:00")), None, False),
    ],
    "category-without-rule": [(regulation_with("data.yml", CONF), None, False)],
    "clause-depth": [({"content/regulations/rules/general.yml": nested_clauses(10)}, None, False)],
    "edition-id": [
        (editions(('"2025.1"', "2025-02-01", "2025-01-20"), ('"2025.1"', "2025-03-01", "2025-02-20")), None, False),
        (editions(("2025.2", "2025-02-01", "2025-01-20")), None, False),
        (editions(("latest", "2025-02-01", "2025-01-20")), None, False),
        (editions(('"2025/2"', "2025-02-01", "2025-01-20")), None, False),
    ],
    "edition-date": [
        (editions(('"2025.1"', "01.02.2025", "2025-13-45")), None, False),
        (editions(('"2025.1"', "2025-01-10", "2025-01-20")), None, False),
    ],
    "edition-order": [
        (editions(('"2025.2"', "2025-02-01", "2025-01-20"), ('"2025.1"', "2025-03-01", "2025-02-20")), None, False),
        (editions(('"2025.1"', "2025-03-01", "2025-01-20"), ('"2025.2"', "2025-02-01", "2025-01-25")), None, False),
    ],
    "review-due": [
        ({REG_FILE: minimal_files()[REG_FILE] + "review_every: 12 months\n"}, None, False),
        ({REG_FILE: minimal_files()[REG_FILE] + "review_by: 2026-11-30\n"}, None, False),
        ({REG_FILE: minimal_files()[REG_FILE] + "review_by: 2026-12-02\n"}, None, False),
        (
            {REG_FILE: minimal_files()[REG_FILE] + "review_every: 12 months\n"}
            | editions(('"2025.1"', "2025-12-20", "2025-12-05")),
            None,
            False,
        ),
    ],
    "missing-parameter": [
        (company(params="  other: 1\n") | {"content/defaults.yml": "name: К\nshort_name: К\n"}, "alpha", False),
        (company() | {"content/defaults.yml": "params:\n  minutes: 15\n"}, None, False),
        (
            company()
            | {
                "content/regulations/rules/general.yml": minimal_files()[
                    "content/regulations/rules/general.yml"
                ].replace("[[lead|лидами]].", "[[lead|лидами]] {{ company.id }}.")
            },
            None,
            False,
        ),
    ],
    "unused-parameter": [(company(params="  minutes: 10\n  spare: 1\n"), "alpha", False)],
    "unknown-override": [
        (
            company("overrides:\n  purpse:\n    text: X\nroles:\n  call-lead: {name: П}\ndepartments:\n  Нет: Да\n"),
            "alpha",
            False,
        ),
    ],
    "unknown-selection": [
        (company("exclude: [late-cal, zzzz]\ninclude: [purpose]\n"), "alpha", False),
        (company("include: [call-lead]\n"), "alpha", False),
    ],
    "excluded-reference": [(company("exclude: [call-lead]\n"), "alpha", False)],
    "internal-reference": [
        (
            {"content/glossary.yml": GLOSSARY + INTERNAL_TERM}
            | duties(DUTIES.replace("— замечание.", "— замечание по [[secret]]."))
            | company(params="  minutes: 10\n")
            | {"content/defaults.yml": DEFAULTS.replace("params:\n", "params:\n  minutes_note:\n    value: 1\n")},
            None,
            True,
        ),
        (
            company()
            | {
                "content/defaults.yml": "name: К\nshort_name: К\nparams:\n  minutes:\n    value: 15\n    visibility: internal\n"
            },
            None,
            True,
        ),
    ],
    "employee-role": [
        (company("employees:\n  - name: Иванов Иван\n    role: manger\n"), "alpha", False),
        (company("employees:\n  - name: Петров Пётр\n    role: zzzzzz\n"), "alpha", False),
    ],
}

_SPANS = re.compile(r"`[^`]*`|«[^»]*»|'[^']*'|\"[^\"]*\"|\[\[[^\]]*\]\]?")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_DATE = re.compile(r"\d{1,2} [а-я]+ \d{4} г\.")
_ENGLISH_PHRASE = re.compile(r"\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b")


def diagnostics(project, rule_id: str, files: dict[str, str], company_id: str | None, public: bool) -> list[Diagnostic]:
    root = project(files)
    if rule_id == "review-due":  # the clock passed in
        loaded = load_project(root)
        return check(loaded.loaded.content, morph=loaded.morph, today=TODAY)
    return check_project(root, company=company_id, public=public).diagnostics


def plain(text: str) -> str:
    """``text`` without its quoted ids, values and content words, and without dates (printed in Russian)."""
    return _DATE.sub(" ", _SPANS.sub(" ", text))


def test_every_rule_of_the_registry_has_cases_here():
    assert sorted(rule.ID for rule in RULES) == sorted(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_every_message_of_the_rule_is_in_english_and_in_russian(project, rule_id):
    seen = []
    for files, company_id, public in CASES[rule_id]:
        found = [d for d in diagnostics(project, rule_id, files, company_id, public) if d.code == rule_id]
        assert found, f"the case made no `{rule_id}` diagnostic: {files}"
        seen += found
    for diag in seen:
        ru = translate(diag, "ru")
        # English where it is made: Latin words, no Russian outside quoted ids, values and content words
        assert re.search(r"[a-z]{3}", plain(diag.message)) and not _CYRILLIC.search(plain(diag.message)), diag
        assert diag.hint, f"no hint: {diag}"
        assert not _CYRILLIC.search(plain(diag.hint)), diag
        # Russian by the catalogue: an entry matched (an unmatched text stays English) and no English phrase is left
        for english, russian in ((diag.message, ru.message), (diag.hint, ru.hint)):
            assert russian != english, f"no Russian for: {english}"
            assert _CYRILLIC.search(plain(russian)) and not _ENGLISH_PHRASE.search(plain(russian)), (english, russian)


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        (
            "reference `[[x]]` points at `x`, which company `beta` does not include (with `rules`)",
            "ссылка `[[x]]` ведёт к `x`, но компания `beta` не включает `x` (вместе с `rules`)",
        ),
        (
            "public `enforces: x` points at internal `x` (inside internal `secret-part`)",
            "`enforces: x` в открытой части ведёт к внутреннему `x` (он внутри внутреннего `secret-part`)",
        ),
        (
            "regulation `rules`: the review was due by 05.12.2026 (6 месяцев after the approval of 05.06.2026), "
            "5 days ago",
            "регламент `rules`: пересмотр нужно было провести до 05.12.2026 (`6 месяцев` после утверждения "
            "05.06.2026), 5 дней назад",
        ),
    ],
)
def test_the_variants_the_cases_do_not_reach(english, russian):
    made = Diagnostic("content/x.yml", 1, 1, "error", "x", english, "")
    assert translate(made, "ru").message == russian
