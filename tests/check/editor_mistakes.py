"""Realistic editors' mistakes in the sample content (content/ of this repository), each with exactly
the diagnostics it must give — shared by the multi-mistake corpus and the property test.

A mistake replaces one exact, unique piece of one source file; its diagnostics are
``(code, file, line, column)``, the line found from the replaced text so the
catalogue follows the sample content when it changes elsewhere.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO
from reglament.project import check_project

REG = "content/regulations/sales-manager"


@dataclass(frozen=True)
class Mistake:
    name: str
    file: str
    old: str
    new: str
    #: (code, column) of each diagnostic, on the mistake's line — or (code, line offset, column)
    expected: tuple[tuple, ...]
    #: the item the mistake is in (two mistakes of a property-test draw are in different items)
    item: str = ""

    def line_in(self, text: str) -> int:
        assert text.count(self.old) == 1, f"{self.name}: `{self.old}` is not unique in {self.file}"
        return text[: text.index(self.old)].count("\n") + 1

    def diagnostics(self, text: str) -> set[tuple]:
        line = self.line_in(text)
        out = set()
        for want in self.expected:
            code, offset, column = want if len(want) == 3 else (want[0], 0, want[1])
            out.add((code, self.file, line + offset, column))
        return out


MISTAKES = (
    Mistake(
        "unknown optional field",
        "content/glossary.yml",
        "    synonyms: [Покупатель]",
        "    sinonimy: [Покупатель]",
        (("unknown-field", 5),),
        "client",
    ),
    Mistake(
        "time with a dot",
        f"{REG}/schedule.yml",
        '    start: "09:15"',
        "    start: 9.15",
        (("wrong-type", 12),),
        "rt-overnight-requests",
    ),
    Mistake(
        "role typo",
        f"{REG}/duties.yml",
        "      - id: d-request-first-contact\n        role: manager",
        "      - id: d-request-first-contact\n        role: manger",
        (("unknown-reference", 1, 15),),
        "d-request-first-contact",
    ),
    Mistake(
        "unclosed quote",
        f"{REG}/duties.yml",
        "        deadline: в течение 4 рабочих часов после первого контакта",
        '        deadline: "в течение 4 рабочих часов после первого контакта',
        (("yaml-syntax", 19),),
        "d-request-qualify",
    ),
    Mistake(
        "no space after colon",
        f"{REG}/motivation.yml",
        "    weight: 50",
        "    weight:50",
        (("yaml-syntax", 11),),
        "kpi-plan",
    ),
    Mistake(
        "KPI lost to a colon in its name",
        f"{REG}/motivation.yml",
        "    name: Конверсия лидов в оплату",
        "    name: Конверсия: лидов в оплату",
        (("yaml-syntax", 20),),
        "kpi-conversion",
    ),
    Mistake(
        "field indented one space too far",
        f"{REG}/duties.yml",
        "      - id: d-request-qualify\n        role: manager\n        text: >-",
        "      - id: d-request-qualify\n        role: manager\n         text: >-",
        (("yaml-syntax", 2, 10),),
        "d-request-qualify",
    ),
    Mistake(
        "list item without its dash",
        f"{REG}/duties.yml",
        "      - id: d-request-unreachable",
        "      id: d-request-unreachable",
        (("yaml-syntax", 7),),
        "d-request-unreachable",
    ),
    Mistake(
        "weights sum to 95",
        f"{REG}/motivation.yml",
        "    weight: 20",
        "    weight: 15",
        (("kpi-weights", -13, 3),),
        "kpis",
    ),
    Mistake(
        "reference with one bracket",
        f"{REG}/duties.yml",
        "результат контакта в [[crm|CRM-системе]].",
        "результат контакта в [[crm|CRM-системе].",
        (("broken-reference", 77),),
        "d-request-first-contact",
    ),
    Mistake(
        "audience as a string",
        f"{REG}/regulation.yml",
        "audience: [manager, head-of-sales]",
        "audience: manager",
        (("wrong-type", 11),),
        "regulation",
    ),
    Mistake(
        "value not in the list",
        f"{REG}/schedule.yml",
        "  - id: rec-weekly-meeting\n    period: weekly",
        "  - id: rec-weekly-meeting\n    period: weakly",
        (("wrong-type", 1, 13),),
        "rec-weekly-meeting",
    ),
    Mistake(
        "colon inside a value",
        f"{REG}/duties.yml",
        "        deadline: в течение 1 рабочего дня",
        "        deadline: в течение: 1 рабочего дня",
        (("yaml-syntax", 28),),
        "d-request-unreachable",
    ),
)


def sample(tmp: Path) -> Path:
    """A copy of the sample project's content (clean: `check` finds nothing)."""
    root = tmp / "project"
    shutil.copytree(REPO / "content", root / "content")
    return root


def apply(root: Path, mistakes) -> set[tuple]:
    """Make the mistakes in ``root``; the diagnostics they must give, all together."""
    expected: set[tuple] = set()
    for mistake in mistakes:
        path = root / mistake.file
        text = path.read_text(encoding="utf-8")
        expected |= mistake.diagnostics(text)
        path.write_text(text.replace(mistake.old, mistake.new), encoding="utf-8")
    return expected


def found(root: Path) -> set[tuple]:
    return {(d.code, d.file, d.line, d.column) for d in check_project(root).diagnostics}
