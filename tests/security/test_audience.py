"""One audience per output: a company internal at edition 2025.1 and public at 2025.2.

The public edition's «Что изменилось» page, `diff --company` and the PDF change
sheet are all made for the public: both sides are resolved for it, so nothing
internal on *either* side (the old internal clause, the old internal page, an
internal parameter's value) appears in them.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO, minimal_files, run_cli, write_tree

pytestmark = pytest.mark.slow

MARK = "ZQX-ВНУТР-4242"
GENERAL_1 = f"""\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: purpose
    text: Регламент описывает работу с [[lead|лидами]].
  - id: kickback
    text: Откат {MARK} составляет {{{{ params.kick }}}} %.
    visibility: internal
"""
GENERAL_2 = """\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: purpose
    text: Настоящий регламент описывает работу с [[lead|лидами]].
"""
EDITION_1 = '  - id: "2025.1"\n    title: Первая\n    effective: 2025-02-01\n    approved_by: Директор А. Б. Петров\n    approved: 2025-01-20\n'
EDITION_2 = '  - id: "2025.2"\n    title: Вторая\n    effective: 2025-06-01\n    approved_by: Директор А. Б. Петров\n    approved: 2025-01-20\n'


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def switched(tmp_path_factory) -> Path:
    proj = tmp_path_factory.mktemp("audience") / "proj"
    files = dict(minimal_files())
    files.update(
        {
            "content/editions.yml": "editions:\n" + EDITION_1,
            "content/regulations/rules/general.yml": GENERAL_1,
            "content/defaults.yml": "short_name: Компания\nparams:\n  kick:\n    value: 87123\n"
            "    visibility: internal\n",
            "content/companies/acme.yml": "id: acme\nname: ООО «Акме»\nshort_name: Акме\nvisibility: internal\n",
        }
    )
    write_tree(proj, files)
    shutil.copy(REPO / "mkdocs.yml", proj / "mkdocs.yml")
    shutil.copytree(REPO / "templates", proj / "templates")
    git(proj.parent, "init", "-q", "-b", "main", str(proj))
    git(proj, "config", "user.name", "Издатель")
    git(proj, "config", "user.email", "publisher@example.com")
    git(proj, "add", "-A")
    git(proj, "commit", "-qm", "2025.1")
    git(proj, "tag", "-a", "edition/2025.1", "-m", "2025.1")
    (proj / "content/regulations/rules/general.yml").write_text(GENERAL_2, encoding="utf-8")
    (proj / "content/companies/acme.yml").write_text(
        "id: acme\nname: ООО «Акме»\nshort_name: Акме\nvisibility: public\n", encoding="utf-8"
    )
    with (proj / "content/editions.yml").open("a", encoding="utf-8") as fh:
        fh.write(EDITION_2)
    git(proj, "commit", "-qam", "2025.2")
    git(proj, "tag", "-a", "edition/2025.2", "-m", "2025.2")
    return proj


def _leaks(text: str) -> list[str]:
    return [s for s in (MARK, "kickback", "87123", "87\u00a0123") if s in text]


def test_diff_of_a_company_made_public_hides_what_was_internal(switched):
    for fmt in ("json", "markdown", "html", "text"):
        proc = run_cli("diff", "2025.1", "2025.2", "--company", "acme", "--format", fmt, "--root", str(switched))
        assert proc.returncode == 0, proc.stderr
        assert "Настоящий" in proc.stdout
        assert _leaks(proc.stdout) == [], fmt
    # the same comparison for employees (`--company` of an internal side is not forced public) shows it
    internal = run_cli("diff", "2025.1", "2025.2", "--format", "json", "--root", str(switched))
    assert internal.returncode == 0 and "kickback" in internal.stdout
    data = json.loads(
        run_cli("diff", "2025.1", "2025.2", "--company", "acme", "--format", "json", "--root", str(switched)).stdout
    )
    assert data  # a real comparison came back


def test_pdf_change_sheet_is_made_for_the_public(switched, tmp_path):
    out = tmp_path / "pdf"
    proc = run_cli("pdf", "--edition", "2025.2", "--company", "acme", "--root", str(switched), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = list(out.rglob("*.pdf"))
    assert files
    for path in files:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Лист изменений" in text or "изменени" in text.lower()
        assert _leaks(text) == []


def test_docx_change_sheet_is_made_for_the_public(switched, tmp_path):
    """The Word export prints the same variants as the PDF (one audience on both sides of its change sheet)."""
    out = tmp_path / "docx"
    proc = run_cli(
        "export", "docx", "--edition", "2025.2", "--company", "acme", "--root", str(switched), "--out", str(out)
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = list(out.rglob("*.docx"))
    assert files
    for path in files:
        with zipfile.ZipFile(path) as docx:
            xml = docx.read("word/document.xml").decode("utf-8")
        text = re.sub(r"<[^>]+>", "", xml)
        assert "Лист изменений" in text
        assert _leaks(text) == []


def test_publish_of_the_public_edition_shows_nothing_internal(switched, tmp_path):
    proj = tmp_path / "proj"
    shutil.copytree(switched, proj, symlinks=True)
    proc = run_cli("publish", "2025.2", "--company", "acme", "--root", str(proj))
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = git(proj, "ls-tree", "-r", "--name-only", "gh-pages").split()
    changes = [n for n in names if n.endswith("changes/index.html")]
    assert changes, names
    for name in names:
        if "2025.2/" not in name:
            continue
        blob = subprocess.run(["git", "show", f"gh-pages:{name}"], cwd=proj, capture_output=True).stdout
        assert _leaks(blob.decode("utf-8", "replace")) == [], name
