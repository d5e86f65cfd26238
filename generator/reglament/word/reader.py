"""A .docx → a flat list of blocks: paragraphs (with Word's numbers, styles, formatted runs,
links, bookmarks, footnotes, images) and tables, in document order.

Tracked changes are read as accepted (insertions kept, deletions dropped); field codes are
dropped and their results kept; the table of contents (a TOC field or a TOC content control)
is left out, as it is generated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .numbering import Numbering, StyleInfo, default_paragraph_style, parse_styles
from .package import NS, DocxPackage, R, w

MAX_BLOCKS = 200_000


@dataclass
class Run:
    text: str = ""
    bold: bool = False
    italic: bool = False
    anchor: str | None = None
    """Internal hyperlink target (a bookmark name)."""
    url: str | None = None
    """External hyperlink target."""
    footnote: str | None = None
    """A footnote reference: the footnote's text."""
    image: str | None = None
    """An image: its part name in the package."""


@dataclass
class Paragraph:
    runs: list[Run] = field(default_factory=list)
    style_id: str | None = None
    style_name: str = ""
    heading: int | None = None
    """1-based heading level (Heading N style or outline level), None for body text."""
    label: str | None = None
    """The list number exactly as Word shows it («3.2.1.»), None when unnumbered."""
    ilvl: int | None = None
    num_id: str | None = None
    counters: list[int] | None = None
    bullet: bool = False
    bookmarks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Table:
    rows: list[list[list[Paragraph]]] = field(default_factory=list)

    def cell_text(self, row: int, col: int) -> str:
        try:
            return " ".join(p.text for p in self.rows[row][col]).strip()
        except IndexError:
            return ""


Block = Paragraph | Table


@dataclass
class DocxDocument:
    blocks: list[Block]
    images: dict[str, bytes] = field(default_factory=dict)
    title: str = ""
    """The core property «Название» (docProps/core.xml dc:title), if any."""


_HEADING_NAME = re.compile(r"^(?:heading|заголовок)\s*([1-9])$", re.IGNORECASE)
_TOC_STYLE = re.compile(r"^(?:toc|оглавление|содержание)\s*[1-9]?$|^toc heading$", re.IGNORECASE)


def _on(el: etree._Element | None) -> bool:
    return el is not None and (el.get(w("val")) or "true").lower() not in ("0", "false", "off", "none")


class _Reader:
    def __init__(self, pkg: DocxPackage) -> None:
        self.pkg = pkg
        styles_root = pkg.xml("word/styles.xml")
        self.styles: dict[str, StyleInfo] = parse_styles(styles_root)
        self.default_style = default_paragraph_style(styles_root)
        self.char_styles = self._char_styles(styles_root)
        self.numbering = Numbering(pkg.xml("word/numbering.xml"), self.styles)
        self.rels = pkg.rels(pkg.main)
        self.footnotes = self._notes("footnotes")
        self.images: dict[str, bytes] = {}
        self.count = 0
        self._field_depth = 0
        self._in_instr: list[bool] = []
        self._toc = False
        self._toc_here = False

    def _char_styles(self, root: etree._Element | None) -> dict[str, tuple[bool, bool]]:
        out: dict[str, tuple[bool, bool]] = {}
        if root is None:
            return out
        for st in root.iter(w("style")):
            rpr = st.find(w("rPr"))
            if rpr is not None:
                out[st.get(w("styleId")) or ""] = (_on(rpr.find(w("b"))), _on(rpr.find(w("i"))))
        return out

    def _notes(self, kind: str) -> dict[str, str]:
        target = next((r.target for r in self.rels.values() if r.type.endswith("/" + kind)), None)
        root = self.pkg.xml(target) if target else None
        out: dict[str, str] = {}
        if root is None:
            return out
        tag = "footnote" if kind == "footnotes" else "endnote"
        for note in root.findall(w(tag)):
            if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            texts = ["".join(t.text or "" for t in p.iter(w("t"))) for p in note.iter(w("p"))]
            out[note.get(w("id")) or ""] = " ".join(t.strip() for t in texts if t.strip())
        return out

    # ------------------------------------------------------------- body

    def blocks(self, container: etree._Element) -> list[Block]:
        out: list[Block] = []
        for child in container:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag == "p":
                para = self.paragraph(child)
                if para is not None:
                    out.append(para)
            elif tag == "tbl":
                out.append(self.table(child))
            elif tag == "sdt":
                gallery = child.find(f"{w('sdtPr')}/{w('docPartObj')}/{w('docPartGallery')}")
                if gallery is not None and "content" in (gallery.get(w("val")) or "").lower():
                    continue  # a table of contents control
                inner = child.find(w("sdtContent"))
                if inner is not None:
                    out.extend(self.blocks(inner))
            elif tag in ("ins", "customXml", "smartTag"):
                out.extend(self.blocks(child))
            self.count += 1
            if self.count > MAX_BLOCKS:
                from .errors import UnsafeDocxError

                raise UnsafeDocxError(f"{self.pkg.path}: more than {MAX_BLOCKS} blocks")
        return out

    def table(self, tbl: etree._Element) -> Table:
        table = Table()
        for tr in tbl.findall(w("tr")):
            row = []
            for tc in tr.findall(w("tc")):
                row.append([b for b in self.blocks(tc) if isinstance(b, Paragraph)])
            table.rows.append(row)
        return table

    def paragraph(self, p: etree._Element) -> Paragraph | None:
        ppr = p.find(w("pPr"))
        style_id = None
        num_id = ilvl = None
        outline = None
        if ppr is not None:
            ps = ppr.find(w("pStyle"))
            style_id = ps.get(w("val")) if ps is not None else None
            numpr = ppr.find(w("numPr"))
            if numpr is not None:
                nid = numpr.find(w("numId"))
                lvl = numpr.find(w("ilvl"))
                num_id = nid.get(w("val")) if nid is not None else None
                ilvl = int(lvl.get(w("val"), "0")) if lvl is not None and (lvl.get(w("val")) or "").isdigit() else None
            ol = ppr.find(w("outlineLvl"))
            if ol is not None and (ol.get(w("val")) or "").isdigit():
                outline = int(ol.get(w("val")) or "9")
        style_id = style_id or self.default_style
        style = self.styles.get(style_id or "")
        name = style.name if style else (style_id or "")
        para = Paragraph(style_id=style_id, style_name=name)
        toc_before = self._toc
        self._toc_here = False
        self._collect(p, para, bold=False, italic=False)
        if _TOC_STYLE.match(name) or toc_before or self._toc_here:
            return None
        para.heading = self._heading(style_id, outline)
        numbered = self.numbering.paragraph_numbering(num_id, ilvl, style_id)
        if numbered is not None:
            result = self.numbering.advance(*numbered)
            if result is not None:
                label, level, counters = result
                para.num_id, para.ilvl = numbered
                if level.fmt == "bullet":
                    para.bullet = True
                elif label:
                    para.label, para.counters = label, counters
        return para

    def _heading(self, style_id: str | None, outline: int | None) -> int | None:
        if outline is not None and outline < 9:
            return outline + 1
        sid, depth = style_id, 0
        while sid and depth < 20:
            st = self.styles.get(sid)
            if st is None:
                break
            m = _HEADING_NAME.match(st.name.strip())
            if m:
                return int(m.group(1))
            if st.outline is not None and st.outline < 9:
                return st.outline + 1
            sid, depth = st.based_on, depth + 1
        return None

    def _collect(
        self,
        el: etree._Element,
        para: Paragraph,
        *,
        bold: bool,
        italic: bool,
        anchor: str | None = None,
        url: str | None = None,
    ) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag == "r":
                self._run(child, para, bold=bold, italic=italic, anchor=anchor, url=url)
            elif tag == "hyperlink":
                a = child.get(w("anchor"))
                rid = child.get(f"{{{R}}}id")
                link = self.rels.get(rid) if rid else None
                self._collect(
                    child,
                    para,
                    bold=bold,
                    italic=italic,
                    anchor=a or anchor,
                    url=link.target if link is not None and link.external else url,
                )
            elif tag == "bookmarkStart":
                name = child.get(w("name")) or ""
                if name and not name.startswith("_"):
                    para.bookmarks.append(name)
            elif tag in ("ins", "smartTag", "customXml", "fldSimple", "dir", "bdo"):
                self._collect(child, para, bold=bold, italic=italic, anchor=anchor, url=url)
            elif tag == "sdt":
                inner = child.find(w("sdtContent"))
                if inner is not None:
                    self._collect(inner, para, bold=bold, italic=italic, anchor=anchor, url=url)
            # w:del, w:moveFrom, w:pPr, proofErr…: nothing to read

    def _run(
        self, r: etree._Element, para: Paragraph, *, bold: bool, italic: bool, anchor: str | None, url: str | None
    ) -> None:
        rpr = r.find(w("rPr"))
        b, i = bold, italic
        if rpr is not None:
            rs = rpr.find(w("rStyle"))
            if rs is not None:
                cb, ci = self.char_styles.get(rs.get(w("val")) or "", (False, False))
                b, i = b or cb, i or ci
            if rpr.find(w("b")) is not None:
                b = _on(rpr.find(w("b")))
            if rpr.find(w("i")) is not None:
                i = _on(rpr.find(w("i")))
            if _on(rpr.find(w("vanish"))):
                return
        for child in r:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag == "fldChar":
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    self._in_instr.append(True)
                elif kind == "separate" and self._in_instr:
                    self._in_instr[-1] = False
                elif kind == "end" and self._in_instr:
                    self._in_instr.pop()
                    if not self._in_instr:
                        self._toc = False
                continue
            if tag == "instrText":
                if (child.text or "").strip().upper().startswith("TOC"):
                    self._toc = self._toc_here = True
                continue
            if self._in_instr and self._in_instr[-1]:
                continue
            text = None
            if tag == "t":
                text = child.text or ""
            elif tag == "tab":
                text = "\t"
            elif tag in ("br", "cr"):
                text = "" if child.get(w("type")) == "page" else "\n"
            elif tag == "noBreakHyphen":
                text = "-"
            elif tag == "footnoteReference":
                note = self.footnotes.get(child.get(w("id")) or "", "")
                para.runs.append(Run(footnote=note))
                continue
            elif tag in ("drawing", "pict", "object"):
                for blip in child.iter(f"{{{NS['a']}}}blip", f"{{{NS['v']}}}imagedata"):
                    rid = blip.get(f"{{{R}}}embed") or blip.get(f"{{{R}}}id")
                    rel = self.rels.get(rid or "")
                    if rel is not None and not rel.external and self.pkg.has(rel.target):
                        if rel.target not in self.images:
                            self.images[rel.target] = self.pkg.read(rel.target)
                        para.runs.append(Run(image=rel.target))
                continue
            if text:
                last = para.runs[-1] if para.runs else None
                if (
                    last is not None
                    and last.footnote is None
                    and last.image is None
                    and (last.bold, last.italic, last.anchor, last.url) == (b, i, anchor, url)
                ):
                    last.text += text
                else:
                    para.runs.append(Run(text, b, i, anchor, url))


def read_docx(path: Path) -> DocxDocument:
    """Read a .docx (see :mod:`.package` for the bounds)."""
    with DocxPackage(path) as pkg:
        reader = _Reader(pkg)
        root = pkg.xml(pkg.main)
        body = root.find(w("body")) if root is not None else None
        blocks = reader.blocks(body) if body is not None else []
        title = ""
        core = pkg.xml("docProps/core.xml")
        if core is not None:
            el = core.find("{http://purl.org/dc/elements/1.1/}title")
            title = (el.text or "").strip() if el is not None else ""
        return DocxDocument(blocks, reader.images, title)
