"""The Neo4j store against a real Neo4j 5.26 over Bolt (tests/support/neo4j_server.py), no mocks.

The reference is the embedded store: for the same sequence of batches, the Neo4j graph must
hold exactly the nodes, relationships and properties that graph.graphml holds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import neo4j
import pytest

from pipeline.stores.base import StoreError
from pipeline.stores.embedded import NetworkxStore
from pipeline.stores.neo4j import loader
from pipeline.stores.neo4j.loader import PaperChunk
from pipeline.stores.neo4j.settings import Neo4jSettings
from pipeline.stores.neo4j.store import Neo4jStore
from pipeline.stores.sqlite.store import SqliteStore
from schemas import GraphBatch, Paper
from tests.support.graph_compare import (
    batch_for,
    diff,
    embedded_snapshot,
    neo4j_snapshot,
    sample_batch,
    sample_papers,
)
from tests.support.neo4j_server import Neo4jTestServer, free_port

pytestmark = pytest.mark.neo4j

DAY1 = dt.date(2026, 11, 1)
DAY2 = dt.date(2026, 11, 20)
SECRET = "s3cret-Pa55word-for-tests"


def settings_for(server: Neo4jTestServer, **overrides: object) -> Neo4jSettings:
    values: dict[str, object] = {"uri": server.uri, "username": server.user,
                                 "password": server.password}
    values.update(overrides)
    return Neo4jSettings(**values)  # type: ignore[arg-type]


def changed_papers(count: int = 12) -> tuple[Paper, ...]:
    """The first ``count`` sample papers with the second half of their abstract cut off."""
    changed = []
    for paper in sample_papers()[:count]:
        sentences = paper.abstract.split(". ")
        short = ". ".join(sentences[: max(1, len(sentences) // 2)])
        changed.append(paper.model_copy(update={"abstract": short}))
    return tuple(changed)


def write_both(tmp_path: Path, store: Neo4jStore, batches: list[tuple[GraphBatch, dt.date]]):
    embedded = NetworkxStore(tmp_path)
    for batch, day in batches:
        embedded.write(batch, today=day)
        store.write(batch, today=day)
    return embedded_snapshot(NetworkxStore(tmp_path).graph)


def test_ensure_schema_is_idempotent(neo4j_driver: neo4j.Driver, clean_neo4j) -> None:
    with Neo4jStore(settings_for(clean_neo4j)) as store:
        store.ensure_schema()
        first = neo4j_driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")[0]
        indexes = neo4j_driver.execute_query("SHOW INDEXES YIELD name RETURN name")[0]
        store.ensure_schema()
        assert neo4j_driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")[0] == first
        assert neo4j_driver.execute_query("SHOW INDEXES YIELD name RETURN name")[0] == indexes
    names = {r["name"] for r in first}
    assert {"paper_id_unique", "concept_key_unique"} <= names
    assert {"paper_date", "concept_type", "concept_name", "concept_first_seen"} <= {
        r["name"] for r in indexes
    }


def test_content_hashes_match_the_embedded_stores(clean_neo4j, tmp_path: Path) -> None:
    batch = sample_batch()
    ids = [p.id for p in batch.papers[:5]] + ["not-stored"]
    with Neo4jStore(settings_for(clean_neo4j)) as store:
        assert store.content_hashes(ids) == {}
        store.write(batch, today=DAY1)
        in_neo4j = store.content_hashes(ids)
    embedded = NetworkxStore(tmp_path)
    embedded.write(batch, today=DAY1)
    assert in_neo4j == embedded.content_hashes(ids)
    assert in_neo4j == {p.id: p.content_hash for p in batch.papers[:5]}


def test_two_identical_runs_leave_the_same_graph(
    neo4j_driver: neo4j.Driver, clean_neo4j, tmp_path: Path
) -> None:
    batch = sample_batch()
    with Neo4jStore(settings_for(clean_neo4j)) as store:
        first = store.write(batch, today=DAY1)
        counts, snapshot = store.counts(), neo4j_snapshot(neo4j_driver)
        second = store.write(batch, today=DAY2)
        assert store.counts() == counts
        exported = store.export()
    assert (first.papers_added, second.papers_unchanged, second.papers_added) == (71, 71, 0)
    assert neo4j_snapshot(neo4j_driver) == snapshot  # first_seen kept from the first run
    assert counts.papers == 71 and counts.edges_by_relation["CO_OCCURS_WITH"] > 0
    embedded = NetworkxStore(tmp_path)
    embedded.write(batch, today=DAY1)
    expected = embedded_snapshot(NetworkxStore(tmp_path).graph)
    assert snapshot == expected, diff(expected, snapshot)
    # both stores count alike, and export the same graph, in the same order, with the same
    # attributes (so a map of either draws the same)
    from_file = NetworkxStore(tmp_path)
    assert counts == from_file.counts()
    assert list(exported.nodes(data=True)) == list(from_file.export().nodes(data=True))
    assert list(exported.edges(keys=True, data=True)) == list(
        from_file.export().edges(keys=True, data=True))


@pytest.mark.parametrize("papers_per_transaction", [7, 1000])
def test_changed_abstracts_replace_edges_like_the_embedded_store(
    neo4j_driver: neo4j.Driver, clean_neo4j, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    papers_per_transaction: int,
) -> None:
    monkeypatch.setattr(loader, "PAPERS_PER_TRANSACTION", papers_per_transaction)
    changed = batch_for(changed_papers())
    with Neo4jStore(settings_for(clean_neo4j)) as store:
        expected = write_both(tmp_path, store, [(sample_batch(), DAY1), (changed, DAY2)])
        summary = store.write(changed, today=DAY2)  # and once more: nothing changes
    assert summary.papers_unchanged == 12
    actual = neo4j_snapshot(neo4j_driver)
    assert actual == expected, diff(expected, actual)
    # the change mattered: edges were dropped, concepts removed, weights changed
    before = embedded_snapshot(_embedded_after(tmp_path / "x", [sample_batch()]))
    assert len(actual["relationships"]) < len(before["relationships"])
    assert len(actual["nodes"]) < len(before["nodes"])
    weights = {k: v["weight"] for k, v in actual["relationships"].items()
               if k[1] == "CO_OCCURS_WITH"}
    assert weights != {k: v["weight"] for k, v in before["relationships"].items()
                       if k[1] == "CO_OCCURS_WITH"}
    # and going back to the original abstracts restores the original graph (first_seen aside)
    with Neo4jStore(settings_for(clean_neo4j)) as store:
        store.write(sample_batch(), today=DAY2)
    restored = neo4j_snapshot(neo4j_driver)
    for props in [*restored["nodes"].values(), *before["nodes"].values()]:
        props.pop("first_seen", None)
    assert restored == before, diff(before, restored)


def _embedded_after(directory: Path, batches: list[GraphBatch]):
    store = NetworkxStore(directory)
    for batch in batches:
        store.write(batch, today=DAY1)
    return NetworkxStore(directory).graph


def test_server_killed_mid_load_fails_clearly_and_the_rerun_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "PAPERS_PER_TRANSACTION", 10)
    batch = sample_batch()
    server = Neo4jTestServer(data_dir=tmp_path / "neo4j")
    server.start()
    try:
        original = loader.write_chunk
        calls = {"n": 0}

        def crash_on_third_chunk(*args: object, **kwargs: object) -> dict[str, str]:
            calls["n"] += 1
            if calls["n"] == 3:
                server.kill()
            return original(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(loader, "write_chunk", crash_on_third_chunk)
        settings = settings_for(server, retry_seconds=2.0)
        with Neo4jStore(settings) as store, pytest.raises(StoreError) as failure:
            store.write(batch, today=DAY1)
        message = str(failure.value)
        assert "lost the connection" in message and "while loading" in message
        assert "\n" not in message and server.password not in message
        monkeypatch.setattr(loader, "write_chunk", original)

        server.start()
        with server.driver() as driver:
            partial = driver.execute_query("MATCH (p:Paper) RETURN count(p) AS n")[0][0]["n"]
            assert partial == 20  # two chunks of 10 committed, the third rolled back
            with Neo4jStore(settings) as store:
                summary = store.write(batch, today=DAY1)
            assert (summary.papers_unchanged, summary.papers_added) == (20, 51)
            actual = neo4j_snapshot(driver)  # asserts no duplicate relationships
            papers = driver.execute_query(
                "MATCH (p:Paper) RETURN count(p) AS n, count(DISTINCT p.id) AS ids")[0][0]
        assert papers["n"] == papers["ids"] == 71
        expected = embedded_snapshot(_embedded_after(tmp_path / "embedded", [batch]))
        assert actual == expected, diff(expected, actual)
    finally:
        server.close()


def _one_line_error(settings: Neo4jSettings) -> str:
    with pytest.raises(StoreError) as failure, Neo4jStore(settings) as store:
        store.check()
    message = str(failure.value)
    assert "\n" not in message and SECRET not in message
    return message


def test_connection_errors_are_one_line_and_say_which(clean_neo4j) -> None:
    wrong_password = _one_line_error(settings_for(clean_neo4j, password=SECRET))
    assert "rejected the login" in wrong_password
    wrong_port = _one_line_error(
        settings_for(clean_neo4j, uri=f"bolt://127.0.0.1:{free_port()}", password=SECRET))
    assert "cannot reach" in wrong_port and "connection refused" in wrong_port
    unknown_database = _one_line_error(settings_for(clean_neo4j, database="nosuchdb"))
    assert "no database named 'nosuchdb'" in unknown_database
    with pytest.raises(StoreError, match="not a Neo4j URI"):
        Neo4jSettings.from_env(uri="localhost:7687", password=SECRET)


def paperkg(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", *args],
        capture_output=True, text=True, env=env, timeout=600,
    )


def test_cli_runs_into_neo4j_and_queries_it_like_the_embedded_store(
    clean_neo4j, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "NEO4J_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), COLUMNS="400",
               NEO4J_URI=clean_neo4j.uri, NEO4J_PASSWORD=clean_neo4j.password)
    out = str(tmp_path / "out")

    bad = paperkg("run", "--sample", "--out", out, "--neo4j-password", SECRET, env=env)
    assert bad.returncode == 1
    assert bad.stdout == "" and bad.stderr.count("\n") == 1, bad.stderr
    assert "rejected the login" in bad.stderr and SECRET not in bad.stderr

    run = paperkg("run", "--sample", "--out", out, "--no-map", env=env)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Traceback" not in output and "ERROR" not in output, output
    assert f"Neo4j at {clean_neo4j.uri}: 71 papers" in run.stdout
    assert clean_neo4j.password not in output

    edges = Counter(e.paper_id for e in SqliteStore(Path(out)).view().paper_concepts)
    paper = max(edges, key=lambda p: (edges[p], p))  # the paper with the most concepts
    on_neo4j = paperkg("query", "related-work", "--param", f"paper={paper}", "--format", "json",
                       env=env)
    embedded = paperkg("query", "related-work", "--param", f"paper={paper}", "--format", "json",
                       "--out", out, "--no-neo4j", env=env)
    assert on_neo4j.returncode == 0 and embedded.returncode == 0, on_neo4j.stderr
    rows = json.loads(on_neo4j.stdout)
    assert rows and rows == json.loads(embedded.stdout)


def test_a_node_deleted_by_another_writer_mid_load_fails_the_load_and_the_rerun_repairs(
    neo4j_server: Neo4jTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edges find their concepts by the elementIds an earlier chunk returned; if someone else
    deletes one of those concepts in between, the chunk must fail (and roll back), not create
    fewer edges than it was given."""
    monkeypatch.setattr(loader, "PAPERS_PER_TRANSACTION", 10)
    batch = sample_batch()
    original = loader.write_chunk
    deleted: list[str] = []

    def delete_a_known_concept_before_the_second_chunk(
        tx: neo4j.ManagedTransaction, part: PaperChunk, **kwargs: Any
    ) -> dict[str, str]:
        if not deleted and part.known_ids:
            key = next(e["concept"] for e in part.edges if e["concept"] in part.known_ids)
            with neo4j_server.driver() as other_writer:
                other_writer.execute_query("MATCH (c:Concept {key: $key}) DETACH DELETE c",
                                           key=key)
            deleted.append(key)
        return original(tx, part, **kwargs)

    with neo4j_server.driver() as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
        monkeypatch.setattr(loader, "write_chunk",
                            delete_a_known_concept_before_the_second_chunk)
        with Neo4jStore(settings_for(neo4j_server)) as store, \
                pytest.raises(StoreError) as failure:
            store.write(batch, today=DAY1)
        assert deleted and "the graph changed while loading" in str(failure.value)
        assert "\n" not in str(failure.value)
        papers = driver.execute_query("MATCH (p:Paper) RETURN count(p) AS n")[0][0]["n"]
        assert papers == 10  # the first chunk committed, the second rolled back

        monkeypatch.setattr(loader, "write_chunk", original)
        with Neo4jStore(settings_for(neo4j_server)) as store:
            store.write(batch, today=DAY1)
        actual = neo4j_snapshot(driver)
    expected = embedded_snapshot(_embedded_after(tmp_path / "embedded", [batch]))
    assert actual == expected, diff(expected, actual)
