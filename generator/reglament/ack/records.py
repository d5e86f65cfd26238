"""Acknowledgement records: append-only and hash-chained.

Each record carries ``prev_hash`` (the hash of the record before it, zeros
for the first) and ``record_hash`` = sha256 of its own canonical JSON, which
includes ``seq`` and ``prev_hash``. The chain's last ``seq`` and hash are kept
in ``ack_chain_head``. :func:`verify` recomputes everything, so an edited
row (its hash no longer matches), an inserted one (the next record's
``prev_hash`` no longer matches, or the head does not), and a deleted one (a
gap in ``seq``, a broken link, or a head that names a record that is gone) are
all found.

:func:`append` is idempotent — one record per employee and edition, enforced
by a unique constraint too — and serialised: PostgreSQL locks the head row
(``SELECT … FOR UPDATE``), SQLite takes its write lock at ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from . import tables as t
from .db import writing

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "employee_id",
    "employee_key",
    "employee_name",
    "position",
    "company",
    "regulation",
    "edition",
    "content_hash",
    "clauses",
    "acked_at",
    "method",
    "client_addr",
    "user_agent",
    "prev_hash",
)
METHODS = ("proxy", "link")


def utc_now() -> str:
    """The current UTC time as stored: ``2026-03-03T09:15:02.123456Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_clauses(clause_ids: list[str]) -> str:
    return json.dumps(list(clause_ids), ensure_ascii=False, separators=(",", ":"))


def record_hash(fields: dict[str, Any]) -> str:
    """sha256 of the record's hashed fields as canonical JSON (sorted keys, no spaces, UTF-8)."""
    body = {name: fields[name] for name in HASHED_FIELDS}
    data = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Acknowledgement:
    """What the reader confirms, before it becomes a record."""

    employee_id: int
    employee_key: str
    employee_name: str
    position: str
    company: str
    regulation: str
    edition: str
    content_hash: str
    clauses: tuple[str, ...]
    method: str
    client_addr: str
    user_agent: str


def _existing(conn: Connection, ack: Acknowledgement) -> dict | None:
    r = t.acknowledgements.c
    row = (
        conn.execute(
            select(t.acknowledgements).where(
                r.employee_id == ack.employee_id,
                r.company == ack.company,
                r.regulation == ack.regulation,
                r.edition == ack.edition,
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def append(engine: Engine, ack: Acknowledgement, *, now: str | None = None) -> tuple[dict, bool]:
    """Record ``ack`` once: (the record, True) when written now, (the earlier record, False) when it existed."""
    return append_many(engine, [ack], now=now)[0]


def append_many(engine: Engine, acks: Sequence[Acknowledgement], *, now: str | None = None) -> list[tuple[dict, bool]]:
    """Record each of ``acks`` once, in one transaction (one commit, one turn of the chain's lock).

    Per item, as :func:`append`: (the record, True) when written now, (the earlier record, False) when it
    existed before or earlier in ``acks``. Nothing is written unless everything is: a failure leaves the
    chain as it was.
    """
    for ack in acks:
        if ack.method not in METHODS:
            raise ValueError(f"unknown method {ack.method!r}")
    for attempt in range(3):
        try:
            with writing(engine) as conn:
                head_query = select(t.chain_head.c.seq, t.chain_head.c.hash).where(t.chain_head.c.id == 1)
                if conn.dialect.name == "postgresql":
                    head_query = head_query.with_for_update()
                head = conn.execute(head_query).one()
                seq, prev = int(head.seq), head.hash
                out: list[tuple[dict, bool]] = []
                written: dict[tuple[int, str, str, str], dict] = {}
                rows: list[dict[str, Any]] = []
                for ack in acks:
                    key = (ack.employee_id, ack.company, ack.regulation, ack.edition)
                    earlier = written.get(key) or _existing(conn, ack)
                    if earlier is not None:
                        out.append((earlier, False))
                        continue
                    seq += 1
                    fields: dict[str, Any] = {
                        "seq": seq,
                        "employee_id": ack.employee_id,
                        "employee_key": ack.employee_key,
                        "employee_name": ack.employee_name,
                        "position": ack.position,
                        "company": ack.company,
                        "regulation": ack.regulation,
                        "edition": ack.edition,
                        "content_hash": ack.content_hash,
                        "clauses": canonical_clauses(list(ack.clauses)),
                        "acked_at": now or utc_now(),
                        "method": ack.method,
                        "client_addr": ack.client_addr[:64],
                        "user_agent": ack.user_agent[:400],
                        "prev_hash": prev,
                    }
                    fields["record_hash"] = prev = record_hash(fields)
                    written[key] = fields
                    rows.append(fields)
                    out.append((fields, True))
                if rows:
                    conn.execute(t.acknowledgements.insert(), rows)
                    moved = conn.execute(
                        update(t.chain_head)
                        .where(t.chain_head.c.id == 1, t.chain_head.c.seq == head.seq)
                        .values(seq=seq, hash=prev)
                    )
                    if moved.rowcount != 1:  # cannot happen under the lock; never write a fork
                        raise IntegrityError("chain head moved", None, Exception("chain head moved"))
                return out
        except IntegrityError:
            # an acknowledgement of the batch committed meanwhile by another instance (unique constraint):
            # the next attempt finds it and writes the rest
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str


@dataclass(frozen=True)
class Verified:
    records: int
    head_seq: int
    head_hash: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(conn: Connection) -> Iterator[dict]:
    result = conn.execution_options(yield_per=2000).execute(
        select(t.acknowledgements).order_by(t.acknowledgements.c.seq)
    )
    for row in result.mappings():
        yield dict(row)


def verify(engine: Engine, *, expect_head: str | None = None) -> Verified:
    """Walk the chain in ``seq`` order and report every record that was edited, inserted or deleted."""
    problems: list[Problem] = []
    count = 0
    expected_seq, prev = 1, GENESIS
    with engine.connect() as conn:
        head = conn.execute(select(t.chain_head.c.seq, t.chain_head.c.hash).where(t.chain_head.c.id == 1)).one()
        for row in _rows(conn):
            count += 1
            seq = int(row["seq"])
            if seq != expected_seq:
                if seq > expected_seq:
                    problems.append(Problem(seq, f"records {expected_seq}–{seq - 1} are missing (deleted)"))
                else:
                    problems.append(Problem(seq, f"record {seq} is out of order"))
            if row["prev_hash"] != prev:
                problems.append(
                    Problem(
                        seq,
                        f"record {seq} does not link to the record before it "
                        "(a record was inserted or deleted before it, or it was edited)",
                    )
                )
            if record_hash(row) != row["record_hash"]:
                problems.append(Problem(seq, f"record {seq} was edited: its content does not match its hash"))
            prev = row["record_hash"]
            expected_seq = seq + 1
        total = conn.execute(select(func.count()).select_from(t.acknowledgements)).scalar_one()
    if int(head.seq) != expected_seq - 1 or head.hash != prev:
        if int(head.seq) > expected_seq - 1:
            problems.append(
                Problem(
                    int(head.seq),
                    f"the chain ends at record {expected_seq - 1} but its head "
                    f"names record {head.seq}: the last records were deleted",
                )
            )
        else:
            problems.append(
                Problem(
                    expected_seq - 1,
                    "the chain's head does not name its last record "
                    "(a record was appended outside the service, or edited)",
                )
            )
    if expect_head and expect_head != head.hash:
        problems.append(
            Problem(
                int(head.seq),
                f"the head hash is {head.hash}, expected {expect_head} "
                "(the chain was rewritten since that hash was noted)",
            )
        )
    assert total == count
    return Verified(count, int(head.seq), head.hash, tuple(problems))
