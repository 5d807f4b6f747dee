"""What every graph store shares: the ``GraphStore`` protocol, its results, the one error type,
node ids and rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol, Self

import networkx as nx
from pydantic import BaseModel

from schemas import CONCEPT, PAPER, RELATIONSHIPS, GraphBatch, Role, node_id

Row = dict[str, Any]
PAPER_ROLES = frozenset(r.value for r in Role)


class WriteSummary(BaseModel):
    papers_added: int = 0
    papers_updated: int = 0
    papers_unchanged: int = 0
    concepts_removed: int = 0


class GraphCounts(BaseModel):
    """How much a graph holds; the same numbers from every store holding the same graph."""

    papers: int = 0
    concepts_by_type: dict[str, int] = {}  # sorted by type; a type with no concept is left out
    edges_by_relation: dict[str, int] = {}  # sorted by relationship type; likewise

    @property
    def concepts(self) -> int:
        return sum(self.concepts_by_type.values())

    def by_label_and_type(self) -> dict[str, int]:
        """Nodes per label, then every relationship type of ``schemas`` (0 when there is none):
        the form summary.json records for Neo4j."""
        return {
            PAPER.label: self.papers,
            CONCEPT.label: self.concepts,
            **{spec.type: self.edges_by_relation.get(spec.type, 0) for spec in RELATIONSHIPS},
        }


class PaperRow(NamedTuple):
    id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    date: str  # ISO date, "" when unknown
    url: str  # "" when unknown
    categories: tuple[str, ...]
    content_hash: str
    source: str  # file:line it was read from


class ConceptRow(NamedTuple):
    key: str
    name: str
    type: str
    aliases: tuple[str, ...]
    paper_count: int
    first_seen: str  # ISO date


class PaperConceptRow(NamedTuple):
    paper_id: str
    concept_key: str
    role: str
    count: int
    snippet: str


class LinkRow(NamedTuple):
    """A sentence-stated concept link, over all papers that state it."""

    source: str
    target: str
    type: str
    weight: int  # papers stating it
    papers: tuple[str, ...]  # their ids, sorted
    snippet: str  # from the first of them


class CoOccurrenceRow(NamedTuple):
    a: str  # concept key, a < b
    b: str
    weight: int  # papers linked to both


class GraphView(BaseModel):
    """The whole graph as plain rows, sorted by key: what the map and ``paperkg export`` read.

    Rows are NamedTuples, not models, so a 40,000-paper graph (~600k paper edges) is cheap to
    hold. Co-occurrence (90% of a graph's edges) is only filled in when asked for."""

    model_config = {"arbitrary_types_allowed": True}

    papers: list[PaperRow] = []
    concepts: list[ConceptRow] = []
    paper_concepts: list[PaperConceptRow] = []
    links: list[LinkRow] = []
    co_occurrence: list[CoOccurrenceRow] | None = None


class StoreError(Exception):
    """The store cannot be used (an unreadable file, a Neo4j that fails); the message is one
    line for the user."""


def paper_node(paper_id: str) -> str:
    return node_id(PAPER.label, paper_id)


def concept_node(key: str) -> str:
    return node_id(CONCEPT.label, key)


class GraphStore(Protocol):
    """Where the graph is kept: the embedded GraphML file (``NetworkxStore``) or a Neo4j
    database (``Neo4jStore``); ``pipeline.stores.open_store`` picks one.

    Every store holds the same graph for the same writes and answers a named query with the
    same rows (tests/integration/neo4j: test_neo4j_store.py, test_query_conformance.py).
    Failures are one-line ``StoreError``s; a bad query call is a ``QueryError``. Use as a
    context manager (or call ``close``)."""

    # the file (or folder) an embedded store keeps the graph in, as the run reports it
    # ("graph file: ..."); None for a server
    path: Path | None

    def write(self, batch: GraphBatch, *, today: dt.date | None = None) -> WriteSummary:
        """Merge ``batch`` per paper: a paper in it replaces its own edges and stated links,
        papers not in it are untouched; a new concept's ``first_seen`` is ``today``."""
        ...

    def counts(self) -> GraphCounts:
        """Papers, concepts by type and edges by relationship type, as the graph is now."""
        ...

    def content_hashes(self, paper_ids: Iterable[str]) -> dict[str, str]:
        """The stored ``content_hash`` of each of ``paper_ids`` the store holds: a paper whose
        hash is unchanged need not be extracted again."""
        ...

    def run_query(self, name: str, params: Mapping[str, Any]) -> list[Row]:
        """The rows of the named query ``graph_queries/NAME.cypher``, for parameter values
        already typed and defaulted by ``pipeline.stores.queries.resolve_params``."""
        ...

    def export(self) -> nx.MultiDiGraph:
        """The whole graph as networkx, in graph.graphml's form (node ids from ``paper_node``
        and ``concept_node``, a ``kind`` on every node, edge keys = relationship types, lists
        as JSON text): what the map draws. The caller must not change it."""
        ...

    def view(self, *, co_occurrence: bool = False) -> GraphView:
        """The whole graph as rows (co-occurrence only when asked): what the map draws and
        ``paperkg export`` writes, without building a networkx graph."""
        ...

    def check(self) -> None:
        """Fail now, with a StoreError, if the store cannot be used (before any work)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...
