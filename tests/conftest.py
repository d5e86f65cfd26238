"""Shared test helpers: small real content trees in temp folders (mkdocs' @tempdir(files=…) style)."""

from __future__ import annotations

import contextlib
import filecmp
import functools
import json
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reglament.perf import STAGE_TIMES_ENV, read_laps

pytest_plugins = ["ack.fixtures"]  # the acknowledgement service's fixtures (tests/ack/fixtures.py)

REPO = Path(__file__).resolve().parents[1]

GLOSSARY = """\
terms:
  - id: lead
    term: Лид
    definition: Потенциальный клиент, оставивший контакты.
  - id: deal
    term: Сделка
    definition: Договорённость с клиентом о поставке, созданная из [[lead|лида]].
"""

ROLES = """\
roles:
  - id: manager
    name: Менеджер
    department: Отдел продаж
  - id: head
    name: Руководитель
    department: Отдел продаж
"""

REGULATION = """\
id: rules
title: Регламент менеджера
owner: head
approver: head
audience: [manager]
parts:
  - general.yml
  - duties.yml
"""

GENERAL = """\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: purpose
    text: Регламент описывает работу с [[lead|лидами]].
"""

DUTIES = """\
id: duties
title: Обязанности
kind: duties
duties:
  - id: call-lead
    text: Позвонить [[lead|лиду]] и оформить [[deal|сделку]].
    role: manager
    deadline: в течение 15 минут
responsibility:
  - id: late-call
    text: За опоздание со звонком — замечание.
    enforces: [call-lead]
"""


def minimal_files() -> dict[str, str]:
    """A small, clean content tree: every rule passes on it."""
    return {
        "content/glossary.yml": GLOSSARY,
        "content/roles.yml": ROLES,
        "content/regulations/rules/regulation.yml": REGULATION,
        "content/regulations/rules/general.yml": GENERAL,
        "content/regulations/rules/duties.yml": DUTIES,
    }


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path):
    """Factory: ``project(overrides)`` writes the minimal tree plus overrides (None deletes a file)."""

    def make(overrides: dict[str, str | bytes | None] | None = None, *, with_site_files: bool = False) -> Path:
        files: dict[str, str | bytes | None] = dict(minimal_files())
        files.update(overrides or {})
        root = tmp_path / "proj"
        write_tree(root, {k: v for k, v in files.items() if v is not None})
        if with_site_files:
            import shutil

            shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
            shutil.copytree(REPO / "templates", root / "templates")
        return root

    return make


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed `reglament` command as a user would."""
    exe = Path(sys.executable).with_name("reglament")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def build(root: Path, out: Path, *extra: str, times: Path | None = None) -> tuple[int, str, list[dict]]:
    """Run `reglament build` (a fresh process); its exit code, JSON diagnostics and, with ``times``, its laps
    (``$REGLAMENT_STAGE_TIMES``: :func:`reglament.perf.lap`, :func:`reglament.perf.read_laps`)."""
    with pytest.MonkeyPatch.context() as mp:
        if times is not None:
            times.unlink(missing_ok=True)
            mp.setenv(STAGE_TIMES_ENV, str(times))  # the command appends its stage times there (perf.lap)
        proc = run_cli("build", "--root", str(root), "--out", str(out), "--format", "json", *extra)
    assert "Traceback" not in proc.stderr, proc.stderr
    laps = read_laps(times) if times is not None else []
    return proc.returncode, proc.stdout, laps


def same_tree(a: Path, b: Path) -> None:
    """``a`` and ``b`` hold the same files with the same bytes (as ``diff -r``)."""
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    _match, mismatch, errors = filecmp.cmpfiles(a, b, files_a, shallow=False)
    assert not mismatch and not errors, mismatch[:5]


def edit_clause(root: Path, words: str) -> None:
    """Put ``words`` before the responsibility clause's text of :func:`minimal_files` (a text that links no term)."""
    path = root / "content/regulations/rules/duties.yml"
    text = path.read_text(encoding="utf-8")
    assert "За опоздание" in text
    path.write_text(text.replace("За опоздание", f"{words} За опоздание", 1), encoding="utf-8")


def check_json(root: Path, *extra: str) -> tuple[int, list[dict]]:
    proc = run_cli("check", "--root", str(root), "--format", "json", *extra)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else []


#: Debian's Chromium (``make chromium`` installs it; Playwright's own browsers are never downloaded)
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
#: the flags every browser test starts it with (headless, no network of its own, Russian UI)
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=ru-RU",
)


def launch_chromium(playwright: Any) -> Any:
    """A headless Debian Chromium driven by ``playwright`` (``sync_playwright()``'s object)."""
    assert CHROMIUM.exists(), "headless Chromium is missing: `make chromium` installs Debian's package"
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))


@pytest.fixture(scope="module")  # not session: Playwright's sync API allows one instance per thread,
def browser() -> Iterator[Any]:  # and other modules on this worker drive their own browser
    """A headless Chromium for the tests of one module (:func:`launch_chromium`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        started = launch_chromium(p)
        yield started
        started.close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


class _StaticServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the browser dropped a request it no longer needed (e.g. a search the next keystroke replaced)
        super().handle_error(request, client_address)


@contextlib.contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """A local web server for ``directory`` (a built site); its base URL (ending in ``/``) while the block runs."""
    server = _StaticServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`reglament serve` in a subprocess, its stderr collected line by line."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        exe = Path(sys.executable).with_name("reglament")
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--root", str(root), "--addr", f"127.0.0.1:{self.port}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, *, after: int = 0, timeout: float = 90) -> int:
        """Wait until a line (from index ``after`` on) contains ``text``; returns the index after it."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i in range(after, len(self.lines)):
                if text in self.lines[i]:
                    return i + 1
            assert self.proc.poll() is None, "the server stopped:\n" + "\n".join(self.lines)
            time.sleep(0.2)
        raise AssertionError(f"no line with {text!r} in:\n" + "\n".join(self.lines))

    def get(self, path: str) -> tuple[int, str]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def user_cache_home(tmp_path_factory):
    """The source cache's signing key lives in a user cache folder: a temporary one for a module's tests
    (``pytestmark = pytest.mark.usefixtures("user_cache_home")``; subprocesses inherit it)."""
    home = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(home))
        yield home


@pytest.fixture(scope="session", autouse=True)
def private_user_cache(tmp_path_factory):
    """No test writes into the real user cache folder (``~/.cache``: compiled page templates, the source cache's
    key): every session gets a temporary one, inherited by the subprocesses it starts."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield
