"""Internal parameters are absent from a public variant's template context: every path to one is a diagnostic."""

from __future__ import annotations

import pytest
from tests.variant.test_variants import INTERNAL_GENERAL, MARKER, internal_project  # noqa: F401

from reglament.project import check_project

SECRET = "17"  # the internal parameter's value (content/defaults.yml of internal_project)


def _general(expression: str) -> str:
    return INTERNAL_GENERAL.replace("в {{ company.short_name }}.", f"— ставка {expression} %.")


@pytest.mark.parametrize(
    "expression, code",
    [
        ("{% set p = params %}{{ p.secret_bonus }}", "internal-reference"),
        ("{{ params|attr('secret_bonus') }}", "internal-reference"),
        ("{{ params['secret_' ~ 'bonus'] }}", "internal-reference"),
        ("{% with p = params %}{{ p['secret_bonus'] }}{% endwith %}", "internal-reference"),
        ("{% set k = 'secret_bonus' %}{{ params[k] }}", "internal-reference"),
        ("{{ params.secret_bonus }}", "internal-reference"),
    ],
)
def test_every_path_to_an_internal_parameter_is_a_positioned_diagnostic(internal_project, expression, code):
    root = internal_project({"content/regulations/rules/general.yml": _general(expression)})
    assert check_project(root).diagnostics == []  # the internal site may show it
    found = check_project(root, public=True).diagnostics
    assert [(d.code, d.file, d.line) for d in found] == [(code, "content/regulations/rules/general.yml", 6)]
    assert found[0].column > 1
    assert "secret_bonus" in found[0].message and SECRET not in found[0].message


@pytest.mark.parametrize(
    "expression",
    [
        "{{ params|dictsort }}",
        "{% for k, v in params.items() %}{{ k }}={{ v }};{% endfor %}",
        "{{ params|list|join(',') }}",
        "{{ params.values()|join(',') }}",
        "{{ params }}",
    ],
)
def test_iterating_params_shows_only_what_the_audience_may_see(internal_project, expression):
    general = _general(expression)
    root = internal_project(
        {
            "content/regulations/rules/general.yml": general,
            "content/defaults.yml": "short_name: Компания\nparams:\n  secret_bonus:\n    value: 9918273\n"
            "    visibility: internal\n  plan:\n    value: 5\n",
        }
    )
    checked = check_project(root, public=True)
    assert [d.code for d in checked.diagnostics if d.code != "unused-parameter"] == []
    purpose = checked.variant.content.index["purpose"].node.text
    assert "9918273" not in purpose and "secret_bonus" not in purpose
