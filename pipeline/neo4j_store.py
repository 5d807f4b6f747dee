"""Store: Neo4j, holding exactly the graph the embedded store (pipeline/store.py) holds.

Same labels, keys and relationship types (all from ``schemas``), same properties, same
per-paper merge. List properties (authors, categories, aliases, papers) are Neo4j lists of
strings where the GraphML file has JSON strings; missing scalars are "" as in GraphML.

A write runs in four steps, each a series of managed write transactions
(``session.execute_write``, which the driver retries on transient errors) of
``UNWIND $rows ... MERGE`` statements of at most ``ROWS_PER_STATEMENT`` rows:

1. the papers of the batch that are already in the graph are taken out of every
   sentence-stated link (APPLIED_TO, EVALUATED_ON) that lists them; a link no paper states
   any more is deleted;
2. per chunk of ``PAPERS_PER_TRANSACTION`` papers, in ONE transaction: the Paper nodes are
   upserted, the old Paper->Concept edges of those already in the graph read and deleted,
   their concepts upserted (``first_seen`` only set on creation), their new edges created,
   and the CO_OCCURS_WITH weights and ``paper_count`` changed by the difference between the
   papers' old and new concept sets, computed here (so only the pairs and concepts these
   papers touch are written, never the whole graph; see ``_CO_OCCURS_BY_ID`` for how hub
   pairs are kept cheap);
3. the stated links of the batch are merged (``papers`` = sorted union, ``weight`` = its
   size, ``snippet`` as the embedded store picks it);
4. concepts no paper supports any more are deleted.

Because step 2 is one transaction per chunk, the co-occurrence weights always agree with the
Paper->Concept edges, even when the server dies mid-load; every step is safe to repeat, so
re-running the same input after a failure completes the load with no duplicates. One writer
at a time: two concurrent loads of the same papers can double-count co-occurrence deltas.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import combinations
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import neo4j
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from pipeline.store import StoreError, WriteSummary
from schemas import CONCEPT, NODES, PAPER, GraphBatch, LinkType, Paper, Role

T = TypeVar("T")
Row = dict[str, Any]

DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
ROWS_PER_STATEMENT = 10_000
PAPERS_PER_TRANSACTION = 2_000
HOT_SHARE = 0.005  # concepts in 0.5% of a chunk's papers: their pairs' relationship ids are kept
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

ROLE_TYPES: tuple[str, ...] = tuple(r.value for r in Role)
ROLES_PATTERN = "|".join(ROLE_TYPES)  # PROPOSES|USES|EVALUATES_ON|ADDRESSES, from schemas
STATED_TYPES: tuple[str, ...] = (LinkType.APPLIED_TO.value, LinkType.EVALUATED_ON.value)
STATED_PATTERN = "|".join(STATED_TYPES)
CO_OCCURS = LinkType.CO_OCCURS_WITH.value
P, C = PAPER.label, CONCEPT.label


class Neo4jSettings(BaseModel):
    """Where the Neo4j server is and how to log in. ``repr`` never shows the password."""

    model_config = ConfigDict(frozen=True)

    uri: str
    username: str = "neo4j"
    password: SecretStr = SecretStr("")
    database: str | None = None  # None: the server's default database
    connection_timeout: float = 10.0
    retry_seconds: float = 15.0  # how long execute_write keeps retrying a lost connection

    @field_validator("uri")
    @classmethod
    def _known_scheme(cls, uri: str) -> str:
        scheme = urlsplit(uri).scheme
        if scheme not in URI_SCHEMES or not urlsplit(uri).hostname:
            raise ValueError(
                f"{safe_uri(uri)!r} is not a Neo4j URI: use bolt://HOST:7687 or "
                "neo4j://HOST:7687 (neo4j+s:// for Aura)"
            )
        return uri

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        username: str | None = None,
        password: str | None = None,
        database: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Neo4jSettings:
        """Explicit values win over NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE."""
        env = os.environ if environ is None else environ
        uri = uri or env.get("NEO4J_URI")
        if not uri:
            raise StoreError("no Neo4j configured: set NEO4J_URI or pass --neo4j-uri")
        # the driver refuses user:password@ in a URI (and would quote it): log in with them
        parts = urlsplit(uri)
        uri_user = unquote(parts.username) if parts.username else None
        uri_password = unquote(parts.password) if parts.password is not None else None
        uri = safe_uri(uri)
        if password is None:
            password = uri_password if uri_password is not None else env.get("NEO4J_PASSWORD")
        try:
            return cls(
                uri=uri,
                username=username or uri_user or env.get("NEO4J_USERNAME") or "neo4j",
                password=SecretStr(password or ""),
                database=database or env.get("NEO4J_DATABASE") or None,
            )
        except ValueError as error:
            # pydantic's message would quote the input; say it in our own words, one line
            message = "; ".join(str(e["msg"]).removeprefix("Value error, ")
                                for e in getattr(error, "errors", lambda: [])())
            raise StoreError(f"NEO4J_URI {message or 'is not valid'}") from None

    @property
    def target(self) -> str:
        """The server and database, for messages (no credentials)."""
        database = f", database {self.database!r}" if self.database else ""
        return f"Neo4j at {safe_uri(self.uri)}{database}"


def safe_uri(uri: str) -> str:
    """The URI without any user:password@ part, for messages."""
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{host}{port}").geturl()


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


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def paper_properties(paper: Paper) -> Row:
    """The Paper node's properties: the GraphML values, with lists as lists."""
    return {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "date": paper.date.isoformat() if paper.date else "",
        "url": paper.url or "",
        "categories": list(paper.categories),
        "content_hash": paper.content_hash,
        "source": paper.source,
    }


# -- Cypher: every label and relationship type comes from schemas, every value is a parameter --

_READ_HASHES = f"""
UNWIND $ids AS id
MATCH (p:{P} {{id: id}})
RETURN p.id AS id, p.content_hash AS content_hash
"""

_UNSTATE = f"""
UNWIND $ids AS id
MATCH (:{P} {{id: id}})-[:{ROLES_PATTERN}]->(:{C})-[r:{STATED_PATTERN}]-(:{C})
WHERE id IN r.papers
WITH r, collect(DISTINCT id) AS gone
SET r.papers = [x IN r.papers WHERE NOT x IN gone]
SET r.weight = size(r.papers)
WITH r WHERE size(r.papers) = 0
DELETE r
"""

_UPSERT_PAPERS = f"""
UNWIND $rows AS row
MERGE (p:{P} {{id: row.id}})
SET p = row
RETURN row.id AS key, elementId(p) AS id
"""

_DROP_PAPER_EDGES = f"""
UNWIND $ids AS id
MATCH (p:{P} {{id: id}})-[r:{ROLES_PATTERN}]->(c:{C})
WITH id, r, c.key AS key, elementId(c) AS cid
DELETE r
RETURN id, collect(DISTINCT [key, cid]) AS keys
"""

# ``created``: no paper has the concept yet, so it has no CO_OCCURS_WITH relationship either
# (a pair's weight and both paper_counts change in the same transaction): new to the graph, or
# left with no papers and not yet removed as an orphan.
_UPSERT_CONCEPTS = f"""
UNWIND $rows AS row
MERGE (c:{C} {{key: row.key}})
ON CREATE SET c.first_seen = $today, c.paper_count = 0
SET c.name = row.name, c.type = row.type, c.aliases = row.aliases
RETURN row.key AS key, elementId(c) AS id, c.paper_count = 0 AS created
"""


def _merge_role_edges(role: str) -> str:
    if role not in ROLE_TYPES:
        raise ValueError(f"not a role: {role!r}")
    # The papers' edges were deleted earlier in the same transaction and the rows are
    # de-duplicated, so CREATE cannot duplicate (a MERGE would scan the dense concept side).
    # Nodes are found by the elementIds the upserts returned in this transaction: an O(1)
    # record read where a key lookup is an index seek (a quarter of the server's time).
    return f"""
UNWIND $rows AS row
MATCH (p) WHERE elementId(p) = row.p
MATCH (c) WHERE elementId(c) = row.c
CREATE (p)-[:{role} {{count: row.count, snippet: row.snippet}}]->(c)
"""


# CO_OCCURS_WITH weight changes, one row per concept pair (a, b: a < b, d: the change), in
# statements chosen so that no pair is looked up that cannot exist, a hub's relationship
# chain is not walked for every chunk, and only the (rare) losing pairs need an Eager
# (read/delete) barrier:
# - pairs with a concept created in this transaction cannot have a relationship yet: CREATE;
# - other pairs gaining weight: MERGE. With both endpoints bound, Expand(Into) walks the
#   endpoint with fewer CO_OCCURS_WITH relationships, so a pair (hub, rare concept) costs
#   the rare concept's few relationships. A pair of two hubs costs thousands, though, and
#   every chunk has hundreds of them: the store remembers the elementId of those
#   relationships (``_hot``) and updates them by id (an O(1) seek, checked against both
#   endpoint keys, so a stale or reused id is never trusted; misses fall back to MERGE);
# - pairs losing weight exist (their papers had both concepts): MATCH, and delete at 0.
_CO_OCCURS_BY_ID = f"""
UNWIND $rows AS row
MATCH (a:{C})-[r:{CO_OCCURS}]->(b:{C})
WHERE elementId(r) = row.id AND a.key = row.a AND b.key = row.b
SET r.weight = r.weight + row.d
RETURN row.a AS a, row.b AS b
"""

_CO_OCCURS_CREATE = f"""
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.ia
MATCH (b) WHERE elementId(b) = row.ib
CREATE (a)-[:{CO_OCCURS} {{weight: row.d}}]->(b)
"""

_CO_OCCURS_ADD = f"""
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.ia
MATCH (b) WHERE elementId(b) = row.ib
MERGE (a)-[r:{CO_OCCURS}]->(b)
ON CREATE SET r.weight = row.d
ON MATCH SET r.weight = r.weight + row.d
WITH row, r WHERE row.hot
RETURN row.a AS a, row.b AS b, elementId(r) AS id
"""

_CO_OCCURS_SUBTRACT = f"""
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.ia
MATCH (b) WHERE elementId(b) = row.ib
MATCH (a)-[r:{CO_OCCURS}]->(b)
SET r.weight = r.weight + row.d
WITH r WHERE r.weight <= 0
DELETE r
"""

# paper_count changes by the papers that gained the concept minus those that lost it
# (computed from the papers' old and new concept sets, like the co-occurrence deltas).
_COUNT_DELTA = """
UNWIND $rows AS row
MATCH (c) WHERE elementId(c) = row.id
SET c.paper_count = c.paper_count + row.d
"""


def _read_stated(link_type: str) -> str:
    if link_type not in STATED_TYPES:
        raise ValueError(f"not a stated link type: {link_type!r}")
    return f"""
UNWIND $rows AS row
MATCH (s:{C} {{key: row.source}})-[r:{link_type}]->(t:{C} {{key: row.target}})
RETURN s.key AS source, t.key AS target, r.papers AS papers, r.snippet AS snippet
"""


def _write_stated(link_type: str) -> str:
    if link_type not in STATED_TYPES:
        raise ValueError(f"not a stated link type: {link_type!r}")
    return f"""
UNWIND $rows AS row
MATCH (s:{C} {{key: row.source}})
MATCH (t:{C} {{key: row.target}})
MERGE (s)-[r:{link_type}]->(t)
SET r.papers = row.papers, r.weight = size(row.papers), r.snippet = row.snippet
"""


_DROP_ORPHANS = f"""
MATCH (c:{C})
WHERE NOT EXISTS {{ (c)<-[:{ROLES_PATTERN}]-(:{P}) }}
DETACH DELETE c
RETURN count(c) AS removed
"""


class _StatedAdd(BaseModel):
    """All of a batch's statements of one link, folded the way the embedded store adds them."""

    ids: set[str]
    first: str  # the smallest paper id stating it in the batch
    snippet: str  # the snippet of the last statement by ``first``


def _fold_stated(batch: GraphBatch) -> dict[tuple[str, str, str], _StatedAdd]:
    folded: dict[tuple[str, str, str], _StatedAdd] = {}
    for link in batch.links:
        key = (link.type.value, link.source, link.target)
        current = folded.get(key)
        if current is None:
            folded[key] = _StatedAdd(ids={link.paper_id}, first=link.paper_id,
                                     snippet=link.snippet)
            continue
        current.ids.add(link.paper_id)
        if link.paper_id <= current.first:
            current.first, current.snippet = link.paper_id, link.snippet
    return folded


def _key_ids(result: neo4j.Result) -> dict[str, str]:
    return {record["key"]: record["id"] for record in result}


def _expect(result: neo4j.Result, counter: str, wanted: int) -> None:
    """Fail the transaction (so it rolls back) unless the statement changed ``wanted`` things:
    a node looked up by elementId was gone, which only a second writer can cause."""
    done = getattr(result.consume().counters, counter)
    if done != wanted:
        raise StoreError(
            f"the graph changed while loading ({counter} {done}, expected {wanted}): another "
            "process is writing to it; load again when it has finished"
        )


class Neo4jStore:
    """The graph in a Neo4j database. Use as a context manager, or call ``close()``."""

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
        # concepts; only a hint (checked on use), see _CO_OCCURS_BY_ID
        self._hot: dict[tuple[str, str], str] = {}

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

    def check(self) -> None:
        """Log in and run a trivial query on the database, once (no retries); StoreError
        says what failed: unreachable, wrong password or unknown database."""

        def run() -> None:
            with self._session() as session:
                session.run("RETURN 1").consume()

        self._guard(None, run)

    # -- schema ----------------------------------------------------------------------------

    def schema_statements(self) -> list[str]:
        statements = []
        for spec in NODES:
            label = spec.label.lower()
            statements.append(
                f"CREATE CONSTRAINT {label}_{spec.key}_unique IF NOT EXISTS "
                f"FOR (n:{spec.label}) REQUIRE n.{spec.key} IS UNIQUE"
            )
            statements.extend(
                f"CREATE INDEX {label}_{prop} IF NOT EXISTS FOR (n:{spec.label}) ON (n.{prop})"
                for prop in spec.indexes
            )
        return statements

    def ensure_schema(self) -> None:
        """Uniqueness constraints on the node keys and the indexes of schemas; idempotent."""

        def run() -> None:
            with self._session() as session:
                for statement in self.schema_statements():
                    session.run(statement).consume()  # schema changes need auto-commit
                session.run("CALL db.awaitIndexes(300)").consume()

        self._guard("creating the schema", run)

    # -- writing ---------------------------------------------------------------------------

    def write(self, batch: GraphBatch, *, today: dt.date | None = None) -> WriteSummary:
        """Merge a batch the way NetworkxStore.write does; see the module docstring."""
        today_text = (today or dt.date.today()).isoformat()
        self.ensure_schema()
        summary = WriteSummary()
        self.last_rows: Counter[str] = Counter()  # relationship rows sent, for bench/
        self._attempts: dict[int, Counter[str]] = {}
        ids = [p.id for p in batch.papers]

        existing: dict[str, str] = {}
        for chunk in _chunks(ids, ROWS_PER_STATEMENT):
            existing.update(self._read("reading papers", lambda tx, c=chunk: {
                r["id"]: r["content_hash"] for r in tx.run(_READ_HASHES, ids=list(c))
            }))
        for paper in batch.papers:
            if paper.id not in existing:
                summary.papers_added += 1
            elif existing[paper.id] == paper.content_hash:
                summary.papers_unchanged += 1
            else:
                summary.papers_updated += 1

        # 1. take the batch's papers out of the links they stated before (a paper new to the
        # graph stated none)
        for chunk in _chunks([pid for pid in ids if pid in existing], ROWS_PER_STATEMENT):
            self._write("loading", lambda tx, c=chunk: tx.run(_UNSTATE, ids=list(c)).consume())

        # 2. papers, their edges and the derived state, one transaction per chunk
        edges_by_paper: dict[str, list[Row]] = defaultdict(list)
        for edge in batch.paper_concepts:
            edges_by_paper[edge.paper_id].append(
                {"paper": edge.paper_id, "concept": edge.concept_key, "role": edge.role.value,
                 "count": edge.count, "snippet": edge.snippet}
            )
        concepts = {c.key: c for c in batch.concepts}
        placed: set[str] = set()
        # concept key -> elementId, learnt from the committed chunks of this write (no node is
        # deleted before step 4, so they stay valid until then)
        concept_ids: dict[str, str] = {}
        paper_chunks = list(_chunks(batch.papers, PAPERS_PER_TRANSACTION))
        for index, papers in enumerate(paper_chunks):
            keys = [e["concept"] for p in papers for e in edges_by_paper[p.id]]
            if index == len(paper_chunks) - 1:  # concepts no edge names still get their update
                keys += list(concepts)
            rows = []
            for key in keys:
                if key in concepts and key not in placed:
                    placed.add(key)
                    c = concepts[key]
                    rows.append({"key": c.key, "name": c.name, "type": c.type.value,
                                 "aliases": list(c.aliases)})
            edges = [e for p in papers for e in edges_by_paper[p.id]]
            concept_ids.update(self._write("loading", lambda tx, p=papers, r=rows, e=edges,
                                           i=index: (
                self._write_papers(tx, p, r, e, today_text, self._stats(i), existing,
                                   self._hot, concept_ids))))

        # 3. the links stated by the batch
        folded = _fold_stated(batch)
        items = sorted(folded.items())
        for chunk in _chunks(items, ROWS_PER_STATEMENT):
            self._write("loading", lambda tx, c=chunk: self._write_stated(tx, c))
        self.last_rows["stated_link_rows"] = len(items)
        for counted in self._attempts.values():
            self.last_rows.update(counted)

        # 4. concepts no paper supports any more
        summary.concepts_removed = self._write(
            "loading", lambda tx: tx.run(_DROP_ORPHANS).single(strict=True)["removed"]
        )
        return summary

    def _stats(self, chunk: int) -> Counter[str]:
        """Row counters for a chunk's transaction (a retried attempt starts again)."""
        counter: Counter[str] = Counter()
        self._attempts[chunk] = counter
        return counter

    @staticmethod
    def _write_papers(
        tx: neo4j.ManagedTransaction,
        papers: Sequence[Paper],
        concept_rows: list[Row],
        edges: list[Row],
        today: str,
        stats: Counter[str],
        existing: Mapping[str, str],
        hot: dict[tuple[str, str], str],
        known_ids: Mapping[str, str],
    ) -> dict[str, str]:
        """One chunk's transaction; returns the elementIds of the concepts it upserted."""
        ids = [p.id for p in papers]
        stats["paper_edge_rows"] += len(edges)
        paper_ids: dict[str, str] = {}
        for chunk in _chunks([paper_properties(p) for p in papers], ROWS_PER_STATEMENT):
            paper_ids.update(_key_ids(tx.run(_UPSERT_PAPERS, rows=list(chunk))))
        node_ids = dict(known_ids)  # concept key -> elementId, for this transaction
        old: dict[str, set[str]] = {pid: set() for pid in ids}
        # only papers that were in the graph before this write can have edges to drop
        for chunk in _chunks([pid for pid in ids if pid in existing], ROWS_PER_STATEMENT):
            for record in tx.run(_DROP_PAPER_EDGES, ids=list(chunk)):
                old[record["id"]] = {key for key, _ in record["keys"]}
                node_ids.update((key, cid) for key, cid in record["keys"])
        upserted: dict[str, str] = {}
        created: set[str] = set()  # concepts with no papers (and so no pairs) before this
        for chunk in _chunks(concept_rows, ROWS_PER_STATEMENT):
            for record in tx.run(_UPSERT_CONCEPTS, rows=list(chunk), today=today):
                upserted[record["key"]] = record["id"]
                if record["created"]:
                    created.add(record["key"])
        node_ids.update(upserted)
        new: dict[str, set[str]] = {pid: set() for pid in ids}
        by_role: dict[str, list[Row]] = defaultdict(list)
        latest = {(e["paper"], e["concept"], e["role"]): e for e in edges}  # the last one wins
        for edge in latest.values():
            if edge["concept"] not in node_ids:
                continue  # a concept the batch does not define: nothing to link to
            by_role[edge["role"]].append(
                {"p": paper_ids[edge["paper"]], "c": node_ids[edge["concept"]],
                 "count": edge["count"], "snippet": edge["snippet"]})
            new.setdefault(edge["paper"], set()).add(edge["concept"])
        for role in ROLE_TYPES:  # types from schemas, never from the rows
            for chunk in _chunks(by_role.get(role, []), ROWS_PER_STATEMENT):
                _expect(tx.run(_merge_role_edges(role), rows=list(chunk)),
                        "relationships_created", len(chunk))

        # CO_OCCURS_WITH is stored from the smaller key to the larger, weight = papers with
        # both: change it by (pairs of the new concept sets) - (pairs of the old ones).
        # paper_count likewise: + papers that gained the concept - papers that lost it.
        delta: Counter[tuple[str, str]] = Counter()
        counts: Counter[str] = Counter()
        for pid in new.keys() | old.keys():
            before, after = old.get(pid, set()), new.get(pid, set())
            if before == after:
                continue
            delta.update(combinations(sorted(after), 2))
            delta.subtract(combinations(sorted(before), 2))
            counts.update(after - before)
            counts.subtract(before - after)
        pairs: dict[str, list[Row]] = defaultdict(list)
        for (a, b), d in sorted(delta.items()):
            if d:
                kind = ("subtract" if d < 0 else
                        "create" if a in created or b in created else "add")
                pairs[kind].append({"a": a, "b": b, "ia": node_ids[a], "ib": node_ids[b],
                                    "d": d})
        stats["co_occurrence_rows"] += sum(len(rows) for rows in pairs.values())
        # a pair is "hot" when both concepts are in HOT_SHARE of the chunk's papers
        papers_with: Counter[str] = Counter(k for keys in new.values() for k in keys)
        hot_min = max(2, HOT_SHARE * len(ids))
        by_id = [dict(row, id=hot[(row["a"], row["b"])]) for row in pairs["add"]
                 if (row["a"], row["b"]) in hot]
        found: set[tuple[str, str]] = set()
        for chunk in _chunks(by_id, ROWS_PER_STATEMENT):
            found.update((r["a"], r["b"]) for r in tx.run(_CO_OCCURS_BY_ID, rows=list(chunk)))
        add = [dict(row, hot=papers_with[row["a"]] >= hot_min
                    and papers_with[row["b"]] >= hot_min)
               for row in pairs["add"] if (row["a"], row["b"]) not in found]
        for chunk in _chunks(add, ROWS_PER_STATEMENT):
            hot.update(((r["a"], r["b"]), r["id"]) for r in tx.run(_CO_OCCURS_ADD,
                                                                  rows=list(chunk)))
        for row in pairs["subtract"]:
            hot.pop((row["a"], row["b"]), None)
        for chunk in _chunks(pairs["subtract"], ROWS_PER_STATEMENT):
            tx.run(_CO_OCCURS_SUBTRACT, rows=list(chunk)).consume()
        for chunk in _chunks(pairs["create"], ROWS_PER_STATEMENT):
            _expect(tx.run(_CO_OCCURS_CREATE, rows=list(chunk)),
                    "relationships_created", len(chunk))
        changed = [{"id": node_ids[k], "d": d} for k, d in sorted(counts.items()) if d]
        for chunk in _chunks(changed, ROWS_PER_STATEMENT):
            _expect(tx.run(_COUNT_DELTA, rows=list(chunk)), "properties_set", len(chunk))
        return upserted

    @staticmethod
    def _write_stated(
        tx: neo4j.ManagedTransaction,
        items: Sequence[tuple[tuple[str, str, str], _StatedAdd]],
    ) -> None:
        for link_type in STATED_TYPES:
            wanted = [(k, add) for k, add in items if k[0] == link_type]
            if not wanted:
                continue
            keys = [{"source": k[1], "target": k[2]} for k, _ in wanted]
            current = {
                (r["source"], r["target"]): (list(r["papers"]), r["snippet"])
                for r in tx.run(_read_stated(link_type), rows=keys)
            }
            rows = []
            for (_, source, target), add in wanted:
                papers, snippet = current.get((source, target), ([], add.snippet))
                # the embedded store takes a statement's snippet when its paper is then the
                # smallest id stating the link
                if not papers or add.first <= min(papers):
                    snippet = add.snippet
                rows.append({"source": source, "target": target,
                             "papers": sorted({*papers, *add.ids}), "snippet": snippet})
            tx.run(_write_stated(link_type), rows=rows).consume()

    # -- reading ---------------------------------------------------------------------------

    def run_query(self, name: str, params: Mapping[str, Any]) -> list[Row]:
        """Run graph_queries/NAME.cypher with typed parameters; plain Python rows."""
        from pipeline.query import alias_match, check_params, get_query, missing_error

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
                    record = tx.run(f"MATCH (p:{P} {{id: $id}}) RETURN count(p) AS n", id=value)
                    if not record.single(strict=True)["n"]:
                        raise missing_error("paper", value)
                elif param.kind == "concept":
                    record = tx.run(f"MATCH (c:{C} {{key: $key}}) RETURN count(c) AS n", key=value)
                    if record.single(strict=True)["n"]:
                        continue
                    aliased = tx.run(
                        f"MATCH (c:{C}) WHERE size(c.aliases) > 0 "
                        "RETURN c.key AS key, c.aliases AS aliases, c.paper_count AS papers"
                    )
                    resolved = alias_match(
                        value, ((r["key"], r["aliases"], r["papers"]) for r in aliased)
                    )
                    if resolved is None:
                        raise missing_error("concept", value)
                    values[param.name] = resolved
            return [record.data() for record in tx.run(query.cypher, values)]

        return self._read(f"running query {name}", work)

    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type (for summaries and tests)."""

        def work(tx: neo4j.ManagedTransaction) -> dict[str, int]:
            result: dict[str, int] = {}
            for spec in NODES:
                result[spec.label] = tx.run(
                    f"MATCH (n:{spec.label}) RETURN count(n) AS n").single(strict=True)["n"]
            for rel in (*ROLE_TYPES, CO_OCCURS, *STATED_TYPES):
                result[rel] = tx.run(
                    f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n").single(strict=True)["n"]
            return result

        return self._read("counting", work)
