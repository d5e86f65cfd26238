"""--redline: native tracked changes (w:ins / w:del, author, date) from the model diff, kept by LibreOffice."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest

from reglament.project import check_variant
from reglament.word.deps import Company, Edition, PrintJob, load_project
from reglament.word.export import write_docx
from reglament.word.redline import redline_of

from .conftest import pdf_text, soffice
from .test_export import numbered, site_numbers
from .test_import import project_copy

pytestmark = [pytest.mark.xdist_group("word"), pytest.mark.slow]


def test_redline_marks_changed_added_and_removed_clauses(project, tmp_path):
    old_root = project_copy(tmp_path)
    general = old_root / "content/regulations/sales-manager/general.yml"
    text = general.read_text(encoding="utf-8")
    text = text.replace("Цель регламента — единый стандарт", "Цель регламента — общий порядок")
    start = text.index("  - id: gp-citation")
    text = text[:start] + ("  - id: gp-old-rule\n    text: Устаревшее правило о факсах.\n")
    general.write_text(text, encoding="utf-8")
    old = check_variant(load_project(old_root))
    new = check_variant(project)
    assert old.ok and new.ok
    red = redline_of(old.content, new.content, "sales-manager", author="А. В. Смирнов", date="2025-06-01T00:00:00Z")
    assert "gp-citation" in red.added and "gp-goal" in red.old_texts
    assert [r[1:] for r in red.removed] == [("1.8", "Устаревшее правило о факсах.")]
    reg = next(r for r in new.content.regulations if r.id == "sales-manager")
    job = PrintJob(
        content=new.content,
        regulation=reg,
        company=Company("ООО «Ромашка»"),
        edition=Edition(effective=dt.date(2025, 6, 1), id="2025.2"),
    )
    path = write_docx(job, tmp_path / "out", redline=red)
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert xml.count("<w:ins ") >= 2 and xml.count("<w:del ") >= 2
    assert 'w:author="А. В. Смирнов"' in xml and 'w:date="2025-06-01T00:00:00Z"' in xml
    deleted = "".join(re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", xml))
    assert "общий порядок" in deleted and "Устаревшее правило о факсах" in deleted
    # the numbers are still the new edition's
    got = {k: v.rstrip(".") for k, v in numbered(path).items()}
    assert got == site_numbers(new.content, reg)
    # LibreOffice reads them as tracked changes: its own .docx keeps w:ins/w:del, and the PDF shows both texts
    again = soffice([path], "docx:MS Word 2007 XML", tmp_path / "lo", tmp_path / "profile")[0]
    lo_xml = zipfile.ZipFile(again).read("word/document.xml").decode("utf-8")
    assert "<w:ins " in lo_xml and "<w:del " in lo_xml and "Устаревшее правило о факсах" in lo_xml
    pdf = soffice([path], "pdf", tmp_path / "pdf", tmp_path / "profile")[0]
    shown = pdf_text(pdf)
    assert "общий порядок" in shown and "единый стандарт" in shown
