"""The YAML layer on libyaml: YAML 1.2 typing, positions in characters, and the inputs it refuses."""

import datetime as dt

import pytest

from reglament.source.yaml_source import parse_yaml


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),  # YAML 1.1 booleans stay strings
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("15", 15),
        ("0x1F", 31),
        ("1_000", 1000),
        ("-7", -7),
        ("1.10", 1.1),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("09:30", "09:30"),  # no sexagesimal numbers in 1.2
        ("'15'", "15"),
        ('"true"', "true"),
        ("!!str 15", "15"),
        ("Обработать заявку", "Обработать заявку"),
        ("TRUE", True),
        ("tRue", "tRue"),
        ("truex", "truex"),
        ("Null", None),
        ("nULL", "nULL"),
        ("nan", "nan"),  # only `.nan` is a float
        ("team", "team"),
        ("no-call", "no-call"),
    ],
)
def test_plain_scalars_follow_yaml_1_2(source, value):
    doc = parse_yaml(f"v: {source}\n", "x.yml")
    assert doc.diagnostics == []
    assert doc.data == {"v": value}
    assert type(doc.data["v"]) is type(value)


def test_positions_count_characters_not_bytes():
    doc = parse_yaml("термин: «Лид»\nсписок:\n  - первый\n  - второй\n", "x.yml")
    assert doc.positions[("термин",)] == ("x.yml", 1, 9)
    assert doc.positions[("список", 1)] == ("x.yml", 4, 5)
    assert doc.key_positions[("список",)] == ("x.yml", 2, 1)


def test_alias_of_a_list_is_refused_at_the_anchor():
    # expanding aliases is how a few lines become gigabytes ("billion laughs")
    text = "a: &x [1, 2]\nb: [*x, *x]\n"
    doc = parse_yaml(text, "x.yml")
    assert [(d.line, d.column, d.code) for d in doc.diagnostics] == [(1, 4, "yaml-syntax")]
    assert "alias" in doc.diagnostics[0].message


def test_billion_laughs_stays_small():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]" for i in range(1, 9)]
    doc = parse_yaml("\n".join(lines) + "\n", "x.yml")
    assert doc.diagnostics and all(d.code == "yaml-syntax" for d in doc.diagnostics)
    assert len(doc.positions) < 200


def test_control_character_is_positioned():
    doc = parse_yaml("a: ok\nb: пр\x01ивет\n", "x.yml")
    assert doc.data is None
    [d] = doc.diagnostics
    assert (d.line, d.column, d.code) == (2, 6, "yaml-syntax")
    assert "U+0001" in d.message


def test_deep_flow_nesting_is_an_error_not_a_crash():
    doc = parse_yaml("a: " + "[" * 10_000 + "]" * 10_000 + "\n", "x.yml")
    assert doc.data is None
    assert [d.code for d in doc.diagnostics] == ["yaml-syntax"]


def test_deep_block_nesting_is_an_error_not_a_crash():
    text = "".join(" " * i + f"k{i}:\n" for i in range(3000))
    doc = parse_yaml(text, "x.yml")
    assert doc.data is None
    assert [d.code for d in doc.diagnostics] == ["yaml-syntax"]


SCALARS = """\
a:
  folded: >-
    первая строка
    вторая строка слово

    третья
  literal: |
    x
      y z
  plain: один два
    три четыре
"""


@pytest.mark.parametrize(
    ("field", "word", "line", "column"),
    [
        ("folded", "первая", 3, 5),
        ("folded", "слово", 4, 19),
        ("folded", "третья", 6, 5),
        ("literal", "z", 9, 9),
        ("plain", "два", 10, 15),
        ("plain", "четыре", 11, 9),
    ],
)
def test_positions_inside_multi_line_scalars_are_exact(field, word, line, column):
    # YAML folds these line breaks into spaces: the position is found by aligning text and source
    doc = parse_yaml(SCALARS, "x.yml")
    text = doc.data["a"][field]
    pos = doc.text_position(("a", field), text, text.index(word))
    assert (pos.line, pos.column) == (line, column)
    assert SCALARS.split("\n")[line - 1][column - 1 :].startswith(word)


def test_positions_are_exact_far_into_a_long_line_and_after_front_matter():
    # positions are kept packed in one int (line and column): a column past 2**20 and a line offset stay exact
    long = "x" * (1 << 21)
    doc = parse_yaml(f"a: {long}\nb: [1, {{c: 2}}]\n", "x.yml", line_offset=1)
    assert doc.positions[("b", 1, "c")] == ("x.yml", 3, 12)
    assert doc.key_positions[("b", 1, "c")] == ("x.yml", 3, 9)
    text = f"a: 1\nb: '{long}'\nc: 3\n"
    doc = parse_yaml(text, "x.yml")
    assert doc.positions[("c",)] == ("x.yml", 3, 4)
    assert doc.text_position(("b",), long, (1 << 21) - 1) == ("x.yml", 2, 5 + (1 << 21) - 1)


def test_positions_mapping_reads_like_a_dict_and_survives_pickling():
    import pickle

    from reglament.diagnostics import Position

    doc = parse_yaml("a:\n  - x\n  - y: 1\n", "x.yml")
    positions = doc.positions
    assert dict(positions) == {
        (): ("x.yml", 1, 1),
        ("a",): ("x.yml", 2, 3),
        ("a", 0): ("x.yml", 2, 5),
        ("a", 1): ("x.yml", 3, 5),
        ("a", 1, "y"): ("x.yml", 3, 8),
    }
    assert isinstance(positions[("a", 1, "y")], Position)
    assert ("a", 0) in positions and ("a", 2) not in positions and len(positions) == 5
    fallback = Position("x.yml", 9, 9)
    assert positions.get(("a", 2)) is None and positions.get(("a", 2), fallback) == fallback
    with pytest.raises(KeyError):
        positions[("b",)]
    positions[("z",)] = Position("x.yml", 7, 3)
    assert positions[("z",)] == ("x.yml", 7, 3)
    with pytest.raises(ValueError, match="not a position"):
        positions[("z",)] = Position("other.yml", 1, 1)
    copy = pickle.loads(pickle.dumps(doc))
    assert dict(copy.positions) == dict(positions) and dict(copy.key_positions) == dict(doc.key_positions)


def test_duplicate_key_names_the_first_line():
    doc = parse_yaml("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n", "x.yml")
    assert [(d.line, d.column, d.code, d.message) for d in doc.diagnostics] == [
        (5, 3, "duplicate-key", "duplicate key `c` (first defined at line 3)")
    ]
    doc = parse_yaml("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n", "x.md", line_offset=1)  # front matter
    assert [(d.line, d.message) for d in doc.diagnostics] == [(6, "duplicate key `c` (first defined at line 4)")]
