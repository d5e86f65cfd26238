"""Bring a folder up to date with another one, touching only the files whose bytes differ.

The live preview renders the whole docs tree on every change (cheap next to the
site engine) into a scratch folder, then :func:`sync` copies into the engine's
docs folder only what changed. Every other file keeps its modification time,
so the engine's incremental ("dirty") build sees exactly the pages whose
Markdown changed — including the pages an edit reaches indirectly (a term's
definition shows in the terms part of the regulations using it, a duty on its
role's page and in the RACI table) — by construction, with no dependency list
to keep up to date. (Link tooltips are not in the Markdown: the preview puts a
changed one into the built pages itself, :mod:`reglament.site.preview`.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Synced:
    """What :func:`sync` did, as POSIX paths relative to the folders."""

    written: list[str] = field(default_factory=list)
    """Files whose bytes changed."""
    added: list[str] = field(default_factory=list)
    """Files that were not there before."""
    removed: list[str] = field(default_factory=list)
    """Files that are gone from the source."""

    @property
    def changed(self) -> bool:
        return bool(self.written or self.added or self.removed)


def files_of(folder: Path) -> dict[str, Path]:
    """Every file under ``folder`` (relative POSIX path → path); empty when the folder does not exist."""
    if not folder.is_dir():
        return {}
    found: dict[str, Path] = {}
    for dirpath, _dirs, names in os.walk(folder):
        base = Path(dirpath)
        for name in names:
            path = base / name
            found[path.relative_to(folder).as_posix()] = path
    return found


def sync(source: Path, target: Path) -> Synced:
    """Make ``target`` hold exactly the files of ``source``; only differing files are written or removed.

    A changed file is written to a temporary name beside it and renamed into place,
    so a reader sees the old bytes or the new ones, never a part. Folders left
    empty by a removal are removed too.
    """
    new = files_of(source)
    old = files_of(target)
    written: list[str] = []
    added: list[str] = []
    for rel in sorted(new):
        data = new[rel].read_bytes()
        place = target / rel
        if rel in old:
            if old[rel].read_bytes() == data:
                continue
            written.append(rel)
        else:
            added.append(rel)
            place.parent.mkdir(parents=True, exist_ok=True)
        part = place.with_name(f".{place.name}.sync")
        part.write_bytes(data)
        os.replace(part, place)
    removed = sorted(set(old) - set(new))
    for rel in removed:
        (target / rel).unlink()
    for rel in removed:  # the folders a removal emptied, deepest first
        folder = (target / rel).parent
        while folder != target and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return Synced(written, added, removed)
