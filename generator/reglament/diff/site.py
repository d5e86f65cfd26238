"""The «Что изменилось» page of a published edition, rendered from a :class:`Changes` value.

The site build (editions, issue 5) calls :func:`changes_page` with the diff
between an edition and the one before it and adds the result to the docs
tree. The page is Markdown for the site engine (Python-Markdown): headings
instead of ``<details>``, full redlines (``<ins>``/``<del>``), and every
changed or added item linked to its anchor on the regulation page.
"""

from __future__ import annotations

import posixpath

from reglament.diff.formats import _Markdown, counts_line, side_label
from reglament.diff.model import Changes, ItemChange
from reglament.render.pages import front_matter, regulation_page

PAGE = "changes.md"
TITLE = "Что изменилось"


def item_link(item: ItemChange, *, page_path: str = PAGE) -> str | None:
    """Relative link from ``page_path`` to the item's anchor on its regulation page (terms: the glossary)."""
    base = posixpath.dirname(page_path) or "."
    if item.kind == "term":
        return posixpath.relpath("glossary.md", base) + f"#{item.id}"
    if item.kind == "role":
        return posixpath.relpath(f"roles/{item.id}.md", base)
    if item.new_regulation is None:
        return None
    return posixpath.relpath(regulation_page(item.new_regulation), base) + f"#{item.id}"


def changes_page(
    changes: Changes,
    *,
    page_path: str = PAGE,
    title: str = TITLE,
    old_title: str | None = None,
    new_title: str | None = None,
    source: str = "content",
) -> str:
    """The Markdown page (with front matter) listing what changed since the previous edition.

    ``old_title``/``new_title`` name the editions for readers (default: the
    sides' labels, e.g. «редакция 2025.1»).
    """
    md = _Markdown(short=False, site=True, link=lambda item: item_link(item, page_path=page_path))
    old = old_title or side_label(changes.old)
    new = new_title or side_label(changes.new)
    lines = [
        f"# {md.esc(title)}",
        "",
        f"Изменения редакции «{md.esc(new)}» по сравнению с «{md.esc(old)}»"
        + (f" (компания {md.esc(changes.company)})" if changes.company else "")
        + ".",
        "",
        f"**Итого:** {md.esc(counts_line(changes))}.",
        "",
    ]
    if changes.is_empty:
        lines += ["Содержание регламентов не изменилось.", ""]
    if changes.impact:
        lines += ["## Кого касается", "", "Должны ознакомиться с новой редакцией:", "", *md.impact(changes)]
    for group, name in ((changes.terms, "Глоссарий"), (changes.roles, "Роли")):
        if group:
            lines += [f"## {name}", ""]
            for item in group:
                lines += md.item(item)
            lines.append("")
    for reg in changes.regulations:
        lines += [f"## {md.esc(reg.title)}", "", *md.regulation(reg, "###")]
    for page in changes.pages:
        lines += [f"## Страница «{md.esc(page.title)}»", "", *md.fields(page), *md.paragraphs(page.paragraphs), ""]
    return front_matter(title, source) + "\n".join(lines).rstrip() + "\n"
