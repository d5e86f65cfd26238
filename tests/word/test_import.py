"""Import of a Word regulation that reglament did not make: LibreOffice-made .docx with auto-numbering,
typed-in numbers, a title page with «УТВЕРЖДАЮ», definitions, duties, a table — then a real `reglament check`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reglament.word.deps import load_project
from reglament.word.importer import import_docx, write_import
from reglament.word.slug import Slugger, slugify

from .conftest import REPO, soffice

pytestmark = pytest.mark.xdist_group("word")

SOURCE = """<html><head><meta charset="utf-8"></head><body>
<p>Общество с ограниченной ответственностью «Ромашка»</p>
<p>УТВЕРЖДАЮ</p><p>Генеральный директор</p><p>ООО «Ромашка»</p><p>________ И. П. Петров</p><p>«20» января 2025 г.</p>
<p>Регламент работы кладовщика склада</p>
<h1>1. Общие положения</h1>
<p>1.1. Регламент определяет порядок работы склада и обязателен для всех сотрудников.</p>
<p>1.2. Руководитель отдела продаж согласует <b>срочные</b> отгрузки, см. п. 3.1.</p>
<p>1.3 Номер без точки после него, набранный вручную.</p>
<h1>2. Термины и определения</h1>
<ol><li>Лид — потенциальный клиент, оставивший контакты.</li>
<li>Паллета (ПЛ) — поддон для хранения и перевозки товара.</li></ol>
<h1>3. Обязанности менеджера отдела продаж</h1>
<p>3.1. Менеджер отдела продаж передаёт на склад заявку на отгрузку в течение часа.</p>
<p>3.2. Принимать товар по накладной и проверять <i>целостность</i> упаковки.</p>
<h1>4. Хранение</h1>
<table border="1"><tr><td>Зона</td><td>Температура</td></tr><tr><td>А</td><td>+5…+25 °C</td></tr></table>
<p>Товар хранится на паллетах.</p>
</body></html>"""


@pytest.fixture(scope="module")
def generic_docx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("generic")
    html = tmp / "warehouse.html"
    html.write_text(SOURCE, encoding="utf-8")
    return soffice([html], "docx:MS Word 2007 XML", tmp / "docx", tmp / "profile")[0]


def project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("content", "templates", "mkdocs.yml"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    return root


def test_import_passes_a_real_check_and_is_stable(generic_docx, tmp_path):
    root = project_copy(tmp_path)
    project = load_project(root)
    imported = import_docx(generic_docx, reg_id="warehouse-rules", vocabulary=project.loaded.content)
    files = imported.files
    assert list(files) == [
        "obshhie-polozheniya.yml",
        "terminy-opredeleniya.yml",
        "obyazannosti-menedzhera-otdela-prodazh.yml",
        "xranenie.md",
        "regulation.yml",
    ]
    reg = files["regulation.yml"]
    assert "title: Регламент работы кладовщика склада" in reg and "approver: director" in reg
    assert "И. П. Петров, 2025-01-20" in reg
    general = files["obshhie-polozheniya.yml"]
    assert "Регламент определяет порядок работы склада" in general and "1.1." not in general
    assert "Номер без точки после него" in general and "1.3 " not in general
    assert "[[head-of-sales]] согласует" in general and "**срочные**" in general
    assert "[[" in general and "п. 3.1" not in general.replace("[[", "")  # «п. 3.1» became a reference
    terms = files["terminy-opredeleniya.yml"]
    assert "- lead" in terms  # known term: referenced, not defined twice
    assert [t["term"] for t in imported.new_terms] == ["Паллета"] and imported.new_terms[0]["abbreviation"] == "ПЛ"
    duties = files["obyazannosti-menedzhera-otdela-prodazh.yml"]
    assert "kind: duties" in duties and "role: manager" in duties
    assert any("duty 3.2: no role named" in w for w in imported.warnings)
    assert "| Зона | Температура |" in files["xranenie.md"]
    write_import(imported, root)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "import reglament.cli as c; c.main()", "check", "--root", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"severity": "error"' not in done.stdout
    # importing the same file again gives the same ids
    again = import_docx(generic_docx, reg_id="warehouse-rules", vocabulary=load_project(root).loaded.content)
    assert again.files == imported.files


def test_an_id_used_by_something_else_is_refused(generic_docx):
    from reglament.word.errors import WordError

    with pytest.raises(WordError, match="already used by a role"):
        import_docx(generic_docx, reg_id="warehouse", vocabulary=load_project(REPO).loaded.content)


def test_cli_import_refuses_to_overwrite(generic_docx, tmp_path):
    root = project_copy(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "NO_MKDOCS_2_WARNING": "1"}
    cmd = [
        sys.executable,
        "-c",
        "import reglament.cli as c; c.main()",
        "import",
        str(generic_docx),
        "--id",
        "sales-manager",
        "--root",
        str(root),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2 and "exists" in done.stderr and "Traceback" not in done.stderr


def test_gost_7_79_b_slugs():
    assert slugify("Щука, цыплёнок, цирк, чаща, юла, объём", words=9) == "shhuka-cyplyonok-cirk-chashha-yula-obyom"
    assert slugify("Цокольный цех") == "czokolnyj-cex"
    assert slugify("Общие положения") == "obshhie-polozheniya"
    assert slugify("Система мотивации и оплаты труда") == "sistema-motivacii-oplaty-truda"
    s = Slugger({"obshhie-polozheniya"})
    assert s.make("Общие положения") == "obshhie-polozheniya-2" and s.make("Общие положения") == "obshhie-polozheniya-3"


def test_images_are_written_beside_the_part_under_names_we_make(tmp_path):
    import base64

    import docx

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    (tmp_path / "scheme.png").write_bytes(png)
    doc = docx.Document()
    doc.add_paragraph("Регламент работы склада", style="Title")
    doc.add_paragraph("1. Общие положения")
    p = doc.add_paragraph("1.1. Схема склада: ")
    p.add_run().add_picture(str(tmp_path / "scheme.png"))
    doc.save(tmp_path / "img.docx")
    imported = import_docx(tmp_path / "img.docx", reg_id="img-rules", vocabulary=load_project(REPO).loaded.content)
    ((name, data),) = imported.images.items()
    assert name.startswith("images/01-") and name.endswith(".png") and data == png
    assert f"Схема склада: ![]({name})" in imported.files["obshhie-polozheniya.yml"]
    root = tmp_path / "root"
    (root / "content").mkdir(parents=True)
    written = write_import(imported, root)
    assert (root / "content/regulations/img-rules" / name).read_bytes() == png
    assert all(p.resolve().is_relative_to(root.resolve()) for p in written)
