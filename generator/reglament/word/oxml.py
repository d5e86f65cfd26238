"""Low-level WordprocessingML that python-docx has no API for: numbering definitions,
numbered paragraphs, bookmarks, internal hyperlinks, fields, tracked changes."""

from __future__ import annotations

import itertools
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

#: lvlText of the clause list per level: «1.», «1.1.», «1.1.1.» … (the site writes «3.2.1», print adds the dot)
LEVELS = 9


def el(tag: str, **attrs: str) -> Any:
    """A WordprocessingML element (an lxml element of python-docx's element classes)."""
    node = OxmlElement(tag)
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), str(value))
    return node


def _next_ids(numbering: etree._Element) -> tuple[int, int]:
    abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    num_ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    return max(abstract_ids, default=0) + 1, max(num_ids, default=0) + 1


def add_abstract(
    numbering: etree._Element,
    *,
    name: str,
    texts: list[str],
    fmt: str = "decimal",
    indent: int = 0,
    step: int = 0,
    hanging: int = 0,
    style_link: str | None = None,
) -> int:
    """A multi-level abstract definition; returns its id. ``texts[k]`` is the lvlText of level k."""
    aid, _ = _next_ids(numbering)
    ab = el("w:abstractNum", abstractNumId=str(aid))
    ab.append(el("w:multiLevelType", val="multilevel" if len(texts) > 1 else "singleLevel"))
    ab.append(el("w:name", val=name))
    if style_link:
        ab.append(el("w:styleLink", val=style_link))
    for k, text in enumerate(texts):
        lvl = el("w:lvl", ilvl=str(k))
        lvl.append(el("w:start", val="1"))
        lvl.append(el("w:numFmt", val=fmt))
        lvl.append(el("w:suff", val="space"))
        lvl.append(el("w:lvlText", val=text))
        lvl.append(el("w:lvlJc", val="left"))
        ppr = el("w:pPr")
        if hanging:
            ppr.append(el("w:ind", left=str(indent + step * k + hanging), hanging=str(hanging)))
        else:
            ppr.append(el("w:ind", left=str(indent + step * k), firstLine="0"))
        lvl.append(ppr)
        ab.append(lvl)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(ab)
    else:
        numbering.append(ab)
    return aid


def add_num(numbering: etree._Element, abstract_id: int, *, restart: bool = False) -> int:
    """A list instance of ``abstract_id``; ``restart`` starts level 0 at 1 again (a new list)."""
    _, nid = _next_ids(numbering)
    num = el("w:num", numId=str(nid))
    num.append(el("w:abstractNumId", val=str(abstract_id)))
    if restart:
        override = el("w:lvlOverride", ilvl="0")
        override.append(el("w:startOverride", val="1"))
        num.append(override)
    numbering.append(num)
    return nid


def set_numbering(paragraph: Paragraph, num_id: int, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = el("w:numPr")
    numpr.append(el("w:ilvl", val=str(ilvl)))
    numpr.append(el("w:numId", val=str(num_id)))
    # numPr follows pStyle, keepNext, keepLines, pageBreakBefore, framePr, widowControl (schema order)
    anchor = None
    for tag in ("w:widowControl", "w:framePr", "w:pageBreakBefore", "w:keepLines", "w:keepNext", "w:pStyle"):
        anchor = ppr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addnext(numpr)
    else:
        ppr.insert(0, numpr)


_bookmark_ids = itertools.count(1)


def bookmark_name(ident: str) -> str:
    """A Word bookmark name for an id: letters, digits and «_» (Word's rule), at most 40 characters."""
    return ident.replace("-", "_")[:40]


def id_of_bookmark(name: str) -> str:
    return name.replace("_", "-")


def add_bookmark(paragraph: Paragraph, ident: str) -> None:
    """A bookmark around the paragraph's content, named after the item's id."""
    bid = str(next(_bookmark_ids))
    start = el("w:bookmarkStart", id=bid, name=bookmark_name(ident))
    end = el("w:bookmarkEnd", id=bid)
    ppr = paragraph._p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def run(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    link: bool = False,
    deleted: bool = False,
    mono: bool = False,
    size: int | None = None,
) -> Any:
    r: Any = el("w:r")
    rpr = el("w:rPr")
    if link:
        rpr.append(el("w:rStyle", val="Hyperlink"))
    if mono:
        fonts = el("w:rFonts", ascii="Courier New", hAnsi="Courier New", cs="Courier New")
        rpr.append(fonts)
    if bold:
        rpr.append(el("w:b"))
    if italic:
        rpr.append(el("w:i"))
    if link:
        rpr.append(el("w:color", val="1F4E79"))
        rpr.append(el("w:u", val="single"))
    if size:
        rpr.append(el("w:sz", val=str(size)))
    if len(rpr):
        r.append(rpr)
    parts = text.split("\n")
    for i, part in enumerate(parts):
        if i:
            r.append(el("w:br"))
        if part:
            t = el("w:delText" if deleted else "w:t")
            t.text = part
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(t)
    return r


def hyperlink(anchor: str) -> Any:
    return el("w:hyperlink", anchor=bookmark_name(anchor), history="1")


def field(paragraph: Paragraph, instruction: str, result: str = "") -> None:
    """A complex field (PAGE, NUMPAGES, TOC…) with a cached result."""
    p = paragraph._p
    r1 = el("w:r")
    r1.append(el("w:fldChar", fldCharType="begin"))
    r2 = el("w:r")
    instr = el("w:instrText")
    instr.text = f" {instruction} "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r2.append(instr)
    r3 = el("w:r")
    r3.append(el("w:fldChar", fldCharType="separate"))
    r5 = el("w:r")
    r5.append(el("w:fldChar", fldCharType="end"))
    p.append(r1)
    p.append(r2)
    p.append(r3)
    if result:
        p.append(run(result))
    p.append(r5)


_change_ids = itertools.count(1000)


def tracked(kind: str, *, author: str, date: str) -> Any:
    """A ``w:ins`` or ``w:del`` container with author and date."""
    return el(f"w:{kind}", id=str(next(_change_ids)), author=author, date=date)


def mark_paragraph(paragraph: Paragraph, kind: str, *, author: str, date: str) -> None:
    """Mark the paragraph mark itself inserted or deleted (a whole paragraph added or removed)."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        ppr.append(rpr)
    rpr.append(tracked(kind, author=author, date=date))
