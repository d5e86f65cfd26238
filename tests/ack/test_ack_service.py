"""The service over HTTP (Starlette TestClient = httpx against the ASGI app), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select, text
from starlette.testclient import TestClient

from reglament.ack import registry
from reglament.ack import tables as t
from reglament.ack.app import create_app
from reglament.ack.db import secret_key
from reglament.ack.identity import Link, Links
from reglament.ack.records import verify
from reglament.ack.service import sync_employees

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

PROXY = ("10.0.0.5", 40000)
OUTSIDE = ("192.0.2.7", 40000)


@pytest.fixture
def people(engine, ack_project):
    sync_employees(engine, ack_project)
    with engine.connect() as conn:
        return {p["email"]: p for p in registry.employees_of(conn, "base")}


def client(cfg, engine, peer=PROXY) -> TestClient:
    return TestClient(create_app(cfg, engine), client=peer, base_url="http://testserver", follow_redirects=False)


def as_user(email: str, groups: str = "") -> dict[str, str]:
    headers = {"X-Forwarded-Email": email}
    if groups:
        headers["X-Forwarded-Groups"] = groups
    return headers


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def records(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.acknowledgements).order_by(t.acknowledgements.c.seq)).mappings()]


def link_for(cfg, engine, person, edition="2025.1") -> str:
    links = Links(secret_key(engine, cfg.secret), cfg.link_max_age_days)
    return links.make(Link(person["id"], "base", "rules", edition))


def test_two_employees_acknowledge_by_proxy_header_and_by_personal_link(engine, cfg, people, publish):
    publish("2025.1")
    web = client(cfg, engine)
    page = web.get("/c/base/rules", headers=as_user("IVANOV@example.ru"))
    assert page.status_code == 200 and "Ознакомиться" in page.text
    assert "Позвонить лиду в течение рабочего дня." in page.text  # the whole text, references as readers see them
    # no CSRF token: refused, nothing recorded
    assert (
        web.post("/c/base/rules", headers=as_user("ivanov@example.ru"), data={"edition": "2025.1"}).status_code == 403
    )
    done = web.post(
        "/c/base/rules", headers=as_user("ivanov@example.ru"), data={"edition": "2025.1", "csrf": csrf_of(page.text)}
    )
    assert done.status_code == 303
    page = web.get("/c/base/rules", headers=as_user("ivanov@example.ru"))
    assert re.search(r"Вы ознакомлены с редакцией 2025\.1 — \d\d\.\d\d\.\d{4}", page.text)

    token = link_for(cfg, engine, people["petrova@example.ru"])
    outsider = client(cfg, engine, peer=OUTSIDE)
    page = outsider.get(f"/l/{token}")
    assert page.status_code == 200 and "Ознакомиться" in page.text
    assert outsider.post(f"/l/{token}", data={"edition": "2025.1", "csrf": csrf_of(page.text)}).status_code == 303
    assert "Вы ознакомлены с редакцией 2025.1" in outsider.get(f"/l/{token}").text

    rows = records(engine)
    assert [(r["employee_name"], r["method"]) for r in rows] == [
        ("Иванов Иван Иванович", "proxy"),
        ("Петрова Мария Сергеевна", "link"),
    ]
    assert rows[0]["client_addr"] == "10.0.0.5" and rows[1]["client_addr"] == "192.0.2.7"
    assert rows[0]["clauses"] == '["general","purpose","scope","duties","call-lead","review-calls"]'
    assert rows[0]["content_hash"] == rows[1]["content_hash"] and len(rows[0]["content_hash"]) == 64
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", rows[0]["acked_at"])
    assert verify(engine).ok


def test_acknowledging_twice_keeps_one_record(engine, cfg, people, publish):
    publish("2025.1")
    web = client(cfg, engine)
    token = csrf_of(web.get("/c/base/rules", headers=as_user("ivanov@example.ru")).text)
    for _ in range(3):
        assert (
            web.post(
                "/c/base/rules", headers=as_user("ivanov@example.ru"), data={"edition": "2025.1", "csrf": token}
            ).status_code
            == 303
        )
    assert len(records(engine)) == 1


def test_concurrent_acknowledgements_keep_one_record_each_and_an_intact_chain(engine, cfg, people, publish):
    publish("2025.1")
    from reglament.ack.service import acknowledge

    errors: list[BaseException] = []

    def ack(person):
        try:
            acknowledge(
                engine, cfg, person, "rules", "2025.1", method="proxy", client_addr="10.0.0.5", user_agent="test"
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ack, args=(p,)) for p in people.values() for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    rows = records(engine)
    assert len(rows) == 3 and [r["seq"] for r in rows] == [1, 2, 3]
    assert verify(engine).ok


def test_a_header_from_an_untrusted_peer_is_ignored(engine, cfg, people, publish):
    publish("2025.1")
    web = client(cfg, engine, peer=OUTSIDE)
    assert web.get("/c/base/rules", headers=as_user("ivanov@example.ru")).status_code == 401
    assert web.get("/api/status/base/rules", headers=as_user("ivanov@example.ru")).json() == {"identified": False}
    assert web.get("/hr/base", headers=as_user("sidorov@example.ru", "hr")).status_code == 403


def test_nobody_can_acknowledge_for_another_or_read_anothers_record(engine, cfg, people, publish):
    publish("2025.1")
    web = client(cfg, engine)
    ivanov_form = csrf_of(web.get("/c/base/rules", headers=as_user("ivanov@example.ru")).text)
    # Petrova posts with Ivanov's form token: refused (the token is bound to who loaded the page)
    assert (
        web.post(
            "/c/base/rules", headers=as_user("petrova@example.ru"), data={"edition": "2025.1", "csrf": ivanov_form}
        ).status_code
        == 403
    )
    # a link is bound to its employee: Petrova's link acknowledges for Petrova only
    token = link_for(cfg, engine, people["petrova@example.ru"])
    page = client(cfg, engine, peer=OUTSIDE).get(f"/l/{token}")
    assert (
        client(cfg, engine, peer=OUTSIDE)
        .post(
            f"/l/{token}",
            data={"edition": "2025.1", "csrf": csrf_of(page.text), "employee": str(people["ivanov@example.ru"]["id"])},
        )
        .status_code
        == 303
    )
    assert [r["employee_name"] for r in records(engine)] == ["Петрова Мария Сергеевна"]
    # Ivanov's own status says nothing of Petrova's record; there is no endpoint listing others
    status = web.get("/api/status/base/rules", headers=as_user("ivanov@example.ru")).json()
    assert status["status"] == "pending" and "Петрова" not in str(status)
    # a tampered token, and HR pages without the HR group
    assert client(cfg, engine, peer=OUTSIDE).get(f"/l/{token[:-2]}xx").status_code == 403
    assert web.get("/hr/base", headers=as_user("ivanov@example.ru")).status_code == 403
    assert web.get("/hr/base/export.csv", headers=as_user("ivanov@example.ru")).status_code == 403


def test_a_post_from_another_site_is_refused(engine, cfg, people, publish):
    publish("2025.1")
    web = client(cfg, engine)
    token = csrf_of(web.get("/c/base/rules", headers=as_user("ivanov@example.ru")).text)
    evil = {**as_user("ivanov@example.ru"), "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    assert web.post("/c/base/rules", headers=evil, data={"edition": "2025.1", "csrf": token}).status_code == 403
    assert records(engine) == []


def test_personal_links_expire(engine, cfg, people, publish, monkeypatch):
    publish("2025.1")
    from itsdangerous import timed

    token = link_for(cfg, engine, people["petrova@example.ru"])
    real = timed.time.time
    monkeypatch.setattr(timed.time, "time", lambda: real() + 31 * 86400)
    page = client(cfg, engine, peer=OUTSIDE).get(f"/l/{token}")
    assert page.status_code == 403 and "Срок действия ссылки истёк" in page.text


def test_a_new_edition_asks_only_the_affected_role_and_shows_only_the_changed_clause(engine, cfg, people, publish):
    publish("2025.1")
    web = client(cfg, engine)
    for email in ("ivanov@example.ru", "sidorov@example.ru"):
        token = csrf_of(web.get("/c/base/rules", headers=as_user(email)).text)
        assert (
            web.post("/c/base/rules", headers=as_user(email), data={"edition": "2025.1", "csrf": token}).status_code
            == 303
        )
    publish("2025.2")
    manager = web.get("/c/base/rules", headers=as_user("ivanov@example.ru"))
    assert "Вы ознакомлены с редакцией 2025.1" in manager.text and "вашей роли не касаются" in manager.text
    assert 'name="csrf"' not in manager.text
    head = web.get("/c/base/rules", headers=as_user("sidorov@example.ru"))
    assert "Подтверждаю ознакомление с изменениями" in head.text
    shown = re.findall(r'data-clause="([^"]+)"', head.text)
    assert shown == ["review-calls"]
    assert "<ins>" in head.text and "Ежедневно" in head.text
    # a new employee (never acknowledged) reads the whole edition 2025.2
    newbie = web.get("/c/base/rules", headers=as_user("petrova@example.ru"))
    assert "Ознакомиться" in newbie.text and "review-calls" in newbie.text and "call-lead" in newbie.text
    assert (
        web.post(
            "/c/base/rules",
            headers=as_user("sidorov@example.ru"),
            data={"edition": "2025.2", "csrf": csrf_of(head.text)},
        ).status_code
        == 303
    )
    assert records(engine)[-1]["clauses"] == '["review-calls"]'
    # the manager is not asked: acknowledging is refused, nothing recorded
    assert (
        web.post(
            "/c/base/rules",
            headers=as_user("ivanov@example.ru"),
            data={"edition": "2025.2", "csrf": csrf_of(head.text)},
        ).status_code
        == 403
    )
    # 2025.3 only reorders and reflows: nobody is asked
    publish("2025.3")
    for email in ("ivanov@example.ru", "sidorov@example.ru"):
        assert web.get("/api/status/base/rules", headers=as_user(email)).json()["status"] == "current"


def test_the_status_api_answers_the_site_with_cors_for_its_origin_only(engine, cfg, people, publish):
    publish("2025.1")
    web = client(cfg, engine)
    ok = web.get(
        "/api/status/base/rules", headers={**as_user("ivanov@example.ru"), "Origin": "https://docs.example.ru"}
    )
    assert ok.headers["access-control-allow-origin"] == "https://docs.example.ru"
    assert ok.json()["status"] == "pending" and ok.json()["url"].endswith("/c/base/rules")
    other = web.get(
        "/api/status/base/rules", headers={**as_user("ivanov@example.ru"), "Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_records_are_append_only_in_the_database(engine, cfg, people, publish):
    publish("2025.1")
    from reglament.ack.service import acknowledge

    acknowledge(
        engine, cfg, people["ivanov@example.ru"], "rules", "2025.1", method="proxy", client_addr="x", user_agent="y"
    )
    for sql in ("UPDATE ack_records SET employee_name = 'X'", "DELETE FROM ack_records"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.acknowledgements)).scalar_one() == 1


def test_the_registered_documents_are_parsed_once_and_read_again_after_a_registration(engine, publish):
    """An instance keeps the documents it parsed while the database holds the same ones; a registration made
    elsewhere (another instance, `reglament ack sync`) is seen on the next request, by every instance."""
    publish("2025.1")
    one, two = registry.DocCache(), registry.DocCache()
    with engine.connect() as conn:
        first = one.docs(conn, "base", "rules")
        assert one.docs(conn, "base", "rules") is first  # kept: not read nor parsed again
        assert [d.edition for d in first] == ["2025.1"]
        assert [d.edition for d in two.docs(conn, "base")] == ["2025.1"]
    publish("2025.2")
    with engine.connect() as conn:
        for cache in (one, two):
            assert [d.edition for d in cache.docs(conn, "base", "rules")] == ["2025.1", "2025.2"]
            assert [d.edition for d in cache.docs(conn, "base")] == ["2025.1", "2025.2"]
        assert registry.latest(one.docs(conn, "base"))["rules"].edition == "2025.2"
        assert one.docs(conn, "other") == []
