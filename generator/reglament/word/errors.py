"""The Word subsystem's errors (all :class:`~reglament.errors.ReglamentError`)."""

from __future__ import annotations

from .deps import ReglamentError


class WordError(ReglamentError):
    """A .docx cannot be read or written (exit 2)."""


class UnsafeDocxError(WordError):
    """A .docx breaks a safety bound: too large, too many parts, a zip bomb, a bad part name."""
