"""The database: one engine per process, SQLite (WAL) by default, PostgreSQL by URL; Alembic migrations.

The service keeps no state in the process beyond this engine's pool, so
several instances can run against one PostgreSQL behind a load balancer.

SQLite: the file (and its folder) is created on first start, in WAL mode
with ``synchronous=FULL`` (a committed acknowledgement survives ``kill -9``
and a power cut), foreign keys on, and a busy timeout so that concurrent
writers queue instead of failing. Transactions that write begin with
``BEGIN IMMEDIATE`` (:func:`writing`), which takes the write lock at once:
the read-check-insert of an acknowledgement cannot interleave with another.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from . import tables as t
from .errors import AckError

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "ack_alembic_version"
SQLITE_BUSY_MS = 30_000
_MIGRATION_LOCK = 0x7265676C  # "regl": the advisory lock PostgreSQL instances take while migrating


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://…``); a SQLite folder is created."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError and friends
        raise AckError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})
        _sqlite_pragmas(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise AckError(f"unsupported database `{parsed.get_backend_name()}`: use sqlite:/// or postgresql+psycopg://")


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(conn):  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: the SQLite write lock is taken at BEGIN; commit on success."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


def _alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (creating it on an empty database); records are kept."""
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        command.upgrade(_alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def ensure_current(engine: Engine) -> None:
    """Refuse to serve an outdated schema (``reglament ack serve`` migrates first; this is for the others)."""
    current = current_revision(engine)
    if current != head_revision():
        raise AckError(
            f"the acknowledgement database is at schema {current or 'none'}, expected "
            f"{head_revision()}: run `reglament ack migrate`"
        )


def secret_key(engine: Engine, configured: str | None = None) -> str:
    """The signing key: configured, else the one in the database (generated once, shared by all instances)."""
    if configured:
        return configured
    with engine.connect() as conn:
        value = conn.execute(select(t.settings.c.value).where(t.settings.c.key == "secret")).scalar()
    if value:
        return value
    try:
        with writing(engine) as conn:
            conn.execute(t.settings.insert().values(key="secret", value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass  # another instance created it first
    with engine.connect() as conn:
        stored = conn.execute(select(t.settings.c.value).where(t.settings.c.key == "secret")).scalar_one()
    return str(stored)
