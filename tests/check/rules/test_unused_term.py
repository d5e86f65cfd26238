"""Rule `unused-term`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import GLOSSARY, problems


def test_unused_term(project):
    glossary = GLOSSARY + "  - id: refund\n    term: Возврат\n    definition: Возврат товара.\n    match: exact\n"
    root = project({"content/glossary.yml": glossary})
    assert problems(root, "unused-term") == [("unused-term", "content/glossary.yml", 8, 9)]
