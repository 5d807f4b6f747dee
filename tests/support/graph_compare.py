"""Helpers for the Neo4j tests: the sample as a GraphBatch, and both stores as plain dicts.

``embedded_snapshot`` and ``neo4j_snapshot`` give the same shape, so the two backends can be
compared with ``==``: nodes keyed by (label, key) with their properties, relationships keyed
by (source node, type, target node). GraphML keeps list properties as JSON strings and Neo4j
as lists; both come out as lists here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import neo4j
import networkx as nx

from pipeline.assemble import assemble
from pipeline.extract import load_extractor
from pipeline.ingest import read_papers
from pipeline.normalize import Normalizer
from pipeline.stores.base import GraphView
from pipeline.stores.sqlite.store import SqliteStore
from schemas import CONCEPT, PAPER, GraphBatch, Paper

Snapshot = dict[str, dict[tuple[str, ...], dict[str, Any]]]
LIST_PROPERTIES = frozenset({"authors", "categories", "aliases", "papers"})


@cache
def extractions_for(papers: tuple[Paper, ...]) -> tuple[Any, ...]:
    return tuple(load_extractor("rules").extract(list(papers)))


def batch_for(papers: tuple[Paper, ...]) -> GraphBatch:
    return assemble(Normalizer().normalize(list(extractions_for(papers))))


@cache
def sample_papers() -> tuple[Paper, ...]:
    from pipeline.samples import sample_path

    return tuple(read_papers([sample_path()]).papers)


def sample_batch() -> GraphBatch:
    return batch_for(sample_papers())


def _plain(name: str, value: Any) -> Any:
    if name in LIST_PROPERTIES and isinstance(value, str):
        return json.loads(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def embedded_snapshot(graph: nx.MultiDiGraph) -> Snapshot:
    nodes: dict[tuple[str, ...], dict[str, Any]] = {}
    for _, data in graph.nodes(data=True):
        label = data["kind"]
        key = data[PAPER.key if label == PAPER.label else CONCEPT.key]
        nodes[(label, key)] = {k: _plain(k, v) for k, v in data.items() if k != "kind"}
    rels: dict[tuple[str, ...], dict[str, Any]] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        props = {k: _plain(k, v) for k, v in data.items() if k != "type"}
        rels[(u, key, v)] = props
    return {"nodes": nodes, "relationships": rels}


def neo4j_snapshot(driver: neo4j.Driver, database: str | None = None) -> Snapshot:
    nodes: dict[tuple[str, ...], dict[str, Any]] = {}
    records, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_=database
    )
    for record in records:
        (label,) = record["labels"]
        props = {k: _plain(k, v) for k, v in record["props"].items()}
        key = props[PAPER.key if label == PAPER.label else CONCEPT.key]
        nodes[(label, key)] = props
    rels: dict[tuple[str, ...], dict[str, Any]] = {}
    records, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS la, coalesce(a.id, a.key) AS ka, "
        "type(r) AS type, labels(b)[0] AS lb, coalesce(b.id, b.key) AS kb, "
        "properties(r) AS props",
        database_=database,
    )
    for r in records:
        source = f"{r['la'].lower()}:{r['ka']}"
        target = f"{r['lb'].lower()}:{r['kb']}"
        key = (source, r["type"], target)
        assert key not in rels, f"duplicate relationship {key}"
        rels[key] = {k: _plain(k, v) for k, v in r["props"].items()}
    return {"nodes": nodes, "relationships": rels}


def diff(a: Snapshot, b: Snapshot, limit: int = 10) -> str:
    """A short description of how two snapshots differ (for assertion messages)."""
    lines = []
    for part in ("nodes", "relationships"):
        only_a = sorted(set(a[part]) - set(b[part]))
        only_b = sorted(set(b[part]) - set(a[part]))
        lines += [f"{part} only in first: {k}" for k in only_a[:limit]]
        lines += [f"{part} only in second: {k}" for k in only_b[:limit]]
        changed = [k for k in sorted(set(a[part]) & set(b[part])) if a[part][k] != b[part][k]]
        lines += [f"{part} differ at {k}: {a[part][k]} != {b[part][k]}" for k in changed[:limit]]
    return "\n".join(lines) or "(identical)"


def stored_graph(folder: Path) -> GraphView:
    """What the embedded store in ``folder`` holds, co-occurrence included: compares equal
    exactly when the stored graph is the same (a store file's bytes need not be)."""
    with SqliteStore(folder) as store:
        return store.view(co_occurrence=True)
