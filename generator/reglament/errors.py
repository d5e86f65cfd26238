"""The one error root: every failure the library raises on purpose is a :class:`ReglamentError`.

Each error carries the exit code the CLI ends with, and optionally the
diagnostics that explain it, so ``cli.py`` has exactly one handler (as mkdocs'
``MkDocsException`` and flake8's ``Flake8Exception`` do). Exit codes: 1 — the
content has errors (diagnostics say where); 2 — the command cannot run
(bad arguments, unknown company or revision, git or engine failure).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .diagnostics import Diagnostic


class ReglamentError(Exception):
    """Root of every error reglament raises for the CLI to report in one line (no traceback)."""

    exit_code: int = 2
    """The process exit code for this error: 1 for content errors, 2 for usage and environment."""

    def __init__(self, message: str = "", *, diagnostics: Sequence[Diagnostic] = (), exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(ReglamentError):
    """The command was asked for something that cannot be done (bad option combination, missing folder)."""


class ContentError(ReglamentError):
    """The content has errors; :attr:`diagnostics` says where (exit 1)."""

    exit_code = 1
