"""Template bombs in content end within the bounds: a `template-limit` diagnostic each, bounded memory, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reglament.variant.resolve import escape_value

BOMBS = [
    "{{ '{:>100000000}'.format(1) }}",
    "{{ '%900000000d' % 1 }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'.ljust(10**9) }}",
    "{% set a = 'x' * 100000 %}{% set b = a~a~a~a~a~a~a~a~a~a~a~a %}{{ b~b~b~b }}",
    "{% set a = 'x' * 100000 %}{{ a|replace('x', a) }}",
    "{{ (['x' * 100000] * 100000)|join }}",
    "{{ ('x' * 100000)|map('center', 10000)|list|length }}",
    "{{ ((10**64)**64)**64 }}",
    "{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}y{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
]


def _content(bombs: list[str]) -> dict[str, str]:
    clauses = "".join(
        f"  - id: c{i}\n    text: {json.dumps('Пункт ' + b, ensure_ascii=False)}\n" for i, b in enumerate(bombs)
    )
    return {
        "content/glossary.yml": "terms: []\n",
        "content/roles.yml": "roles:\n  - id: head\n    name: Руководитель\n    department: Отдел\n",
        "content/regulations/rules/regulation.yml": "id: rules\ntitle: Регламент\nowner: head\napprover: head\n"
        "audience: [head]\nparts:\n  - general.yml\n",
        "content/regulations/rules/general.yml": "id: general\ntitle: Общие положения\nkind: clauses\nclauses:\n"
        + clauses,
        "content/defaults.yml": "short_name: Компания\nparams:\n  spaces:\n    value: '" + "a" + " " * 40_000 + "b'\n",
    }


MEASURE = """\
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(proc.stdout)
sys.stderr.write(proc.stderr)
print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(proc.returncode)
"""


@pytest.mark.slow
def test_every_bomb_is_a_template_limit_diagnostic_within_memory(tmp_path):
    root = tmp_path / "proj"
    for rel, text in _content(BOMBS).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    exe = Path(sys.executable).with_name("reglament")
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(exe), "check", "--root", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = json.loads(proc.stdout)
    limits = {d["line"]: d for d in found if d["code"] == "template-limit"}
    expected_lines = [6 + 2 * i for i in range(len(BOMBS))]  # `text:` of clause i
    assert sorted(limits) == expected_lines, found
    assert all(d["file"] == "content/regulations/rules/general.yml" and d["column"] > 1 for d in limits.values())
    maxrss_kb = int(proc.stderr.rsplit("MAXRSS_KB", 1)[1].split()[0])
    assert maxrss_kb < 1024 * 1024, f"peak memory {maxrss_kb / 1024:.0f} MB"


def test_escaping_is_linear_in_whitespace_runs():
    # 400 KB of spaces with no newline: the old pattern (`\s*[\r\n]+\s*`) took minutes on this
    value = "a" + " " * 400_000 + "b"
    assert escape_value(value) == value
    assert escape_value("a \n\t b  c") == "a b  c"
    assert escape_value("x" + " \r\n " * 1000 + "y") == "x y"
