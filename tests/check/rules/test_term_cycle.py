"""Rule `term-cycle`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import GLOSSARY, problems


def test_term_cycle(project):
    glossary = GLOSSARY.replace("Потенциальный клиент, оставивший контакты.", "Будущая [[deal|сделка]].")
    root = project({"content/glossary.yml": glossary})
    assert problems(root, "term-cycle") == [("term-cycle", "content/glossary.yml", 4, 17)]
