"""``kill -9`` of the serving process in the middle of concurrent acknowledgements, on SQLite and PostgreSQL.

The server is ``reglament ack serve`` in a child process (a real uvicorn); the clients and the data come from
the load benchmark's harness (``benchmarks/ack_load.py``). A request answered 303 is committed by the service's
contract: after the kill every such acknowledgement must be in the database, none twice, and the hash chain
intact (``reglament ack verify``). Posting everything again to a restarted server completes the set exactly once.
"""

from __future__ import annotations

import sys

import pytest

from conftest import REPO, run_cli

sys.path.insert(0, str(REPO / "benchmarks"))

from ack_load import acknowledge_all, prepare, start_server, stored

pytestmark = pytest.mark.slow

EMPLOYEES, REGULATIONS, CLIENTS = 100, 3, 16


def test_kill_9_mid_acknowledgements_loses_no_committed_one_and_duplicates_none(db_url, tmp_path):
    jobs = prepare(db_url, EMPLOYEES, REGULATIONS)
    assert len(jobs) == EMPLOYEES * REGULATIONS
    server = start_server(db_url, tmp_path / "root")
    try:
        out = acknowledge_all(server.base, jobs, clients=CLIENTS, stop_after=len(jobs) // 4, on_stop=server.kill)
    finally:
        server.stop()
    assert server.proc.returncode == -9  # killed, not shut down
    assert len(jobs) // 4 <= len(out.confirmed) < len(jobs)
    assert out.failed, "the kill must interrupt requests in flight"
    assert all(why != "HTTP 500" for _, why in out.failed)

    after_kill = stored(db_url)
    lost = [job for job in out.confirmed if (job.employee_id, job.regulation) not in after_kill.keys]
    assert lost == []
    assert after_kill.duplicated == 0
    assert after_kill.records >= len(out.confirmed)  # committed but not yet answered is allowed, nothing more
    assert after_kill.records < len(jobs)
    assert after_kill.chain_ok
    check = run_cli("ack", "verify", "--root", str(tmp_path / "root"), "--db", db_url)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"{after_kill.records} record(s), chain intact" in check.stdout + check.stderr

    # everyone posts again (the clients whose request died with the server, and the rest): exactly one each
    server = start_server(db_url, tmp_path / "root")
    try:
        again = acknowledge_all(server.base, jobs, clients=CLIENTS)
    finally:
        server.stop()
    assert again.failed == [] and len(again.confirmed) == len(jobs)
    final = stored(db_url)
    assert final.records == len(jobs) and final.duplicated == 0 and final.chain_ok
    check = run_cli("ack", "verify", "--root", str(tmp_path / "root"), "--db", db_url)
    assert check.returncode == 0 and f"{len(jobs)} record(s), chain intact" in check.stdout + check.stderr
