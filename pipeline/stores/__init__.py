"""Where the graph is kept: the embedded SQLite database (sqlite/) or Neo4j (neo4j/), both
``GraphStore``s (base.py); ``open_store`` picks one. ``embedded.py`` is the graph.graphml
store of earlier versions, kept as the plain-networkx reference the others are tested
against."""

from __future__ import annotations

from pathlib import Path

from pipeline.stores.base import GraphStore
from pipeline.stores.neo4j.settings import Neo4jSettings
from pipeline.stores.sqlite.store import SqliteStore


def open_store(out_dir: Path, neo4j: Neo4jSettings | None = None) -> GraphStore:
    """The Neo4j database when ``neo4j`` settings are given, else the embedded database in
    ``out_dir`` (opened on first use, or by ``check()``)."""
    if neo4j is None:
        return SqliteStore(out_dir)
    # the driver takes a while to import and only Neo4j users need it
    from pipeline.stores.neo4j.store import Neo4jStore

    return Neo4jStore(neo4j)
