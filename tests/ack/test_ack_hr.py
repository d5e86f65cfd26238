"""HR's side over HTTP (token and proxy group), and reminders sent to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import socket

import pytest
from starlette.testclient import TestClient

from conftest import minimal_files
from reglament.ack import registry, sources
from reglament.ack.app import create_app
from reglament.ack.config import Smtp
from reglament.ack.dashboard import reviews
from reglament.ack.db import secret_key
from reglament.ack.reminders import send_reminders
from reglament.ack.service import acknowledge, sync_employees
from reglament.project import check_project

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


@pytest.fixture
def people(engine, ack_project, publish, cfg):
    publish("2025.1")
    sync_employees(engine, ack_project)
    with engine.connect() as conn:
        found = {p["email"]: p for p in registry.employees_of(conn, "base")}
    acknowledge(
        engine,
        cfg,
        found["ivanov@example.ru"],
        "rules",
        "2025.1",
        method="proxy",
        client_addr="10.0.0.5",
        user_agent="ua",
    )
    return found


def test_hr_dashboard_exports_and_sheet_over_http(engine, cfg, people):
    web = TestClient(create_app(cfg, engine), client=("10.0.0.5", 1), follow_redirects=False)
    token = {"Authorization": "Bearer hr-secret-token"}
    assert web.get("/hr/base", headers={"Authorization": "Bearer wrong"}).status_code == 403
    page = web.get("/hr/base", headers=token)
    assert page.status_code == 200
    assert "Иванов Иван Иванович" in page.text and "Петрова Мария Сергеевна" in page.text
    # the edition took effect on 2025-03-03: three working days are long past
    assert re.search(r"Ознакомлены: 1 · не ознакомлены: 2, из них срок истёк: <[^>]+>2<", page.text)
    # the proxy's HR group works too; filters narrow the table
    group = {"X-Forwarded-Email": "sidorov@example.ru", "X-Forwarded-Groups": "staff, hr"}
    pending = web.get("/hr/base?status=pending", headers=group)
    assert "Петрова" in pending.text and "Иванов" not in pending.text
    csv = web.get("/hr/base/export.csv", headers=token)
    assert csv.headers["content-type"].startswith("text/csv") and "Иванов Иван Иванович" in csv.content.decode(
        "utf-8-sig"
    )
    xlsx = web.get("/hr/base/export.xlsx?status=pending", headers=token)
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 3
    links = web.post("/hr/base/links", headers=token)
    assert links.status_code == 200 and links.text.count("http://testserver/l/") == 2
    # HR by proxy group must bring a CSRF token to POST
    assert web.post("/hr/base/links", headers=group).status_code == 403


@pytest.mark.slow
def test_hr_gets_the_pdf_sheet(engine, cfg, people):
    from pypdf import PdfReader

    web = TestClient(create_app(cfg, engine), client=("10.0.0.5", 1))
    pdf = web.get("/hr/base/sheet/rules/2025.1.pdf", headers={"Authorization": "Bearer hr-secret-token"})
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Иванов Иван Иванович" in text and "Петрова" not in text


def test_reminders_reach_a_real_smtp_server(engine, cfg, people):
    from aiosmtpd.controller import Controller

    received: list[tuple[list[str], bytes]] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg = cfg.model_copy(update={"smtp": Smtp(host="127.0.0.1", port=port, sender="hr@example.ru")})
        sent = send_reminders(engine, cfg, secret_key(engine), "base")
    finally:
        controller.stop()
    assert sorted(s.to for s in sent) == ["petrova@example.ru", "sidorov@example.ru"]
    assert sorted(r[0][0] for r in received) == ["petrova@example.ru", "sidorov@example.ru"]
    from email import message_from_bytes
    from email.policy import default

    body = message_from_bytes(received[0][1], policy=default).get_content()
    assert "Регламент отдела продаж" in body and "http://testserver/l/" in body


def test_hr_makes_personal_links_from_the_dashboard_with_its_csrf_token(engine, cfg, people):
    web = TestClient(create_app(cfg, engine), client=("10.0.0.5", 40000), follow_redirects=False)
    hr = {"X-Forwarded-Email": "sidorov@example.ru", "X-Forwarded-Groups": "hr"}
    page = web.get("/hr/base", headers=hr)
    form = re.search(
        r'<form method="post" action="([^"]+)" class="links"><input type="hidden" name="csrf" value="([^"]+)"',
        page.text,
    )
    assert form is not None
    action, token = form.groups()
    assert web.post(action, headers=hr, data={}).status_code == 403  # no token
    assert (
        web.post(action, headers={**hr, "X-Forwarded-Email": "ivanov@example.ru"}, data={"csrf": token}).status_code
        == 403
    )
    made = web.post(action, headers={**hr, "Origin": "http://testserver"}, data={"csrf": token})
    assert made.status_code == 200 and made.headers["content-disposition"].startswith("attachment;")
    lines = made.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "ФИО;E-mail;Регламент;Редакция;Срок;Ссылка"
    names = sorted(line.split(";")[0] for line in lines[1:])
    assert names == ["Петрова Мария Сергеевна", "Сидоров Олег Петрович"]  # Иванов has acknowledged
    link = lines[1].split(";")[-1].removeprefix("http://testserver")
    person = TestClient(create_app(cfg, engine), client=("192.0.2.9", 40000))
    assert "Ознакомиться" in person.get(link).text


def test_the_dashboard_lists_regulations_whose_review_is_overdue(engine, cfg, ack_project, snapshots):
    snap = snapshots["2025.1"]
    overdue = dataclasses.replace(
        snap, regulations=[dataclasses.replace(snap.regulations[0], review_due=dt.date(2020, 1, 31))]
    )
    registry.register(engine, overdue)
    sync_employees(engine, ack_project)
    web = TestClient(create_app(cfg, engine), client=("10.0.0.5", 40000))
    page = web.get("/hr/base", headers={"X-Forwarded-Email": "sidorov@example.ru", "X-Forwarded-Groups": "hr"}).text
    assert "Пересмотр регламентов" in page
    days = (dt.date.today() - dt.date(2020, 1, 31)).days
    row = re.search(
        r"<tr><td>Регламент отдела продаж</td><td>2025.1</td><td>31.01.2020</td>\s*<td>(.*?)</td></tr>", page
    )
    assert row is not None and f"просрочен на {days} дн." in row.group(1)
    with engine.connect() as conn:
        (review,) = reviews(conn, "base", today=dt.date(2020, 1, 1))
    assert review.due == dt.date(2020, 1, 31) and review.days == -30 and not review.overdue
    with engine.connect() as conn:
        assert reviews(conn, "base", today=dt.date(2019, 12, 31)) == []  # 31 days ahead: not listed yet


def test_the_review_deadline_comes_from_the_content_and_leaves_the_content_hash_alone(project):
    files = minimal_files()
    files["content/editions.yml"] = (
        'editions:\n  - id: "2025.1"\n    title: Р\n    effective: 2025-03-03\n    approved_by: Директор\n'
        "    approved: 2025-02-20\n"
    )
    root = project(files)
    before = sources.regulation_texts(check_project(root).content)
    reg = root / "content/regulations/rules/regulation.yml"
    reg.write_text(reg.read_text(encoding="utf-8") + "review_every: 12 months\n", encoding="utf-8")
    after = sources.regulation_texts(check_project(root).content)
    assert [r.review_due for r in before] == [None]
    assert [r.review_due for r in after] == [dt.date(2026, 2, 20)]
    assert [r.content_hash for r in after] == [r.content_hash for r in before]
