"""Which folders a build may replace: ``--out`` never destroys what this tool did not build.

A build replaces its output folder whole (:func:`reglament.site.build.replace_dir`).
That is only safe for a folder that is

* absent,
* empty, or
* a site this tool built: it holds the :data:`MARK` file every build writes
  (or, for a site built before the mark existed, its ``index.html`` is the one
  a build stamp in ``<root>/build/*/`` recorded — :mod:`reglament.site.stamp`).

Anything else — ``content/``, ``templates/``, the project root, a home folder,
a file — is refused with :class:`OutRefused` (exit 2) before anything is
touched. The project root, or any folder holding it, is refused even when
stamped: replacing it would take the sources (and ``.git``) with it.
"""

from __future__ import annotations

import json
from pathlib import Path

from reglament.errors import ReglamentError
from reglament.site.stamp import INDEX, STAMP_FILE

MARK = ".reglament-site"
"""The file every built site carries: this folder was made by reglament and may be rebuilt."""

_MARK_TEXT = "This folder was built by reglament; `reglament build --out` may replace it.\n"


class OutRefused(ReglamentError):
    """``--out`` names a folder that is not a site this tool built: refused, nothing touched."""

    default_exit_code = 2


def mark(site: Path) -> None:
    """Write the mark into a freshly built ``site`` (before it is moved into place)."""
    (site / MARK).write_text(_MARK_TEXT, encoding="utf-8")


def _stamped(site: Path, root: Path | None) -> bool:
    """An older site of this tool: its ``index.html`` is the one a build stamp under ``root/build`` recorded."""
    if root is None:
        return False
    try:
        st = (site / INDEX).stat()
    except OSError:
        return False
    identity = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]
    for stamp in (root / "build").glob(f"*/{STAMP_FILE}"):
        try:
            if json.loads(stamp.read_text(encoding="utf-8")).get("index") == identity:
                return True
        except (OSError, ValueError, AttributeError):
            continue
    return False


def replaceable(out: Path, *, root: Path | None = None) -> str | None:
    """None when a build may replace ``out``; else why not (one sentence)."""
    target = out.resolve()
    if root is not None:
        project = root.resolve()
        if target == project or target in project.parents:
            return f"{out} holds the project itself"
    if not target.exists() and not target.is_symlink():
        return None
    if not target.is_dir():
        return f"{out} is not a folder"
    try:
        entries = list(target.iterdir())
    except OSError as exc:
        return f"{out} cannot be read: {exc.strerror or exc}"
    if not entries:
        return None
    if (target / MARK).is_file() or _stamped(target, root):
        return None
    return f"{out} is not empty and is not a site built by reglament"


def guard_out(out: Path, *, root: Path | None = None) -> None:
    """Refuse (:class:`OutRefused`, exit 2) an ``out`` a build may not replace; do nothing otherwise."""
    why = replaceable(out, root=root)
    if why is not None:
        raise OutRefused(
            f"refusing to replace {out}: {why}",
            hint="--out replaces the folder whole: give an absent or empty folder, or one a build made "
            f"(it holds `{MARK}`)",
        )
