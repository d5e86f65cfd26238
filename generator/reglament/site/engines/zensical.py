"""The Zensical adapter: a full configuration (the project's mkdocs.yml merged with the build's settings), run as a subprocess.

Zensical reads MkDocs' configuration format but not ``INHERIT``, wants the
docs and the site folder inside the folder of its config file, and runs no
MkDocs plugins (reglament needs none: :mod:`reglament.site.postbuild` does
the rest). So the adapter writes the merged config next to the staged docs
tree, builds into ``<stage>/site`` and moves the result to the requested
site folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from reglament.errors import EngineError
from reglament.site.engines.base import SiteSpec, common_settings, merge, project_config, without_search

CONFIG = "zensical.yml"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Zensical always adds its own search (no Russian stemming): its header button, dialog and index go
_SEARCH_UI = re.compile(
    r'<label class="md-header__button md-icon" for="__search">.*?</label>\s*'
    r'<div class="md-search" data-md-component="search".*?</div>',
    re.S,
)
SEARCH_INDEX = "search.json"


class ZensicalEngine:
    name = "zensical"

    def configure(self, spec: SiteSpec, stage: Path) -> Path:
        if spec.docs_dir.resolve().parent != stage.resolve():
            raise EngineError(f"Zensical wants the docs inside its project folder: {spec.docs_dir} is not in {stage}")
        base = project_config(spec.root)
        settings = common_settings(spec)
        settings["docs_dir"] = spec.docs_dir.name
        settings["site_dir"] = "site"
        settings["plugins"] = without_search(base.get("plugins", []))
        config = merge(base, settings)
        path = stage / CONFIG
        path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")  # JSON is YAML
        return path

    def build(self, config: Path, spec: SiteSpec) -> list[str]:
        built = config.parent.resolve() / "site"
        if built.exists():
            shutil.rmtree(built)
        env = {**os.environ, "NO_COLOR": "1", "CLICOLOR": "0"}
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "zensical", "build", "--clean", "-f", str(config.resolve())],
                cwd=config.parent.resolve(),
                capture_output=True,
                text=True,
                env=env,
                timeout=1800,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"Zensical did not run: {exc}") from exc
        output = _ANSI.sub("", proc.stdout + proc.stderr)
        if proc.returncode != 0 or not (built / "index.html").is_file():
            raise EngineError(f"Zensical failed (exit {proc.returncode}):\n{output.strip()}")
        spec.site_dir.mkdir(parents=True, exist_ok=True)
        for item in built.iterdir():
            target = spec.site_dir / item.name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            item.rename(target)
        built.rmdir()
        _drop_own_search(spec.site_dir)
        return [line.strip() for line in output.splitlines() if line.strip().lower().startswith(("warning", "error"))]


def _drop_own_search(site_dir: Path) -> None:
    """Remove Zensical's own search (reglament's Pagefind search replaces it on every engine)."""
    (site_dir / SEARCH_INDEX).unlink(missing_ok=True)
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _SEARCH_UI.sub("", text, count=1)
        if new != text:
            page.write_text(new, encoding="utf-8")
