"""Blocks of a .docx → the outline of a regulation: title page, sections, numbered items.

- the **title page** is everything before the first section; «УТВЕРЖДАЮ» and the lines
  after it give the approver's position, the signer and the date;
- a **section** starts at a «Heading 1» paragraph or at a top-level number («1.», «2.»)
  whose text reads as a title; the appendices «Глоссарий», «Лист изменений», «Лист
  ознакомления» end the body;
- an **item** is a paragraph with a number — Word's auto-numbering resolved by
  :mod:`.numbering`, or a number typed in («3.2.1 Текст», «3.2.1. Текст») — placed
  in the tree by its number; letters («а)»), bullets and deeper levels without a
  dotted number become sub-items of the item before them;
- the **kind** of a section comes from its Russian title (:data:`KIND_WORDS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from reglament.ru import MONTHS_GENITIVE as MONTHS

from .reader import Block, Paragraph, Run, Table

KIND_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("terms", ("термин", "определени", "сокращени", "понятия")),
    ("confidentiality", ("конфиденциальн", "защита данных", "защиты данных", "персональных данных")),
    ("motivation", ("мотивац", "оплата труда", "оплаты труда", "премирован")),
    ("schedule", ("рабочего времени", "рабочее время", "режим работы", "распорядок")),
    ("duties", ("обязанност",)),
    ("responsibility", ("ответственност",)),
]
APPENDIX_TITLES = ("глоссарий", "лист изменений", "лист ознакомления", "лист регистрации изменений")
META_LABELS = (
    "Исполнитель",
    "Выполняют",
    "Отвечает за результат",
    "Согласует",
    "Информируется",
    "Срок",
    "Норматив, мин",
    "Обеспечивает исполнение",
    "Последствия",
    "Снижение",
    "Основание",
    "Категории",
)
#: the export's unnumbered sub-headings of structured parts (they are structure, not intro text)
STRUCTURAL = {
    "Ответственность",
    "Ключевые показатели (KPI)",
    "Шкала премирования",
    "Снижение премии",
    "Распорядок рабочего дня",
    "Регулярные мероприятия",
    "Категории данных",
    "Правила обращения с данными",
    "Меры защиты",
}
_TYPED = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)(\.|\))?[ \t\u00a0]+(?=\S)")
_LABEL_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\.?\)?\s*$")
_DATE = re.compile(r"«?\s*(\d{1,2})\s*»?\s+([а-яё]+)\s+(\d{4})")


def section_kind(title: str) -> str:
    low = title.lower()
    for kind, words in KIND_WORDS:
        if any(w in low for w in words):
            if kind == "duties" or kind == "responsibility":
                return "duties" if "обязанност" in low else "responsibility"
            return kind
    return "clauses"


@dataclass
class Meta:
    """A meta paragraph: label → (plain value, runs of the value)."""

    lines: dict[str, tuple[str, list[Run]]] = field(default_factory=dict)


@dataclass
class Node:
    number: tuple[int, ...]
    """The number as the document shows it, relative to its section («3.2.1» in section 3 → (2, 1))."""
    runs: list[Run]
    paragraph: Paragraph | None = None
    row: list[list[Paragraph]] | None = None
    """A numbered table row: its cells after the «№» cell."""
    table: Table | None = None
    heading: bool = False
    meta: Meta | None = None
    extra: list[list[Run]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    bookmark: str | None = None
    subheading: str = ""
    """The unnumbered sub-heading the item stands under («Ответственность», «Меры защиты»)."""
    shown: str = ""
    """The number as shown («3.2.1»)."""


@dataclass
class Section:
    number: int | None
    title: str
    paragraph: Paragraph
    kind: str
    blocks: list[Block] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)
    intro: list[Block] = field(default_factory=list)
    leads: list[Paragraph] = field(default_factory=list)
    tables: list[tuple[str, Table]] = field(default_factory=list)
    bookmark: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class TitlePage:
    lines: list[str] = field(default_factory=list)
    title: str = ""
    approver_position: str = ""
    approver_company: str = ""
    signer: str = ""
    approved: str = ""
    """The approval date as YYYY-MM-DD, when one is written."""
    audience: list[str] = field(default_factory=list)
    owner: str = ""
    approver: str = ""


@dataclass
class Outline:
    title_page: TitlePage
    sections: list[Section]
    appendix_terms: list[Paragraph] = field(default_factory=list)
    from_reglament: bool = False
    """The document was exported by reglament (its list style and id bookmarks are there)."""


def number_of(para: Paragraph) -> tuple[tuple[int, ...] | None, bool]:
    """(the paragraph's dotted number, typed in?) — typed numbers are cut from the runs."""
    if para.label is not None:
        m = _LABEL_NUMBER.match(para.label)
        if m:
            return tuple(int(x) for x in m.group(1).split(".")), False
        return None, False
    text = para.text
    m = _TYPED.match(text)
    if m and ("." in m.group(1) or m.group(2)) and not re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}", text):
        _cut(para.runs, m.end())
        return tuple(int(x) for x in m.group(1).split(".")), True
    return None, False


def _cut(runs: list[Run], n: int) -> None:
    """Remove the first ``n`` characters of text from ``runs``."""
    while n > 0 and runs:
        r = runs[0]
        if len(r.text) <= n and r.footnote is None and r.image is None:
            n -= len(r.text)
            runs.pop(0)
        else:
            r.text = r.text[n:]
            n = 0


def _is_title_like(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= 120 and not text.endswith((".", ";", ":", ",")) and "—" not in text[:60]


def meta_of(para: Paragraph) -> Meta | None:
    """A paragraph of ``Label: value`` lines (the export's meta paragraph), or None."""
    text = para.text
    if not text.strip() or not any(text.startswith(label + ":") for label in META_LABELS):
        return None
    meta = Meta()
    # split the runs into lines at "\n"
    lines: list[list[Run]] = [[]]
    for r in para.runs:
        pieces = r.text.split("\n")
        for k, piece in enumerate(pieces):
            if k:
                lines.append([])
            if piece or r.footnote is not None or r.image is not None:
                lines[-1].append(Run(piece, r.bold, r.italic, r.anchor, r.url, r.footnote, r.image))
    for runs in lines:
        plain = "".join(r.text for r in runs)
        for label in META_LABELS:
            if plain.startswith(label + ":"):
                _cut(runs, len(label) + 1)
                while runs and not runs[0].text.strip() and runs[0].anchor is None:
                    runs.pop(0)
                if runs:
                    runs[0].text = runs[0].text.lstrip()
                meta.lines[label] = ("".join(r.text for r in runs).strip(), runs)
                break
        else:
            return None
    return meta


def _date(text: str) -> str:
    m = _DATE.search(text.lower())
    if not m:
        m2 = re.search(r"(\d{2})\.(\d{2})\.(\d{4})", text)
        return f"{m2.group(3)}-{m2.group(2)}-{m2.group(1)}" if m2 else ""
    day, month, year = m.groups()
    if month not in MONTHS:
        return ""
    return f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"


def outline(blocks: list[Block], *, style_names: set[str] | None = None) -> Outline:
    """Split the document into its title page and sections, and each section into items."""
    page = TitlePage()
    sections: list[Section] = []
    appendix_terms: list[Paragraph] = []
    in_appendix: str | None = None
    current: Section | None = None
    from_reglament = False
    for block in blocks:
        if isinstance(block, Paragraph):
            if block.style_name.startswith("Reglament") or (block.num_id and block.bookmarks):
                from_reglament = from_reglament or block.style_name.startswith("Reglament")
            text = block.text.strip()
            low = text.lower()
            if block.heading == 1 and block.label is None and any(low.startswith(t) for t in APPENDIX_TITLES):
                in_appendix = low
                current = None
                continue
            if in_appendix is not None:
                if in_appendix.startswith("глоссарий"):
                    appendix_terms.append(block)
                continue
            starts = _section_start(block, current, sections)
            if starts is not None:
                current = Section(
                    starts, text if block.label is not None else block.text.strip(), block, section_kind(block.text)
                )
                current.bookmark = block.bookmarks[0] if block.bookmarks else None
                sections.append(current)
                continue
            if current is None:
                _title_line(page, block)
                continue
            current.blocks.append(block)
        elif in_appendix is None and current is not None:
            current.blocks.append(block)
    for sec in sections:
        sec.title = sec.paragraph.text.strip()
        _items(sec)
    return Outline(page, sections, appendix_terms, from_reglament)


def _section_start(para: Paragraph, current: Section | None, sections: list[Section]) -> int | None:
    """The section number when ``para`` opens a section, else None."""
    text = para.text.strip()
    if not text:
        return None
    if para.label is not None or _TYPED.match(text):
        number, typed = number_of(Paragraph([replace(r) for r in para.runs], label=para.label))
        if (
            number is not None
            and len(number) == 1
            and (para.heading == 1 or _is_title_like(_TYPED.sub("", text, count=1) if typed else text))
        ):
            expected = (sections[-1].number or len(sections)) + 1 if sections else None
            if para.heading == 1 or expected is None or number[0] == expected or (number[0] == 1 and not sections):
                number_of(para)  # cut a typed number from the runs
                return number[0]
        return None
    if para.heading == 1:
        return len(sections) + 1
    return None


def _title_line(page: TitlePage, para: Paragraph) -> None:
    text = para.text.strip()
    if not text:
        return
    low = text.lower()
    if low in ("содержание", "оглавление"):
        return
    if low.startswith("распространяется на:"):
        page.audience = [x.strip() for x in text.split(":", 1)[1].rstrip(".").split(",") if x.strip()]
        return
    if low.startswith("владелец регламента:"):
        body = text.split(":", 1)[1]
        owner, _, rest = body.partition("Утверждает:")
        page.owner = owner.strip().rstrip(".")
        page.approver = rest.strip().rstrip(".")
        return
    page.lines.append(text)
    if (para.style_name.lower() == "title" and not page.title) or (
        not page.title and ("регламент" in low or "положение" in low) and len(text) < 200 and low != "утверждаю"
    ):
        page.title = text
    if low == "утверждаю" or low.startswith("утверждаю"):
        page.approver_position = "\u0000"  # the next lines are the approval block
        return
    if page.approver_position == "\u0000":
        page.approver_position = text
        return
    if page.approver_position and not page.signer:
        if "_" in text or re.search(r"[А-ЯЁ]\.\s?[А-ЯЁ]\.", text):
            page.signer = text.replace("_", "").strip()
        elif not page.approver_company:
            page.approver_company = text
        return
    if page.signer and not page.approved:
        page.approved = _date(text) or "-"  # only the line right after the signature holds the date


def _items(sec: Section) -> None:
    """Numbered items of a section in a tree; unnumbered blocks as intro, leads, meta or continuation."""
    stack: list[Node] = []
    subheading = ""
    last: Node | None = None
    for block in sec.blocks:
        if isinstance(block, Table):
            rows = _numbered_rows(block, sec)
            if rows:
                for node in rows:
                    node.subheading = subheading
                    sec.items.append(node)
                    stack = [node]
                last = None
                continue
            if sec.items:
                sec.notes.append("a table after the numbered items is kept in the section's intro")
            sec.tables.append((subheading, block))
            sec.intro.append(block)
            continue
        para = block
        text = para.text.strip()
        if not text and not any(r.image for r in para.runs):
            continue
        meta = meta_of(para)
        if meta is not None and last is not None:
            last.meta = meta
            continue
        number, _ = number_of(para)
        if number is not None:
            rel = number[1:] if len(number) >= 2 and sec.number is not None and number[0] == sec.number else number
            node = Node(
                rel,
                para.runs,
                para,
                heading=para.heading is not None,
                bookmark=para.bookmarks[0] if para.bookmarks else None,
                subheading=subheading,
                shown=".".join(str(x) for x in number),
            )
            depth = len(rel)
            while stack and len(stack[-1].number) >= depth:
                stack.pop()
            if stack and depth > 1:
                stack[-1].children.append(node)
            else:
                sec.items.append(node)
            stack.append(node)
            last = node
            continue
        if (para.bullet or para.label is not None) and last is not None:
            # a bullet or a letter under a numbered item: a sub-item of it
            node = Node(
                (*last.number, len(last.children) + 1),
                para.runs,
                para,
                bookmark=para.bookmarks[0] if para.bookmarks else None,
                subheading=subheading,
                shown=(para.label or "").strip(),
            )
            last.children.append(node)
            continue
        if para.heading is not None and _is_title_like(text):
            subheading = text
            if not sec.items and text not in STRUCTURAL:
                sec.intro.append(para)
            last = None
            stack = []
            continue
        if not sec.items:
            if re.match(r"^(Постоянная часть \(оклад\)|База премии|Рабочее время|Выполнение плана в примере)", text):
                sec.leads.append(para)
            else:
                sec.intro.append(para)
        elif last is not None:
            last.extra.append(para.runs)
        else:
            sec.intro.append(para)


def _numbered_rows(table: Table, sec: Section) -> list[Node]:
    """Rows whose first cell holds a numbered (auto or typed) paragraph: items (KPIs, tiers, blocks…)."""
    nodes: list[Node] = []
    for row in table.rows[1:]:
        if not row or not row[0]:
            return []
        first = row[0][0]
        number, _ = number_of(first)
        if number is None:
            return []
        rel = number[1:] if len(number) >= 2 and sec.number is not None and number[0] == sec.number else number
        nodes.append(
            Node(
                rel,
                [],
                row=row[1:],
                table=table,
                bookmark=first.bookmarks[0] if first.bookmarks else None,
                shown=".".join(str(x) for x in number),
            )
        )
    return nodes
