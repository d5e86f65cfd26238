"""How `reglament check` ends: as the program, at once once its output is flushed (no interpreter teardown, as
mypy ends); called in-process, with ``SystemExit`` as before — the output and exit code the same either way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reglament.cli import main

pytestmark = pytest.mark.usefixtures("user_cache_home")

#: the program with an exit handler that says when the interpreter is torn down
SCRIPT = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('torn down', file=sys.stderr))\n"
    "from reglament.cli import main\n"
    "sys.argv = ['reglament', *sys.argv[1:]]\n"
    "main()\n"
)


def program(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("cache", [True, False])
def test_the_program_ends_at_once_with_its_whole_output_and_code(project, cache):
    root = project({"content/regulations/rules/duties.yml": None})  # a missing part: an error
    extra = () if cache else ("--no-cache",)
    runs = [program("check", "--root", str(root), "--format", "json", *extra) for _ in range(2)]  # cold, warm
    in_process = CliRunner().invoke(main, ["check", "--root", str(root), "--format", "json", *extra])
    for proc in runs:
        assert proc.returncode == 1 == in_process.exit_code, proc.stderr
        assert "torn down" not in proc.stderr
        assert proc.stdout == in_process.output
    found = json.loads(runs[0].stdout)
    assert any(d["severity"] == "error" and d["code"] == "missing-part" for d in found), found


def test_a_clean_tree_ends_with_0_and_its_text_output(project):
    root = project()
    proc = program("check", "--root", str(root))
    assert proc.returncode == 0 and "ok: no problems found" in proc.stderr and "torn down" not in proc.stderr


def test_called_in_process_it_raises_system_exit_and_tears_nothing_down(project):
    root: Path = project()
    with pytest.raises(SystemExit) as exc:
        main(["check", "--root", str(root), "--format", "json"])
    assert exc.value.code == 0
