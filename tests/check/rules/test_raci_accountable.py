"""Rule `raci-accountable`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import DUTIES, problems


def test_raci_needs_one_accountable(project):
    duties = DUTIES.replace(
        "    role: manager\n", "    role: manager\n    raci:\n      responsible: [manager]\n      informed: [head]\n"
    )
    root = project({"content/regulations/rules/duties.yml": duties})
    assert problems(root, "raci-accountable") == [("raci-accountable", "content/regulations/rules/duties.yml", 9, 7)]
