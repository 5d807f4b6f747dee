"""The flow's load-neo4j task against the test Neo4j (without a server: tests/unit/flows)."""

from __future__ import annotations

import pytest

from flows.build import load_neo4j
from schemas import GraphBatch, Paper
from tests.support.neo4j_server import Neo4jTestServer


@pytest.mark.neo4j
def test_load_neo4j_writes_and_counts(
    clean_neo4j: Neo4jTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", clean_neo4j.password)
    batch = GraphBatch(papers=(Paper(id="p1", title="T", abstract="A."),))
    result = load_neo4j.fn(batch, clean_neo4j.uri, clean_neo4j.user, None)
    assert result.error is None and result.write is not None
    assert result.write.papers_added == 1 and result.counts["Paper"] == 1
