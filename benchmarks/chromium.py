"""The browser the benchmarks drive: Debian's Chromium, headless, through Playwright (never its own download)."""

from __future__ import annotations

import shutil
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium driven by ``playwright`` (``sync_playwright()``'s object)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
