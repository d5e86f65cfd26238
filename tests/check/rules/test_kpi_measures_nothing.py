"""Rule `kpi-measures-nothing`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import motivation_project, problems


def test_kpi_measures_nothing(project):
    assert problems(motivation_project(project, measures="Количество звонков."), "kpi-measures-nothing") == [
        ("kpi-measures-nothing", "content/regulations/rules/pay.yml", 13, 15)
    ]
