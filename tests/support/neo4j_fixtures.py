"""pytest fixtures for tests that need a real Neo4j (see tests/support/neo4j_server.py).

A pytest plugin: tests/conftest.py loads it with ``pytest_plugins``.

* ``neo4j_server`` (session): one Neo4j for the whole run, started on first use (~10 s, plus
  a one-off Maven build of scripts/neo4j), stopped at the end. Never ``kill()`` it in a test:
  make your own ``Neo4jTestServer`` for crash tests.
* ``clean_neo4j`` (function): the session server with its database emptied first
  (``MATCH (n) DETACH DELETE n``; indexes and constraints stay).
* ``neo4j_driver`` (function): a driver for the emptied database, closed after the test.

If Java, Maven or the build is broken, these fixtures fail the test (they never skip: CI
installs everything, and a skip would hide a broken setup).
"""

from __future__ import annotations

from collections.abc import Iterator

import neo4j
import pytest

from tests.support.neo4j_server import Neo4jServerError, Neo4jTestServer

__all__ = ["clean_neo4j", "neo4j_driver", "neo4j_server"]


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jTestServer]:
    server = Neo4jTestServer()
    error = None
    try:
        server.start()
    except Neo4jServerError as e:
        error = str(e)
    if error is not None:  # outside the except block: no chained traceback in the report
        server.close()
        pytest.fail(f"cannot start the test Neo4j: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def clean_neo4j(neo4j_server: Neo4jTestServer) -> Neo4jTestServer:
    if not neo4j_server.is_running():
        pytest.fail(
            "the session's test Neo4j is no longer running (did a test kill it?)\n"
            + neo4j_server.log_tail(),
            pytrace=False,
        )
    with neo4j_server.driver() as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
    return neo4j_server


@pytest.fixture
def neo4j_driver(clean_neo4j: Neo4jTestServer) -> Iterator[neo4j.Driver]:
    with clean_neo4j.driver() as driver:
        yield driver
