"""Output formats of a :class:`~reglament.diff.model.Changes` value, as pure functions.

* ``text`` — for a terminal (colour when asked), git word-diff marks
  ``[-deleted-]{+inserted+}`` without colour;
* ``markdown`` — GitHub-flavoured, fits a pull-request comment: a summary, the
  affected roles, then each regulation in a ``<details>`` block (open when the
  whole diff is short), redlines as ``<del>``/``<ins>``;
* ``html`` — a standalone redline page: inline CSS, no external assets, every
  text escaped;
* ``json`` — :meth:`Changes.to_json`, the documented stable structure.

Human formats are in Russian (the readers are approvers and employees) and
show references as readers see them (``[[lead|лиду]]`` → «лиду»).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from typing import TypeAlias

from reglament.diff.model import (
    Changes,
    ItemChange,
    ParagraphChange,
    ParameterChange,
    PartChange,
    RegulationChange,
    Segment,
    Side,
)
from reglament.diff.redline import plain, readable
from reglament.model.references import REF_RE
from reglament.ru import field_label as field_name
from reglament.ru import number

Changed: TypeAlias = ItemChange | PartChange | RegulationChange
"""A change that lists field changes (and, but for a regulation, parameter changes)."""

KIND_NAMES = {
    "clause": "пункт",
    "duty": "обязанность",
    "group": "группа обязанностей",
    "responsibility": "ответственность",
    "kpi": "KPI",
    "tier": "ступень премии",
    "reduction": "снижение премии",
    "block": "блок распорядка дня",
    "recurring": "регулярное мероприятие",
    "category": "категория данных",
    "rule": "правило обработки данных",
    "measure": "мера защиты",
    "term": "термин",
    "role": "роль",
    "page": "страница",
}
PART_KIND_NAMES = {
    "clauses": "положения",
    "terms": "термины",
    "duties": "обязанности",
    "motivation": "мотивация",
    "schedule": "рабочее время",
    "confidentiality": "конфиденциальность",
    "prose": "текст",
}
CHANGE_NAMES = {"added": "добавлен", "removed": "удалён", "changed": "изменён", "moved": "перемещён"}
#: for «страница» (feminine)
PAGE_CHANGE_NAMES = {"added": "добавлена", "removed": "удалена", "changed": "изменена", "moved": "перемещена"}
MOVE_NAMES = {"renumbered": "перенумерован", "reordered": "переставлен", "relocated": "перенесён"}
REASON_NAMES = {
    "duty": "обязанности",
    "responsibility": "ответственность",
    "pay": "оплата",
    "schedule": "рабочее время",
    "role": "описание роли",
    "audience": "круг адресатов",
    "other": "прочие положения",
}
#: a long diff (more item and paragraph changes than this) is collapsed per regulation in Markdown
COLLAPSE_AFTER = 25
#: renumbered-only items listed one by one in human formats, per part; the rest are counted
RENUMBERED_SHOWN = 12


# --------------------------------------------------------------------------
# Shared helpers


def side_label(side: Side) -> str:
    if side.revision is None and side.label == "working tree":
        return "рабочая копия"
    if side.edition:
        return f"редакция {side.edition}"
    return side.label


def parameter_text(p: ParameterChange) -> tuple[str, str, str]:
    """(what, old, new) of a parameter change, human-readable."""
    unit = f"\u00a0{p.unit}" if p.unit else ""
    what = field_name(p.field) if p.source == "field" else f"число в поле «{field_name(p.field)}»"
    if p.source == "text" and p.context:
        what = f"{field_name(p.field)}: «{plain(p.context)}»"
    return (
        what,
        number(p.old) + (unit if p.old is not None else ""),
        number(p.new) + (unit if p.new is not None else ""),
    )


def value_text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    return plain(str(value))


def item_title(item: ItemChange) -> str:
    """«п. 3.2» or «п. 3.2 → п. 3.4»; terms and roles have no number."""
    if item.old_number and item.new_number and item.old_number != item.new_number:
        return f"п. {item.old_number} → п. {item.new_number}"
    num = item.new_number or item.old_number
    return f"п. {num}" if num else KIND_NAMES.get(item.kind, item.kind).capitalize()


def change_word(item: ItemChange) -> str:
    if item.change == "moved":
        return MOVE_NAMES.get(item.move or "", "перемещён")
    word = CHANGE_NAMES[item.change]
    if item.change == "changed" and item.move:
        word += " и " + MOVE_NAMES[item.move]
    return word


def part_heading(part: PartChange) -> str:
    if part.kind == "page":
        return f"Страница «{part.title}»"
    num = part.new_number or part.old_number
    if part.old_number and part.new_number and part.old_number != part.new_number:
        num = f"{part.old_number} → {part.new_number}"
    return f"Раздел {num}. {part.title}"


def counts_line(changes: Changes) -> str:
    """«пунктов: добавлено 1, изменено 2; разделов: добавлено 8; изменённых абзацев 3…»."""
    s = changes.summary
    groups = []
    for what, counts in (
        ("регламентов", (("добавлено", s.regulations_added), ("удалено", s.regulations_removed))),
        ("частей", (("добавлено", s.parts_added), ("удалено", s.parts_removed), ("перемещено", s.parts_moved))),
        ("страниц", (("добавлено", s.pages_added), ("удалено", s.pages_removed))),
        (
            "разделов текста",
            (("добавлено", s.sections_added), ("удалено", s.sections_removed), ("перемещено", s.sections_moved)),
        ),
        ("пунктов", (("добавлено", s.added), ("удалено", s.removed), ("изменено", s.changed), ("перемещено", s.moved))),
    ):
        bits = [f"{name} {n}" for name, n in counts if n]
        if bits:
            groups.append(f"{what}: {', '.join(bits)}")
    if s.parameters:
        groups.append(f"изменённых параметров {s.parameters}")
    if s.paragraphs:
        groups.append(f"изменённых абзацев {s.paragraphs}")
    if s.paragraphs_moved:
        groups.append(f"перемещённых абзацев {s.paragraphs_moved}")
    return "; ".join(groups) if groups else "изменений нет"


def reason_places(reasons: Iterable, *, limit: int = 8) -> str:
    """«п. 3.1, 3.4; разд. 7» — clause numbers of the reasons, then whole sections (numbers without a dot)."""
    nums = {r.number for r in reasons if r.number}
    key = lambda n: tuple(int(x) for x in n.split("."))  # noqa: E731
    bits = []
    for prefix, group in (
        ("п.", sorted((n for n in nums if "." in n), key=key)),
        ("разд.", sorted((n for n in nums if "." not in n), key=key)),
    ):
        if group:
            more = f" и ещё {len(group) - limit}" if len(group) > limit else ""
            bits.append(f"{prefix} {', '.join(group[:limit])}{more}")
    return "; ".join(bits)


def regulation_count(reg: RegulationChange) -> int:
    return sum(len(p.items) + len(p.paragraphs) + len(p.fields) + len(p.parameters) for p in reg.parts) + len(
        reg.fields
    )


def display_segments(segments: Iterable[Segment]) -> list[Segment]:
    """Segments as readers see them (:func:`readable`); a change only of a reference's target, or only
    of markup, keeps the sources visible.

    ``[[claim|рекламации]]`` → ``[[complaint|рекламации]]`` would read «рекламации» → «рекламации»;
    it is shown as «рекламации (claim)» → «рекламации (complaint)».
    """
    segs = list(segments)
    out: list[Segment] = []
    i = 0
    start = True
    while i < len(segs):
        seg = segs[i]
        nxt = segs[i + 1] if i + 1 < len(segs) else None
        if seg.op == "-" and nxt is not None and nxt.op == "+":
            if plain(seg.text) == plain(nxt.text):
                out += [Segment("-", _with_ids(seg.text)), Segment("+", _with_ids(nxt.text))]
                i += 2
                start = False
                continue
            if readable(seg.text, line_start=start) == readable(nxt.text, line_start=start):
                out += [Segment("-", plain(seg.text)), Segment("+", plain(nxt.text))]
                i += 2
                start = False
                continue
        shown = readable(seg.text, line_start=start)
        if seg.op != "=" and seg.text.strip() and not shown.strip():
            shown = plain(seg.text)  # only markup was inserted or deleted: show the marks
        out.append(Segment(seg.op, shown))
        if seg.op != "+":
            start = False
        i += 1
    return out


def _with_ids(text: str) -> str:
    return REF_RE.sub(lambda mt: f"{mt.group(2) or mt.group(1).strip()} ({mt.group(1).strip()})", text)


def elide(segments: Iterable[Segment], keep: int = 60) -> list[Segment]:
    """Shorten long unchanged runs to their ends next to the changes («…» in between)."""
    segs = list(segments)
    out = []
    for i, seg in enumerate(segs):
        text = seg.text
        if seg.op == "=" and len(segs) > 1:
            if i == 0 and len(text) > keep + 20:
                text = "…" + _cut_tail(text, keep)
            elif i == len(segs) - 1 and len(text) > keep + 20:
                text = _cut_head(text, keep) + "…"
            elif 0 < i < len(segs) - 1 and len(text) > 2 * keep + 20:
                text = _cut_head(text, keep) + " … " + _cut_tail(text, keep)
        out.append(Segment(seg.op, text))
    return out


def _cut_head(text: str, keep: int) -> str:
    cut = text[:keep]
    space = cut.rfind(" ")
    return cut[:space] if space > keep // 2 else cut


def _cut_tail(text: str, keep: int) -> str:
    cut = text[-keep:]
    space = cut.find(" ")
    return cut[space:] if 0 <= space < keep // 2 else cut


def _renumbered(items: Iterable[ItemChange]) -> tuple[list[ItemChange], list[ItemChange]]:
    """(renumbered only, everything else), in order."""
    only: list[ItemChange] = []
    rest: list[ItemChange] = []
    for item in items:
        (only if item.change == "moved" and item.move == "renumbered" else rest).append(item)
    return only, rest


def _renumbered_line(items: list[ItemChange], limit: int = RENUMBERED_SHOWN) -> str:
    shown = ", ".join(f"{i.old_number} → {i.new_number}" for i in items[:limit])
    more = f" и ещё {len(items) - limit}" if len(items) > limit else ""
    return f"перенумерованы без изменения текста: {shown}{more}"


# --------------------------------------------------------------------------
# text


def format_text(changes: Changes, *, color: bool = False) -> str:
    """For a terminal: one line per change, word redlines, colour when ``color``."""

    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color and text else text

    def red(segments: Iterable[Segment]) -> str:
        out = []
        for s in elide(display_segments(segments)):
            text = re.sub(r"\s+", " ", s.text)
            if s.op == "=":
                out.append(text)
            elif s.op == "-":
                out.append(paint(text, "31;9") if color else f"[-{text}-]")
            else:
                out.append(paint(text, "32;4") if color else f"{{+{text}+}}")
        return "".join(out)

    marks = {
        "added": paint("+", "32"),
        "removed": paint("-", "31"),
        "changed": paint("~", "33"),
        "moved": paint("→", "36"),
    }
    lines = [
        paint(f"Изменения: {side_label(changes.old)} → {side_label(changes.new)}", "1")
        + (f" (компания {changes.company})" if changes.company else ""),
        f"Итого: {counts_line(changes)}",
    ]

    def fields(target: ItemChange | PartChange | RegulationChange, indent: str) -> None:
        for f in target.fields:
            if f.kind == "text":
                lines.append(f"{indent}{field_name(f.field)}: {red(f.redline)}")
            else:
                lines.append(f"{indent}{field_name(f.field)}: {value_text(f.old)} → {value_text(f.new)}")
        for p in _parameters(target):
            what, old, new = parameter_text(p)
            lines.append(f"{indent}{paint('параметр', '35')} {what}: {old} → {new}")

    def item_lines(item: ItemChange, indent: str) -> None:
        kind = KIND_NAMES.get(item.kind, item.kind)
        head = f"{indent}{marks[item.change]} {item_title(item)}  {kind} {item.id} — {change_word(item)}"
        if item.change in ("added", "removed") and item.text:
            lines.append(f"{head}: {plain(item.text).strip()}" if len(item.text) < 200 else head)
        else:
            lines.append(f"{head}: {item.label}" if item.change == "moved" else head)
        fields(item, indent + "    ")

    if changes.impact:
        lines.append("")
        lines.append(paint("Кого касается (должны ознакомиться с новой редакцией):", "1"))
        for role in changes.impact:
            bits = []
            for kind in role.kinds:
                where = reason_places(r for r in role.reasons if r.kind == kind)
                bits.append(REASON_NAMES[kind] + (f" ({where})" if where else ""))
            lines.append(f"  {role.name} ({role.role}): {'; '.join(bits)}")
    for group, title in ((changes.terms, "Глоссарий"), (changes.roles, "Роли")):
        if group:
            lines.append("")
            lines.append(paint(title, "1"))
            for item in group:
                item_lines(item, "  ")
    for reg in changes.regulations:
        lines.append("")
        lines.append(paint(f"Регламент «{reg.title}» ({reg.id}) — {CHANGE_NAMES[reg.change]}", "1"))
        fields(reg, "  ")
        for part in reg.parts:
            lines.append(f"  {part_heading(part)} — {CHANGE_NAMES[part.change]}")
            fields(part, "    ")
            only, rest = _renumbered(part.items)
            for item in rest:
                item_lines(item, "    ")
            if only:
                lines.append(f"    {marks['moved']} {_renumbered_line(only)}")
            for para in part.paragraphs:
                lines.append(f"    {marks[para.change]} {para_place(para)}: {red(para.redline)}")
    for page in changes.pages:
        lines.append("")
        lines.append(paint(f"{part_heading(page)} — {PAGE_CHANGE_NAMES[page.change]}", "1"))
        fields(page, "  ")
        for para in page.paragraphs:
            lines.append(f"  {marks[para.change]} {para_place(para)}: {red(para.redline)}")
    lines += _diagnostics_lines(changes)
    return _CONTROL.sub("\ufffd", "\n".join(lines))


#: control characters from the content must not reach a terminal (cursor moves, title changes…);
#: only the colour codes of SGR (`ESC [ … m`) pass
_CONTROL = re.compile(r"\x1b(?!\[[0-9;]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]")


BLOCK_NAMES = {
    "heading": "заголовок",
    "paragraph": "абзац",
    "list": "элемент списка",
    "table": "строка таблицы",
    "code": "блок кода",
    "quote": "цитата",
}


def _place(path: tuple[str, ...], ordinal: int | None, kind: str) -> str:
    """«раздел «Цены» › «Опт», абзац 2» — where a reader finds a block in one edition."""
    if kind == "heading":
        return "заголовок " + " › ".join(f"«{plain(h)}»" for h in path) if path else "заголовок"
    where = " › ".join(f"«{plain(h)}»" for h in path)
    name = f"{BLOCK_NAMES.get(kind, 'абзац')} {ordinal}" if ordinal else BLOCK_NAMES.get(kind, "абзац")
    return f"{where}, {name}" if where else name


def para_place(para: ParagraphChange) -> str:
    """Where a changed block is, in the edition(s) a reader opens: the new place, the old one when it differs.

    A moved block says where it came from (and from which part or page, when it left another one).
    """
    old = _place(para.old_path, para.old_ordinal, para.kind) if para.old_index is not None else None
    new = _place(para.new_path, para.new_ordinal, para.kind) if para.new_index is not None else None
    if para.change == "moved":
        src = f"{para.moved_from.removeprefix('page:')}, " if para.moved_from else ""
        return f"{new} — перемещён; было: {src}{old}"
    if old and new and old != new:
        return f"{new} (было: {old})"
    return new or old or ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _diagnostics_lines(changes: Changes) -> list[str]:
    lines = []
    for name, side in (("old", changes.old), ("new", changes.new)):
        if side.errors:
            lines.append("")
            lines.append(f"Ошибки в {side_label(side)} ({name}): {len(side.errors)} — сравнено то, что загрузилось")
            lines += [f"  {d.file}:{d.line}:{d.column}: [{d.code}] {d.message}" for d in side.errors]
    return lines


# --------------------------------------------------------------------------
# Markdown (GitHub-flavoured)

_GFM_ESCAPE = re.compile(r"([\\`*_\[\]|~$])")
#: GitHub turns `@user`, `@org/team`, `#123`, `owner/repo#123` and `GH-123` into pings and issue links;
#: a word joiner (U+2060, invisible) after the sign breaks the pattern and reads the same
_MENTION = re.compile(r"([@#])(?=\w)|(?i:\b(gh))(?=-\d)|(?i:\b(https?|ftp|mailto|www))(?=[:.])")
_BLOCK_LEAD = re.compile(r"^(\s*(?:\d{1,9})?)([#>+=.)-])")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x85\x0b\x0c]\s*")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def neutralise(text: str) -> str:
    """``@user``, ``#123``, ``GH-123`` and URLs as plain text on GitHub (no ping, no issue link, no autolink)."""
    return _MENTION.sub(lambda mt: (mt.group(1) or mt.group(2) or mt.group(3)) + "\u2060", text)


def gfm_html(text: object) -> str:
    """Text safe inside raw HTML of a GitHub comment (``<summary>``…): one line, escaped, mentions neutralised."""
    line = _CONTROL_CHARS.sub("", _LINE_BREAKS.sub(" ", plain(str(text))))
    return neutralise(html.escape(line, quote=True))


#: Python-Markdown (the site engine) knows fewer backslash escapes: `\~` or `\$` would show the backslash
_SITE_ESCAPE = re.compile(r"([\\`*_\[\]|])")


class _Markdown:
    """Markdown writer shared by the pull-request comment (GitHub) and the site page (Python-Markdown)."""

    def __init__(self, *, short: bool, site: bool, link: Callable[[ItemChange], str | None] | None) -> None:
        self.short = short
        self.site = site
        self.escape_re = _SITE_ESCAPE if site else _GFM_ESCAPE
        self.link = link or (lambda item: None)
        self.ins, self.dele = "<ins>", "<del>"  # coloured on the site by templates/assets/reglament.css

    def esc(self, text: str) -> str:
        """Text safe inside a Markdown line: punctuation escaped, HTML escaped, line breaks folded (so no
        content can open a block, a code span or a tag); on GitHub, mentions and issue links neutralised."""
        text = _CONTROL_CHARS.sub("", _LINE_BREAKS.sub(" ", plain(str(text))))
        out = html.escape(self.escape_re.sub(r"\\\1", text), quote=False)
        # a text may start a list item's content: a leading `#`, `>`, `-`, `+`, `=` or `1.` would open a block
        out = _BLOCK_LEAD.sub(r"\1\\\2", out)
        return out if self.site else neutralise(out)

    def code(self, text: object) -> str:
        """Content shown as code (ids, file names): ``<code>`` with escaped text, never a backtick span a
        backtick in the content could close."""
        return f"<code>{self.esc(str(text))}</code>"

    def redline(self, segments: Iterable[Segment]) -> str:
        out = []
        shown = display_segments(segments)
        for s in elide(shown) if self.short else shown:
            text = self.esc(s.text)
            if s.op == "=":
                out.append(text)
            elif s.op == "-":
                out.append(f"{self.dele}{text}</del>")
            else:
                out.append(f"{self.ins}{text}</ins>")
        return "".join(out)

    def fields(self, target: Changed, indent: str = "") -> list[str]:
        lines = []
        for f in target.fields:
            name = self.esc(field_name(f.field))
            if f.kind == "text":
                lines.append(f"{indent}- {name}: {self.redline(f.redline)}")
            elif f.kind == "list" and (f.added or f.removed):
                bits = [f"{self.ins}{self.esc(str(x))}</ins>" for x in f.added]
                bits += [f"{self.dele}{self.esc(str(x))}</del>" for x in f.removed]
                lines.append(f"{indent}- {name}: {', '.join(bits)}")
            else:
                lines.append(f"{indent}- {name}: {self.esc(value_text(f.old))} → **{self.esc(value_text(f.new))}**")
        for p in _parameters(target):
            what, old, new = parameter_text(p)
            lines.append(f"{indent}- параметр {self.esc(what)}: {self.esc(old)} → **{self.esc(new)}**")
        return lines

    def item(self, item: ItemChange) -> list[str]:
        kind = KIND_NAMES.get(item.kind, item.kind)
        title = self.esc(item_title(item))
        href = self.link(item) if item.change != "removed" else None
        if href:
            title = f"[{title}]({href})"
        head = f"- **{self.esc(change_word(item).capitalize())}** {title} ({kind} {self.code(item.id)})"
        if item.change in ("added", "removed") and item.text:
            open_, close = (self.ins, "</ins>") if item.change == "added" else (self.dele, "</del>")
            return [f"{head}: {open_}{self.esc(item.text)}{close}"]
        if item.change == "moved":
            return [f"{head}: {self.esc(item.label)}"]
        return [head, *self.fields(item, "    ")]

    def paragraphs(self, paragraphs: Iterable[ParagraphChange]) -> list[str]:
        return [
            f"- {self.esc(para_place(p))}{'' if p.change == 'moved' else ' — ' + CHANGE_NAMES[p.change]}: "
            f"{self.redline(p.redline)}"
            for p in paragraphs
        ]

    def part(self, part: PartChange, heading: str) -> list[str]:
        suffix = "" if part.change == "changed" else f" — {CHANGE_NAMES[part.change]}"
        lines = [f"{heading} {self.esc(part_heading(part))}{suffix}", ""]
        body = self.fields(part)
        only, rest = _renumbered(part.items)
        for item in rest:
            body += self.item(item)
        if only:
            body.append(
                f"- **{self.esc(_renumbered_line(only, limit=RENUMBERED_SHOWN if self.short else len(only)))}**"
            )
        body += self.paragraphs(part.paragraphs)
        return lines + body + [""]

    def regulation(self, reg: RegulationChange, heading: str) -> list[str]:
        lines: list[str] = []
        if reg.change != "changed":
            lines += [f"Регламент {CHANGE_NAMES[reg.change]}.", ""]
        if reg.fields:
            lines += self.fields(reg) + [""]
        for part in reg.parts:
            lines += self.part(part, heading)
        return lines

    def impact(self, changes: Changes) -> list[str]:
        if not changes.impact:
            return []
        lines = ["| Роль | Что изменилось |", "|---|---|"]
        for role in changes.impact:
            bits = []
            for kind in role.kinds:
                where = reason_places(r for r in role.reasons if r.kind == kind)
                bits.append(REASON_NAMES[kind] + (f" ({where})" if where else ""))
            lines.append(f"| {self.esc(role.name)} | {self.esc('; '.join(bits))} |")
        return lines + [""]

    def errors(self, changes: Changes) -> list[str]:
        lines = []
        for name, side in (("Старая", changes.old), ("Новая", changes.new)):
            if side.errors:
                lines += [
                    f"> **{name} сторона ({self.esc(side_label(side))}) загружена с ошибками "
                    f"({len(side.errors)})**; сравнено то, что загрузилось:",
                    ">",
                ]
                lines += [
                    f"> - {self.code(f'{d.file}:{d.line}:{d.column}')} {self.esc(d.message)}" for d in side.errors[:20]
                ]
                lines.append("")
        return lines


def format_markdown(
    changes: Changes, *, max_chars: int | None = None, link: Callable[[ItemChange], str | None] | None = None
) -> str:
    """GitHub-flavoured Markdown for a pull-request comment; each regulation in its own ``<details>``.

    A long diff (more than :data:`COLLAPSE_AFTER` changes) starts collapsed.
    ``max_chars`` (GitHub holds 65,536 characters in a comment) keeps whole
    regulations while they fit and says what was left out.
    """
    md = _Markdown(short=True, site=False, link=link)
    size = sum(len(p.items) + len(p.paragraphs) for reg in changes.regulations for p in reg.parts)
    size += len(changes.terms) + len(changes.roles) + sum(len(p.paragraphs) for p in changes.pages)
    state = "" if size > COLLAPSE_AFTER else " open"
    company = f" (компания {md.code(changes.company)})" if changes.company else ""
    old, new = (md.code(side_label(side)) for side in (changes.old, changes.new))
    head = [f"### Что изменилось: {old} → {new}{company}", "", f"**Итого:** {md.esc(counts_line(changes))}.", ""]
    if changes.impact:
        head += ["**Кого касается** — должны ознакомиться с новой редакцией:", "", *md.impact(changes)]
    blocks: list[list[str]] = []
    for group, title in ((changes.terms, "Глоссарий"), (changes.roles, "Роли")):
        if group:
            body = [f"<details{state}>", f"<summary><strong>{title}</strong>: изменений {len(group)}</summary>", ""]
            for item in group:
                body += md.item(item)
            blocks.append(body + ["", "</details>", ""])
    for reg in changes.regulations:
        summary = (
            f"<strong>{gfm_html(reg.title)}</strong> (<code>{gfm_html(reg.id)}</code>): "
            f"{CHANGE_NAMES[reg.change]}, изменений {regulation_count(reg)}"
        )
        blocks.append(
            [f"<details{state}>", f"<summary>{summary}</summary>", "", *md.regulation(reg, "####"), "</details>", ""]
        )
    for page in changes.pages:
        blocks.append(
            [
                f"<details{state}>",
                f"<summary><strong>{gfm_html(part_heading(page))}</strong>: {PAGE_CHANGE_NAMES[page.change]}</summary>",
                "",
                *md.fields(page),
                *md.paragraphs(page.paragraphs),
                "",
                "</details>",
                "",
            ]
        )
    tail = md.errors(changes)
    if changes.is_empty:
        tail.append("Изменений в содержании нет.")
    text = "\n".join(head + [line for block in blocks for line in block] + tail)
    if max_chars is not None and len(text) > max_chars:
        note = [
            f"_Сравнение не поместилось в {max_chars} символов; показаны не все регламенты. "
            "Полный отчёт: `reglament diff --format html`._",
            "",
        ]
        budget = max_chars - len("\n".join(head + note + tail)) - 2
        kept: list[str] = []
        for block in blocks:
            chunk = len("\n".join(block)) + 1
            if chunk > budget:
                break
            kept += block
            budget -= chunk
        text = "\n".join(head + kept + note + tail)
        if len(text) > max_chars:
            text = "\n".join(head + note)[:max_chars]
    return text.rstrip() + "\n"


# --------------------------------------------------------------------------
# HTML

_CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60em; margin: 2em auto;
       padding: 0 1em; color: #1f2328; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 1.5em; } h3 { font-size: 1.05em; }
ins { background: #dafbe1; color: #116329; text-decoration: underline; }
del { background: #ffebe9; color: #82071e; text-decoration: line-through; }
.item { margin: .6em 0; padding: .4em .8em; border-left: 4px solid #d0d7de; }
.added { border-color: #1a7f37; } .removed { border-color: #cf222e; } .changed { border-color: #bf8700; }
.moved { border-color: #0969da; }
.head { font-weight: 600; } .id { font-family: ui-monospace, monospace; font-size: .85em; color: #59636e; }
.field { margin: .2em 0 .2em 1em; } .name { color: #59636e; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; }
summary { cursor: pointer; font-size: 1.15em; font-weight: 600; margin: 1em 0 .5em; }
.errors { background: #fff8c5; padding: .5em 1em; }
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def html_redline(segments: Iterable[Segment]) -> str:
    out = []
    for s in display_segments(segments):
        text = _h(s.text)
        out.append(text if s.op == "=" else f"<del>{text}</del>" if s.op == "-" else f"<ins>{text}</ins>")
    return "".join(out)


def _parameters(target: Changed) -> tuple[ParameterChange, ...]:
    return () if isinstance(target, RegulationChange) else target.parameters


def _html_fields(target: Changed) -> list[str]:
    out = []
    for f in target.fields:
        name = _h(field_name(f.field))
        if f.kind == "text":
            value = html_redline(f.redline)
        elif f.kind == "list":
            value = ", ".join([f"<ins>{_h(x)}</ins>" for x in f.added] + [f"<del>{_h(x)}</del>" for x in f.removed])
        else:
            value = f"<del>{_h(value_text(f.old))}</del> <ins>{_h(value_text(f.new))}</ins>"
        out.append(f'<div class="field"><span class="name">{name}:</span> {value}</div>')
    for p in getattr(target, "parameters", ()):
        what, old, new = parameter_text(p)
        out.append(
            f'<div class="field"><span class="name">параметр {_h(what)}:</span> '
            f"<del>{_h(old)}</del> → <ins>{_h(new)}</ins></div>"
        )
    return out


def _html_item(item: ItemChange) -> list[str]:
    kind = KIND_NAMES.get(item.kind, item.kind)
    out = [
        f'<div class="item {item.change}" id="{_h(item.id)}">',
        f'<div class="head">{_h(change_word(item).capitalize())} {_h(item_title(item))} '
        f'<span class="id">{_h(kind)} {_h(item.id)}</span></div>',
    ]
    if item.change in ("added", "removed") and item.text:
        tag = "ins" if item.change == "added" else "del"
        out.append(f"<div><{tag}>{_h(plain(item.text))}</{tag}></div>")
    elif item.change == "moved":
        out.append(f"<div>{_h(item.label)}</div>")
    out += _html_fields(item)
    out.append("</div>")
    return out


def format_html(changes: Changes, *, title: str | None = None) -> str:
    """A standalone redline page: no scripts, no external assets; every text escaped."""
    title = title or f"Что изменилось: {side_label(changes.old)} → {side_label(changes.new)}"
    out = [
        "<!doctype html>",
        '<html lang="ru">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(title)}</h1>",
    ]
    if changes.company:
        out.append(f"<p>Компания: <strong>{_h(changes.company)}</strong></p>")
    out.append(f"<p><strong>Итого:</strong> {_h(counts_line(changes))}.</p>")
    if changes.impact:
        out += [
            "<h2>Кого касается</h2>",
            "<p>Должны ознакомиться с новой редакцией:</p>",
            "<table><tr><th>Роль</th><th>Что изменилось</th></tr>",
        ]
        for role in changes.impact:
            out.append(
                f"<tr><td>{_h(role.name)}</td><td>{_h(', '.join(REASON_NAMES[k] for k in role.kinds))}</td></tr>"
            )
        out.append("</table>")
    for group, name in ((changes.terms, "Глоссарий"), (changes.roles, "Роли")):
        if group:
            out += ["<details open>", f"<summary>{name}</summary>"]
            for item in group:
                out += _html_item(item)
            out.append("</details>")
    for reg in changes.regulations:
        out += ["<details open>", f"<summary>{_h(reg.title)} — {_h(CHANGE_NAMES[reg.change])}</summary>"]
        out += _html_fields(reg)
        for part in reg.parts:
            out.append(f"<h3>{_h(part_heading(part))} — {_h(CHANGE_NAMES[part.change])}</h3>")
            out += _html_fields(part)
            only, rest = _renumbered(part.items)
            for item in rest:
                out += _html_item(item)
            if only:
                out.append(f'<div class="item moved">{_h(_renumbered_line(only, limit=len(only)))}</div>')
            for para in part.paragraphs:
                out.append(
                    f'<div class="item {para.change}"><div class="head">{_h(_cap(para_place(para)))}</div>'
                    f"<p>{html_redline(para.redline)}</p></div>"
                )
        out.append("</details>")
    for page in changes.pages:
        out += ["<details open>", f"<summary>{_h(part_heading(page))} — {_h(PAGE_CHANGE_NAMES[page.change])}</summary>"]
        out += _html_fields(page)
        for para in page.paragraphs:
            out.append(
                f'<div class="item {para.change}"><div class="head">{_h(_cap(para_place(para)))}</div>'
                f"<p>{html_redline(para.redline)}</p></div>"
            )
        out.append("</details>")
    for name, side in (("старой", changes.old), ("новой", changes.new)):
        if side.errors:
            out.append(
                f'<div class="errors"><p>Ошибки в {name} стороне ({_h(side_label(side))}); '
                "сравнено то, что загрузилось:</p><ul>"
            )
            out += [f"<li><code>{_h(d.file)}:{d.line}:{d.column}</code> {_h(d.message)}</li>" for d in side.errors]
            out.append("</ul></div>")
    if changes.is_empty:
        out.append("<p>Изменений нет.</p>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# JSON


def format_json(changes: Changes) -> str:
    return json.dumps(changes.to_json(), ensure_ascii=False, indent=2)


DIFF_FORMATS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "markdown": format_markdown,
    "html": format_html,
    "json": format_json,
}
