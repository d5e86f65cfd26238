"""Every bad input is answered with a positioned diagnostic: tests/bad_inputs/, through the real CLI.

Each case folder in ``tests/bad_inputs/`` overlays ``_base/`` (a small valid
project) with its own files and says in ``case.json`` what ``reglament check``
and ``reglament build`` must answer (see ``tests/bad_inputs/README.md``). For
every case and both commands: the exit code is the expected one (1 for
problems in the content, 2 when the tool cannot run), no traceback is printed,
every expected diagnostic is there at its file, line and column, every
diagnostic points into its file (a line and column that exist), and a failed
build writes nothing to ``site/``.

    python tests/test_bad_inputs.py [CASE…]   # print what the CLI answers (to write a new case.json)
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from conftest import REPO, run_cli  # noqa: E402

CASES_DIR = HERE / "bad_inputs"
BASE = CASES_DIR / "_base"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "case.json").is_file())


def spec_of(name: str) -> dict:
    return json.loads((CASES_DIR / name / "case.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# Materialising a case


def _deep_clauses(depth: int) -> str:
    lines = ["id: general", "title: Общие положения", "kind: clauses", "clauses:"]
    indent = "  "
    for i in range(depth):
        lines += [f"{indent}- id: c{i}", f"{indent}  text: Пункт уровня {i + 1}.", f"{indent}  clauses:"]
        indent += "    "
    lines += [f"{indent}- id: last", f"{indent}  text: Последний пункт."]
    return "\n".join(lines) + "\n"


def generate(root: Path, spec: dict) -> None:
    """Inputs too big or too odd to commit: made here, into the temporary project."""
    kind = spec["kind"]
    if kind == "big-file":
        path = root / spec["path"]
        line = b"# " + "регламент ".encode() * 10 + b"\n"
        with path.open("wb") as out:
            remaining = spec["megabytes"] * 2**20
            block = line * (2**20 // len(line))
            while remaining > 0:
                out.write(block[:remaining])
                remaining -= len(block)
    elif kind == "deep-clauses":
        (root / spec["path"]).write_text(_deep_clauses(spec["depth"]), encoding="utf-8")
    elif kind == "symlink-out":
        outside = root.parent / "outside.yml"
        outside.write_text(spec["text"], encoding="utf-8")
        path = root / spec["path"]
        path.unlink(missing_ok=True)
        path.symlink_to(outside)
    elif kind == "symlink-folder-out":  # a whole regulation folder linked in from elsewhere
        outside = root.parent / "outside-regulation"
        shutil.copytree(BASE / "content" / "regulations" / "rules", outside)
        (outside / "regulation.yml").write_text(
            (outside / "regulation.yml").read_text(encoding="utf-8").replace("id: rules", "id: linked"),
            encoding="utf-8",
        )
        (root / spec["path"]).symlink_to(outside, target_is_directory=True)
    elif kind == "empty-content":
        shutil.rmtree(root / "content")
        (root / "content").mkdir()
    else:  # pragma: no cover - a typo in a case.json
        raise ValueError(f"unknown generator {kind!r}")


def materialise(name: str, tmp: Path) -> Path:
    """The case as a project: mkdocs.yml and templates/ of this repository, _base/, then the case's own files."""
    root = tmp / "project"
    root.mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(BASE, root, dirs_exist_ok=True)
    case = CASES_DIR / name
    for path in sorted(case.rglob("*")):
        if path.is_file() and path.name != "case.json":
            target = root / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    spec = spec_of(name)
    for rel in spec.get("remove", []):
        (root / rel).unlink()
    if "generate" in spec:
        generate(root, spec["generate"])
    return root


# --------------------------------------------------------------------------
# Running the CLI


def answer(root: Path, command: str, extra: list[str] = ()) -> tuple[int, list[dict], str]:
    args = ["check"] if command == "check" else ["build", "--out", str(root / "site")]
    proc = run_cli(*args, *extra, "--root", str(root), "--format", "json")
    try:
        found = json.loads(proc.stdout) if proc.stdout.strip() else []
    except json.JSONDecodeError:
        pytest.fail(f"{command}: stdout is not JSON:\n{proc.stdout[:2000]}\n{proc.stderr[:2000]}")
    return proc.returncode, found, proc.stderr


def _line_count(path: Path) -> int | None:
    if not path.is_file() or path.stat().st_size > 64 * 2**20:
        return None
    return path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n").count("\n") + 1


def matches(diagnostic: dict, want: dict) -> bool:
    """``want``'s keys equal the diagnostic's; a key ending in ``~`` is a substring of it."""
    for key, value in want.items():
        if key.endswith("~"):
            if value not in str(diagnostic.get(key[:-1], "")):
                return False
        elif diagnostic.get(key) != value:
            return False
    return True


def assert_answer(root: Path, command: str, expected: dict, extra: list[str] = ()) -> list[dict]:
    code, found, stderr = answer(root, command, extra)
    assert "Traceback" not in stderr, stderr
    assert code == expected["exit"], f"{command}: exit {code}, expected {expected['exit']}\n{stderr}\n{found}"
    if "stderr" in expected:
        assert expected["stderr"] in stderr
        assert len(stderr.strip().splitlines()) <= 5, stderr  # click's short usage note and the error, not a dump
    for want in expected["diagnostics"]:
        assert any(matches(d, want) for d in found), f"{command}: no diagnostic {want}; got:\n" + "\n".join(
            map(str, found)
        )
    if expected.get("only"):
        extra_found = [d for d in found if not any(matches(d, want) for want in expected["diagnostics"])]
        assert not extra_found, f"{command}: unexpected diagnostics {extra_found}"
    for d in found:
        assert d["file"] and d["line"] >= 1 and d["column"] >= 1, d
        assert d["code"] and d["message"], d
        lines = _line_count(root / d["file"])
        if lines is not None:
            assert d["line"] <= lines, f"{d} points past the end of its file ({lines} lines)"
    if code:
        assert not (root / "site").exists(), f"{command} failed but wrote site/"
    return found


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_answered(name, tmp_path):
    spec = spec_of(name)
    root = materialise(name, tmp_path)
    assert_answer(root, "check", spec["check"], spec.get("args", []))
    assert_answer(root, "build", spec.get("build", spec["check"]), spec.get("args", []))


def test_every_case_names_its_class_and_expects_something():
    for name in CASES:
        spec = spec_of(name)
        assert spec["class"], name
        answers = [spec["check"], spec.get("build", spec["check"])]
        assert any(a["exit"] for a in answers), f"{name}: nothing is expected to fail"
        assert all(a["diagnostics"] or "stderr" in a or a["exit"] == 0 for a in answers), name


def test_valid_base_is_clean(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(BASE, root)
    code, found, stderr = answer(root, "check")
    assert (code, found) == (0, []), stderr


if __name__ == "__main__":  # print the answers, to write or review a case.json
    import tempfile

    for name in sys.argv[1:] or CASES:
        with tempfile.TemporaryDirectory() as tmp:
            root = materialise(name, Path(tmp))
            for command in ("check", "build"):
                code, found, stderr = answer(root, command, spec_of(name).get("args", []))
                print(f"== {name} {command}: exit {code}" + (" TRACEBACK" if "Traceback" in stderr else ""))
                for d in found:
                    print(f"   {d['code']} {d['file']}:{d['line']}:{d['column']} {d['message'][:110]}")
                if not found:
                    print("   " + stderr.strip().replace("\n", "\n   ")[:300])
