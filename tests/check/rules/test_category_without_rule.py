"""Rule `category-without-rule`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import CONF, problems


def test_category_without_rule(project):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [general.yml, duties.yml, data.yml]\n"
    root = project({"content/regulations/rules/regulation.yml": reg, "content/regulations/rules/data.yml": CONF})
    assert problems(root, "category-without-rule") == [
        ("category-without-rule", "content/regulations/rules/data.yml", 8, 9)
    ]
