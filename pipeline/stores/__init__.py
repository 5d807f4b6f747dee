"""Where the graph is kept: the embedded GraphML file (embedded.py) or Neo4j (neo4j/), both
``GraphStore``s (base.py); ``open_store`` picks one."""

from __future__ import annotations

from pathlib import Path

from pipeline.stores.base import GraphStore
from pipeline.stores.embedded import NetworkxStore
from pipeline.stores.neo4j.settings import Neo4jSettings


def open_store(out_dir: Path, neo4j: Neo4jSettings | None = None) -> GraphStore:
    """The Neo4j database when ``neo4j`` settings are given, else the graph file in
    ``out_dir`` (read now: a damaged file is a StoreError here)."""
    if neo4j is None:
        return NetworkxStore(out_dir)
    # the driver takes a while to import and only Neo4j users need it
    from pipeline.stores.neo4j.store import Neo4jStore

    return Neo4jStore(neo4j)
