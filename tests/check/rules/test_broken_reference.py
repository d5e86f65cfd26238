"""Rule `broken-reference`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

import pytest
from rule_cases import DUTIES, problems

from reglament.project import check_project

DUTIES_FILE = "content/regulations/rules/duties.yml"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("[[lead|лиду и", "reference `[[lead|…` is not closed"),
        ("[[lead|лиду] и", "reference `[[lead|лиду]` is closed with one bracket"),
        ("[[lead|]] и", "reference `[[lead|]]` has an empty display form after `|`"),
        ("[[]] и", "reference `[[]]` names no id"),
    ],
)
def test_broken_reference_at_its_opening_brackets(project, written, message):
    root = project({DUTIES_FILE: DUTIES.replace("[[lead|лиду]] и", written)})
    found = check_project(root).diagnostics
    # the broken reference, and nothing else: no unknown-reference, no unlinked «лиду»
    assert [(d.code, d.file, d.line, d.column) for d in found] == [("broken-reference", DUTIES_FILE, 6, 21)]
    assert found[0].message == message
    assert "]]" in found[0].hint


def test_reference_in_code_span_is_not_broken(project):
    root = project({DUTIES_FILE: DUTIES.replace("[[lead|лиду]] и", "[[lead|лиду]] и `[[` и")})
    assert problems(root, "broken-reference") == []


def test_broken_reference_in_markdown_part(project):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [intro.md, duties.yml]\n"
    md = "---\nid: intro\ntitle: Введение\n---\n\nО работе с [[lead|лидами]].\n\nСм. [[deal|сделки].\n"
    root = project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/general.yml": None,
            "content/regulations/rules/intro.md": md,
        }
    )
    assert problems(root, "broken-reference") == [("broken-reference", "content/regulations/rules/intro.md", 8, 5)]


@pytest.mark.parametrize(
    ("written", "column"),
    [
        ("[[[lead|лиду]] и", 21),  # a third bracket before a well-formed reference: as many `[[` as references
        ("[[lead|лиду]] и [[lead|лиду и", 37),  # one reference closed, the next one not
    ],
)
def test_an_unclosed_opening_beside_well_formed_references(project, written, column):
    root = project({DUTIES_FILE: DUTIES.replace("[[lead|лиду]] и", written)})
    found = [(d.code, d.line, d.column) for d in check_project(root).diagnostics if d.code == "broken-reference"]
    assert found == [("broken-reference", 6, column)]
