"""Rule `unknown-reference`: cases with the expected (code, file, line, column) — yamllint style."""

from __future__ import annotations

from rule_cases import DUTIES, problems

from reglament.project import check_project


def test_unknown_reference_in_yaml_text_points_at_the_brackets(project):
    duties = DUTIES.replace("Позвонить [[lead|лиду]]", "Позвонить [[leed|лиду]]")
    root = project({"content/regulations/rules/duties.yml": duties})
    found = check_project(root).diagnostics
    bad = [d for d in found if d.code == "unknown-reference"]
    assert [(d.file, d.line, d.column) for d in bad] == [("content/regulations/rules/duties.yml", 6, 21)]
    assert "`lead`" in bad[0].hint


def test_unknown_reference_in_markdown_part(project):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [intro.md, duties.yml]\n"
    md = "---\nid: intro\ntitle: Введение\n---\n\nО работе с [[lead|лидами]].\n\nСм. [[no-such-id-xyz]].\n"
    root = project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/general.yml": None,
            "content/regulations/rules/intro.md": md,
        }
    )
    assert problems(root, "unknown-reference") == [("unknown-reference", "content/regulations/rules/intro.md", 8, 5)]


def test_reference_inside_code_span_is_not_a_reference(project):
    md = "---\nid: intro\ntitle: Введение\n---\n\nО работе с [[lead|лидами]]. Синтаксис: `[[id]]`.\n"
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [intro.md, duties.yml]\n"
    root = project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/general.yml": None,
            "content/regulations/rules/intro.md": md,
        }
    )
    assert problems(root, "unknown-reference") == []


def test_role_field_must_name_a_role(project):
    root = project({"content/regulations/rules/duties.yml": DUTIES.replace("role: manager", "role: lead")})
    found = [d for d in check_project(root).diagnostics if d.code == "unknown-reference"]
    assert [(d.line, d.column) for d in found] == [(7, 11)]
    assert "must name a role" in found[0].message
