"""An item whose id stays while its kind changes (found by typing `diff.compare`)."""

from __future__ import annotations

from conftest import minimal_files, write_tree
from reglament.diff import compare_editions
from reglament.source.loader import load

# `late-call` was a duty; the new edition makes it a responsibility clause under the same id
DUTIES_OLD = """\
id: duties
title: Обязанности
kind: duties
duties:
  - id: call-lead
    text: Позвонить [[lead|лиду]] и оформить [[deal|сделку]].
    role: manager
  - id: late-call
    text: Перезвонить, если звонок опоздал.
    role: manager
"""

DUTIES_NEW = """\
id: duties
title: Обязанности
kind: duties
duties:
  - id: call-lead
    text: Позвонить [[lead|лиду]] и оформить [[deal|сделку]].
    role: manager
responsibility:
  - id: late-call
    text: За опоздание со звонком — замечание.
    enforces: [call-lead]
"""


def test_duty_that_became_a_responsibility_is_compared(tmp_path):
    trees = []
    for name, duties in (("old", DUTIES_OLD), ("new", DUTIES_NEW)):
        files = minimal_files() | {"content/regulations/rules/duties.yml": duties}
        trees.append(load(write_tree(tmp_path / name, files)).content)
    changes = compare_editions(*trees)
    items = {item.id: item for reg in changes.regulations for item in reg.items()}
    late = items["late-call"]
    assert (late.kind, late.change) == ("responsibility", "changed")
    assert late.fields[0].field == "kind" and (late.fields[0].old, late.fields[0].new) == ("duty", "responsibility")
    # the roles of the duty it now enforces are told to re-read (the old side, a duty, enforces nothing)
    manager = next(impact for impact in changes.impact if impact.role == "manager")
    assert any(r.item == "late-call" and r.kind == "responsibility" for r in manager.reasons)
