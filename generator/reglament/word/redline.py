"""Native Word tracked changes (``w:ins`` / ``w:del`` with author and date) from the model diff.

The exported edition is written as usual; an item whose text changed since the old side
gets its text as a word-level redline (the diff's own :func:`reglament.diff.redline.redline`:
paragraphs first, then words), an added item is one inserted paragraph, and a removed item
is one deleted paragraph placed after the item it followed (carrying its old number as
deleted text; deleted paragraphs are not list paragraphs, so Word's numbers stay those of
the new edition while the changes are shown, and after they are accepted). Word, LibreOffice
and document management systems show them as ordinary revisions to accept or reject.

Table rows (KPIs, tiers, schedule, categories) are written as the new edition; their
changes are listed in the change sheet («Лист изменений»).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import oxml
from .deps import REF_RE, Content, display_name, m, part_items
from .export import STYLE_CLAUSE, DocxWriter, Redline

AUTHOR = "reglament"


def main_text(node: m.Node) -> str | None:
    if isinstance(node, (m.Clause, m.Duty, m.Responsibility, m.Reduction, m.DataRule, m.Measure)):
        return node.text
    if isinstance(node, m.Term):
        return node.definition
    if isinstance(node, (m.DutyGroup, m.PartBase, m.ProsePart)):
        return node.title
    return None


def order(content: Content, reg: m.Regulation) -> list[Any]:
    """Parts and their items (with sub-items) in document order."""
    from .deps import children

    out: list[Any] = []

    def walk(node: Any) -> None:
        out.append(node)
        for child in children(node):
            walk(child)

    for part in reg.loaded_parts:
        out.append(part)
        for item in part_items(part):
            walk(item)
    return out


def plain(text: str, content: Content) -> str:
    return REF_RE.sub(lambda mt: mt.group(2) or display_name(content.get(mt.group(1).strip()), mt.group(1)), text)


def redline_of(old: Content, new: Content, reg_id: str, *, author: str, date: str) -> Redline:
    """What changed in regulation ``reg_id`` between the two (resolved) contents."""
    new_reg = next(r for r in new.regulations if r.id == reg_id)
    old_reg = next((r for r in old.regulations if r.id == reg_id), None)
    new_nodes = order(new, new_reg)
    new_ids = {getattr(n, "id", None) for n in new_nodes}
    old_nodes = order(old, old_reg) if old_reg is not None else []
    old_by_id = {n.id: n for n in old_nodes}
    old_texts: dict[str, str] = {}
    added: set[str] = set()
    for node in new_nodes:
        if node.id not in old_by_id:
            added.add(node.id)
            continue
        before, after = main_text(old_by_id[node.id]), main_text(node)
        if before is not None and after is not None and plain(before, old) != plain(after, new):
            old_texts[node.id] = plain(before, old)
    # terms of the terms part: definitions are glossary texts
    for term in new.terms:
        old_term = next((t for t in old.terms if t.id == term.id), None)
        if old_term is not None and plain(old_term.definition, old) != plain(term.definition, new):
            old_texts[term.id] = plain(old_term.definition, old)
    removed: list[tuple[str, str, str]] = []
    previous: str | None = None
    for node in old_nodes:
        if node.id in new_ids:
            previous = node.id
            continue
        item = old.get(node.id)
        text = main_text(node) or getattr(node, "name", "") or ""
        if previous is not None:
            removed.append((previous, item.number if item and item.number else "", plain(text, old)))
    return Redline(old_texts, added, removed, author, date)


def _runs_from(text: str, *, deleted: bool = False):
    return oxml.run(text, deleted=deleted)


def write_tracked(
    writer: DocxWriter, paragraph, ident: str, text: str, *, plain_text: bool = False, plain: bool = False
) -> bool:
    """Write the item's text as tracked changes when it changed; False: write it as usual."""
    red = writer.redline
    if red is None:
        return False
    from .deps import word_redline

    new_plain = globals()["plain"](text, writer.content) if not (plain or plain_text) else text
    if ident in red.added:
        ins = oxml.tracked("ins", author=red.author, date=red.date)
        ins.append(_runs_from(new_plain))
        paragraph._p.append(ins)
        oxml.mark_paragraph(paragraph, "ins", author=red.author, date=red.date)
        return True
    if ident not in red.old_texts:
        return False
    for seg in word_redline(red.old_texts[ident], new_plain):
        if seg.op == "=":
            paragraph._p.append(_runs_from(seg.text))
        elif seg.op == "-":
            box = oxml.tracked("del", author=red.author, date=red.date)
            box.append(_runs_from(seg.text, deleted=True))
            paragraph._p.append(box)
        else:
            box = oxml.tracked("ins", author=red.author, date=red.date)
            box.append(_runs_from(seg.text))
            paragraph._p.append(box)
    return True


def write_removed(writer: DocxWriter, ident: str) -> None:
    """Deleted paragraphs for the old items that followed ``ident``."""
    red = writer.redline
    if red is None:
        return
    for after, number, text in red.removed:
        if after != ident:
            continue
        p = writer.doc.add_paragraph(style=STYLE_CLAUSE)
        box = oxml.tracked("del", author=red.author, date=red.date)
        box.append(_runs_from(f"{number}. {text}" if number else text, deleted=True))
        p._p.append(box)
        oxml.mark_paragraph(p, "del", author=red.author, date=red.date)


def redlines_for(
    root: Path, old_name: str, new: Content, *, company: str | None, public: bool, edition
) -> dict[str, Redline]:
    """Redlines of every regulation of ``new`` against the side ``old_name`` (edition id or revision)."""
    from .deps import DiffError, load_side
    from .errors import WordError

    try:
        old = load_side(root, name=old_name, company=company, public=public, run_checks=False).content
    except DiffError as exc:
        raise WordError(str(exc)) from exc
    author = edition.approved_by or AUTHOR
    date = f"{edition.effective.isoformat()}T00:00:00Z"
    return {reg.id: redline_of(old, new, reg.id, author=author, date=date) for reg in new.regulations}
