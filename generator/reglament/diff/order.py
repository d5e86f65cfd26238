"""The amendment order («приказ о внесении изменений») drafted from a diff, in Russian legal drafting style.

Every change of a регламент in a Russian company is made by an order: a heading and a preamble, then one
numbered amendment per change with the standard formulas, then the effective date, who acquaints the
employees, who controls execution, and the signature block. Numbers in the amendments refer to the OLD
edition, as an amending act's do; the renumbering that follows from them comes last («пункты … считать
соответственно пунктами …»).

Formulas written (and nothing else — the test interpreter reads exactly these):

* ``пункт N изложить в следующей редакции: «…»``
* ``в пункте N слова «A» заменить словами «B»`` / ``цифры «15» заменить цифрами «20»`` /
  ``слова «A» исключить`` / ``после слов «A» дополнить словами «B»``
* ``раздел K после пункта N дополнить пунктом M следующего содержания: «…»`` (``в начале`` for a first one)
* ``пункт N признать утратившим силу``
* ``пункт N перенести в раздел K`` (reordered or relocated); ``пункты … считать соответственно пунктами …``
* the same for the blocks of Markdown sections (``абзац второй подраздела «…»``), section titles and whole
  sections (``дополнить разделом K «…»``, ``раздел K признать утратившим силу``).

A word-level formula is chosen when the change is small and every quoted fragment is found exactly once;
the drafter checks each clause by applying its formulas and falls back to the whole-clause wording when
they would not give the new text. The order is made from a diff that was resolved for one audience, like
every output: a public order never holds an internal item.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from reglament.diff.compare import CHILD_FIELDS, Placed, label, main_text, placements
from reglament.diff.model import Changes, ItemChange, PartChange, RegulationChange, Segment
from reglament.diff.redline import Block, blocks, diff_blocks, plain, readable, redline
from reglament.model import nodes as m
from reglament.model.content import Content
from reglament.model.editions import Edition
from reglament.ru import date_long, date_text, field_label, number, ordinal

#: a clause whose changed characters exceed this share of its text is restated whole
SMALL_SHARE = 0.4
#: … or whose redline has more separate edits than this
SMALL_RUNS = 3
_QUOTES = re.compile(r"[«»]")


@dataclass
class Amendment:
    """One numbered amendment: the formula, and the text it quotes (on lines of its own) if any."""

    text: str
    quoted: list[str] = field(default_factory=list)


@dataclass
class RegulationAmendments:
    regulation: str
    title: str
    amendments: list[Amendment]


@dataclass
class Order:
    company: str | None
    title: str
    reason: str
    regulations: list[RegulationAmendments]
    effective: dt.date | None
    approved_by: str | None
    acquaint: list[str]
    control: str | None


# --------------------------------------------------------------------------
# Texts as the order quotes them


def norm(text: str) -> str:
    """Whitespace collapsed, no space before punctuation: what two texts are compared as."""
    return re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(text.split()))


_MAIN_FIELDS = ("text", "definition", "measures", "activity", "description", "examples")
_SKIPPED_FIELDS = frozenset({"id", "visibility", *_MAIN_FIELDS})


def item_text(node: m.Node) -> str:
    """The text of a numbered item as the order quotes it: its main text with its other plain fields
    («Срок: в течение 15 минут.»), or its label when it has no text (bonus tiers, time blocks)."""
    text = main_text(node)
    if text is None:
        return " ".join(label(node).split())
    text = plain(text)
    extras = []
    for name in type(node).model_fields:
        value = getattr(node, name, None)
        if name in _SKIPPED_FIELDS or name in CHILD_FIELDS or value is None or isinstance(value, (m.Node, dict)):
            continue
        if isinstance(value, list):
            if not value or not all(isinstance(v, (str, int, float)) for v in value):
                continue
            value = ", ".join(str(v) for v in value)
        if isinstance(value, bool):
            value = "да" if value else "нет"
        shown = number(value) if isinstance(value, (int, float)) else plain(str(value))
        extras.append(f"{field_label(name).capitalize()}: {shown}.")
    return " ".join(" ".join([text, *extras]).split())


def _unique(text: str, fragment: str) -> bool:
    return bool(fragment) and text.count(fragment) == 1 and not _QUOTES.search(fragment)


def _number_like(text: str) -> bool:
    return bool(re.fullmatch(r"\d[\d \u00a0]*(?:[.,]\d+)?", text))


def word_edits(old: str, new: str, segments: tuple[Segment, ...]) -> list[tuple[str, str, str]] | None:
    """Word-level formulas turning ``old`` into ``new``: (kind, a, b) with kind ``replace``, ``delete`` or
    ``insert`` (``a`` the words after which ``b`` goes); ``None`` when the change is not small, or a formula
    would be ambiguous, or applying them would not give ``new``."""
    segs = [s for s in segments if s.text]
    runs: list[tuple[str, str, str]] = []  # (preceding kept text, deleted, inserted)
    i = 0
    while i < len(segs):
        if segs[i].op == "=":
            i += 1
            continue
        before = "".join(s.text for s in segs[:i] if s.op != "+")
        deleted = inserted = ""
        while i < len(segs) and segs[i].op != "=":
            if segs[i].op == "-":
                deleted += segs[i].text
            else:
                inserted += segs[i].text
            i += 1
        runs.append((before, deleted, inserted))
    changed_chars = sum(len(d) + len(n) for _, d, n in runs)
    if not runs or len(runs) > SMALL_RUNS or changed_chars > SMALL_SHARE * max(len(old), 1):
        return None
    edits: list[tuple[str, str, str]] = []
    work = norm(old)
    for before, deleted, inserted in runs:
        d, n = norm(deleted), norm(inserted)
        words = before.split()
        if d:
            # widen the quoted words with the kept words before them until they are found once
            prefix: list[str] = []
            while not _unique(work, norm(" ".join([*prefix, d]))) and words:
                prefix.insert(0, words.pop())
            a = norm(" ".join([*prefix, d]))
            b = norm(" ".join([*prefix, n])) if n or prefix else ""
            if not _unique(work, a):
                return None
            edits.append(("replace", a, b) if b else ("delete", a, ""))
            work = norm(work.replace(a, b, 1))
        elif n:
            a = ""
            while words and not _unique(work, a):
                a = norm(f"{words.pop()} {a}")
            if not _unique(work, a):
                return None
            edits.append(("insert", a, n))
            work = norm(work.replace(a, f"{a} {n}", 1))
    if work != norm(new) or any(_QUOTES.search(b) for _, _, b in edits):
        return None
    return edits


def edit_formula(where: str, kind: str, a: str, b: str) -> str:
    """«в пункте 2.3 слова «…» заменить словами «…»» and its siblings."""
    if kind == "replace":
        if _number_like(a) and _number_like(b):
            return f"{where} цифры «{a}» заменить цифрами «{b}»"
        return f"{where} слова «{a}» заменить словами «{b}»"
    if kind == "delete":
        return f"{where} слова «{a}» исключить"
    return f"{where} после слов «{a}» дополнить словами «{b}»"


# --------------------------------------------------------------------------
# Drafting


class Drafter:
    def __init__(self, changes: Changes, old: Content, new: Content) -> None:
        self.changes, self.old, self.new = changes, old, new
        self.old_placed, _ = placements(old)
        self.new_placed, _ = placements(new)

    # ------------------------------------------------------------ items

    def item_amendments(self, reg: RegulationChange, part: PartChange, removed_parts: set[str]) -> list[Amendment]:
        out: list[Amendment] = []
        for item in part.items:
            a, b = self.old_placed.get(item.id), self.new_placed.get(item.id)
            if item.change == "removed" and a is not None:
                parent = a.container[1] if a.container[0] == "item" else None
                if _id(a.part) in removed_parts or (parent and parent not in self.new_placed):
                    continue  # the whole section or the parent clause goes
                out.append(Amendment(f"пункт {a.number} признать утратившим силу"))
            elif item.change == "added" and b is not None:
                if _id(b.part) not in {_id(p) for p in self.old_reg_parts(reg.id)}:
                    where = f"новый раздел {b.number.split('.')[0]}"
                else:
                    where = f"раздел {self.old_part_number(reg.id, _id(b.part))}"
                out.append(
                    Amendment(
                        f"{where} {self.anchor(b)} дополнить пунктом {b.number} следующего содержания:",
                        [f"{b.number}. {item_text(b.node)}"],
                    )
                )
            elif a is not None and b is not None:
                out += self.changed_item(item, a, b)
        return out

    def old_reg_parts(self, reg_id: str) -> list[m.Node]:
        for reg in self.old.regulations:
            if reg.id == reg_id:
                return list(reg.loaded_parts)
        return []

    def old_part_number(self, reg_id: str, part_id: str) -> str:
        for s, p in enumerate(self.old_reg_parts(reg_id), 1):
            if _id(p) == part_id:
                return str(s)
        return "?"

    def anchor(self, b: Placed) -> str:
        """«после пункта 1.2» (the previous sibling, by its old number), or «в начале»."""
        siblings = [p for p in self.new_placed.values() if p.container == b.container]
        before = [p for p in siblings if _key(p.number) < _key(b.number)]
        if not before:
            parent = b.container[1] if b.container[0] == "item" else None
            if parent and parent in self.old_placed:
                return f"в начале пункта {self.old_placed[parent].number}"
            if parent and parent in self.new_placed:
                return f"в начале нового пункта {self.new_placed[parent].number}"
            return "в начале"
        prev = before[-1]
        old = self.old_placed.get(_id(prev.node))
        return f"после пункта {old.number}" if old is not None else f"после нового пункта {prev.number}"

    def changed_item(self, item: ItemChange, a: Placed, b: Placed) -> list[Amendment]:
        out: list[Amendment] = []
        old_text, new_text = item_text(a.node), item_text(b.node)
        if norm(old_text) != norm(new_text):
            edits = word_edits(old_text, new_text, redline(old_text, new_text))
            where = f"в пункте {a.number}"
            if edits:
                out += [Amendment(edit_formula(where, *e)) for e in edits]
            else:
                out.append(Amendment(f"пункт {a.number} изложить в следующей редакции:", [f"{a.number}. {new_text}"]))
        if item.move in ("reordered", "relocated"):
            target = self.old_part_number(b.regulation.id, _id(b.part))
            out.append(Amendment(f"пункт {a.number} перенести в раздел {target}"))
        return out

    # ------------------------------------------------------------ Markdown texts

    def body_amendments(self, reg_id: str, part: PartChange, number: str, *, added: bool = False) -> list[Amendment]:
        old_part = next((p for p in self.old_reg_parts(reg_id) if _id(p) == part.id), None)
        new_part = next(
            (p for r in self.new.regulations if r.id == reg_id for p in r.loaded_parts if p.id == part.id), None
        )
        old_body = old_part.body if isinstance(old_part, m.ProsePart) else ""
        new_body = new_part.body if isinstance(new_part, m.ProsePart) else ""
        a, b = blocks(old_body), blocks(new_body)
        _, _, _, kept = diff_blocks(a, b)
        new_to_old = {j: i for i, j in kept.items()}
        out: list[Amendment] = []
        here = f"в разделе {number}"
        incoming: dict[int | None, list[Block]] = {}
        for para in part.paragraphs:
            if para.change in ("removed", "moved") and para.old_index is not None and para.moved_from is None:
                out.append(Amendment(f"{here} {block_name(a[para.old_index - 1], 'nom')} признать утратившим силу"))
            if para.change == "changed" and para.old_index is not None and para.new_index is not None:
                old_b, new_b = a[para.old_index - 1], b[para.new_index - 1]
                before, after = quote(old_b.text), quote(new_b.text)
                edits = word_edits(before, after, redline(before, after))
                if edits:
                    out += [Amendment(edit_formula(f"{here} в {block_name(old_b, 'prep')}", *e)) for e in edits]
                else:
                    out.append(Amendment(f"{here} {block_name(old_b, 'nom')} изложить в следующей редакции:", [after]))
            if para.change in ("added", "moved") and para.new_index is not None:
                j = para.new_index - 1
                prev = j - 1
                while prev >= 0 and prev not in new_to_old:
                    prev -= 1
                incoming.setdefault(new_to_old[prev] if prev >= 0 else None, []).append(b[j])
        for anchor in sorted(incoming, key=lambda x: -1 if x is None else x):
            where = "в начале" if anchor is None else f"после {block_name(a[anchor], 'gen')}"
            group = incoming[anchor]
            noun = "абзацем" if len(group) == 1 else "абзацами"
            section = f"новый раздел {number}" if added else f"раздел {number}"
            out.append(
                Amendment(f"{section} {where} дополнить {noun} следующего содержания:", [quote(x.text) for x in group])
            )
        for para in part.paragraphs:
            if para.moved_from:
                src_reg, src_part = para.moved_from.split("/", 1) if "/" in para.moved_from else ("", para.moved_from)
                src = self.old_part_number(src_reg, src_part)
                old_src = next((p for p in self.old_reg_parts(src_reg) if _id(p) == src_part), None)
                src_blocks = blocks(old_src.body) if isinstance(old_src, m.ProsePart) else []
                if para.old_index and para.old_index <= len(src_blocks):
                    name = block_name(src_blocks[para.old_index - 1], "nom")
                    out.insert(0, Amendment(f"в разделе {src} {name} признать утратившим силу"))
        return out

    # ------------------------------------------------------------ all

    def regulation(self, reg: RegulationChange) -> RegulationAmendments | None:
        out: list[Amendment] = []
        removed_parts = {p.id for p in reg.parts if p.change == "removed"}
        renumbered: list[tuple[str, str]] = []
        part_moves: list[tuple[str, str]] = []
        for part in reg.parts:
            if part.change == "removed":
                out.append(Amendment(f"раздел {part.old_number} «{part.title}» признать утратившим силу"))
                continue
            if part.change == "added":
                out.append(Amendment(f"дополнить разделом {part.new_number} «{part.title}»"))
                number = part.new_number or "?"
            else:
                number = part.old_number or "?"
                if part.old_number and part.new_number and part.old_number != part.new_number:
                    part_moves.append((part.old_number, part.new_number))
                for f in part.fields:
                    if f.field == "title":
                        out.append(Amendment(f"наименование раздела {number} изложить в следующей редакции:", [f.new]))
            out += self.item_amendments(reg, part, removed_parts)
            if part.paragraphs:
                out += self.body_amendments(reg.id, part, number, added=part.change == "added")
            for item in part.items:
                if item.old_number and item.new_number and item.old_number != item.new_number:
                    renumbered.append((item.old_number, item.new_number))
        if part_moves:
            olds, news = zip(*part_moves, strict=True)
            out.append(Amendment(f"разделы {', '.join(olds)} считать соответственно разделами {', '.join(news)}"))
        if renumbered:
            renumbered.sort(key=lambda p: _key(p[0]))
            olds, news = zip(*renumbered, strict=True)
            word = "пункт" if len(olds) == 1 else "пункты"
            target = "пунктом" if len(olds) == 1 else "соответственно пунктами"
            out.append(Amendment(f"{word} {', '.join(olds)} считать {target} {', '.join(news)}"))
        if reg.change == "removed":
            out = [Amendment("признать утратившим силу")]
        return RegulationAmendments(reg.id, reg.title, out) if out else None


def _id(node: m.Node) -> str:
    return str(getattr(node, "id", ""))


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(x) for x in number.split(".") if x.isdigit())


def quote(text: str) -> str:
    """A block of Markdown as the order quotes it: as readers see it (references by their display form,
    no markup), on one line."""
    return " ".join(readable(text).split())


def block_name(block: Block, case: str) -> str:
    """«абзац второй подраздела «Скидки»» (``nom``), «абзаце втором…» (``prep``), «абзаца второго…» (``gen``)."""
    noun = {"nom": "абзац", "prep": "абзаце", "gen": "абзаца"}[case]
    if block.kind == "heading":
        noun = {"nom": "заголовок", "prep": "заголовке", "gen": "заголовка"}[case]
        return f"{noun} «{block.path[-1]}»"
    under = f" подраздела «{block.path[-1]}»" if block.path else ""
    return f"{noun} {ordinal(block.ordinal, case)}{under}"


def draft_order(
    changes: Changes,
    old: Content,
    new: Content,
    *,
    edition: Edition | None = None,
    previous: Edition | None = None,
    company: str | None = None,
) -> Order:
    """The order making the new edition: amendments per regulation, then the closing provisions."""
    drafter = Drafter(changes, old, new)
    regs = [r for reg in changes.regulations if (r := drafter.regulation(reg)) is not None]
    roles = {r.id: r.name for r in new.roles}
    owners = [reg.owner for reg in new.regulations if reg.id in {r.regulation for r in regs}]
    reason = "В связи с изменением порядка работы"
    if edition is not None:
        reason = f"В связи с утверждением редакции «{edition.title}» ({edition.key})"
    return Order(
        company=company,
        title="О внесении изменений в " + ("регламенты" if len(regs) > 1 else "регламент"),
        reason=reason,
        regulations=regs,
        effective=edition.effective_date if edition is not None else None,
        approved_by=edition.approved_by if edition is not None else None,
        acquaint=[r.name for r in changes.impact],
        control=roles.get(owners[0]) if owners else None,
    )


# --------------------------------------------------------------------------
# Formats


def order_markdown(order: Order, *, previous: Edition | None = None) -> str:
    """The order as Markdown (the HTML and PDF are made from it)."""
    approved = f", утверждённый {date_text(previous.approved_date)}," if previous and previous.approved_date else ""
    lines = [
        "# ПРИКАЗ",
        "",
        f"{'«__» ________ 20__ г.'}  № ____",
        "",
        f"## {order.title}",
        "",
        f"{order.reason} ПРИКАЗЫВАЮ:",
        "",
    ]
    n = 0
    for reg in order.regulations:
        n += 1
        lines.append(f"{n}. Внести в Регламент «{reg.title}»{approved} следующие изменения:")
        lines.append("")
        for k, amendment in enumerate(reg.amendments, 1):
            end = ";" if k < len(reg.amendments) else "."
            if amendment.quoted:
                lines.append(f"    {n}.{k}. {amendment.text}")
                for q, text in enumerate(amendment.quoted, 1):
                    lines.append("")
                    lines.append(f"        «{text}»{end if q == len(amendment.quoted) else ''}")
            else:
                lines.append(f"    {n}.{k}. {amendment.text}{end}")
            lines.append("")
    if not order.regulations:
        n += 1
        lines += [f"{n}. Изменений в регламенты не вносится.", ""]
    n += 1
    when = date_long(order.effective) if order.effective else "«__» ________ 20__ г."
    lines += [f"{n}. Изменения вступают в силу с {when}", ""]
    n += 1
    who = ", ".join(order.acquaint) if order.acquaint else "все работники, к которым применяются регламенты"
    lines += [
        f"{n}. Руководителю службы персонала ознакомить с настоящим приказом и изменениями под подпись "
        f"работников, занимающих должности: {who}.",
        "",
    ]
    n += 1
    control = (
        f"возложить на владельца регламента (должность: {order.control})" if order.control else "оставляю за собой"
    )
    lines += [f"{n}. Контроль за исполнением настоящего приказа {control}.", ""]
    lines += ["", f"{order.approved_by or '____________________'}  ____________ (подпись)", ""]
    return "\n".join(lines)


def order_html(markdown_text: str) -> str:
    """A standalone page of the order: every line escaped, no scripts or external assets."""
    body = []
    for line in markdown_text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("## "):
            body.append(f"<h2>{html.escape(stripped[3:])}</h2>")
        elif stripped.startswith("# "):
            body.append(f"<h1>{html.escape(stripped[2:])}</h1>")
        else:
            indent = (len(line) - len(line.lstrip())) // 4
            body.append(f'<p class="l{indent}">{html.escape(stripped)}</p>')
    css = (
        "body{font:16px/1.5 'Times New Roman',serif;max-width:42em;margin:2em auto;padding:0 1em}"
        "h1,h2{text-align:center;font-size:1.2em}.l1{margin-left:2em}.l2{margin-left:4em}"
    )
    return (
        '<!doctype html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n<title>Приказ о внесении изменений</title>\n'
        f"<style>{css}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
