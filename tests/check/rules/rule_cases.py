"""Shared small trees and the `problems` helper for the rule tests (one module per rule)."""

from __future__ import annotations

from conftest import DUTIES, GLOSSARY  # noqa: F401  (re-exported for the rule modules)
from reglament.project import check_project


def problems(root, code=None):
    found = check_project(root).diagnostics
    return [(d.code, d.file, d.line, d.column) for d in found if code is None or d.code == code]


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
