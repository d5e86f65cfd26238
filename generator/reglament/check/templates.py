"""Page templates (`templates/pages/*.j2`) checked with the content: a Jinja syntax error in one is
reported by `reglament check` at its file and line, as `build` and `serve` report it.

Only syntax is checked here (compiling needs no content); an undefined name or a
forbidden attribute shows only when a page is rendered, and `build` reports those.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateSyntaxError

from reglament.diagnostics import Diagnostic
from reglament.sandbox import sandbox

PAGES = Path("templates") / "pages"


def page_template_diagnostics(root: Path) -> list[Diagnostic]:
    """A `template-syntax` diagnostic for each page template under ``root`` that does not compile."""
    folder = root / PAGES
    if not folder.is_dir():
        return []
    env = sandbox()
    found = []
    for path in sorted(folder.rglob("*.j2")):
        rel = path.relative_to(root).as_posix()
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            found.append(Diagnostic(rel, 1, 1, "error", "template-syntax", f"cannot read the template: {exc}", ""))
            continue
        try:
            env.parse(source, name=path.name, filename=str(path))
        except TemplateSyntaxError as exc:
            found.append(
                Diagnostic(
                    rel,
                    exc.lineno or 1,
                    1,
                    "error",
                    "template-syntax",
                    f"page template syntax error: {exc.message}",
                    "fix the Jinja syntax: every `{{` needs `}}`, every `{% for %}` its `{% endfor %}`",
                )
            )
    return found
