"""YAML syntax mistakes: reported where the mistake starts, with its likely cause, and the items around
the broken one still read (the parser resynchronises at the next item of the list)."""

from __future__ import annotations

import pytest

from reglament.source.yaml_source import parse_yaml

ITEMS = """\
items:
  - id: first
    text: Первый.
  - id: broken
{broken}
  - id: last
    text: Последний.
"""

CASES = [
    # (the broken item's line, expected (line, column), message fragment, hint fragment)
    ('    text: "не закрыта', (5, 11), 'the quote " opened here is never closed', 'close it with "'),
    ("    text: 'it's", (5, 11), "the quoted value ends at the second '", "('')"),
    ("    weight:50", (5, 11), "no space after the colon in `weight:50`", "`weight: 50`"),
    ("    text: Внимание: срок", (5, 19), "a colon followed by a space inside a value", '`text: "Внимание: срок"`'),
    ("    text: [[lead]] обрабатывает", (5, 11), "starts with `[` is read as a list", '"[[lead]] обрабатывает"'),
    ("    text: *важно* да", (5, 11), "starts with `*` is read as a YAML alias", '"*…"'),
    ("    text: a\n   role: b", (6, 4), "indented by 3 spaces, the fields above by 4", "indent it by 4 spaces"),
    ("    text: @здесь", (5, 11), "cannot start with `@`", '"@…"'),
]


@pytest.mark.parametrize(("broken", "where", "message", "hint"), CASES, ids=[c[2][:30] for c in CASES])
def test_syntax_mistake_at_its_start_with_its_cause_and_the_other_items_kept(broken, where, message, hint):
    doc = parse_yaml(ITEMS.format(broken=broken), "x.yml")
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("yaml-syntax", *where)]
    assert message in doc.diagnostics[0].message
    assert hint in doc.diagnostics[0].hint
    # the items before and after the broken one are read; the broken one is read with the likely fix
    # applied (an unclosed quote closed at the end of its line, a space put after the colon), else left out
    kept = [item["id"] for item in doc.data["items"]]
    if "never closed" in message or "no space" in message:
        assert kept == ["first", "broken", "last"]
        assert doc.blanked == []
    else:
        assert kept == ["first", "last"]
        assert any("id: broken" in line for line in doc.blanked)


def test_two_syntax_mistakes_in_one_file_both_reported():
    text = ITEMS.format(broken='    text: "не закрыта') + "  - id: more\n    weight:50\n  - id: end\n    text: x\n"
    doc = parse_yaml(text, "x.yml")
    assert [(d.line, d.column) for d in doc.diagnostics] == [(5, 11), (9, 11)]
    assert [item["id"] for item in doc.data["items"]] == ["first", "broken", "last", "more", "end"]
    assert doc.data["items"][3]["weight"] == 50


def test_positions_after_a_left_out_item_are_exact():
    doc = parse_yaml(ITEMS.format(broken="    text: [[lead]] обрабатывает"), "x.yml")
    assert doc.positions[("items", 1, "text")][1:] == (7, 11)


def test_a_top_level_unclosed_quote_is_read_as_closed_at_the_end_of_its_line():
    doc = parse_yaml('id: x\ntitle: "не закрыта\nowner: head\n', "x.yml")
    assert doc.data == {"id": "x", "title": "не закрыта", "owner": "head"}
    assert [(d.line, d.column) for d in doc.diagnostics] == [(2, 8)]


def test_a_mistake_with_nothing_to_resynchronise_on_gives_no_data():
    doc = parse_yaml("title: [не закрыта\n", "x.yml")
    assert doc.data is None
    assert [d.code for d in doc.diagnostics] == ["yaml-syntax"]
