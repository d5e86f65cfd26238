"""Rule `schedule-overlap`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import problems, schedule_project


def test_schedule_clean(project):
    assert problems(schedule_project(project)) == []


def test_schedule_overlap(project):
    assert problems(schedule_project(project, s2="09:30"), "schedule-overlap") == [
        ("schedule-overlap", "content/regulations/rules/time.yml", 11, 12)
    ]


def test_schedule_outside_hours(project):
    assert problems(schedule_project(project, s1="08:00"), "schedule-overlap") == [
        ("schedule-overlap", "content/regulations/rules/time.yml", 7, 12)
    ]
