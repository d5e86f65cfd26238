"""Fixtures of the acknowledgement service's tests: a real PostgreSQL server, a git project with editions.

A plugin of ``tests/conftest.py`` (``pytest_plugins``), not a ``conftest.py``
of its own: the test modules import ``conftest`` by name, and a second one
would shadow it. All PostgreSQL tests run on one xdist worker (one server).

Every database test runs twice: on a SQLite file and on a PostgreSQL server
that the session starts itself (Debian's ``initdb``/``pg_ctl`` in a temporary
folder, as the ``postgres`` user because they refuse root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import uuid
from pathlib import Path

import pytest

from reglament.ack import sources
from reglament.ack.config import AckConfig
from reglament.ack.db import make_engine, migrate
from reglament.ack.registry import register

PG_GROUP = "ack-postgresql"


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server in a temporary folder: (socket dir, port); stopped at the end of the session."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.fail("PostgreSQL is not installed: run `make postgres` (Debian package postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="reglament-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres([initdb, "-D", f"{folder}/data", "-A", "trust", "-U", "test", "-E", "UTF8", "--locale=C"]),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres(
            [
                pg_ctl,
                "-D",
                f"{folder}/data",
                "-o",
                f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off",
                "-l",
                f"{folder}/log",
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield folder, port
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", f"{folder}/data", "-m", "immediate", "stop"]), capture_output=True, check=False
        )
        shutil.rmtree(folder, ignore_errors=True)


def _pg_admin(folder: Path, port: int, sql: str) -> None:
    import psycopg

    with psycopg.connect(host=str(folder), port=port, user="test", dbname="postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.xdist_group(PG_GROUP))])
def db_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ack.sqlite3'}"
        return
    folder, port = request.getfixturevalue("pg_server")
    name = f"ack_{uuid.uuid4().hex[:12]}"
    _pg_admin(folder, port, f"CREATE DATABASE {name}")
    yield f"postgresql+psycopg://test@/{name}?host={folder}&port={port}"
    _pg_admin(folder, port, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


# --------------------------------------------------------------------------
# A project with three tagged editions

ROLES = """\
roles:
  - id: manager
    name: Менеджер
    department: Отдел продаж
  - id: head
    name: Руководитель отдела
    department: Отдел продаж
"""
GLOSSARY = """\
terms:
  - id: lead
    term: Лид
    definition: Потенциальный клиент.
"""
REGULATION = """\
id: rules
title: Регламент отдела продаж
owner: head
approver: head
audience: [manager, head]
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
  - id: scope
    text: Регламент обязателен для сотрудников отдела продаж.
"""
GENERAL_REORDERED = """\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: scope
    text: Регламент обязателен для сотрудников отдела продаж.
  - id: purpose
    text: Регламент описывает работу с [[lead|лидами]].
"""
DUTIES = """\
id: duties
title: Обязанности
kind: duties
duties:
  - id: call-lead
    text: Позвонить [[lead|лиду]] в течение рабочего дня.
    role: manager
  - id: review-calls
    text: Еженедельно проверять звонки менеджеров.
    role: head
"""
DUTIES_HEAD_CHANGED = DUTIES.replace(
    "Еженедельно проверять звонки менеджеров.", "Ежедневно проверять звонки менеджеров и разбирать пропущенные."
)
DUTIES_REFLOWED = DUTIES_HEAD_CHANGED.replace(
    "    text: Позвонить [[lead|лиду]] в течение рабочего дня.",
    "    text: >-\n      Позвонить [[lead|лиду]]\n      в течение рабочего дня.",
)
DEFAULTS = """\
name: АО «Тест»
short_name: АО «Тест»
employees:
  - name: Иванов Иван Иванович
    role: manager
    email: ivanov@example.ru
  - name: Петрова Мария Сергеевна
    role: manager
    email: petrova@example.ru
    number: "0042"
  - name: Сидоров Олег Петрович
    role: head
    email: sidorov@example.ru
"""


def editions_yml(n: int) -> str:
    rows = [
        ("2025.1", "2025-03-03", "affected"),
        ("2025.2", "2025-06-02", "affected"),
        ("2025.3", "2025-09-01", "affected"),
    ][:n]
    out = "editions:\n"
    for eid, date, mode in rows:
        out += (
            f'  - id: "{eid}"\n    title: Редакция {eid}\n    effective: {date}\n'
            f"    approved_by: Директор\n    approved: {date}\n    acknowledge: {mode}\n"
        )
    return out


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.ru", *args], cwd=root, check=True, capture_output=True
    )


@pytest.fixture(scope="session")
def ack_project(tmp_path_factory) -> Path:
    """A git repository: edition 2025.1; 2025.2 changes only the head's duty; 2025.3 only reorders and reflows."""
    root = tmp_path_factory.mktemp("ackproj")
    _git(root, "init", "-q", "-b", "main")
    _write(
        root,
        {
            "content/glossary.yml": GLOSSARY,
            "content/roles.yml": ROLES,
            "content/defaults.yml": DEFAULTS,
            "content/regulations/rules/regulation.yml": REGULATION,
            "content/regulations/rules/general.yml": GENERAL,
            "content/regulations/rules/duties.yml": DUTIES,
            "content/editions.yml": editions_yml(1),
        },
    )
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "2025.1")
    _git(root, "tag", "edition/2025.1")
    _write(root, {"content/regulations/rules/duties.yml": DUTIES_HEAD_CHANGED, "content/editions.yml": editions_yml(2)})
    _git(root, "commit", "-qam", "2025.2")
    _git(root, "tag", "edition/2025.2")
    _write(
        root,
        {
            "content/regulations/rules/duties.yml": DUTIES_REFLOWED,
            "content/regulations/rules/general.yml": GENERAL_REORDERED,
            "content/editions.yml": editions_yml(3),
        },
    )
    _git(root, "commit", "-qam", "2025.3")
    _git(root, "tag", "edition/2025.3")
    return root


@pytest.fixture(scope="session")
def snapshots(ack_project) -> dict[str, sources.Snapshot]:
    """Each edition as the service registers it (loaded once per session)."""
    return {e.id: sources.snapshot(ack_project, e, sources.BASE) for e in sources.editions(ack_project)}


@pytest.fixture
def publish(engine, snapshots):
    def run(edition: str):
        return register(engine, snapshots[edition])

    return run


@pytest.fixture
def cfg() -> AckConfig:
    return AckConfig(
        trusted_proxies=["10.0.0.5"],
        admin_token="hr-secret-token",
        public_url="http://testserver",
        site_origin="https://docs.example.ru",
        rate_limit_per_minute=1000,
    )
