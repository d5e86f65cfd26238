"""`reglament serve`: a live preview of the site while editing the sources.

The site engine's own `serve` watches only its docs folder; ours are rendered
from `content/` and `templates/`. So the preview watches the sources and, on
every change, re-checks and re-renders them into a staging folder before the
engine builds — reporting the check's diagnostics in the terminal. Sources
with errors do not replace the site being served: the reader keeps the last
good preview until the errors are fixed, and the server never stops.
"""

from __future__ import annotations

import html
import ipaddress
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reglament.diagnostics import format_text, has_errors
from reglament.errors import NoContentError, TemplateFailure, UnknownCompanyError
from reglament.project import check_project, site_title
from reglament.render.pages import render
from reglament.site.build import write_tree
from reglament.site.engines.base import edit_base
from reglament.site.engines.mkdocs import MkDocsEngine, serve_site
from reglament.site.postbuild import finish


@dataclass
class Preview:
    """Re-check and re-render ``root`` into ``stage`` for each build of the preview."""

    root: Path
    stage: Path
    site_dir: Path
    report: Callable[[str], None]
    company: str | None = None
    color: bool = False
    builds: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def watched(self) -> list[Path]:
        """What a change to rebuilds on: the sources, the templates and the site configuration."""
        return [self.root / "content", self.root / "templates", self.root / "mkdocs.yml"]

    def prepare(self) -> Path | None:
        """Check and render the sources; the child engine config to build, or None to keep the old site."""
        with self._lock:
            try:
                checked = check_project(self.root, company=self.company)
            except (NoContentError, UnknownCompanyError, OSError) as exc:
                self._failed(str(exc))
                return None
            if checked.diagnostics:
                self.report(format_text(checked.diagnostics, root=self.root, color=self.color))
            if has_errors(checked.diagnostics):
                self._failed("the sources have errors (above)")
                return None
            title = site_title(self.root)
            site_name = None
            if self.company is not None and checked.variant is not None:
                title = checked.variant.site_title(title)
                site_name = html.escape(title, quote=True)
            try:
                tree = render(checked.content, self.root / "templates", site_title=title)
            except TemplateFailure as exc:  # a page template being edited: say where, keep serving
                self.report(format_text([exc.diagnostic], root=self.root, color=self.color))
                self._failed("a page template has an error (above)")
                return None
            self.builds += 1
            if not checked.diagnostics:
                self.report("check: no problems found")
            config, _ = write_tree(
                tree, self.root, self.stage, self.site_dir, engine=MkDocsEngine(), site_name=site_name
            )
            return config

    def finish(self, site_dir: Path) -> None:
        """reglament's post-build step (edit buttons, search index) after each preview build."""
        finish(site_dir, self.stage / "docs", edit_base=edit_base(self.root))

    def _failed(self, why: str) -> None:
        if (self.site_dir / "index.html").exists():
            self.report(f"preview not updated: {why}; still serving the last good build")
        else:
            self.report(f"nothing to preview yet: {why}")
            write_error_page(self.site_dir, why)


def write_error_page(site_dir: Path, why: str) -> None:
    """A placeholder page for the browser while the first build waits for the sources to be fixed."""
    site_dir.mkdir(parents=True, exist_ok=True)
    (site_dir / "index.html").write_text(
        '<!doctype html><html lang="ru"><meta charset="utf-8"><title>Предпросмотр: ошибки</title>'
        '<body style="font-family:sans-serif;max-width:40em;margin:3em auto">'
        "<h1>Предпросмотр ещё не собран</h1>"
        f"<p>{html.escape(why)}. Подробности — в терминале, где запущен <code>reglament serve</code>; "
        "страница обновится сама, когда ошибки будут исправлены.</p></body></html>",
        encoding="utf-8",
    )


def allowed_hosts(host: str) -> set[str]:
    """The ``Host`` names the preview answers to: the bound name, loopback names, this machine's names.

    A DNS-rebinding page (``http://attacker.example:8000`` resolved to 127.0.0.1)
    sends its own name: refused. IP literals are always accepted (rebinding needs a name).
    """
    names = {host.lower().strip("[]"), "localhost", "127.0.0.1", "::1"}
    if host in ("0.0.0.0", "::", ""):
        names.update({socket.gethostname().lower(), socket.getfqdn().lower()})
    return names


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_guard(app: Callable, host: str) -> Callable:
    """WSGI middleware: 421 for a request whose ``Host`` is not one of :func:`allowed_hosts`."""
    names = allowed_hosts(host)

    def guarded(environ: dict, start_response: Callable):
        name = _host_name(environ.get("HTTP_HOST", ""))
        if name in names or _is_ip(name):
            return app(environ, start_response)
        start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8")])
        return [f"unknown host: this preview answers to {', '.join(sorted(names))}\n".encode()]

    return guarded


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def serve(
    *, root: Path, host: str, port: int, report: Callable[[str], None], company: str | None = None, color: bool = False
) -> None:
    """Serve a live preview of ``root`` on ``host:port`` until interrupted (Ctrl+C)."""

    stage = root / "build" / (f"serve-{company}" if company else "serve")
    stage.mkdir(parents=True, exist_ok=True)
    site_dir = Path(tempfile.mkdtemp(prefix="reglament-serve-"))
    preview = Preview(root=root, stage=stage, site_dir=site_dir, report=report, company=company, color=color)
    try:
        serve_site(
            prepare=preview.prepare,
            watch=preview.watched(),
            site_dir=site_dir,
            host=host,
            port=port,
            report=report,
            guard=lambda app: host_guard(app, host),
            finish=preview.finish,
        )
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)
