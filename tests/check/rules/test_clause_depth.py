"""Rule `clause-depth`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import problems

from reglament.project import check_project

FILE = "content/regulations/rules/general.yml"


def nested(depth: int, *, siblings: int = 1) -> str:
    """A clauses part whose first clause nests ``depth`` levels deep (c1 ⊃ c2 ⊃ …); ``siblings`` top clauses."""
    lines = ["id: general", "title: Общие положения", "kind: clauses", "clauses:"]
    for level in range(1, depth + 1):
        pad = "    " * (level - 1)
        lines += [f"{pad}  - id: c{level}", f"{pad}    text: Пункт уровня {level}."]
        if level < depth:
            lines.append(f"{pad}    clauses:")
    lines += [f"  - id: s{i}\n    text: Ещё пункт {i}." for i in range(2, siblings + 1)]
    return "\n".join(lines) + "\n"


def test_eight_levels_below_the_section_are_fine(project):
    # «1.1.1.1.1.1.1.1.1»: nine levels, the most a Word multi-level list numbers
    assert problems(project({FILE: nested(8)}), "clause-depth") == []


def test_the_first_clause_past_nine_levels_is_reported_once_per_branch(project):
    root = project({FILE: nested(11, siblings=2)})
    # c9 is «1.1.1.1.1.1.1.1.1.1» (ten levels); its own sub-clauses are not reported again
    line = nested(11).split("\n").index("                                  - id: c9") + 1
    assert problems(root, "clause-depth") == [("clause-depth", FILE, line, 41)]


def test_the_message_names_the_number_and_the_fix(project):
    found = check_project(project({FILE: nested(9)})).diagnostics
    (diag,) = [d for d in found if d.code == "clause-depth"]
    assert "1.1.1.1.1.1.1.1.1.1" in diag.message and diag.severity == "error"
    assert "up a level" in diag.hint
