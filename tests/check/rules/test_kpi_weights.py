"""Rule `kpi-weights`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import motivation_project, problems


def test_motivation_clean(project):
    assert problems(motivation_project(project)) == []


def test_kpi_weights_must_sum_to_100(project):
    assert problems(motivation_project(project, w1=50), "kpi-weights") == [
        ("kpi-weights", "content/regulations/rules/pay.yml", 6, 3)
    ]
