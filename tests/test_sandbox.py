"""The one sandbox: Jinja's attack cases (jinja's tests/test_security.py) and the size bounds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.exceptions import SecurityError, UndefinedError

from reglament.sandbox import MAX_WIDTH, Budget, Spread, TemplateLimit, error_line, sandbox


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 1000000 }}",
        "{{ [1] * 1000000 }}",
        "{{ 10 ** 100000 }}",
        "{{ '%900000000d' % 1 }}",
        "{{ '%*d' % (900000000, 1) }}",
        "{{ '%900000000d' | format(1) }}",
        "{{ '{:>100000000}'.format('x') }}",
        "{{ '{:.100000000f}'.format(1.5) }}",
        "{{ 'x' | center(1000000000) }}",
        "{{ 'x' | indent(1000000000) }}",
        "{{ 'x' | wordwrap(width=1000000000) }}",
        "{{ 'x' | truncate(1000000000) }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ [].append(1) }}",
        "{{ {}.update(a=1) }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_attacks_raise_security_errors(source):
    env = sandbox()
    with pytest.raises(SecurityError):
        env.from_string(source).render()


@pytest.mark.parametrize(
    "source, expected",
    [
        ("{{ 'ab' * 3 }}", "ababab"),
        ("{{ 2 ** 10 }}", "1024"),
        ("{{ '%5d' % 42 }}", "   42"),
        ("{{ '%.2f' | format(3.14159) }}", "3.14"),
        ("{{ '{:>6}'.format('x') }}", "     x"),
        ("{{ 'x' | center(5) }}", "  x  "),
        ("{{ 3000000 | num }} {{ 87.5 | pct }} {{ 1234.5 | money }}", "3\u00a0000\u00a0000 87,5\u00a0% 1\u00a0235"),
    ],
)
def test_ordinary_use_still_works(source, expected):
    assert sandbox().from_string(source).render() == expected


def test_limit_is_the_documented_one():
    env = sandbox()
    assert env.from_string(f"{{{{ 'x' | center({MAX_WIDTH}) | length }}}}").render() == str(MAX_WIDTH)
    with pytest.raises(SecurityError):
        env.from_string(f"{{{{ 'x' | center({MAX_WIDTH + 1}) }}}}").render()


@pytest.mark.parametrize(
    "source",
    [
        "{% set a = 'x' * 100000 %}{{ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a }}",
        "{% set a = 'x' * 100000 %}{{ a | replace('x', 'yyyyyyyyyyyy') }}",
        "{{ ('x' * 100000).replace('x', 'yyyyyyyyyyyy') }}",
        "{{ (['x' * 100000] * 100000) | join }}",
        "{{ ('x' * 100000) | map('center', 10000) | list | length }}",
        "{{ ((10 ** 64) ** 64) ** 64 }}",
        "{{ ('\t' * 1000).expandtabs(100000) }}",
        "{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    ],
)
def test_bounded_render_stops_bombs_with_template_limit(source):
    env = sandbox()
    with pytest.raises(TemplateLimit):
        env.render_bounded(env.from_string(source), {}, seconds=0.3)


def test_bounded_render_limits_output_and_the_build_budget():
    env = sandbox()
    many = "{% for a in 'x' * 2000 %}{{ 'y' * 1000 }}{% endfor %}"  # 2 MB out of small pieces
    with pytest.raises(TemplateLimit, match="output over"):
        env.render_bounded(env.from_string(many), {})
    env.budget = Budget(seconds=60, chars=10)
    assert env.render_bounded(env.from_string("{{ 'abcdef' }}"), {}) == "abcdef"
    with pytest.raises(TemplateLimit, match="this build"):
        env.render_bounded(env.from_string("{{ 'abcdef' }}"), {})
    assert sandbox().render_bounded(sandbox().from_string("{{ 'a' ~ 1 }} {{ [1, 2] | join(',') }}"), {}) == "a1 1,2"


# --------------------------------------------------------------------------- where a runtime error is

PIECES = [
    "текст ",
    "\n",
    "  ",
    "\n    ",
    "{{ v }}",
    "{{- v -}}",
    "{{ '{{' ~ v ~ '}}' }}",
    "{%- if flag %}да{% else %}нет{% endif -%}",
    "\n  {% if flag %}\n  A\n  {% endif %}\n",
    "{%+ for c in 'ab' %}{{ c }},{% endfor +%}",
    "{# {{ комментарий }} #}",
    "{% raw %}{{ v }} {% if %}{% endraw %}",
    "{% set w = v ~ '!' %}{{ w }}",
    "{{ v\n   | upper }}",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.booleans())
def test_spreading_the_tags_keeps_the_output_and_maps_every_tag_line_to_its_opening(pieces, flag):
    env = sandbox()
    source = "".join(pieces)
    spread = env.spread(source)
    context = {"v": "знач", "flag": flag}
    assert env.from_string(spread.source).render(context) == env.from_string(source).render(context)
    # only line breaks were added, each line starts where the source does: at a line's start or a tag's opening
    assert spread.source.replace("\n", "") == source.replace("\n", "")
    assert len(spread.starts) == spread.source.count("\n") + 1
    assert list(spread.starts) == sorted(spread.starts)
    for at in spread.starts:
        assert at == 0 or source[at - 1] == "\n" or source[at : at + 2] in ("{{", "{%"), (at, source)


def test_a_runtime_error_names_the_tag_on_a_one_line_source():
    env = sandbox()
    source = "a {{ x }} b {{ x.missing.deeper }} c"
    spread = env.spread(source)
    with pytest.raises(UndefinedError) as raised:
        env.render_bounded(env.from_string(spread.source), {"x": "value"})
    assert spread.offset(error_line(raised.value)) == source.index("{{ x.missing")


def test_a_whole_render_bound_names_the_tag_whose_output_crossed_it():
    env = sandbox()
    chunk = "{{ 'x' * 99999 }}"
    source = "начало " + chunk * 9 + " {{ 'y' * 99 }} " + chunk + " конец"
    spread = env.spread(source)
    with pytest.raises(TemplateLimit, match="output over") as raised:
        env.render_bounded(env.from_string(spread.source), {})
    assert spread.offset(error_line(raised.value)) == source.rindex(chunk)


def test_a_source_that_does_not_lex_is_left_as_it_is():
    env = sandbox()
    for broken in ("{{ 'unclosed }}", "{{ a — b }}", "{% raw %} x"):
        assert env.spread(broken) == Spread.plain(broken) == Spread(broken, (0,))
    assert Spread.plain("a\nb\n").starts == (0, 2, 4)


# --------------------------------------------------------------------------- the fast paths keep every check


class _Account:
    def close(self):
        return "closed"

    close.alters_data = True  # Django's convention, honoured by Jinja's sandbox

    def balance(self):
        return 100


def _unsafe():
    return "ran"


_unsafe.unsafe_callable = True


def _exhausted():
    raise StopIteration


def test_plain_functions_and_methods_are_still_checked_before_they_are_called():
    env = sandbox()
    context = {"unsafe": _unsafe, "account": _Account(), "exhausted": _exhausted, "safe": lambda x: x * 2}
    for source in ("{{ unsafe() }}", "{{ account.close() }}", "{% for i in [1] %}{{ unsafe() }}{% endfor %}"):
        with pytest.raises(SecurityError, match="not safely callable"):
            env.from_string(source).render(context)
    assert env.from_string("{{ account.balance() }} {% for i in [1, 2] %}{{ safe(i) }}{% endfor %}").render(
        context
    ) == ("100 24")
    with pytest.raises(UndefinedError, match="StopIteration"):  # what Jinja's context call makes of it
        env.from_string("{{ exhausted() }}").render(context)
    with pytest.raises(TemplateLimit, match="built 2000000 characters"):  # results of plain calls are bounded too
        env.from_string("{{ big() }}").render({"big": lambda: "x" * 2_000_000})


def test_a_template_cannot_reach_the_clock_tick_or_call_it_unchecked():
    env = sandbox()
    with pytest.raises(UndefinedError):
        env.from_string("{{ tick() }}").render()
    # a loop body still ticks: the whole-render time bound stops an endless-looking loop
    with pytest.raises(TemplateLimit, match="CPU time"):
        env.render_bounded(
            env.from_string("{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"),
            {},
            seconds=0.2,
        )
