"""What a publish killed mid-way leaves behind: its temporary branches and exported work folders."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from reglament.publish.destinations import TEMP_BRANCHES
from reglament.source import git

WORK_PREFIX = "reglament-publish-"
STALE_SECONDS = 6 * 3600


def clean_stale(root: Path) -> list[str]:
    """Remove what a publish killed mid-way left: its ``reglament-publish/*`` branches and temporary exports.

    Publishes of one clone never overlap (the workflow's concurrency group; a
    local user runs one at a time), so every temporary branch found here is
    stale. Temporary exports of other clones may share the temp folder: only
    those older than :data:`STALE_SECONDS` are removed. Returns what was removed.
    """
    removed = []
    refs = git.git(root, "for-each-ref", "--format=%(refname)", f"refs/heads/{TEMP_BRANCHES}", check=False)
    for ref in refs.stdout.decode("utf-8", "replace").split():
        git.delete_ref(root, ref=ref)
        removed.append(ref)
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(str(folder))
        except OSError:
            continue
    return removed
