"""The model → one .docx per regulation, with real Word numbering equal to the site's.

The document is the print edition's (``templates/pdf/document.html.j2``) in Word's own
terms: a title page with «УТВЕРЖДАЮ», a TOC field, each part as «Heading 1», duty
groups as «Heading 2», and every numbered item — clauses, terms, duties, responsibility
clauses, KPIs, tiers, routine blocks, data categories, rules, measures — as a paragraph
of ONE multi-level list (``%1.``, ``%1.%2.``, ``%1.%2.%3.`` …), in the order the site
numbers them (:func:`reglament.content.part_items`); numbered table rows carry the list
paragraph in their «№» cell, so Word keeps counting through the tables. The numbers
are therefore Word's own, and a test compares each with :attr:`Content.index` numbers.

Every numbered item has a bookmark named after its id (``-`` → ``_``), and references
to items of the document are internal hyperlinks to those bookmarks: the importer reads
the ids back from them. Meta lines (who performs a duty, its deadline, what a
responsibility clause enforces…) are one «Reglament Meta» paragraph per item, one
``Label: value`` line each.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt
from lxml import html as lhtml

from . import oxml
from .deps import (
    CLASSIFICATIONS,
    PERIODS,
    PrintJob,
    acknowledgement_rows,
    date_long,
    date_short,
    display_name,
    initials,
    m,
    money,
    pct,
    raci_letters,
    sections,
)
from .text import TextWriter, markdown_html

STYLE_CLAUSE = "Reglament Clause"
STYLE_META = "Reglament Meta"
STYLE_LEAD = "Reglament Lead"
LIST_STYLE = "Reglament Numbering"

#: labels of meta lines, as the importer reads them back
META = {
    "performer": "Исполнитель",
    "responsible": "Выполняют",
    "accountable": "Отвечает за результат",
    "consulted": "Согласует",
    "informed": "Информируется",
    "deadline": "Срок",
    "deadline_minutes": "Норматив, мин",
    "enforces": "Обеспечивает исполнение",
    "consequence": "Последствия",
    "percent": "Снижение",
    "responsibility": "Основание",
    "applies_to": "Категории",
}
#: unnumbered sub-headings of structured parts
SUBHEADINGS = {
    "responsibility": "Ответственность",
    "kpis": "Ключевые показатели (KPI)",
    "tiers": "Шкала премирования",
    "reductions": "Снижение премии",
    "routine": "Распорядок рабочего дня",
    "recurring": "Регулярные мероприятия",
    "categories": "Категории данных",
    "rules": "Правила обращения с данными",
    "measures": "Меры защиты",
}
TABLE_HEADERS = {
    "kpis": ["№", "Показатель", "Что измеряется", "Вес", "Цель"],
    "tiers": ["№", "Выполнение плана", "Премия, % базы", "Премия, {currency}"],
    "routine": ["№", "Время", "Что делаем"],
    "recurring": ["№", "Периодичность", "Когда", "Что"],
    "categories": ["№", "Категория", "Гриф", "Что относится"],
}
BREAK_MARK = "перерыв"
APPENDICES = ("Глоссарий", "Лист изменений", "Лист ознакомления")
CHANGE_WORDS = {"added": "введён", "removed": "исключён", "changed": "изменён", "moved": "перенесён"}


@dataclass
class Redline:
    """What :mod:`.redline` asks the writer to mark: old texts by id, removed items, author and date."""

    old_texts: dict[str, str]
    added: set[str]
    removed: list[tuple[str, str, str]]
    """(id of the item it followed in the old edition, its old number, its old plain text)."""
    author: str
    date: str
    content_old: object = None


class DocxWriter:
    """Builds the .docx of one :class:`~reglament.pdf.PrintJob`."""

    def __init__(self, job: PrintJob, *, redline: Redline | None = None) -> None:
        self.job = job
        self.content = job.content
        self.reg = job.regulation
        self.redline = redline
        self.doc = docx.Document()
        self.secs, self.glossary = sections(job)
        anchors = {it.id for it in self.content.index.values() if it.regulation is self.reg and it.kind != "regulation"}
        for sec in self.secs:
            anchors.update(t.id for _, t in sec.terms)
        anchors.update(t.id for t in self.glossary)
        self.anchors = anchors
        self.text = TextWriter(self.content, anchors)
        self._setup()

    # ------------------------------------------------------------- setup

    def _setup(self) -> None:
        doc = self.doc
        styles = doc.styles
        normal = styles["Normal"]
        normal.font.name = "Liberation Serif"
        normal.font.size = Pt(12)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(oxml.qn("w:rFonts"))
        if fonts is not None:
            fonts.set(oxml.qn("w:cs"), "Liberation Serif")
            fonts.set(oxml.qn("w:eastAsia"), "Liberation Serif")
        for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
            st = styles[name]
            st.font.name = "Liberation Sans"
            st.font.color.rgb = None
        clause = styles.add_style(STYLE_CLAUSE, WD_STYLE_TYPE.PARAGRAPH)
        clause.base_style = normal
        clause.paragraph_format.space_after = Pt(4)
        clause.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        meta = styles.add_style(STYLE_META, WD_STYLE_TYPE.PARAGRAPH)
        meta.base_style = normal
        meta.font.size = Pt(10)
        meta.font.italic = True
        meta.paragraph_format.left_indent = Cm(1)
        meta.paragraph_format.space_after = Pt(6)
        lead = styles.add_style(STYLE_LEAD, WD_STYLE_TYPE.PARAGRAPH)
        lead.base_style = normal
        lead.paragraph_format.space_after = Pt(6)
        # the clause list: a list style (Word: Home → Multilevel list → List Styles) and its numbering
        numbering = doc.part.numbering_part.element
        list_style = styles.add_style(LIST_STYLE, WD_STYLE_TYPE.LIST)
        texts = [".".join(f"%{k + 1}" for k in range(level + 1)) + "." for level in range(oxml.LEVELS)]
        self.abstract = oxml.add_abstract(
            numbering, name="Reglament clauses", texts=texts, style_link=list_style.style_id
        )
        self.num = oxml.add_num(numbering, self.abstract)
        ppr = list_style.element.get_or_add_pPr()
        numpr = oxml.el("w:numPr")
        numpr.append(oxml.el("w:numId", val=str(self.num)))
        ppr.append(numpr)
        self.ordered_abstract = oxml.add_abstract(
            numbering,
            name="Reglament ordered list",
            texts=[f"%{k + 1}." for k in range(3)],
            indent=360,
            step=360,
            hanging=360,
        )
        self.bullet_num = oxml.add_num(
            numbering,
            oxml.add_abstract(
                numbering,
                name="Reglament bullets",
                texts=["•", "◦", "▪"],
                fmt="bullet",
                indent=360,
                step=360,
                hanging=360,
            ),
        )
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.different_first_page_header_footer = True
        edition = self.job.edition
        when = (
            f", действует с {date_short(edition.effective)}"
            if not edition.working
            else f" от {date_short(edition.effective)}"
        )
        head = section.header.paragraphs[0]
        head.text = f"{self.reg.short_title or self.reg.title}. {edition.label.capitalize()}{when}"
        head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        foot = section.footer.paragraphs[0]
        foot.text = f"{self.job.company.short_name or self.job.company.full_name} — стр. "
        oxml.field(foot, "PAGE", "1")
        foot.add_run(" из ")
        oxml.field(foot, "NUMPAGES", "1")
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        props = doc.core_properties
        props.title = self.reg.title
        props.author = self.job.company.full_name
        props.subject = edition.label
        props.keywords = f"регламент, {self.reg.id}" + (f", {self.job.company.id}" if self.job.company.id else "")
        stamp = dt.datetime.combine(edition.effective, dt.time())
        props.created = props.modified = stamp
        props.last_modified_by = "reglament"
        props.revision = 1
        settings = doc.settings.element
        settings.append(oxml.el("w:updateFields", val="true"))
        self._ordered_nums: list[int] = []

    # ------------------------------------------------------------- helpers

    def para(
        self, text: str = "", *, style: str | None = None, align=None, bold: bool = False, size: int | None = None
    ):
        p = self.doc.add_paragraph(style=style)
        if text:
            r = p.add_run(text)
            r.bold = bold or None
            if size:
                r.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        return p

    def numbered(self, ident: str | None, level: int, *, style: str = STYLE_CLAUSE, container=None):
        p = (container or self.doc).add_paragraph(style=style)
        oxml.set_numbering(p, self.num, level)
        if ident:
            oxml.add_bookmark(p, ident)
        return p

    def item_text(self, p, ident: str, text: str | None) -> None:
        """The main text of a numbered item, as a tracked change when redlining."""
        if self.redline is not None:
            from .redline import write_tracked

            if write_tracked(self, p, ident, text or ""):
                return
        self.text.inline(p, text)

    def meta(self, lines: list[tuple[str, object]]) -> None:
        """One meta paragraph: ``Label: value`` per line; a value is text or a list of (id, shown) links."""
        lines = [(label, value) for label, value in lines if value not in (None, "", [])]
        if not lines:
            return
        p = self.doc.add_paragraph(style=STYLE_META)
        for i, (label, value) in enumerate(lines):
            if i:
                p._p.append(oxml.run("\n"))
            p._p.append(oxml.run(f"{label}: "))
            if isinstance(value, list):
                for k, (ident, shown) in enumerate(value):
                    if k:
                        p._p.append(oxml.run(", "))
                    if ident in self.anchors:
                        link = oxml.hyperlink(ident)
                        link.append(oxml.run(shown, link=True))
                        p._p.append(link)
                    else:
                        p._p.append(oxml.run(shown))
            else:
                self.text.inline(p, str(value))

    def name(self, ident: str | None) -> str:
        if not ident:
            return ""
        item = self.content.get(ident)
        return display_name(item, ident).strip("«»") if item else ident

    def number(self, ident: str) -> str:
        item = self.content.get(ident)
        return item.number if item and item.number else ""

    def refs(self, ids: list[str], *, clause: bool = False) -> list[tuple[str, str]]:
        return [(i, f"п. {self.number(i)}" if clause else self.name(i)) for i in ids]

    def heading(self, text: str, level: int, *, ident: str | None = None, numbered: bool = False):
        p = self.doc.add_paragraph(style=f"Heading {level}")
        if numbered:
            oxml.set_numbering(p, self.num, level - 1)
        if ident:
            oxml.add_bookmark(p, ident)
        if self.redline is not None and ident:
            from .redline import write_tracked

            if write_tracked(self, p, ident, text, plain=True):
                return p
        p.add_run(text)
        return p

    def table(
        self,
        headers: list[str],
        rows: Sequence[tuple[str | None, Sequence[Any]]],
        *,
        shaded: frozenset[int] | set[int] = frozenset(),
    ):
        """A grid table; each row is (numbered item id or None, cells); a cell is text (model Text) or a str."""
        t = self.doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, headers):
            cell.paragraphs[0].add_run(text).bold = True
        hdr = t.rows[0]._tr.get_or_add_trPr()
        hdr.append(oxml.el("w:tblHeader"))
        for index, (ident, cells) in enumerate(rows):
            row = t.add_row()
            offset = 0
            if ident is not None:
                first = row.cells[0].paragraphs[0]
                oxml.set_numbering(first, self.num, 1)
                oxml.add_bookmark(first, ident)
                offset = 1
            for cell, value in zip(row.cells[offset:], cells):
                self.text.inline(cell.paragraphs[0], value)
            if index in shaded:
                for cell in row.cells:
                    tcpr = cell._tc.get_or_add_tcPr()
                    tcpr.append(oxml.el("w:shd", val="clear", color="auto", fill="EDEDED"))
        self.doc.add_paragraph()
        return t

    # ------------------------------------------------------------- the document

    def build(self) -> DocxDocument:
        self.title_page()
        self.toc()
        self.meta_block()
        for sec in self.secs:
            self.section(sec)
        if self.glossary:
            self.glossary_appendix()
        if self.job.change_sheet is not None:
            self.change_sheet()
        self.acknowledgement()
        return self.doc

    def title_page(self) -> None:
        job, edition = self.job, self.job.edition
        self.para(job.company.full_name, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        self.para()
        approver = self.content.get(self.reg.approver)
        role_name = (
            getattr(approver.node, "name", self.reg.approver)
            if approver and approver.kind == "role"
            else self.reg.approver
        )
        holder = next((p for p in job.employees if p.role == self.reg.approver), None)
        if holder is not None:
            signatory, position = holder.name, holder.position or role_name
        else:
            signatory, position = edition.approved_by, edition.approved_position or role_name
        right = WD_ALIGN_PARAGRAPH.RIGHT
        self.para("УТВЕРЖДАЮ", align=right, bold=True)
        self.para(position, align=right)
        if job.company.short_name:
            self.para(job.company.short_name, align=right)
        self.para(f"________________ {initials(signatory) if signatory else '________________'}", align=right)
        self.para(
            date_long(edition.approved_on) if edition.approved_on else "«____» ______________ 20____ г.", align=right
        )
        for _ in range(6):
            self.para()
        title = self.doc.add_paragraph(self.reg.title, style="Title")
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if edition.title and edition.title.lower() != edition.label:
            self.para(edition.title, align=WD_ALIGN_PARAGRAPH.CENTER)
        label = edition.label.capitalize() + (
            f" по состоянию на {date_short(edition.effective)}" if edition.working else ""
        )
        self.para(label, align=WD_ALIGN_PARAGRAPH.CENTER)
        if not edition.working:
            self.para(f"Вводится в действие с {date_short(edition.effective)}", align=WD_ALIGN_PARAGRAPH.CENTER)
        for _ in range(8):
            self.para()
        place = f"{job.company.city}, " if job.company.city else ""
        last = self.para(f"{place}{edition.effective.year}", align=WD_ALIGN_PARAGRAPH.CENTER)
        last.add_run().add_break(WD_BREAK.PAGE)

    def toc(self) -> None:
        self.para("Содержание", bold=True, size=14)
        p = self.doc.add_paragraph()
        entries = [f"{sec.number}. {getattr(sec.part, 'title', '')}" for sec in self.secs]
        oxml.field(p, 'TOC \\o "1-2" \\h \\z \\u', "\n".join(entries))
        p.add_run().add_break(WD_BREAK.PAGE)

    def meta_block(self) -> None:
        p = self.para(style=STYLE_LEAD)
        p.add_run("Распространяется на: ").bold = True
        p.add_run(", ".join(self.name(r) for r in self.reg.audience) + ".")
        p = self.para(style=STYLE_LEAD)
        p.add_run("Владелец регламента: ").bold = True
        p.add_run(self.name(self.reg.owner) + ". ")
        p.add_run("Утверждает: ").bold = True
        p.add_run(self.name(self.reg.approver) + ".")

    def clause_tree(self, clause: m.Clause, level: int) -> None:
        p = self.numbered(clause.id, level)
        self.item_text(p, clause.id, clause.text)
        self.removed_after(clause.id)
        for sub in clause.clauses:
            self.clause_tree(sub, level + 1)

    def removed_after(self, ident: str) -> None:
        if self.redline is not None:
            from .redline import write_removed

            write_removed(self, ident)

    def section(self, sec) -> None:
        part: Any = sec.part
        self.heading(part.title, 1, ident=part.id, numbered=True)
        self.removed_after(part.id)
        if isinstance(part, m.ProsePart):
            self.body(part.body)
            return
        if part.intro:
            self.text.inline(self.para(style=STYLE_LEAD), part.intro)
        if isinstance(part, m.ClausesPart):
            for c in part.clauses:
                self.clause_tree(c, 1)
        elif isinstance(part, m.TermsPart):
            for _, term in sec.terms:
                self.term(term, numbered=True)
        elif isinstance(part, m.DutiesPart):
            self.duties(part)
        elif isinstance(part, m.MotivationPart):
            self.motivation(part)
        elif isinstance(part, m.SchedulePart):
            self.schedule(part)
        elif isinstance(part, m.ConfidentialityPart):
            self.confidentiality(part)

    def term(self, term: m.Term, *, numbered: bool) -> None:
        p = self.numbered(term.id, 1) if numbered else self.para(style=STYLE_CLAUSE)
        if not numbered:
            oxml.add_bookmark(p, term.id)
        p.add_run(term.term).bold = True
        if term.abbreviation:
            p.add_run(f" ({term.abbreviation})")
        p.add_run(" — ")
        self.item_text(p, term.id, term.definition)

    def duty(self, d: m.Duty, level: int) -> None:
        p = self.numbered(d.id, level)
        self.item_text(p, d.id, d.text)
        lines: list[tuple[str, object]] = [(META["performer"], self.refs([d.role]) if d.role else None)]
        if d.raci is not None:
            lines.append((META["responsible"], self.refs(d.raci.responsible)))
        for label, ids in raci_letters(d):
            key = {"Отвечает за результат": "accountable", "Согласует": "consulted", "Информируется": "informed"}[label]
            lines.append((META[key], self.refs(ids)))
        lines.append((META["deadline"], d.deadline))
        if d.deadline_minutes is not None:
            lines.append((META["deadline_minutes"], str(d.deadline_minutes)))
        self.meta(lines)
        self.removed_after(d.id)

    def duties(self, part: m.DutiesPart) -> None:
        for g in part.groups:
            self.heading(g.title, 2, ident=g.id, numbered=True)
            self.removed_after(g.id)
            for d in g.duties:
                self.duty(d, 2)
        for d in part.duties:
            self.duty(d, 1)
        if part.responsibility:
            self.heading(SUBHEADINGS["responsibility"], 3)
            for rc in part.responsibility:
                p = self.numbered(rc.id, 1)
                self.item_text(p, rc.id, rc.text)
                self.meta(
                    [(META["enforces"], self.refs(rc.enforces, clause=True)), (META["consequence"], rc.consequence)]
                )
                self.removed_after(rc.id)

    def motivation(self, part: m.MotivationPart) -> None:
        if part.fixed is not None:
            p = self.para(style=STYLE_LEAD)
            p.add_run("Постоянная часть (оклад): ").bold = True
            p.add_run(f"{money(part.fixed.amount)} {part.fixed.currency} в месяц. ")
            self.text.inline(p, part.fixed.text)
        p = self.para(style=STYLE_LEAD)
        p.add_run("База премии: ").bold = True
        p.add_run(f"{money(part.bonus_base)} {part.currency} в месяц.")
        if part.example_percent is not None:
            p = self.para(style=STYLE_LEAD)
            p.add_run("Выполнение плана в примере расчёта: ").bold = True
            p.add_run(f"{pct(part.example_percent)}.")
        self.heading(SUBHEADINGS["kpis"], 3)
        self.table(TABLE_HEADERS["kpis"], [(k.id, [k.name, k.measures, pct(k.weight), k.target]) for k in part.kpis])
        self.heading(SUBHEADINGS["tiers"], 3)
        headers = [h.format(currency=part.currency) for h in TABLE_HEADERS["tiers"]]
        rows = []
        for t in part.tiers:
            span = f"от {pct(t.from_percent)}" + (f" до {pct(t.to_percent)}" if t.to_percent is not None else "")
            rows.append((t.id, [span, pct(t.bonus_percent), money(part.bonus_base * t.bonus_percent / 100)]))
        self.table(headers, rows)
        if part.reductions:
            self.heading(SUBHEADINGS["reductions"], 3)
            for rd in part.reductions:
                p = self.numbered(rd.id, 1)
                self.item_text(p, rd.id, rd.text)
                self.meta(
                    [
                        (META["percent"], pct(rd.percent)),
                        (META["responsibility"], self.refs([rd.responsibility], clause=True)),
                    ]
                )
                self.removed_after(rd.id)
        for c in part.clauses:
            self.clause_tree(c, 1)

    def schedule(self, part: m.SchedulePart) -> None:
        p = self.para(style=STYLE_LEAD)
        p.add_run("Рабочее время: ").bold = True
        p.add_run(f"{part.hours.days}, с {part.hours.start} до {part.hours.end}.")
        self.heading(SUBHEADINGS["routine"], 3)
        rows, shaded = [], set()
        for i, b in enumerate(part.routine):
            when = f"{b.start}–{b.end}" + (f", {BREAK_MARK}" if b.is_break else "")
            rows.append((b.id, [when, b.activity]))
            if b.is_break:
                shaded.add(i)
        self.table(TABLE_HEADERS["routine"], rows, shaded=shaded)
        if part.recurring:
            self.heading(SUBHEADINGS["recurring"], 3)
            self.table(
                TABLE_HEADERS["recurring"], [(r.id, [PERIODS[r.period], r.when, r.activity]) for r in part.recurring]
            )
        for c in part.clauses:
            self.clause_tree(c, 1)

    def confidentiality(self, part: m.ConfidentialityPart) -> None:
        self.heading(SUBHEADINGS["categories"], 3)
        self.table(
            TABLE_HEADERS["categories"],
            [(c.id, [c.name, CLASSIFICATIONS[c.classification], c.examples]) for c in part.categories],
        )
        self.heading(SUBHEADINGS["rules"], 3)
        for rule in part.rules:
            p = self.numbered(rule.id, 1)
            self.item_text(p, rule.id, rule.text)
            self.meta([(META["applies_to"], self.refs(rule.applies_to))])
            self.removed_after(rule.id)
        if part.measures:
            self.heading(SUBHEADINGS["measures"], 3)
            for ms in part.measures:
                p = self.numbered(ms.id, 1)
                self.item_text(p, ms.id, ms.text)
                self.removed_after(ms.id)

    # ------------------------------------------------------------- Markdown bodies

    def body(self, source: str) -> None:
        """A Markdown body: headings (unnumbered, Heading 2+), paragraphs, lists, tables."""
        html_text = markdown_html(self.text.to_markdown(source))
        root = lhtml.fragment_fromstring(html_text, create_parent="div")
        for node in root:
            if isinstance(node.tag, str):
                self._block(node)

    def _block(self, node, depth: int = 0) -> None:
        tag = node.tag
        if re.fullmatch(r"h[1-6]", tag):
            p = self.doc.add_paragraph(style=f"Heading {max(2, int(tag[1]))}")
            self.text.element_runs(p._p, node)
        elif tag == "p":
            p = self.doc.add_paragraph(style=STYLE_LEAD)
            self.text.element_runs(p._p, node)
        elif tag in ("ul", "ol"):
            num_id = self.bullet_num
            if tag == "ol":
                num_id = oxml.add_num(self.doc.part.numbering_part.element, self.ordered_abstract, restart=True)
            for li in node:
                if not isinstance(li.tag, str):
                    continue
                p = self.doc.add_paragraph(style="List Paragraph")
                oxml.set_numbering(p, num_id, min(depth, 2))
                nested = [c for c in li if isinstance(c.tag, str) and c.tag in ("ul", "ol")]
                for c in nested:
                    li.remove(c)
                self.text.element_runs(p._p, li)
                for c in nested:
                    self._block(c, depth + 1)
        elif tag == "table":
            rows = node.findall(".//tr")
            if not rows:
                return
            cols = max(len(r.findall("./th") + r.findall("./td")) for r in rows)
            t = self.doc.add_table(rows=0, cols=cols)
            t.style = "Table Grid"
            for i, tr in enumerate(rows):
                row = t.add_row()
                for cell, td in zip(row.cells, tr.findall("./th") + tr.findall("./td")):
                    self.text.element_runs(cell.paragraphs[0]._p, td, bold=(td.tag == "th"))
                if i == 0:
                    row._tr.get_or_add_trPr().append(oxml.el("w:tblHeader"))
            self.doc.add_paragraph()
        elif tag == "blockquote":
            for child in node:
                if isinstance(child.tag, str):
                    p = self.doc.add_paragraph(style="Quote")
                    self.text.element_runs(p._p, child)
        elif tag in ("pre", "div"):
            p = self.doc.add_paragraph(style=STYLE_LEAD)
            self.text.element_runs(p._p, node)
        elif tag == "hr":
            self.doc.add_paragraph()

    # ------------------------------------------------------------- appendices

    def glossary_appendix(self) -> None:
        self.appendix_heading("Глоссарий")
        self.para("Термины, используемые в регламенте.", style=STYLE_LEAD)
        for term in self.glossary:
            self.term(term, numbered=False)

    def appendix_heading(self, title: str) -> None:
        p = self.doc.add_paragraph(style="Heading 1")
        p.paragraph_format.page_break_before = True
        p.add_run(title)

    def change_sheet(self) -> None:
        sheet = self.job.change_sheet
        assert sheet is not None
        self.appendix_heading("Лист изменений")
        previous = sheet.previous.replace("редакция", "редакцией")
        self.para(f"{self.reg.title}: {self.job.edition.label} по сравнению с {previous}", style=STYLE_LEAD)
        if not sheet.changes:
            self.para(sheet.note or "Текст пунктов не изменился.", style=STYLE_LEAD)
            return
        t = self.doc.add_table(rows=1, cols=4)
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, ["№ п/п", "Пункт", "Изменение", "Содержание пункта"]):
            cell.paragraphs[0].add_run(text).bold = True
        for i, ch in enumerate(sheet.changes, 1):
            cells = t.add_row().cells
            for cell, text in zip(cells, [str(i), ch.where, CHANGE_WORDS[ch.kind], ch.summary]):
                cell.paragraphs[0].add_run(text)

    def acknowledgement(self) -> None:
        edition = self.job.edition
        self.appendix_heading("Лист ознакомления")
        since = f", вводится в действие с {date_short(edition.effective)}" if not edition.working else ""
        self.para(f"с документом «{self.reg.title}» ({edition.label}{since})", style=STYLE_LEAD)
        t = self.doc.add_table(rows=1, cols=5)
        t.style = "Table Grid"
        for cell, text in zip(
            t.rows[0].cells, ["№ п/п", "Фамилия, имя, отчество", "Должность", "Дата ознакомления", "Подпись"]
        ):
            cell.paragraphs[0].add_run(text).bold = True
        for i, (person, position) in enumerate(acknowledgement_rows(self.job), 1):
            cells = t.add_row().cells
            for cell, text in zip(cells, [str(i), person, position, "", ""]):
                if text:
                    cell.paragraphs[0].add_run(text)


def write_docx(job: PrintJob, out_dir: Path, *, redline: Redline | None = None, name: str | None = None) -> Path:
    """Write ``out_dir/<regulation>.docx`` (atomically: the file appears only once complete)."""
    import os
    import tempfile

    document = DocxWriter(job, redline=redline).build()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (name or f"{job.regulation.id}.docx")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=out_dir)
    os.close(fd)
    try:
        document.save(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


@dataclass
class Exported:
    files: list[Path]
    diagnostics: list
    notes: list[str]
    failed: list[str]


def export_editions(
    root: Path,
    out: Path,
    *,
    today: dt.date,
    edition: str | None = None,
    companies: list[str] | None = None,
    public: bool = False,
    redline_old: str | None = None,
) -> Exported:
    """One .docx per regulation of each variant (the base, or each company), as ``reglament pdf`` prints.

    The variant is resolved and checked as the site is (a variant with errors writes nothing
    and is listed in ``failed``); the edition's metadata come from ``content/editions.yml`` and
    its text from the tag ``edition/<id>`` when there is one; the change sheet compares with
    the previous edition's tag, both sides for this export's one audience (the same variants as the print
    edition: :func:`reglament.pdf.document.edition_variants`). ``redline_old`` (an edition id or a git revision) writes
    tracked changes against that side instead of a clean document (:mod:`.redline`).
    """
    from .deps import edition_variants

    found = edition_variants(root, today=today, edition=edition, companies=companies, public=public)
    result = Exported([], found.diagnostics, found.notes, found.failed)
    for each in found.variants:
        redlines: dict[str, Redline] = {}
        if redline_old is not None:
            from .redline import redlines_for

            redlines = redlines_for(
                root, redline_old, each.content, company=each.company_id, public=public, edition=found.edition
            )
        target = out / each.company_id if each.company_id else out
        for job in each.jobs:
            result.files.append(write_docx(job, target, redline=redlines.get(job.regulation.id)))
    return result
