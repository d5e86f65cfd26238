"""The rules together: the minimal tree is clean."""

from __future__ import annotations

from rule_cases import problems


def test_minimal_content_is_clean(project):
    assert problems(project()) == []
