"""The one diagnostic type, and its output formats as pure functions.

Positions are 1-based (line, column), like yamllint's problems; the loader
converts the parser's 0-based marks in exactly one place
(:func:`reglament.loader.yaml_source.position`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]


class Position(NamedTuple):
    """A 1-based place in a source file (file is relative to the content root's parent)."""

    file: str
    line: int
    column: int


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in the sources: where, what, and how to fix it."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @classmethod
    def at(cls, pos: Position, severity: Severity, code: str, message: str, hint: str = "") -> Diagnostic:
        return cls(pos.file, pos.line, pos.column, severity, code, message, hint)

    def to_json(self) -> dict:
        data = asdict(self)
        return {k: data[k] for k in ("code", "severity", "message", "file", "line", "column", "hint")}


def has_errors(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    """True when the diagnostics should fail a run (errors, or any warning with ``strict``)."""
    return any(d.severity == "error" or strict for d in diagnostics)


def exit_code(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> int:
    return 1 if has_errors(diagnostics, strict=strict) else 0


# --------------------------------------------------------------------------
# Formats


def format_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diagnostics], ensure_ascii=False, indent=2)


def _gh_escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diagnostics: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""
    lines = []
    for d in diagnostics:
        message = d.message + (f" — {d.hint}" if d.hint else "")
        props = (
            f"file={_gh_escape(d.file, prop=True)},line={d.line},col={d.column},title={_gh_escape(d.code, prop=True)}"
        )
        lines.append(f"::{d.severity} {props}::{_gh_escape(message)}")
    return "\n".join(lines)


def _source_line(root: Path | None, file: str, line: int, cache: dict[str, list[str]]) -> str | None:
    if root is None:
        return None
    if file not in cache:
        try:
            cache[file] = (root / file).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[file] = []
    lines = cache[file]
    return lines[line - 1] if 0 < line <= len(lines) else None


def format_text(diagnostics: list[Diagnostic], *, root: Path | None = None, color: bool = False) -> str:
    """Human format: ``file:line:col: severity [code] message``, the source line, a caret, the hint."""

    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    cache: dict[str, list[str]] = {}
    out = []
    for d in diagnostics:
        sev = paint(d.severity, "1;31" if d.severity == "error" else "1;33")
        out.append(f"{paint(f'{d.file}:{d.line}:{d.column}', '1')}: {sev} [{d.code}] {d.message}")
        src = _source_line(root, d.file, d.line, cache)
        if src is not None:
            src = src.replace("\t", " ")
            out.append(f"    {src}")
            out.append("    " + " " * max(d.column - 1, 0) + paint("^", "1;32"))
        if d.hint:
            out.append(f"    {paint('hint:', '36')} {d.hint}")
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if diagnostics:
        out.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(out)


FORMATS = {"text": format_text, "json": format_json, "github": format_github}
