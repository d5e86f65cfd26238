"""The checker on editors' real mistakes: one mistake, its diagnostic and nothing else; several mistakes
at once, all of them and nothing else (no cascade, nothing hidden behind another error)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from editor_mistakes import MISTAKES, REG, apply, found, sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reglament.project import check_project


def test_the_sample_is_clean(tmp_path):
    assert found(sample(tmp_path)) == set()


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_one_mistake_gives_its_diagnostic_and_nothing_else(tmp_path, mistake):
    root = sample(tmp_path)
    expected = apply(root, [mistake])
    assert found(root) == expected


def test_many_mistakes_in_many_files_all_reported_nothing_else(tmp_path):
    """The issue's first tree: a misspelt field in the glossary no longer drops the glossary (320 unknown
    references), a dotted time no longer drops the schedule, and a syntax error keeps the rest of its file."""
    root = sample(tmp_path)
    names = {
        "unknown optional field",
        "time with a dot",
        "role typo",
        "unclosed quote",
        "colon inside a value",
        "no space after colon",
        "value not in the list",
        "audience as a string",
    }
    apply(root, [m for m in MISTAKES if m.name in names])
    diagnostics = check_project(root).diagnostics
    assert [f"{d.file}:{d.line}:{d.column} {d.code}" for d in diagnostics] == [
        "content/glossary.yml:7:5 unknown-field",
        f"{REG}/duties.yml:17:15 unknown-reference",
        f"{REG}/duties.yml:30:19 yaml-syntax",
        f"{REG}/duties.yml:39:28 yaml-syntax",
        f"{REG}/motivation.yml:27:11 yaml-syntax",
        f"{REG}/regulation.yml:8:11 wrong-type",
        f"{REG}/schedule.yml:25:12 wrong-type",
        f"{REG}/schedule.yml:70:13 wrong-type",
    ]
    messages = {d.line: (d.message, d.hint) for d in diagnostics if d.file == f"{REG}/duties.yml"}
    assert messages[30] == (
        'the quote " opened here is never closed',
        'close it with " at the end of the value on line 30 (a " inside the text: \\")',
    )
    assert messages[17][1] == "did you mean `manager`?"


def test_errors_are_not_hidden_behind_a_broken_regulation(tmp_path):
    """`audience: manager` keeps the regulation: the weights, the broken reference and the role typo in
    its parts are all reported."""
    root = sample(tmp_path)
    names = {"audience as a string", "weights sum to 95", "reference with one bracket", "role typo"}
    expected = apply(root, [m for m in MISTAKES if m.name in names])
    assert found(root) == expected


def test_a_lost_kpi_does_not_make_the_weights_wrong(tmp_path):
    """A syntax error that loses a KPI (a colon inside its name) suspends the weights rule for that part
    instead of reporting a sum the editor did not write (the stated consequence of a lost item)."""
    root = sample(tmp_path)
    names = {"KPI lost to a colon in its name", "weights sum to 95"}
    apply(root, [m for m in MISTAKES if m.name in names])
    assert found(root) == {("yaml-syntax", f"{REG}/motivation.yml", 39, 20)}


def test_a_kpi_read_with_the_likely_fix_still_counts(tmp_path):
    """`weight:50` is reported and read as `weight: 50`: the weights rule still runs on the part."""
    root = sample(tmp_path)
    names = {"no space after colon", "weights sum to 95"}
    expected = apply(root, [m for m in MISTAKES if m.name in names])
    assert found(root) == expected


def test_references_to_an_item_lost_to_a_syntax_error_are_not_unknown(tmp_path):
    root = sample(tmp_path)
    path = root / REG / "duties.yml"
    text = path.read_text(encoding="utf-8")
    # the whole group is lost (its first duty's line is broken); its duties are referenced from `enforces`
    path.write_text(
        text.replace("  - id: duties-requests\n", "  - id: duties-requests\n    title: [\n", 1), encoding="utf-8"
    )
    got = found(root)
    assert {code for code, *_ in got} == {"yaml-syntax"}, got


def _compatible(mistakes) -> bool:
    items = [m.item for m in mistakes]
    if len(set(items)) != len(items):
        return False
    # a KPI lost to a syntax error suspends the weights rule for its part (tested above)
    return not {"KPI lost to a colon in its name", "weights sum to 95"} <= {m.name for m in mistakes}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(MISTAKES), min_size=1, max_size=2, unique_by=lambda m: m.name).filter(_compatible))
def test_inserted_mistakes_add_exactly_their_diagnostics(mistakes):
    with tempfile.TemporaryDirectory() as tmp:
        root = sample(Path(tmp))
        expected = apply(root, mistakes)
        assert found(root) == expected
