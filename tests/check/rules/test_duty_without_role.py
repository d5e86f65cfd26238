"""Rule `duty-without-role`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import DUTIES, problems


def test_duty_without_role(project):
    root = project({"content/regulations/rules/duties.yml": DUTIES.replace("    role: manager\n", "")})
    assert problems(root, "duty-without-role") == [("duty-without-role", "content/regulations/rules/duties.yml", 5, 9)]
