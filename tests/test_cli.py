"""The `reglament` command on the real sample content and on broken copies of it."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO, check_json, run_cli


@pytest.fixture
def sample(tmp_path):
    """A copy of the repository's sample project (content, templates, mkdocs.yml)."""
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def test_sample_checks_clean_strict():
    code, found = check_json(REPO, "--strict")
    assert found == []
    assert code == 0


def test_dangling_reference_in_markdown_page(sample):
    page = sample / "content" / "pages" / "index.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    lines.append("См. [[no-such-id-xyz]].")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, found = check_json(sample)
    assert code == 1
    bad = [d for d in found if d["code"] == "unknown-reference"]
    assert [(d["file"], d["line"], d["column"]) for d in bad] == [("content/pages/index.md", len(lines), 5)]


def test_duplicated_top_level_key_no_traceback(sample):
    glossary = sample / "content" / "glossary.yml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text + "terms: []\n", encoding="utf-8")
    proc = run_cli("check", "--root", str(sample), "--format", "json")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    found = json.loads(proc.stdout)
    dup = [d for d in found if d["code"] == "duplicate-key"]
    assert [(d["file"], d["line"], d["column"]) for d in dup] == [
        ("content/glossary.yml", len(text.splitlines()) + 1, 1)
    ]


def test_json_keys_and_text_format(project):
    root = project(
        {
            "content/regulations/rules/general.yml": "id: general\ntitle: О\nkind: clauses\nclauses:\n  - id: purpose\n    text: О [[leed]].\n"
        }
    )
    code, found = check_json(root)
    assert code == 1
    assert set(found[0]) == {"code", "severity", "message", "file", "line", "column", "hint"}
    text = run_cli("check", "--root", str(root)).stdout
    assert "content/regulations/rules/general.yml:6:13: error [unknown-reference]" in text
    assert "    text: О [[leed]]." in text
    assert "\n" + " " * 16 + "^" in text  # caret under column 13
    gh = run_cli("check", "--root", str(root), "--format", "github").stdout
    assert gh.startswith("::error file=content/regulations/rules/general.yml,line=6,col=13,")


def test_warnings_fail_only_with_strict(project):
    glossary_extra = "  - id: refund\n    term: Возврат\n    definition: Возврат товара.\n"
    from conftest import GLOSSARY

    root = project({"content/glossary.yml": GLOSSARY + glossary_extra})
    assert check_json(root)[0] == 0
    assert check_json(root, "--strict")[0] == 1


def test_cannot_run_exit_2(tmp_path):
    proc = run_cli("check", "--root", str(tmp_path))
    assert proc.returncode == 2
    assert "no `content/` folder" in proc.stderr
    empty = tmp_path / "content"
    empty.mkdir()
    assert run_cli("check", "--root", str(tmp_path)).returncode == 2
    assert run_cli("check", "--format", "xml").returncode == 2


@pytest.mark.slow
def test_build_with_errors_leaves_site_untouched(sample):
    site = sample / "site"
    site.mkdir()
    (site / "marker.txt").write_text("old site", encoding="utf-8")
    page = sample / "content" / "pages" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nСм. [[nothing-here]].\n", encoding="utf-8")
    proc = run_cli("build", "--root", str(sample))
    assert proc.returncode == 1
    assert sorted(p.name for p in site.iterdir()) == ["marker.txt"]
    assert not list(sample.glob(".site.new-*"))
