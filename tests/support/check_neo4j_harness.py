"""The test Neo4j itself: reachable, authenticated, durable across a crash, fast enough.

The harness's own checks, not part of the test suite: nothing here can fail because of a
change to paperkg, so ``pytest`` does not collect this file (its name is not test_*.py).
Run it after changing tests/support/neo4j_server.py, tests/support/neo4j_fixtures.py or
scripts/neo4j:

    make check-harness    # or: .venv/bin/pytest tests/support/check_neo4j_harness.py
"""

from __future__ import annotations

import time

import neo4j
import pytest
from neo4j.exceptions import AuthError, ServiceUnavailable

from tests.support.neo4j_server import (
    READY_MARK,
    Neo4jServerError,
    Neo4jTestServer,
    build_launcher,
)

pytestmark = pytest.mark.neo4j


def test_return_1(neo4j_driver: neo4j.Driver) -> None:
    records, _, _ = neo4j_driver.execute_query("RETURN 1 AS one")
    assert records[0]["one"] == 1


def test_create_and_read_node(neo4j_driver: neo4j.Driver) -> None:
    neo4j_driver.execute_query(
        "CREATE (:Paper {id: $id, title: $title})", id="p1", title="Attention"
    )
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (p:Paper {id: $id}) RETURN p.title AS title", id="p1"
    )
    assert [r["title"] for r in records] == ["Attention"]


def test_database_is_emptied_between_tests(neo4j_driver: neo4j.Driver) -> None:
    records, _, _ = neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n")
    assert records[0]["n"] == 0


def test_wrong_password_is_auth_error(neo4j_server: Neo4jTestServer) -> None:
    # Several failures in a row: the server must not lock the user out for later tests.
    wrong = ("neo4j", "not-the-password")
    for _ in range(4):
        with (
            neo4j.GraphDatabase.driver(neo4j_server.uri, auth=wrong) as bad,
            pytest.raises(AuthError),
        ):
            bad.verify_connectivity()
    with neo4j_server.driver() as good:
        good.verify_connectivity()


def test_server_output_goes_to_log_file(neo4j_server: Neo4jTestServer) -> None:
    assert READY_MARK in neo4j_server.log_path.read_text()
    assert neo4j_server.log_path.parent == neo4j_server.data_dir


def test_unwind_merge_10k_rows(neo4j_driver: neo4j.Driver) -> None:
    # With an index on the MERGE key, as a loader should have: without one, each MERGE scans
    # every :T node so far (quadratic; about 13 s for 10k rows on a 2-core machine).
    neo4j_driver.execute_query("CREATE INDEX test_t_k IF NOT EXISTS FOR (n:T) ON (n.k)")
    try:
        neo4j_driver.execute_query("CALL db.awaitIndexes(60)")
        rows = [{"k": i} for i in range(10_000)]
        t0 = time.perf_counter()
        neo4j_driver.execute_query("UNWIND $rows AS r MERGE (n:T {k: r.k})", rows=rows)
        took = time.perf_counter() - t0
        records, _, _ = neo4j_driver.execute_query("MATCH (n:T) RETURN count(n) AS n")
        assert records[0]["n"] == 10_000
        print(f"\nUNWIND/MERGE of 10k rows (indexed key): {took:.2f} s")
    finally:
        neo4j_driver.execute_query("DROP INDEX test_t_k IF EXISTS")


def test_kill_then_restart_keeps_committed_data(tmp_path) -> None:
    server = Neo4jTestServer(data_dir=tmp_path / "neo4j")
    try:
        server.start()
        print(f"\nstart to ready: {server.startup_seconds:.1f} s")
        with server.driver() as driver:
            driver.execute_query("CREATE (:Paper {id: 'durable'})")

        server.kill()
        assert not server.is_running()
        with server.driver() as driver, pytest.raises(ServiceUnavailable):
            driver.verify_connectivity()

        server.start()  # same data dir, same port, recovers from the crash
        print(f"restart after kill to ready: {server.startup_seconds:.1f} s")
        with server.driver() as driver:
            records, _, _ = driver.execute_query(
                "MATCH (p:Paper {id: 'durable'}) RETURN count(p) AS n"
            )
        assert records[0]["n"] == 1

        t0 = time.monotonic()
        server.stop()
        print(f"clean stop: {time.monotonic() - t0:.1f} s")
        assert not server.is_running()
        assert "neo4j stopped" in server.log_path.read_text()
    finally:
        server.close()
    assert (tmp_path / "neo4j").exists(), "a given data_dir must be kept"


def test_missing_java_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(Neo4jServerError, match="java not found"):
        build_launcher()
