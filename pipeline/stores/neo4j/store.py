"""Store: Neo4j, holding exactly the graph the embedded store (pipeline/stores/embedded.py)
holds.

Same labels, keys and relationship types (all from ``schemas``), same properties, same
per-paper merge. List properties (authors, categories, aliases, papers) are Neo4j lists of
strings where the GraphML file has JSON strings; missing scalars are "" as in GraphML.
How a batch is loaded: loader.py; the Cypher: statements.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import neo4j
import networkx as nx
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from pipeline.stores.base import GraphCounts, GraphView, Row, StoreError, WriteSummary
from pipeline.stores.neo4j import statements as cypher
from pipeline.stores.neo4j.loader import load
from pipeline.stores.neo4j.settings import Neo4jSettings
from pipeline.stores.queries import (
    alias_match,
    check_params,
    get_query,
    missing_error,
    resolve_concept,
)
from pipeline.stores.views import view_from_networkx
from schemas import NODES, RELATIONSHIPS, GraphBatch, node_id

T = TypeVar("T")

DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe_error(error: Exception, settings: Neo4jSettings, doing: str | None = None) -> str:
    """One line saying what went wrong, never containing the password.

    ``doing`` None means the error came while connecting."""
    where = settings.target
    if isinstance(error, AuthError):
        message = (f"{where} rejected the login of user {settings.username!r} "
                   "(wrong username or password; set NEO4J_PASSWORD)")
    elif isinstance(error, ClientError) and error.code == DATABASE_NOT_FOUND:
        message = (f"{where}: no database named {settings.database!r} "
                   "(set NEO4J_DATABASE or --neo4j-database; Community edition has only 'neo4j')")
    elif isinstance(error, ServiceUnavailable | SessionExpired):
        reason = _one_line(str(error)).lower()
        if "refused" in reason:
            detail = "connection refused: is the server running and the port right?"
        elif "dns resolve" in reason or "name or service not known" in reason:
            detail = "the host name does not resolve"
        elif "timed out" in reason or "timeout" in reason:
            detail = "timed out: is the host and port right, and a firewall open?"
        else:
            detail = "the server is unreachable or went away"
        if doing is None:
            message = f"cannot reach {where} ({detail})"
        else:
            message = f"lost the connection to {where} while {doing} ({detail})"
            if doing == "loading":
                message += "; re-run when it is back: the load is idempotent"
    elif isinstance(error, Neo4jError):
        message = (f"{where} failed while {doing or 'connecting'}: {error.code}: "
                   f"{_one_line(error.message or '')}")
    elif isinstance(error, ConfigurationError):
        message = f"{where}: bad driver configuration ({_one_line(str(error))})"
    else:
        message = (f"{where} failed while {doing or 'connecting'}: {type(error).__name__}: "
                   f"{_one_line(str(error))}")
    secret = settings.password.get_secret_value()
    if secret:
        message = message.replace(secret, "***")
    return message


class Neo4jStore:
    """The graph in a Neo4j database (a GraphStore). Use as a context manager, or call
    ``close()``."""

    path: Path | None = None  # a server: no file (GraphStore.path)

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        try:
            self.driver = neo4j.GraphDatabase.driver(
                settings.uri,
                auth=(settings.username, settings.password.get_secret_value()),
                connection_timeout=settings.connection_timeout,
                max_transaction_retry_time=settings.retry_seconds,
                # the server's hints ("property does not exist yet") are not for users
                notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
            )
        except (DriverError, ValueError) as error:
            raise StoreError(describe_error(error, settings)) from None
        # (concept a, concept b) -> elementId of their CO_OCCURS_WITH, for pairs of frequent
        # concepts; only a hint (checked on use), see CO_OCCURS_BY_ID in statements.py
        self._hot: dict[tuple[str, str], str] = {}
        self.last_rows: Counter[str] = Counter()  # relationship rows the last write sent

    def __repr__(self) -> str:
        return f"<Neo4jStore {self.settings.target}>"

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.driver.close()

    # -- plumbing --------------------------------------------------------------------------

    def _session(self) -> neo4j.Session:
        return self.driver.session(database=self.settings.database)

    def _guard(self, doing: str | None, work: Callable[[], T]) -> T:
        """Run ``work``; any driver or server error becomes a one-line StoreError."""
        try:
            return work()
        except (Neo4jError, DriverError) as error:
            raise StoreError(describe_error(error, self.settings, doing)) from None

    def _write(self, doing: str, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        def run() -> T:
            with self._session() as session:
                return session.execute_write(work)

        return self._guard(doing, run)

    def _read(self, doing: str, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        def run() -> T:
            with self._session() as session:
                return session.execute_read(work)

        return self._guard(doing, run)

    def view(self, *, co_occurrence: bool = False) -> GraphView:
        return view_from_networkx(self.export(), co_occurrence=co_occurrence)

    def check(self) -> None:
        """Log in and run a trivial query on the database, once (no retries); StoreError
        says what failed: unreachable, wrong password or unknown database."""

        def run() -> None:
            with self._session() as session:
                session.run(cypher.CHECK).consume()

        self._guard(None, run)

    # -- schema ----------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Uniqueness constraints on the node keys and the indexes of schemas; idempotent."""

        def run() -> None:
            with self._session() as session:
                for statement in cypher.schema_statements():
                    session.run(statement).consume()  # schema changes need auto-commit
                session.run(cypher.AWAIT_INDEXES).consume()

        self._guard("creating the schema", run)

    # -- writing ---------------------------------------------------------------------------

    def write(self, batch: GraphBatch, *, today: dt.date | None = None) -> WriteSummary:
        """Merge a batch the way NetworkxStore.write does; see pipeline/stores/neo4j/loader.py."""
        self.ensure_schema()
        self.last_rows = Counter()
        loaded = load(batch, today=today or dt.date.today(), read=self._read, write=self._write,
                      hot=self._hot)
        self.last_rows = loaded.rows
        return loaded.summary

    # -- reading ---------------------------------------------------------------------------

    def run_query(self, name: str, params: Mapping[str, Any]) -> list[Row]:
        """Run graph_queries/NAME.cypher with typed parameters; plain Python rows."""
        query = get_query(name)
        values = dict(params)
        check_params(name, values)

        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            # the same "no such paper/concept" errors as the embedded store
            for param in query.params:
                value = values.get(param.name)
                if value is None:
                    continue
                if param.name == "paper":
                    record = tx.run(cypher.PAPER_EXISTS, id=value)
                    if not record.single(strict=True)["n"]:
                        raise missing_error("paper", value)
                elif param.kind == "concept":
                    values[param.name] = resolve_concept(
                        value,
                        lambda key: bool(tx.run(cypher.CONCEPT_EXISTS, key=key)
                                         .single(strict=True)["n"]),
                        lambda key: alias_match(key, (
                            (r["key"], r["aliases"], r["papers"])
                            for r in tx.run(cypher.ALIASED_CONCEPTS))),
                    )
            return [record.data() for record in tx.run(query.cypher, values)]

        return self._read(f"running query {name}", work)

    def content_hashes(self, paper_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(paper_ids))

        def work(tx: neo4j.ManagedTransaction) -> dict[str, str]:
            return {r["id"]: r["hash"] for r in tx.run(cypher.PAPER_HASHES, ids=ids)
                    if r["hash"]}

        return self._read("reading paper hashes", work)

    def counts(self) -> GraphCounts:
        """What NetworkxStore.counts gives for the same writes (the counts come from Neo4j's
        count store, the concept types from one scan of the concepts)."""

        def work(tx: neo4j.ManagedTransaction) -> GraphCounts:
            papers = tx.run(cypher.COUNT_PAPERS).single(strict=True)["n"]
            concepts = {r["type"]: r["n"] for r in tx.run(cypher.CONCEPTS_BY_TYPE) if r["type"]}
            relations = {}
            for rel in cypher.RELATIONSHIP_TYPES:
                count = tx.run(cypher.count_relationships(rel)).single(strict=True)["n"]
                if count:  # as the embedded store counts: only the types there are
                    relations[rel] = count
            return GraphCounts(papers=papers, concepts_by_type=dict(sorted(concepts.items())),
                               edges_by_relation=dict(sorted(relations.items())))

        return self._read("counting", work)

    def export(self) -> nx.MultiDiGraph:
        """The graph NetworkxStore.export gives for the same writes, nodes, edges and
        attributes in the same order, so a map of Neo4j draws the same as the embedded one.
        Reads the whole graph into memory: for maps (which draw at most ``max_nodes``), not
        for moving a large graph."""

        def work(tx: neo4j.ManagedTransaction) -> nx.MultiDiGraph:
            nodes: list[tuple[str, Row]] = []
            for spec in NODES:
                for record in tx.run(cypher.export_nodes(spec.label)):
                    props = record["props"]
                    nodes.append((node_id(spec.label, props[spec.key]),
                                  {"kind": spec.label, **_graphml_values(props)}))
            edges: list[tuple[str, str, str, Row]] = []
            for rel in RELATIONSHIPS:
                for record in tx.run(cypher.export_relationships(rel)):
                    edges.append((node_id(rel.source, record["source"]),
                                  node_id(rel.target, record["target"]), rel.type,
                                  {"type": rel.type, **_graphml_values(record["props"])}))
            graph = nx.MultiDiGraph()
            # the canonical order NetworkxStore.save writes: nodes, then edges, sorted; and
            # attributes sorted by name
            for node, attributes in sorted(nodes, key=lambda n: n[0]):
                graph.add_node(node, **dict(sorted(attributes.items())))
            for u, v, key, attributes in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
                graph.add_edge(u, v, key=key, **dict(sorted(attributes.items())))
            return graph

        return self._read("exporting the graph", work)


def _graphml_values(props: Mapping[str, Any]) -> Row:
    """Neo4j properties as graph.graphml holds them: lists as JSON text (the embedded store
    writes a link's paper ids with json's default ASCII escapes, names as they are)."""
    return {
        name: json.dumps(value, ensure_ascii=name == "papers") if isinstance(value, list)
        else value
        for name, value in props.items()
    }
