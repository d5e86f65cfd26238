"""The root page of a branch holding several companies: the companies published there, with their names."""

from __future__ import annotations

from pathlib import Path

from reglament.project import site_title
from reglament.publish.plan import FilesOp
from reglament.publish.published import list_prefixes
from reglament.publish.tagged import Source
from reglament.publish.targets import Target
from reglament.site.all_companies import index_html


def root_index(
    root: Path, *, base: str | None, source: Source, targets: list[Target], hidden: frozenset[str] = frozenset()
) -> FilesOp:
    """mike's operation writing the branch's root page: every company published there (names from this edition).

    ``hidden``: companies never listed (on a Pages branch: every company internal in this edition, even one
    whose earlier, public editions are still there).
    """
    named = {t.prefix: t for t in targets}
    named.update(
        {
            p.id: Target(p.id, p.id, p.short_name, p.name + (f" · {p.city}" if getattr(p, "city", None) else ""))
            for p in source.loaded.profiles.companies
        }
    )
    prefixes = sorted(
        ({t.prefix for t in targets} | set(list_prefixes(root, revision=base) if base else ())) - {""} - hidden
    )

    entries = []
    for prefix in prefixes:
        t = named.get(prefix, Target(prefix, prefix, prefix))
        entries.append((prefix, t.name or prefix, t.detail or ""))
    page = index_html(
        site_title(source.project) or "Регламенты", entries, lead="Регламенты компаний (действующие редакции):"
    )
    return {"op": "files", "files": {"index.html": page}, "message": "List the published companies"}
