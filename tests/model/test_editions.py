"""Edition metadata (`content/editions.yml`): the model and the edition-* rules, one case per line."""

from __future__ import annotations

import datetime as dt

from reglament.model.editions import edition_key, format_date_ru, previous, tag_name
from reglament.project import check_project

EDITIONS = """\
editions:
  - id: "2025.1"
    title: Первая редакция
    effective: 2025-02-01
    approved_by: Генеральный директор А. В. Смирнов
    approved: 2025-01-20
  - id: "2025.2"
    title: Вторая редакция
    effective: 2025-06-01
    approved_by: Генеральный директор А. В. Смирнов
    approved: 2025-05-15
"""


def problems(root, prefix="edition"):
    found = check_project(root).diagnostics
    return [(d.code, d.line, d.column) for d in found if d.code.startswith(prefix) or d.code == "wrong-type"]


def edit(old: str, new: str) -> str:
    assert old in EDITIONS
    return EDITIONS.replace(old, new, 1)


def test_editions_load_in_order_with_dates(project):
    checked = check_project(project({"content/editions.yml": EDITIONS}))
    assert checked.diagnostics == []
    editions = checked.content.editions
    assert [e.id for e in editions] == ["2025.1", "2025.2"]
    assert editions[0].effective_date == dt.date(2025, 2, 1)
    assert editions[1].properties() == {
        "effective": "2025-06-01",
        "approved": "2025-05-15",
        "approved_by": "Генеральный директор А. В. Смирнов",
    }
    assert previous(editions, "2025.2") is editions[0] and previous(editions, "2025.1") is None
    assert editions[1].tag == tag_name("2025.2") == "edition/2025.2"


def test_no_editions_file_is_fine(project):
    assert check_project(project()).content.editions == []


def test_unquoted_numeric_id(project):
    root = project({"content/editions.yml": edit('id: "2025.2"', "id: 2025.2")})
    found = [d for d in check_project(root).diagnostics if d.code == "edition-id"]
    assert [(d.line, d.column) for d in found] == [(7, 9)]
    assert 'id: "2025.2"' in found[0].hint


def test_malformed_and_reserved_ids(project):
    root = project({"content/editions.yml": edit('id: "2025.2"', 'id: "2025/2"')})
    assert problems(root) == [("edition-id", 7, 9)]
    root = project({"content/editions.yml": edit('id: "2025.2"', "id: latest")})
    assert problems(root) == [("edition-id", 7, 9)]


def test_duplicate_id(project):
    root = project({"content/editions.yml": edit('id: "2025.2"', 'id: "2025.1"')})
    found = [d for d in check_project(root).diagnostics if d.code.startswith("edition")]
    assert [(d.code, d.line, d.column) for d in found] == [("edition-id", 7, 9)]
    assert "first at line 2" in found[0].message


def test_russian_date_format_gets_a_rewrite_hint(project):
    root = project({"content/editions.yml": edit("effective: 2025-06-01", "effective: 01.06.2025")})
    found = [d for d in check_project(root).diagnostics if d.code == "edition-date"]
    assert [(d.line, d.column) for d in found] == [(9, 16)]
    assert "`2025-06-01`" in found[0].hint


def test_impossible_date(project):
    root = project({"content/editions.yml": edit("approved: 2025-05-15", "approved: 2025-02-30")})
    assert problems(root) == [("edition-date", 11, 15)]


def test_effective_before_approval(project):
    root = project({"content/editions.yml": edit("approved: 2025-05-15", "approved: 2025-07-01")})
    found = [d for d in check_project(root).diagnostics if d.code.startswith("edition")]
    assert [(d.code, d.line, d.column) for d in found] == [("edition-date", 9, 16)]
    assert "1 июня 2025 г." in found[0].message and "1 июля 2025 г." in found[0].message


def test_ids_out_of_order(project):
    text = edit('id: "2025.2"', 'id: "2024.9"')
    root = project({"content/editions.yml": text})
    assert problems(root) == [("edition-order", 7, 9)]


def test_effective_dates_going_back(project):
    text = edit("effective: 2025-06-01", "effective: 2025-01-25").replace(
        "approved: 2025-05-15", "approved: 2025-01-10"
    )
    root = project({"content/editions.yml": text})
    assert problems(root) == [("edition-order", 9, 16)]


def test_missing_and_unknown_fields_are_positioned(project):
    text = edit(
        "    approved_by: Генеральный директор А. В. Смирнов\n    approved: 2025-05-15\n", "    approvd: 2025-05-15\n"
    )
    root = project({"content/editions.yml": text})
    found = [(d.code, d.line) for d in check_project(root).diagnostics]
    assert ("unknown-field", 10) in found and ("missing-field", 7) in found


def test_ids_sort_numerically():
    assert sorted(["2025.10", "2025.2", "2024.12"], key=edition_key) == ["2024.12", "2025.2", "2025.10"]


def test_russian_date():
    assert format_date_ru(dt.date(2025, 3, 1)) == "1 марта 2025 г."
    assert format_date_ru("2025-12-31") == "31 декабря 2025 г."
