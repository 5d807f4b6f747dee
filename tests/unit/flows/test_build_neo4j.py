"""The flow's load-neo4j task (flows.build) without a server: a Neo4j failure comes back as one
line, not a raised traceback; tests/integration/neo4j/test_build_neo4j.py loads a real one."""

from __future__ import annotations

import pytest

from flows.build import load_neo4j
from schemas import GraphBatch, Paper
from tests.support.neo4j_server import free_port

SECRET = "not-the-password-123"


def test_load_neo4j_returns_the_error_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    batch = GraphBatch(papers=(Paper(id="p1", title="T", abstract="A."),))
    result = load_neo4j.fn(batch, f"bolt://127.0.0.1:{free_port()}", None, None)
    assert result.write is None and result.error is not None
    assert "cannot reach" in result.error or "lost the connection" in result.error
    assert "\n" not in result.error and SECRET not in result.model_dump_json()
    bad_uri = load_neo4j.fn(batch, "http://127.0.0.1:7474", None, None)
    assert bad_uri.error is not None and "not a Neo4j URI" in bad_uri.error
