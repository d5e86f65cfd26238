"""The JSON Schema accepts the values the loader reads as meant (`60 000`, `12,5`, `9:15`, `да`), and still flags
what the loader rejects: an editor's red underline and `reglament check` agree on every natural-value field."""

from __future__ import annotations

import json
from functools import cache

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest import REPO
from reglament import ru
from reglament.editor import schema
from reglament.model import nodes as m
from reglament.source.yaml_source import parse_yaml

MOTIVATION = """\
id: pay
title: Мотивация
kind: motivation
fixed:
  amount: {amount}
bonus_base: {bonus_base}
example_percent: {example_percent}
kpis:
  - id: kpi-plan
    name: План
    measures: Доля [[deal|сделок]].
    weight: {weight}
    target: 100 %
tiers:
  - id: t0
    from_percent: 0
    to_percent: {to_percent}
    bonus_percent: 0
  - id: t1
    from_percent: 80
    bonus_percent: {bonus_percent}
"""
DUTIES = """\
id: duties
title: Обязанности
kind: duties
duties:
  - id: call
    text: Позвонить.
    role: manager
    deadline_minutes: {deadline_minutes}
"""
SCHEDULE = """\
id: time
title: Время
kind: schedule
hours: {{start: "09:00", end: {end}}}
routine:
  - id: b-lunch
    start: {start}
    end: "14:00"
    activity: Обед.
    is_break: {is_break}
"""
GOOD = {
    "amount": "60000",
    "bonus_base": "1000",
    "example_percent": "100",
    "weight": "100",
    "to_percent": "80",
    "bonus_percent": "50",
    "deadline_minutes": "15",
    "end": '"18:00"',
    "start": '"13:00"',
    "is_break": "true",
}
#: field → the part it is in, and its kind of value
FIELDS = {
    "amount": (MOTIVATION, "non-negative"),
    "bonus_base": (MOTIVATION, "non-negative"),
    "example_percent": (MOTIVATION, "non-negative"),
    "bonus_percent": (MOTIVATION, "non-negative"),
    "to_percent": (MOTIVATION, "number"),
    "weight": (MOTIVATION, "percent"),
    "deadline_minutes": (DUTIES, "minutes"),
    "end": (SCHEDULE, "clock"),
    "start": (SCHEDULE, "clock"),
    "is_break": (SCHEDULE, "flag"),
}
NUMBERS = [
    "60 000", "1 200 000", "12,5", "60 000,50", "1 234.5", "1234,5", '"60 000"', '"12,5"', '" 60 000 "',
    '"60\u00a0000"', '"60\u202f000"', "+1 000", "-5", "-1 200", "50", "12.5", '"50"', "0", "100", "100,0", "0,5",
    "150,5", "1 000", "12,0", "1 200,0",
]  # fmt: skip
NOT_NUMBERS = ["60 000 руб.", "abc", "12 34", "1 2000", "12,5,5", "60 000,", "1.200.000", "five"]
CLOCKS = ["9:15", "09:15", '" 9:15 "', "0:00", "23:59", '"9:15"']
NOT_CLOCKS = ["9.15", '"9.15"', "24:00", "9:5", "9:60", "123:00", "девять", "9 15"]
FLAGS = ["да", "нет", "Да", "НЕТ", "true", "false", "yes", "no", "on", "off"]
NOT_FLAGS = ["Да.", "конечно", "ага", "2"]
VALUES = {
    "non-negative": NUMBERS + NOT_NUMBERS,
    "number": NUMBERS + NOT_NUMBERS,
    "percent": NUMBERS + NOT_NUMBERS,
    "minutes": NUMBERS + NOT_NUMBERS,
    "clock": CLOCKS + NOT_CLOCKS,
    "flag": FLAGS + NOT_FLAGS,
}


def part_data(field: str, written: str) -> dict:
    template, _ = FIELDS[field]
    names = {k: v for k, v in GOOD.items() if "{" + k + "}" in template}
    text = template.format(**{**names, field: written})
    doc = parse_yaml(text, "content/regulations/rules/part.yml")
    assert not doc.diagnostics, doc.diagnostics
    return doc.data


def loader_accepts(data: dict) -> bool:
    try:
        m.PART_KINDS[data["kind"]].model_validate(data)
    except ValidationError:
        return False
    return True


@cache
def validator(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(schema.generate()[name + schema.SUFFIX]))


def schema_accepts(data: dict) -> bool:
    mine, union = validator(f"part-{data['kind']}").is_valid(data), validator("part").is_valid(data)
    assert mine == union, "the part's own schema and the union schema disagree"
    return mine


CASES = [(field, written) for field, (_, kind) in FIELDS.items() for written in VALUES[kind]]


@pytest.mark.parametrize(("field", "written"), CASES, ids=[f"{f}={w}" for f, w in CASES])
def test_the_schema_accepts_exactly_what_the_loader_accepts(field, written):
    data = part_data(field, written)
    assert schema_accepts(data) == loader_accepts(data)


def test_the_natural_forms_are_accepted_by_both():
    # the forms the README promises, each in a field of its kind
    for field, written in [
        ("amount", "60 000"),
        ("amount", "1 200 000"),
        ("weight", "12,5"),
        ("deadline_minutes", "1 200"),
        ("start", "9:15"),
        ("is_break", "да"),
    ]:
        data = part_data(field, written)
        assert loader_accepts(data) and schema_accepts(data), (field, written)


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2), st.sampled_from(["amount", "bonus_base", "to_percent"]))
def test_a_number_as_the_site_prints_it_is_accepted_by_both(value, field):
    written = f'"{ru.number(value)}"'  # «1 234 567,5» with no-break spaces, as copied from the site
    data = part_data(field, written)
    assert loader_accepts(data) and schema_accepts(data), written


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value="0.01", max_value=100, places=2))
def test_a_percent_as_the_site_prints_it_is_accepted_by_both(value):
    data = part_data("weight", f'"{ru.number(value)}"')
    assert loader_accepts(data) and schema_accepts(data), value


def test_the_committed_schemas_say_so():
    folder = REPO / schema.DEFAULT_DIR
    weight = json.loads((folder / "part-motivation.schema.json").read_text(encoding="utf-8"))
    kinds = {alt["type"] for alt in weight["$defs"]["Kpi"]["properties"]["weight"]["anyOf"]}
    assert kinds == {"number", "string"}
    assert schema.stale_files(folder) == []
