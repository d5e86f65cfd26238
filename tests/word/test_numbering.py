"""Word numbering resolved exactly as Word (and LibreOffice) shows it: hand-written numbering.xml and
LibreOffice's own lists."""

from __future__ import annotations

import re

import docx
import pytest
from docx.oxml import parse_xml

from reglament.word.numbering import format_number, letters
from reglament.word.reader import Paragraph, read_docx

from .conftest import pdf_text, soffice

pytestmark = pytest.mark.xdist_group("word")

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _lvl(ilvl: int, text: str, fmt: str = "decimal", *, pstyle: str | None = None, restart: int | None = None) -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        + (f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else "")
        + (f'<w:pStyle w:val="{pstyle}"/>' if pstyle else "")
        + f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{360 * (ilvl + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
    )


NUMBERING = f"""<w:numbering {W}>
  <w:abstractNum w:abstractNumId="10"><w:multiLevelType w:val="multilevel"/><w:styleLink w:val="RegList"/>
    {_lvl(0, "%1.", pstyle="Heading1")}{_lvl(1, "%1.%2.", pstyle="Heading2")}{_lvl(2, "%1.%2.%3.")}
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="11"><w:multiLevelType w:val="multilevel"/><w:numStyleLink w:val="RegList"/>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="12"><w:multiLevelType w:val="multilevel"/>
    {_lvl(0, "%1)")}{_lvl(1, "%2)", "russianLower")}
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="13"><w:multiLevelType w:val="multilevel"/>
    {_lvl(0, "%1.")}{_lvl(1, "%1.%2.", restart=0)}
  </w:abstractNum>
  <w:num w:numId="20"><w:abstractNumId w:val="10"/></w:num>
  <w:num w:numId="21"><w:abstractNumId w:val="11"/></w:num>
  <w:num w:numId="22"><w:abstractNumId w:val="12"/></w:num>
  <w:num w:numId="23"><w:abstractNumId w:val="12"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
  <w:num w:numId="24"><w:abstractNumId w:val="13"/></w:num>
</w:numbering>"""


def _numbered(doc, text: str, num_id: int | None = None, ilvl: int | None = None, style: str | None = None):
    p = doc.add_paragraph(text, style=style)
    if num_id is not None:
        numpr = parse_xml(
            f"<w:numPr {W}>"
            + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "")
            + f'<w:numId w:val="{num_id}"/></w:numPr>'
        )
        p._p.get_or_add_pPr().append(numpr)
    return p


def handwritten(path, *, word_only: bool = False):
    """A document exercising levels by style, a list-style link, restarts per section, russianLower
    letters and typed-in numbers. Returns the labels Word shows, in order.

    ``word_only`` adds what LibreOffice 7.4 renders differently from Word and ECMA-376: a heading
    style whose numPr has no ilvl (Word takes the level whose pStyle names the style; LibreOffice
    takes level 0) and ``lvlRestart 0`` (never restart; LibreOffice restarts)."""
    doc = docx.Document()
    numbering = doc.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    for child in parse_xml(NUMBERING):
        numbering.append(child)
    styles = doc.styles.element
    styles.append(
        parse_xml(
            f'<w:style {W} w:type="numbering" w:styleId="RegList"><w:name w:val="Reg List"/>'
            f'<w:pPr><w:numPr><w:numId w:val="20"/></w:numPr></w:pPr></w:style>'
        )
    )
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for level, sid in enumerate(("Heading1", "Heading2")):  # bind the heading styles to the list (levels by style)
        st = styles.find(f'.//{ns}style[@{ns}styleId="{sid}"]')
        ilvl = "" if word_only else f'<w:ilvl w:val="{level}"/>'
        st.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}>{ilvl}<w:numId w:val="21"/></w:numPr>'))
    expected = []
    doc.add_paragraph("Регламент работы склада", style="Title")
    doc.add_paragraph("Общие положения", style="Heading 1")
    expected.append("1.")
    doc.add_paragraph("Область применения", style="Heading 2")
    expected.append("1.1.")
    _numbered(doc, "Регламент обязателен для всех.", 21, 2)
    expected.append("1.1.1.")
    _numbered(doc, "Нарушение влечёт ответственность.", 21, 2)
    expected.append("1.1.2.")
    doc.add_paragraph("Документы", style="Heading 2")
    expected.append("1.2.")
    _numbered(doc, "Законы РФ.", 20, 2)
    expected.append("1.2.1.")  # the same abstract through the link: continues
    doc.add_paragraph("Обязанности", style="Heading 1")
    expected.append("2.")
    _numbered(doc, "Принимать товар.", 22, 0)
    expected.append("1)")
    _numbered(doc, "по накладной;", 22, 1)
    expected.append("а)")
    _numbered(doc, "по весу.", 22, 1)
    expected.append("б)")
    _numbered(doc, "Хранить товар.", 22, 0)
    expected.append("2)")
    doc.add_paragraph("Ответственность", style="Heading 1")
    expected.append("3.")
    _numbered(doc, "Замечание.", 23, 0)
    expected.append("1)")  # startOverride: this list restarts
    _numbered(doc, "Выговор.", 23, 0)
    expected.append("2)")
    doc.add_paragraph("Сроки", style="Heading 1")
    expected.append("4.")
    _numbered(doc, "Первый срок.", 24, 0)
    expected.append("1.")
    _numbered(doc, "Подпункт.", 24, 1)
    expected.append("1.1.")
    _numbered(doc, "Второй срок.", 24, 0)
    expected.append("2.")
    if word_only:
        _numbered(doc, "Подпункт без перезапуска.", 24, 1)
        expected.append("2.2.")  # lvlRestart 0: never restarts
    doc.add_paragraph("5.1.2 Номер, набранный вручную.")
    doc.save(path)
    return expected


def labels(paragraphs: list[Paragraph]) -> list[str]:
    return [p.label for p in paragraphs if p.label is not None]


def test_handwritten_numbering_resolves_as_word_and_libreoffice_show_it(tmp_path):
    path = tmp_path / "handwritten.docx"
    expected = handwritten(path)
    doc = read_docx(path)
    paras = [b for b in doc.blocks if isinstance(b, Paragraph)]
    assert labels(paras) == expected
    typed = paras[-1]
    assert typed.label is None and typed.text.startswith("5.1.2 ")
    # LibreOffice renders the same numbers, in the same order
    pdf = soffice([path], "pdf", tmp_path / "pdf", tmp_path / "profile")[0]
    shown = [
        line.split(" ")[0] for line in pdf_text(pdf).splitlines() if re.match(r"^(\d+(\.\d+)*\.|\d+\)|[а-я]\))\s", line)
    ]
    assert shown[: len(expected)] == expected


def test_word_rules_libreoffice_renders_otherwise(tmp_path):
    """ECMA-376 §17.9: a style's numPr without ilvl takes the level bound to the style; lvlRestart 0 never restarts."""
    path = tmp_path / "word-only.docx"
    expected = handwritten(path, word_only=True)
    assert labels([b for b in read_docx(path).blocks if isinstance(b, Paragraph)]) == expected


def test_libreoffice_nested_lists_from_html(tmp_path):
    """A list made by LibreOffice itself (HTML with nested <ol> → .docx): our numbers = LibreOffice's."""
    html = tmp_path / "nested.html"
    html.write_text(
        """<html><body><h1>Регламент</h1>
<ol><li>Общие положения<ol><li>Цель</li><li>Область<ol><li>Менеджеры</li><li>Руководитель</li></ol></li></ol></li>
<li>Обязанности<ol><li>Звонить</li></ol></li></ol>
<p>Текст между списками.</p>
<ol type="a"><li>первое</li><li>второе</li></ol></body></html>""",
        encoding="utf-8",
    )
    path = soffice([html], "docx:MS Word 2007 XML", tmp_path / "docx", tmp_path / "profile")[0]
    paras = [b for b in read_docx(path).blocks if isinstance(b, Paragraph)]
    got = [(p.text.strip(), p.label) for p in paras if p.label is not None]
    texts = [t for t, _ in got]
    assert texts == [
        "Общие положения",
        "Цель",
        "Область",
        "Менеджеры",
        "Руководитель",
        "Обязанности",
        "Звонить",
        "первое",
        "второе",
    ]
    pdf = soffice([path], "pdf", tmp_path / "pdf", tmp_path / "profile")[0]
    lines = [line for line in pdf_text(pdf).splitlines() if line.strip()]
    for text, label in got:
        assert any(line.strip() == f"{label} {text}" for line in lines), (label, text, lines)


@pytest.mark.parametrize(
    ("n", "fmt", "shown"),
    [
        (4, "upperRoman", "IV"),
        (1994, "lowerRoman", "mcmxciv"),
        (27, "lowerLetter", "aa"),
        (29, "russianLower", "аа"),
        (6, "russianUpper", "Е"),
        (7, "decimalZero", "07"),
        (12, "decimal", "12"),
    ],
)
def test_number_formats(n, fmt, shown):
    assert format_number(n, fmt) == shown
    assert letters(3, "абв") == "в"
