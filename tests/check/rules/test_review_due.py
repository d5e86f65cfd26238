"""Rule `review-due`: review cycles, with the clock passed in (never today's date) — yamllint style cases."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from conftest import REPO, minimal_files
from reglament.check.checker import check
from reglament.model.nodes import add_months, review_months
from reglament.project import check_project, load_project
from reglament.render.pages import render

REG = "content/regulations/rules/regulation.yml"
EDITIONS = """\
editions:
  - id: "2025.1"
    title: Первая редакция
    effective: 2025-03-03
    approved_by: Генеральный директор
    approved: 2025-02-20
"""


def review_project(project, review: str, *, editions: bool = True):
    files = minimal_files()
    files[REG] = files[REG].rstrip("\n") + "\n" + review + "\n"
    if editions:
        files["content/editions.yml"] = EDITIONS
    return project(files)


def problems_on(root, today: dt.date):
    loaded = load_project(root)
    found = check(loaded.loaded.content, morph=loaded.morph, today=today)
    return [(d.code, d.file, d.line, d.column, d.message) for d in found if d.code == "review-due"]


def line_of(root, key: str) -> int:
    lines = (root / REG).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(key + ":"))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 10, 1), None),  # 91 days ahead: quiet
        (dt.date(2026, 12, 1), "the review is due by 31.12.2026, in 30 days"),
        (dt.date(2026, 12, 31), "the review is due by 31.12.2026, in 0 days"),
        (dt.date(2027, 1, 1), "the review was due by 31.12.2026, 1 day ago"),
        (dt.date(2027, 3, 1), "the review was due by 31.12.2026, 60 days ago"),
    ],
)
def test_review_by_warns_when_due_within_30_days_or_overdue(project, today, expected):
    root = review_project(project, "review_by: 2026-12-31")
    found = problems_on(root, today)
    if expected is None:
        assert found == []
    else:
        assert found == [("review-due", REG, line_of(root, "review_by"), 12, f"regulation `rules`: {expected}")]


def test_review_every_counts_from_the_latest_approval(project):
    root = review_project(project, "review_every: 12 months")
    assert problems_on(root, dt.date(2026, 1, 20)) == []  # due 20.02.2026: 31 days ahead
    (found,) = problems_on(root, dt.date(2026, 1, 21))
    assert found[:4] == ("review-due", REG, line_of(root, "review_every"), 15)
    assert found[4] == (
        "regulation `rules`: the review is due by 20.02.2026 (12 months after the approval of 20.02.2025), in 30 days"
    )
    (found,) = problems_on(root, dt.date(2026, 3, 1))
    assert "was due by 20.02.2026" in found[4] and "9 days ago" in found[4]


def test_review_by_wins_over_review_every(project):
    root = review_project(project, "review_every: 1 год\nreview_by: 2030-01-01")
    assert problems_on(root, dt.date(2026, 3, 1)) == []


def test_review_every_without_an_approved_edition_is_reported(project):
    root = review_project(project, "review_every: 6 месяцев", editions=False)
    (found,) = problems_on(root, dt.date(2026, 3, 1))
    assert found[:3] == ("review-due", REG, line_of(root, "review_every"))
    assert "content/editions.yml lists none" in found[4]


def test_a_malformed_period_is_a_positioned_error(project):
    root = review_project(project, "review_every: quarterly")
    errors = [d for d in check_project(root).diagnostics if d.severity == "error"]
    assert [(d.file, d.line) for d in errors] == [(REG, line_of(root, "review_every"))]
    assert "review_every" in errors[0].message


def test_no_review_cycle_no_warning(project):
    root = review_project(project, "")
    assert problems_on(root, dt.date(2099, 1, 1)) == []


def test_periods_and_calendar_months():
    assert [review_months(p) for p in ("12 months", "1 year", "2 года", "6 месяцев", "3 месяца", "5 лет")] == [
        12,
        12,
        24,
        6,
        3,
        60,
    ]
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 3, 3), 12) == dt.date(2026, 3, 3)


def test_the_page_shows_the_review_deadline_and_nothing_without_a_cycle(project):
    root = review_project(project, "review_every: 12 months")
    shutil.copytree(REPO / "templates", root / "templates")
    checked = check_project(root)
    page = render(checked.content, root / "templates").pages["rules/index.md"]
    assert "**Пересмотр не позднее:** 20 февраля 2026 г." in page
    plain = review_project(project, "")
    page = render(check_project(plain).content, root / "templates").pages["rules/index.md"]
    assert "Пересмотр" not in page
