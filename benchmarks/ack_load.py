"""Load benchmark of the acknowledgement service: employees × regulations acknowledging through concurrent clients.

    python benchmarks/ack_load.py [--employees 5000] [--regulations 3] [--clients 32] [--db sqlite,postgresql]

For each database a fresh one is made (a SQLite file; a PostgreSQL server started in a temporary folder with
Debian's ``initdb``/``pg_ctl``, as the tests do), migrated, filled with the employees (role ``manager``) and one
registered edition of each regulation (whole text asked of everyone). Then ``reglament ack serve`` runs as a
child process — a real uvicorn on 127.0.0.1 — and ``--clients`` concurrent HTTP clients (httpx, asyncio) post
every employee's acknowledgement of every regulation as the authenticating proxy would forward it (identity
header from a trusted address, the CSRF token of the form). Reported beside the targets: acknowledgements per
second, latency p50/p95/p99, and, read back from the database, records lost (answered 303 but not stored),
duplicated, and whether ``verify`` finds the hash chain intact.

Measurements, not a timed test: nothing fails when a figure is slow (the exit code is 1 only when a record is
lost or duplicated or the chain is broken). :mod:`tests.ack.test_ack_crash` reuses the harness below.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select

from reglament.ack import tables as t
from reglament.ack.db import make_engine, migrate
from reglament.ack.identity import Csrf
from reglament.ack.records import verify
from reglament.ack.registry import EmployeeRow, register, upsert_employees
from reglament.ack.sources import EditionInfo, RegulationText, Snapshot

HERE = Path(__file__).resolve().parent
COMPANY = "load"
EDITION = "2026.1"
SECRET = "benchmark-signing-key-not-a-secret"
RETRIES = 2
TARGETS = {
    "acks_per_s": 100.0,  # 15,000 acknowledgements (5,000 × 3) in at most 2.5 minutes on one instance
    "p95_ms": 500.0,  # at 32 concurrent clients
    "lost": 0,
    "duplicated": 0,
}


# --------------------------------------------------------------------------
# Databases


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server in a temporary folder (durable: fsync on, as in production); yields a database URL."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise SystemExit("PostgreSQL is not installed: run `make postgres` (Debian package postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="reglament-pg-bench-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    data = f"{folder}/data"
    subprocess.run(
        _as_postgres([initdb, "-D", data, "-A", "trust", "-U", "bench", "-E", "UTF8", "--locale=C"]),
        check=True,
        capture_output=True,
    )
    opts = f"-k {folder} -p {port} -c listen_addresses='' -c max_connections=200"
    subprocess.run(
        _as_postgres([pg_ctl, "-D", data, "-o", opts, "-l", f"{folder}/log", "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://bench@/postgres?host={folder}&port={port}"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", data, "-m", "fast", "stop"]), capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------
# The data: employees and one registered edition of each regulation


@dataclass(frozen=True)
class Job:
    email: str
    employee_id: int
    regulation: str


def regulation_ids(count: int) -> list[str]:
    return [f"reg-{i + 1}" for i in range(count)]


def snapshot(regulations: int) -> Snapshot:
    """One edition of ``regulations`` regulations of ten clauses each, the whole text asked of managers."""
    regs = []
    for reg_id in regulation_ids(regulations):
        items = [{"id": f"{reg_id}-part", "kind": "part", "number": "1", "label": "Общие положения", "text": ""}]
        items += [
            {
                "id": f"{reg_id}-c{k}",
                "kind": "clause",
                "number": f"1.{k}",
                "label": f"п. 1.{k}",
                "text": f"Менеджер выполняет обязанность {k} регламента {reg_id} в срок.",
            }
            for k in range(1, 11)
        ]
        regs.append(RegulationText(reg_id, f"Регламент {reg_id}", ["manager"], items, f"{reg_id:0<64}"[:64]))
    edition = EditionInfo(EDITION, 0, dt.date(2026, 3, 2), "affected", None)
    roles: dict[str, dict[str, str | None]] = {"manager": {"name": "Менеджер", "department": "Отдел продаж"}}
    return Snapshot(COMPANY, edition, regs, roles, None)


def prepare(url: str, employees: int, regulations: int) -> list[Job]:
    """Migrate the database, add the employees and register the edition; every (employee, regulation) to ack."""
    engine = make_engine(url)
    try:
        migrate(engine)
        people = [
            EmployeeRow(COMPANY, f"Сотрудник {i:05d}", ("manager",), email=f"e{i:05d}@example.ru", number=f"{i:05d}")
            for i in range(employees)
        ]
        upsert_employees(engine, people, source="import")
        register(engine, snapshot(regulations))
        with engine.connect() as conn:
            ids = dict(conn.execute(select(t.employees.c.email, t.employees.c.id)).all())
    finally:
        engine.dispose()
    return [Job(p.email or "", ids[p.email], reg) for reg in regulation_ids(regulations) for p in people]


# --------------------------------------------------------------------------
# The server: `reglament ack serve` in a child process


@dataclass
class Server:
    proc: subprocess.Popen
    base: str

    def kill(self) -> None:
        """``kill -9``: no shutdown, no flush, no rollback — the process just stops."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(url: str, root: Path) -> Server:
    """``reglament ack serve --no-sync`` on a free port, trusting 127.0.0.1 as the proxy; waits until it answers."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "ack.yml").write_text("trusted_proxies: [127.0.0.1]\nrate_limit_per_minute: 10000000\n", encoding="utf-8")
    port = free_port()
    env = {**os.environ, "REGLAMENT_ACK_SECRET": SECRET, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-c", "from reglament.cli import main; main()", "ack", "serve", "--no-sync"]
    cmd += ["--root", str(root), "--db", url, "--addr", f"127.0.0.1:{port}"]
    log = open(root / "serve.log", "ab")  # noqa: SIM115 (closed with the process's life)
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"ack serve exited with {proc.returncode}: {(root / 'serve.log').read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return Server(proc, base)
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("ack serve did not answer in 60 s")
        time.sleep(0.1)


# --------------------------------------------------------------------------
# The clients


@dataclass
class Outcome:
    confirmed: set[Job] = field(default_factory=set)
    """Jobs the server answered 303 (committed, by the service's contract)."""
    failed: list[tuple[Job, str]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    """Seconds from the first attempt to the 303 (a retry counts in)."""
    retries: int = 0
    """Requests posted again after a dropped connection."""
    seconds: float = 0.0


async def _run(base: str, jobs: list[Job], clients: int, stop_after: int | None, on_stop) -> Outcome:  # type: ignore[no-untyped-def]
    csrf = Csrf(SECRET)
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    out = Outcome()
    stopped = asyncio.Event()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            job = queue.get_nowait()
            started = time.perf_counter()
            resp = None
            for attempt in range(RETRIES + 1):  # a dropped connection: the reader clicks again (it is idempotent)
                try:
                    resp = await client.post(
                        f"/c/{COMPANY}/{job.regulation}",
                        headers={"X-Forwarded-Email": job.email, "User-Agent": "ack-load"},
                        data={"edition": EDITION, "csrf": csrf.token(f"proxy:{job.employee_id}")},
                    )
                    break
                except httpx.TransportError as exc:
                    if attempt == RETRIES or stopped.is_set():
                        out.failed.append((job, type(exc).__name__))
                        break
                    out.retries += 1
            if resp is None:
                continue
            if resp.status_code == 303:
                out.latencies.append(time.perf_counter() - started)
                out.confirmed.add(job)
                if stop_after is not None and len(out.confirmed) >= stop_after and not stopped.is_set():
                    stopped.set()
                    on_stop()
            else:
                out.failed.append((job, f"HTTP {resp.status_code}"))

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    out.seconds = time.perf_counter() - started
    return out


def acknowledge_all(
    base: str, jobs: list[Job], *, clients: int, stop_after: int | None = None, on_stop=None
) -> Outcome:  # type: ignore[no-untyped-def]
    """Post every job through ``clients`` concurrent connections; ``on_stop()`` once ``stop_after`` confirmed."""
    return asyncio.run(_run(base, jobs, clients, stop_after, on_stop or (lambda: None)))


# --------------------------------------------------------------------------
# Reading back


@dataclass(frozen=True)
class Stored:
    records: int
    distinct: int
    keys: frozenset[tuple[int, str]]
    chain_ok: bool

    @property
    def duplicated(self) -> int:
        return self.records - self.distinct


def stored(url: str) -> Stored:
    engine: Engine = make_engine(url)
    try:
        r = t.acknowledgements.c
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(t.acknowledgements)).scalar_one()
            keys = conn.execute(select(r.employee_id, r.regulation, r.edition, r.company)).all()
        result = verify(engine)
    finally:
        engine.dispose()
    distinct = {(k.employee_id, k.regulation, k.edition, k.company) for k in keys}
    return Stored(count, len(distinct), frozenset((k[0], k[1]) for k in distinct), result.ok)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --------------------------------------------------------------------------
# The benchmark


def bench_one(url: str, root: Path, employees: int, regulations: int, clients: int) -> dict:
    prepare_started = time.perf_counter()
    jobs = prepare(url, employees, regulations)
    prepared = time.perf_counter() - prepare_started
    server = start_server(url, root)
    try:
        cpu_before = process_cpu(server.proc.pid)
        out = acknowledge_all(server.base, jobs, clients=clients)
        server_cpu = process_cpu(server.proc.pid) - cpu_before
    finally:
        server.stop()
    back = stored(url)
    lost = sum(1 for job in out.confirmed if (job.employee_id, job.regulation) not in back.keys)
    return {
        "acknowledgements": len(jobs),
        "confirmed": len(out.confirmed),
        "failed": len(out.failed),
        "retries": out.retries,
        "failures": sorted({why for _, why in out.failed})[:5],
        "seconds": round(out.seconds, 2),
        "acks_per_s": round(len(out.confirmed) / out.seconds, 1) if out.seconds else 0.0,
        "p50_ms": round(1000 * percentile(out.latencies, 50), 1),
        "p95_ms": round(1000 * percentile(out.latencies, 95), 1),
        "p99_ms": round(1000 * percentile(out.latencies, 99), 1),
        "records": back.records,
        "lost": lost,
        "duplicated": back.duplicated,
        "chain_ok": back.chain_ok,
        "prepare_s": round(prepared, 2),
        # the server's own CPU per acknowledgement: what one core of it can serve, whatever the clients (on the
        # same machine) and the database server take of the others
        "server_cpu_ms": round(1000 * server_cpu / len(out.confirmed), 2) if out.confirmed else None,
    }


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(employees: int, regulations: int, clients: int, databases: list[str]) -> dict[str, dict]:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="reglament-ack-bench-") as tmp:
        for db in databases:
            root = Path(tmp) / db
            if db == "sqlite":
                results[db] = bench_one(f"sqlite:///{root / 'ack.sqlite3'}", root, employees, regulations, clients)
            else:
                with postgres_server() as url:
                    results[db] = bench_one(url, root, employees, regulations, clients)
    return results


def report(results: dict[str, dict], employees: int, regulations: int, clients: int) -> str:
    lines = [
        f"acknowledgement service: {employees} employees × {regulations} regulations, {clients} concurrent clients, "
        "one `reglament ack serve` (uvicorn) process",
        f"{'database':<11} {'acks':>6} {'s':>7} {'acks/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'lost':>5} {'dup':>4} {'failed':>6} {'retried':>7} chain  server CPU ms/ack",
    ]
    for db, r in results.items():
        lines.append(
            f"{db:<11} {r['confirmed']:>6} {r['seconds']:>7} {r['acks_per_s']:>8} {r['p50_ms']:>7} {r['p95_ms']:>7} "
            f"{r['p99_ms']:>7} {r['lost']:>5} {r['duplicated']:>4} {r['failed']:>6} {r['retries']:>7} "
            f"{'intact' if r['chain_ok'] else 'BROKEN':<6} {r['server_cpu_ms']}"
        )
    lines.append(
        f"{'target':<11} {'':>6} {'':>7} {'≥' + str(int(TARGETS['acks_per_s'])):>8} {'':>7} "
        f"{'≤' + str(int(TARGETS['p95_ms'])):>7} {'':>7} {TARGETS['lost']:>5} {TARGETS['duplicated']:>4} {'':>6} {'':>7} intact"
    )
    return "\n".join(lines)


def healthy(results: dict[str, dict]) -> bool:
    return all(r["lost"] == 0 and r["duplicated"] == 0 and r["chain_ok"] and not r["failed"] for r in results.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--regulations", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.db.split(",") if d.strip()]
    results = run(args.employees, args.regulations, args.clients, databases)
    print(report(results, args.employees, args.regulations, args.clients))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if healthy(results) else 1


if __name__ == "__main__":
    sys.exit(main())
