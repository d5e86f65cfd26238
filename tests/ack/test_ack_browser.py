"""The reader's side in a real headless Chromium (Debian's, driven by Playwright; no browser download).

A real uvicorn serves the acknowledgement service and, under ``/site/``, the site that reglament built for the
project with ``ack_url:`` in ``content/defaults.yml`` (same origin). The browser plays the authenticating proxy
by sending its identity headers from 127.0.0.1, the one trusted proxy address.
"""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from pypdf import PdfReader

from conftest import REPO, static_server
from reglament.ack import registry
from reglament.ack.app import create_app
from reglament.ack.config import AckConfig
from reglament.ack.db import make_engine, migrate
from reglament.ack.registry import register
from reglament.ack.service import acknowledge, sync_employees
from reglament.site.build import build

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def site(ack_project, port, tmp_path_factory) -> Path:
    """The project's site, built by reglament with the service named in ``content/defaults.yml``."""
    root = tmp_path_factory.mktemp("acksite") / "proj"
    shutil.copytree(ack_project / "content", root / "content")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "templates", root / "templates")
    defaults = root / "content" / "defaults.yml"
    defaults.write_text(defaults.read_text(encoding="utf-8") + f"ack_url: http://127.0.0.1:{port}\n", encoding="utf-8")
    out = root.parent / "site"
    built = build(root, out, stage=root.parent / "stage")
    assert built.ok, built.diagnostics
    page = (out / "rules" / "index.html").read_text(encoding="utf-8")
    # the page carries data only; the script is the site's own asset (content chooses no script source)
    assert f'data-ack-service="http://127.0.0.1:{port}" data-company="base" data-regulation="rules"' in page
    assert "/widget.js" not in page and "assets/reglament-ack.js" in page
    return out


@pytest.fixture(scope="module")
def service(site, port, ack_project, snapshots, tmp_path_factory):
    """A real uvicorn on 127.0.0.1 (a thread) over a SQLite file: (base URL, engine)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('ackdb') / 'ack.sqlite3'}")
    migrate(engine)
    sync_employees(engine, ack_project)
    register(engine, snapshots["2025.1"])
    cfg = AckConfig(
        trusted_proxies=["127.0.0.1"],
        public_url=f"http://127.0.0.1:{port}",
        rate_limit_per_minute=1000,
    )
    app = create_app(cfg, engine, company_names={"base": "АО «Тест»"}, site_dir=site)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", engine, cfg
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def test_the_site_without_the_service_still_works(site, browser):
    """Before the service starts (nothing listens on its port): the page renders, the widget adds nothing."""
    with static_server(site) as base:
        context = browser.new_context()
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}rules/")
        page.wait_for_load_state("networkidle")
        assert "Регламент отдела продаж" in page.locator("h1").inner_text()
        assert "Позвонить" in page.inner_text("body")
        assert page.locator("#reglament-ack-button").count() == 0
        assert page.locator(".reglament-ack[data-status]").count() == 0
        assert errors == []
        context.close()


def as_person(browser, email: str, groups: str = ""):
    """A browser context behind the 'proxy': every request carries the person's identity."""
    headers = {"X-Forwarded-Email": email}
    if groups:
        headers["X-Forwarded-Groups"] = groups
    return browser.new_context(extra_http_headers=headers, locale="ru-RU")


def test_an_employee_acknowledges_on_the_site_and_hr_sees_it_and_a_new_edition_asks_only_the_changed_role(
    service, browser, snapshots
):
    base, engine, cfg = service
    page_url = f"{base}/site/rules/"
    outside: list[str] = []

    # the manager opens the regulation page of the published site: a button «Ознакомиться»
    ivanov = as_person(browser, "ivanov@example.ru")
    page = ivanov.new_page()
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(page_url)
    button = page.locator("#reglament-ack-button")
    button.wait_for(timeout=15000)
    assert button.inner_text() == "Ознакомиться"
    button.click()
    page.wait_for_url(f"{base}/c/base/rules")
    assert "АО «Тест»" in page.content()  # the company's name, not its id
    assert "Позвонить лиду в течение рабочего дня." in page.inner_text("body")  # the whole text for a new reader
    page.click("#ack-button")
    page.wait_for_url(f"{base}/c/base/rules?done=1")
    assert "Ознакомление подтверждено." in page.inner_text("body")

    # back on the site: the status instead of the button
    page.goto(page_url)
    status = page.locator(".reglament-ack[data-status]")
    status.wait_for(timeout=15000)
    today = time.strftime("%d.%m.%Y", time.gmtime())
    assert status.inner_text() == f"Вы ознакомлены с редакцией 2025.1 — {today}"
    assert page.locator("#reglament-ack-button").count() == 0
    assert outside == [], outside  # the site and the widget load nothing from elsewhere

    # someone without the HR group gets no dashboard; HR's dashboard lists the acknowledgement
    assert page.goto(f"{base}/hr/base").status == 403
    hr = as_person(browser, "sidorov@example.ru", "staff,hr")
    dash = hr.new_page()
    dash.goto(f"{base}/hr/base")
    row = dash.locator("tr", has_text="Иванов Иван Иванович")
    assert row.count() == 1 and "ознакомлен" in row.inner_text() and "2025.1" in row.inner_text()
    assert "АО «Тест»" in dash.locator("h1").inner_text()
    pending = dash.locator("tr", has_text="Петрова Мария Сергеевна").inner_text()
    assert "ознакомлен" not in pending.replace("не ознакомлен", "")

    # the PDF sheet (downloaded with the HR's identity) carries the record
    link = dash.locator("a", has_text="Лист ознакомления").first.get_attribute("href")
    pdf = hr.request.get(f"{base}{link}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Иванов Иван Иванович" in text and "2025.1" in text
    assert "Петрова" not in text

    # the head acknowledges 2025.1 too; then 2025.2 changes only the head's duty
    with engine.connect() as conn:
        head = registry.employee_by_identity(conn, "base", "sidorov@example.ru")
    acknowledge(engine, cfg, head, "rules", "2025.1", method="proxy", client_addr="127.0.0.1", user_agent="test")
    register(engine, snapshots["2025.2"])

    # the manager is not asked again: the site still says which edition they acknowledged
    page.goto(page_url)
    status = page.locator(".reglament-ack[data-status]")
    status.wait_for(timeout=15000)
    assert status.get_attribute("data-status") == "current"
    assert status.inner_text().startswith("Вы ознакомлены с редакцией 2025.1 — ")
    assert page.locator("#reglament-ack-button").count() == 0

    # the head is asked, and sees only the changed clause, with the redline
    head_page = hr.new_page()
    head_page.goto(page_url)
    button = head_page.locator("#reglament-ack-button")
    button.wait_for(timeout=15000)
    assert button.inner_text() == "Ознакомиться с изменениями (1)"
    button.click()
    head_page.wait_for_url(f"{base}/c/base/rules")
    changes = head_page.locator(".change")
    assert changes.count() == 1
    assert changes.first.get_attribute("data-clause") == "review-calls"
    body = head_page.inner_text("body")
    assert "Позвонить" not in body and "Регламент обязателен" not in body
    assert head_page.locator(".change del", has_text="Еженедельно").count() == 1
    assert head_page.locator(".change ins", has_text="Ежедневно").count() == 1
    head_page.click("#ack-button")
    head_page.wait_for_url(f"{base}/c/base/rules?done=1")
    head_page.goto(page_url)
    status = head_page.locator(".reglament-ack[data-status]")
    status.wait_for(timeout=15000)
    assert status.inner_text() == f"Вы ознакомлены с редакцией 2025.2 — {today}"

    # HR: the manager is still «current» on 2025.2, the head «done», nobody else asked
    dash.goto(f"{base}/hr/base?edition=2025.2")
    assert "ознакомлен" in dash.locator("tr", has_text="Сидоров Олег Петрович").inner_text()
    ivanov.close()
    hr.close()
