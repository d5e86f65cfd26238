"""`reglament serve`: the live preview rebuilds on source changes, reports check
errors in the terminal and keeps serving the last good site meanwhile."""

from __future__ import annotations

import time

import pytest

from conftest import GENERAL, Server, run_cli

pytestmark = pytest.mark.slow


def test_serve_rebuilds_reports_errors_and_keeps_serving(project):
    root = project(with_site_files=True)
    general = root / "content/regulations/rules/general.yml"
    server = Server(root)
    try:
        mark = server.wait_for("Serving on")
        assert server.get("/rules/")[0] == 200

        # an error: reported with file:line, the server keeps serving the last good site
        general.write_text(
            GENERAL.replace("Регламент описывает", "См. [[no-such-id]]. Регламент описывает"), encoding="utf-8"
        )
        mark = server.wait_for("unknown-reference", after=mark)
        assert any("content/regulations/rules/general.yml:6:" in line for line in server.lines[mark - 3 : mark + 1])
        mark = server.wait_for("preview not updated", after=mark)
        status, page = server.get("/rules/")
        assert status == 200 and "Регламент описывает" in page and "no-such-id" not in page

        # fixed: the next change is built and served
        general.write_text(
            GENERAL.replace("Регламент описывает", "Новая редакция. Регламент описывает"), encoding="utf-8"
        )
        server.wait_for("Documentation built", after=mark)
        deadline = time.monotonic() + 30
        while "Новая редакция" not in server.get("/rules/")[1]:
            assert time.monotonic() < deadline, "the preview did not pick up the fix"
            time.sleep(0.3)

        # a template change rebuilds too (not only content/)
        css = root / "templates/assets/reglament.css"
        css.write_text(css.read_text(encoding="utf-8") + "\n/* preview-marker */\n", encoding="utf-8")
        deadline = time.monotonic() + 60
        while "preview-marker" not in server.get("/assets/reglament.css")[1]:
            assert time.monotonic() < deadline, "the preview did not pick up the template change"
            time.sleep(0.3)
    finally:
        server.stop()
    assert server.proc.returncode == 0, "\n".join(server.lines)


def test_serve_without_content_cannot_run(tmp_path):
    proc = run_cli("serve", "--root", str(tmp_path))
    assert proc.returncode == 2 and "content" in proc.stderr and "Traceback" not in proc.stderr


def test_serve_rejects_a_bad_address(project):
    proc = run_cli("serve", "--root", str(project()), "--addr", "localhost")
    assert proc.returncode == 2 and "HOST:PORT" in proc.stderr
