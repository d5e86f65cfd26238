"""`build --out` replaces only an absent or empty folder, or a site this tool built: else exit 2, nothing touched."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from reglament.site.out_guard import MARK, OutRefused, guard_out, replaceable


def _snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def repo(project):
    root = project(with_site_files=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "notes").mkdir()
    (root / "notes" / "keep.txt").write_text("личное", encoding="utf-8")
    (root / "report.txt").write_text("файл", encoding="utf-8")
    return root


@pytest.mark.parametrize("target", ["content", "templates", ".", "notes", "report.txt", "..", "content/regulations"])
def test_out_that_is_not_a_built_site_is_refused_and_nothing_changes(repo, target):
    before = _snapshot(repo.parent)
    proc = run_cli("build", "--root", str(repo), "--out", str(repo / target))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "refusing to replace" in proc.stderr or "is a file" in proc.stderr
    assert _snapshot(repo.parent) == before


def test_all_companies_out_is_guarded_too(repo):
    (repo / "content" / "companies").mkdir()
    (repo / "content" / "companies" / "alpha.yml").write_text(
        "id: alpha\nname: Альфа\nshort_name: Альфа\nvisibility: internal\n", encoding="utf-8"
    )
    before = _snapshot(repo.parent)
    proc = run_cli("build", "--all-companies", "--root", str(repo), "--out", str(repo / "templates"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert _snapshot(repo.parent) == before


def test_guard_accepts_absent_empty_and_marked_folders(tmp_path):
    root = tmp_path / "proj"
    (root / "content").mkdir(parents=True)
    assert replaceable(tmp_path / "absent", root=root) is None
    (tmp_path / "empty").mkdir()
    assert replaceable(tmp_path / "empty", root=root) is None
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>старый сайт</p>", encoding="utf-8")
    assert replaceable(site, root=root) is not None
    (site / MARK).write_text("", encoding="utf-8")
    assert replaceable(site, root=root) is None
    with pytest.raises(OutRefused) as info:
        guard_out(root, root=root)  # the project itself, even if someone marks it
    assert info.value.exit_code == 2


@pytest.mark.slow
def test_a_built_site_is_rebuilt_in_place(repo):
    out = repo / "site"
    first = run_cli("build", "--root", str(repo), "--out", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    assert (out / MARK).is_file() and (out / "index.html").is_file()
    (repo / "content" / "regulations" / "rules" / "general.yml").write_text(
        (repo / "content" / "regulations" / "rules" / "general.yml")
        .read_text(encoding="utf-8")
        .replace("описывает", "определяет"),
        encoding="utf-8",
    )
    second = run_cli("build", "--root", str(repo), "--out", str(out))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "определяет" in (out / "rules" / "index.html").read_text(encoding="utf-8")
