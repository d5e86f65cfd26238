"""Rule `duplicate-id`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import GLOSSARY, problems


def test_duplicate_id_reports_both_places(project):
    glossary = GLOSSARY + "  - id: call-lead\n    term: Звонок\n    definition: Разговор.\n"
    root = project({"content/glossary.yml": glossary})
    assert sorted(problems(root, "duplicate-id")) == [
        ("duplicate-id", "content/glossary.yml", 8, 9),
        ("duplicate-id", "content/regulations/rules/duties.yml", 5, 9),
    ]
