"""The flow's load-neo4j task against the test Neo4j (without a server: tests/unit/flows)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.build import load_neo4j
from schemas import GraphBatch, Paper
from tests.support.cli import run_cli
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


@pytest.mark.neo4j
@pytest.mark.usefixtures("prefect_api")
def test_papers_stored_only_in_the_embedded_graph_are_extracted_for_neo4j(
    clean_neo4j: Neo4jTestServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Skipping unchanged papers asks every store of the run: Neo4j added later still gets
    every paper, extracted."""
    source = tmp_path / "papers.jsonl"
    source.write_text("".join(
        json.dumps({"id": f"2404.0000{i}", "title": f"Paper {i}",
                    "abstract": f"We propose Net{i}, evaluated on ImageNet."}) + "\n"
        for i in range(1, 4)
    ))
    out = str(tmp_path / "out")
    code, _, stderr = run_cli("run", str(source), "--out", out, "--no-map", capsys=capsys)
    assert code == 0, stderr

    monkeypatch.setenv("NEO4J_PASSWORD", clean_neo4j.password)
    code, stdout, stderr = run_cli("run", str(source), "--out", out, "--no-map",
                                   "--neo4j-uri", clean_neo4j.uri, capsys=capsys)
    assert code == 0, stderr
    assert "not extracted again" not in stdout
    with clean_neo4j.driver() as driver:
        records, _, _ = driver.execute_query(
            "MATCH (p:Paper)-[r]->(:Concept) RETURN count(DISTINCT p) AS papers")
    assert records[0]["papers"] == 3

    code, stdout, stderr = run_cli("run", str(source), "--out", out, "--no-map",
                                   "--neo4j-uri", clean_neo4j.uri, capsys=capsys)
    assert code == 0, stderr
    assert "not extracted again (stored with the same title and abstract): 3" in stdout
