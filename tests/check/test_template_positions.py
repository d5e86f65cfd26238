"""Runtime template errors in multi-line texts (folded `>-`, literal `|`) at the faulty tag's `{{`/`{%`:
an undefined value, a sandbox escape and each kind of template-limit overrun on the text's third line."""

from __future__ import annotations

import pytest

from conftest import check_json
from reglament.project import check_project

FILE = "content/regulations/rules/general.yml"
GENERAL = """\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: plan
    text: {style}
      План продаж — {{{{ params.plan_amount | num }}}} ₽ в месяц {first}
      для {{{{ company.short_name }}}}, а в {second}
      городе {{{{ company.short_name }}}} и {fault} рублей.
"""
DEFAULTS = "name: Компания\nshort_name: ООО «Ромашка»\nparams:\n  plan_amount: 1000000\n"
FAULT_LINE = 9  # the text's third line in the file
CHUNK = "{{ 'x' * 99999 }}"  # just under the bound of one value: nine of them, and the tenth overruns the output

CASES = {
    "undefined value": ("{{ params.plan_amount.foo }}", "", "", "template-undefined", "has no attribute 'foo'"),
    "sandbox escape": ("{{ company.short_name.__class__.__mro__ }}", "", "", "template-forbidden", "__class__"),
    "one value over its bound": ("{{ 'ab' * 1000000 }}", "", "", "template-limit", "`*` would build 2000000"),
    "the text's output over its bound": (CHUNK * 2, CHUNK * 5, CHUNK * 4, "template-limit", "output over 1000000"),
    "the output overrun inside a loop": (
        "{% for c in 'x' * 999 %}{{ c }}{% endfor %}{% for c in 'x' * 99999 %}{{ 'y' * 99 }}{% endfor %}",
        "",
        "",
        "template-limit",
        "output over 1000000",
    ),
}


def tree(style: str, fault: str, first: str = "", second: str = "") -> dict[str, str]:
    text = GENERAL.format(style=style, fault=fault, first=first, second=second)
    return {f"{FILE}": text, "content/defaults.yml": DEFAULTS}


def expected_column(text: str, tag: str) -> int:
    """The column of ``tag`` on the fault line (1-based)."""
    return text.splitlines()[FAULT_LINE - 1].index(tag) + 1


def template_errors(root):
    return [
        (d.code, d.file, d.line, d.column, d.message) for d in check_project(root).diagnostics if d.severity == "error"
    ]


@pytest.mark.parametrize("style", [">-", "|"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_runtime_error_on_the_third_line_is_reported_at_its_tag(project, case, style):
    fault, first, second, code, words = CASES[case]
    files = tree(style, fault, first, second)
    found = template_errors(project(files))
    # the tag that fails; of the two chunks on line 3 the first is the tenth (5 + 4 + 1), the one whose output
    # goes over the bound; in the loop, the tag inside the second loop
    tag = {"the text's output over its bound": CHUNK, "the output overrun inside a loop": "{{ 'y'"}.get(case, fault)
    column = expected_column(files[FILE], tag)
    assert [(c, f, ln, col) for c, f, ln, col, _ in found] == [(code, FILE, FAULT_LINE, column)], found
    assert words in found[0][4]


def test_the_command_line_reports_the_same_position(project):
    fault = "{{ company.short_name.__class__ }}"
    files = tree(">-", fault)
    code, found = check_json(project(files))
    assert code == 1
    column = expected_column(files[FILE], fault)
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("template-forbidden", FAULT_LINE, column)]


@pytest.mark.slow
def test_a_render_out_of_time_is_reported_at_the_loop_that_spun(project):
    spin = "{% for b in 'x' * 99999 %}{% endfor %}"
    fault = "{% for a in 'x' * 99999 %}" + spin + "{% endfor %}"
    files = tree(">-", fault)
    found = template_errors(project(files))
    column = expected_column(files[FILE], spin)  # the inner loop: its body ticks the clock
    assert [(c, ln, col) for c, _, ln, col, _ in found] == [("template-limit", FAULT_LINE, column)], found
    assert "CPU time" in found[0][4]
