"""Rule `bonus-tiers`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

import pytest
from rule_cases import motivation_project, problems


@pytest.mark.parametrize(
    "tiers, expected",
    [
        (
            "  - id: t0\n    from_percent: 0\n    to_percent: 80\n    bonus_percent: 0\n"
            "  - id: t1\n    from_percent: 90\n    bonus_percent: 50\n",
            [(22, 19)],
        ),  # gap 80..90
        (
            "  - id: t0\n    from_percent: 0\n    to_percent: 80\n    bonus_percent: 0\n"
            "  - id: t1\n    from_percent: 70\n    bonus_percent: 50\n",
            [(22, 19)],
        ),  # overlap 70..80
        ("  - id: t0\n    from_percent: 10\n    bonus_percent: 0\n", [(18, 19)]),  # no tier from 0
        ("  - id: t0\n    from_percent: 0\n    to_percent: 80\n    bonus_percent: 0\n", [(19, 17)]),  # closed top
    ],
)
def test_bonus_tiers(project, tiers, expected):
    found = problems(motivation_project(project, tiers=tiers), "bonus-tiers")
    assert [(line, col) for _, _, line, col in found] == expected
