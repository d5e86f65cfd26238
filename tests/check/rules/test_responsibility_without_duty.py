"""Rule `responsibility-without-duty`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import DUTIES, problems


def test_responsibility_without_duty(project):
    root = project({"content/regulations/rules/duties.yml": DUTIES.replace("    enforces: [call-lead]\n", "")})
    assert problems(root, "responsibility-without-duty") == [
        ("responsibility-without-duty", "content/regulations/rules/duties.yml", 10, 9)
    ]
