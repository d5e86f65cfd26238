"""`reglament serve` answers only to its own host names: a DNS-rebinding page gets 421, never the preview."""

from __future__ import annotations

import http.client

import pytest

from conftest import Server
from reglament.site.preview import allowed_hosts, host_guard


def _call(app, host: str) -> tuple[str, bytes]:
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    body = b"".join(app({"HTTP_HOST": host}, start_response))
    return seen["status"], body


def _ok(environ, start_response):
    start_response("200 OK", [])
    return [b"preview"]


@pytest.mark.parametrize(
    "host, status",
    [
        ("127.0.0.1:8000", "200 OK"),
        ("localhost:8000", "200 OK"),
        ("LOCALHOST", "200 OK"),
        ("[::1]:8000", "200 OK"),
        ("attacker.example:8000", "421 Misdirected Request"),
        ("localhost.attacker.example", "421 Misdirected Request"),
        ("", "421 Misdirected Request"),
    ],
)
def test_host_guard(host, status):
    got, body = _call(host_guard(_ok, "127.0.0.1"), host)
    assert got == status
    assert (body == b"preview") == (status == "200 OK")


def test_bound_name_is_allowed():
    assert "preview.local" in allowed_hosts("preview.local")
    assert _call(host_guard(_ok, "preview.local"), "preview.local:9000")[0] == "200 OK"


@pytest.mark.slow
def test_running_server_refuses_a_foreign_host(project):
    server = Server(project())
    try:
        server.wait_for("Serving on")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/", headers={"Host": f"rebind.attacker.example:{server.port}"})
        resp = conn.getresponse()
        assert resp.status == 421 and b"<html" not in resp.read().lower()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/", headers={"Host": f"localhost:{server.port}"})
        assert conn.getresponse().status == 200
    finally:
        server.stop()
