"""The embedded default store: one SQLite database file in the output folder.

A write is one transaction that touches only the papers in the batch and the concepts they
link to (old and new): each paper's edges and stated links are replaced, then the derived
state of the touched concepts (paper counts, co-occurrence weights, neighbour counts, alias
keys) is brought up to date and concepts no paper supports any more are removed. So a daily
run into a large graph costs what its own papers cost; a crash or a kill leaves the last
committed write (SQLite's journal); two runs writing at once take turns per write
(``BEGIN IMMEDIATE`` with a long busy timeout) and both sets of papers are kept.

The graph in graph.graphml's networkx form is one ``export()`` away (``paperkg export``);
the map and the analyses read ``view()``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import combinations, islice
from pathlib import Path
from typing import Any

import networkx as nx

from pipeline.stores.base import (
    ConceptRow,
    CoOccurrenceRow,
    GraphCounts,
    GraphView,
    LinkRow,
    PaperConceptRow,
    PaperRow,
    Row,
    StoreError,
    WriteSummary,
)
from pipeline.stores.sqlite import queries
from pipeline.stores.sqlite.schema import DDL, SCHEMA_VERSION
from pipeline.stores.views import view_from_networkx, view_to_networkx
from schemas import CONCEPT, PAPER, GraphBatch, LinkType, Paper
from schemas.keys import concept_key

DB_FILE = "graph.sqlite"
LEGACY_GRAPHML = "graph.graphml"
# a write waits this long for another run's write to finish before giving up
BUSY_TIMEOUT_S = 600.0
# SQLite's default limit on host parameters is 32,766; stay well below it
IN_CHUNK = 900


def has_graph(directory: Path) -> bool:
    """Whether ``directory`` holds an embedded graph (or one from before the SQLite store)."""
    return (Path(directory) / DB_FILE).exists() or (Path(directory) / LEGACY_GRAPHML).exists()


def _chunks(items: Iterable[Any], size: int = IN_CHUNK) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _marks(n: int) -> str:
    return ",".join("?" * n)


def alias_keys(name: str, aliases: Sequence[str]) -> set[str]:
    """The keys a query may name a concept by besides its own: those of its name and aliases,
    as ``alias_match`` reads them (an all-lower-case spelling of an acronym normalizes
    differently)."""
    return {k for alias in (name, *aliases)
            for k in (concept_key(alias), concept_key(alias.lower()))}


def _paper_values(paper: Paper) -> tuple[str, ...]:
    return (
        paper.id, paper.title, paper.abstract,
        json.dumps(list(paper.authors), ensure_ascii=False),
        paper.date.isoformat() if paper.date else "", paper.url or "",
        json.dumps(list(paper.categories), ensure_ascii=False), paper.content_hash,
        paper.source,
    )


class SqliteStore:
    """The embedded graph store (a GraphStore): ``graph.sqlite`` in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / DB_FILE
        self._db: sqlite3.Connection | None = None

    # -- connection ------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        legacy = self.directory / LEGACY_GRAPHML
        importing = not self.path.exists() and legacy.exists()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA cache_size=-65536")  # 64 MiB
            version = self._schema_version(db)
            if version is None:
                # (executescript commits first, so the transaction is part of the script;
                # two runs creating the database at once both run it harmlessly)
                db.executescript(
                    f"BEGIN IMMEDIATE; {DDL} INSERT OR IGNORE INTO meta "
                    f"VALUES ('schema_version', '{SCHEMA_VERSION}'); COMMIT;")
            elif version != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: written by another paperkg version "
                                 f"(schema {version}, this one reads {SCHEMA_VERSION})")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: not a readable paperkg database ({error})") from None
        except OSError as error:
            raise StoreError(f"{self.path}: cannot open ({error.strerror or error})") from None
        self._db = db
        if importing:
            self._import_graphml(legacy)
        return db

    @staticmethod
    def _schema_version(db: sqlite3.Connection) -> str | None:
        has_meta = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not has_meta:
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise sqlite3.DatabaseError("it holds other tables")
            return None
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return row[0] if row else None

    def _import_graphml(self, path: Path) -> None:
        """A folder from before the SQLite store: its graph.graphml is read into the
        database once, first_seen dates and all (the file is left as it was)."""
        try:
            graph = nx.MultiDiGraph(nx.read_graphml(path, force_multigraph=True))
        except Exception as error:  # networkx raises several types for a bad file
            self.close()
            self.path.unlink(missing_ok=True)
            raise StoreError(f"{path}: not a readable paperkg GraphML file ({error})") from None
        self.load_view(view_from_networkx(graph))

    def check(self) -> None:
        """Open the database now, if there is one: an unreadable file is a StoreError before
        any work (a folder without a graph is left without one until the first write)."""
        if has_graph(self.directory):
            self.db.execute("SELECT count(*) FROM papers").fetchone()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------

    def write(self, batch: GraphBatch, *, today: dt.date | None = None) -> WriteSummary:
        """Merge ``batch`` per paper in one transaction (see the module docstring)."""
        today_text = (today or dt.date.today()).isoformat()
        db = self.db
        summary = WriteSummary()
        with _transaction(db):
            stored = self._stored_papers([p.id for p in batch.papers])
            old_concepts: dict[int, set[int]] = defaultdict(set)
            for chunk in _chunks([pid for pid, _ in stored.values()]):
                for pid, cid in db.execute(
                    "SELECT DISTINCT pid, cid FROM paper_concepts"
                    f" WHERE pid IN ({_marks(len(chunk))})", chunk,
                ):
                    old_concepts[pid].add(cid)
                marks = _marks(len(chunk))
                db.execute(f"DELETE FROM paper_concepts WHERE pid IN ({marks})", chunk)
                db.execute(f"DELETE FROM stated_links WHERE pid IN ({marks})", chunk)
            for paper in batch.papers:
                if paper.id not in stored:
                    summary.papers_added += 1
                elif stored[paper.id][1] == paper.content_hash:
                    summary.papers_unchanged += 1
                else:
                    summary.papers_updated += 1
            columns = ", ".join(PAPER.properties)
            updates = ", ".join(f"{c} = excluded.{c}" for c in PAPER.properties if c != PAPER.key)
            db.executemany(
                f"INSERT INTO papers ({columns}) VALUES ({_marks(len(PAPER.properties))}) "
                f"ON CONFLICT ({PAPER.key}) DO UPDATE SET {updates}",
                (_paper_values(p) for p in batch.papers),
            )
            pids = self._pids([p.id for p in batch.papers])

            db.executemany(
                "INSERT INTO concepts (key, name, type, aliases, first_seen) VALUES (?, ?, ?, ?, ?)"
                " "
                "ON CONFLICT (key) DO UPDATE SET name = excluded.name, type = excluded.type, "
                "aliases = excluded.aliases",
                ((c.key, c.name, c.type.value, json.dumps(list(c.aliases), ensure_ascii=False),
                  today_text) for c in batch.concepts),
            )
            cids = self._cids([c.key for c in batch.concepts])
            for chunk in _chunks(list(cids.values())):
                db.execute(f"DELETE FROM concept_aliases WHERE cid IN ({_marks(len(chunk))})",
                           chunk)
            db.executemany(
                "INSERT OR IGNORE INTO concept_aliases VALUES (?, ?)",
                ((alias, cids[c.key]) for c in batch.concepts
                 for alias in alias_keys(c.name, c.aliases)),
            )

            new_concepts: dict[int, set[int]] = defaultdict(set)
            edge_rows = []
            for edge in batch.paper_concepts:
                pid, cid = pids[edge.paper_id], cids[edge.concept_key]
                new_concepts[pid].add(cid)
                edge_rows.append((pid, cid, edge.role.value, edge.count, edge.snippet))
            db.executemany("INSERT OR REPLACE INTO paper_concepts VALUES (?, ?, ?, ?, ?)",
                           edge_rows)
            db.executemany(
                "INSERT OR REPLACE INTO stated_links VALUES (?, ?, ?, ?, ?, ?)",
                ((cids[link.source], cids[link.target], link.type.value, pids[link.paper_id],
                  link.paper_id, link.snippet) for link in batch.links),
            )

            touched = set(cids.values())
            for concepts in old_concepts.values():
                touched |= concepts
            touched |= self._update_co_occurrence(old_concepts, new_concepts)
            summary.concepts_removed = self._update_concepts(touched)
        return summary

    def _stored_papers(self, paper_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """id -> (pid, content_hash) of the papers already stored."""
        found: dict[str, tuple[int, str]] = {}
        for chunk in _chunks(paper_ids):
            for pid, paper_id, digest in self.db.execute(
                f"SELECT pid, id, content_hash FROM papers WHERE id IN ({_marks(len(chunk))})",
                chunk,
            ):
                found[paper_id] = (pid, digest)
        return found

    def _pids(self, paper_ids: Sequence[str]) -> dict[str, int]:
        return {paper_id: pid for paper_id, (pid, _) in self._stored_papers(paper_ids).items()}

    def _cids(self, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            found.update(self.db.execute(
                f"SELECT key, cid FROM concepts WHERE key IN ({_marks(len(chunk))})", chunk))
        return found

    def _update_co_occurrence(
        self, old: Mapping[int, set[int]], new: Mapping[int, set[int]]
    ) -> set[int]:
        """Weights change by the difference between each paper's old and new concept pairs;
        a pair no paper holds any more is removed. Returns the concepts whose pairs changed."""
        keys = self._keys_of({c for s in (*old.values(), *new.values()) for c in s})

        def pairs(concepts: set[int]) -> Iterator[tuple[int, int]]:
            ordered = sorted(concepts, key=keys.__getitem__)
            return combinations(ordered, 2)

        delta: Counter[tuple[int, int]] = Counter()
        for concepts in new.values():
            delta.update(pairs(concepts))
        for concepts in old.values():
            delta.subtract(pairs(concepts))
        changes = [(a, b, d) for (a, b), d in delta.items() if d]
        self.db.executemany(
            "INSERT INTO co_occurrence VALUES (?, ?, ?) "
            "ON CONFLICT (a, b) DO UPDATE SET weight = weight + excluded.weight",
            changes,
        )
        gone = [(a, b) for a, b, d in changes if d < 0]
        self.db.executemany("DELETE FROM co_occurrence WHERE a = ? AND b = ? AND weight <= 0",
                            gone)
        return {c for a, b, _ in changes for c in (a, b)}

    def _keys_of(self, cids: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in _chunks(cids):
            found.update(self.db.execute(
                f"SELECT cid, key FROM concepts WHERE cid IN ({_marks(len(chunk))})", chunk))
        return found

    def _update_concepts(self, touched: set[int]) -> int:
        """Paper counts, neighbour counts and removal of the touched concepts; returns how
        many were removed (no paper links to them any more)."""
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (cid INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM touched")
        db.executemany("INSERT OR IGNORE INTO touched VALUES (?)",
                       ((c,) for c in touched))
        db.execute(
            "UPDATE concepts SET paper_count = "
            "(SELECT count(DISTINCT pid) FROM paper_concepts pc WHERE pc.cid = concepts.cid), "
            "neighbors = (SELECT count(*) FROM co_occurrence WHERE a = concepts.cid) "
            "+ (SELECT count(*) FROM co_occurrence WHERE b = concepts.cid) "
            "WHERE cid IN (SELECT cid FROM touched)"
        )
        orphans = [c for (c,) in db.execute(
            "SELECT cid FROM concepts WHERE paper_count = 0 AND cid IN (SELECT cid FROM touched)")]
        for chunk in _chunks(orphans):
            marks = _marks(len(chunk))
            db.execute(f"DELETE FROM concept_aliases WHERE cid IN ({marks})", chunk)
            db.execute(f"DELETE FROM concepts WHERE cid IN ({marks})", chunk)
        return len(orphans)

    def load_view(self, view: GraphView) -> None:
        """Put a whole graph's rows into an empty database, as they are (first_seen dates
        and all); derived state is computed from the rows."""
        db = self.db
        with _transaction(db):
            columns = ", ".join(PAPER.properties)
            db.executemany(
                f"INSERT INTO papers ({columns}) VALUES ({_marks(len(PAPER.properties))})",
                ((p.id, p.title, p.abstract, json.dumps(list(p.authors), ensure_ascii=False),
                  p.date, p.url, json.dumps(list(p.categories), ensure_ascii=False),
                  p.content_hash, p.source) for p in view.papers),
            )
            db.executemany(
                "INSERT INTO concepts (key, name, type, aliases, first_seen)"
                " VALUES (?, ?, ?, ?, ?)",
                ((c.key, c.name, c.type, json.dumps(list(c.aliases), ensure_ascii=False),
                  c.first_seen) for c in view.concepts),
            )
            pids = self._pids([p.id for p in view.papers])
            cids = self._cids([c.key for c in view.concepts])
            db.executemany("INSERT INTO concept_aliases VALUES (?, ?)",
                           ((alias, cids[c.key]) for c in view.concepts
                            for alias in alias_keys(c.name, c.aliases)))
            db.executemany(
                "INSERT INTO paper_concepts VALUES (?, ?, ?, ?, ?)",
                ((pids[r.paper_id], cids[r.concept_key], r.role, r.count, r.snippet)
                 for r in view.paper_concepts),
            )
            db.executemany(
                "INSERT INTO stated_links VALUES (?, ?, ?, ?, ?, ?)",
                ((cids[link.source], cids[link.target], link.type, pids[paper_id], paper_id,
                  link.snippet) for link in view.links for paper_id in link.papers
                 if paper_id in pids),
            )
            concepts: dict[int, set[int]] = defaultdict(set)
            for r in view.paper_concepts:
                concepts[pids[r.paper_id]].add(cids[r.concept_key])
            self._update_co_occurrence({}, concepts)
            self._update_concepts(set(cids.values()))

    # -- reading -------------------------------------------------------------

    def counts(self) -> GraphCounts:
        db = self.db
        papers = db.execute("SELECT count(*) FROM papers").fetchone()[0]
        concepts = dict(db.execute(
            "SELECT type, count(*) FROM concepts GROUP BY type ORDER BY type"))
        relations = Counter(dict(db.execute(
            "SELECT role, count(*) FROM paper_concepts GROUP BY role")))
        relations.update(dict(db.execute(
            "SELECT type, count(*) FROM (SELECT DISTINCT source, target, type FROM stated_links)"
            " GROUP BY type")))
        relations[LinkType.CO_OCCURS_WITH.value] = db.execute(
            "SELECT count(*) FROM co_occurrence").fetchone()[0]
        return GraphCounts(
            papers=papers, concepts_by_type=concepts,
            edges_by_relation={k: v for k, v in sorted(relations.items()) if v},
        )

    def content_hashes(self, paper_ids: Iterable[str]) -> dict[str, str]:
        return {pid: digest for pid, (_, digest) in self._stored_papers(list(paper_ids)).items()
                if digest}

    def run_query(self, name: str, params: Mapping[str, Any]) -> list[Row]:
        return queries.run_query(self.db, name, params)

    def view(self, *, co_occurrence: bool = False) -> GraphView:
        db = self.db
        view = GraphView(co_occurrence=[] if co_occurrence else None)
        view.papers = [
            PaperRow(id=r[0], title=r[1], abstract=r[2], authors=tuple(json.loads(r[3])),
                     date=r[4], url=r[5], categories=tuple(json.loads(r[6])),
                     content_hash=r[7], source=r[8])
            for r in db.execute(f"SELECT {', '.join(PAPER.properties)} FROM papers ORDER BY id")
        ]
        view.concepts = [
            ConceptRow(key=r[0], name=r[1], type=r[2], aliases=tuple(json.loads(r[3])),
                       paper_count=r[4], first_seen=r[5])
            for r in db.execute(
                f"SELECT {', '.join(CONCEPT.properties)} FROM concepts ORDER BY key")
        ]
        view.paper_concepts = [
            PaperConceptRow(*r) for r in db.execute(
                "SELECT p.id, c.key, pc.role, pc.count, pc.snippet FROM paper_concepts pc "
                "JOIN papers p USING (pid) JOIN concepts c USING (cid) "
                "ORDER BY p.id, c.key, pc.role")
        ]
        links: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        for source, target, link_type, paper_id, snippet in db.execute(
            "SELECT s.key, t.key, l.type, l.paper_id, l.snippet FROM stated_links l "
            "JOIN concepts s ON s.cid = l.source JOIN concepts t ON t.cid = l.target "
            "ORDER BY s.key, t.key, l.type, l.paper_id"
        ):
            links.setdefault((source, target, link_type), []).append((paper_id, snippet))
        view.links = [
            LinkRow(source=s, target=t, type=k, weight=len(papers),
                    papers=tuple(p for p, _ in papers), snippet=papers[0][1])
            for (s, t, k), papers in links.items()
        ]
        if co_occurrence:
            view.co_occurrence = [
                CoOccurrenceRow(*r) for r in db.execute(
                    "SELECT ca.key, cb.key, co.weight FROM co_occurrence co "
                    "JOIN concepts ca ON ca.cid = co.a JOIN concepts cb ON cb.cid = co.b "
                    "ORDER BY ca.key, cb.key")
            ]
        return view

    def export(self) -> nx.MultiDiGraph:
        """The whole graph in graph.graphml's form, co-occurrence included."""
        return view_to_networkx(self.view(co_occurrence=True))


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction; the write lock is taken at the start (BEGIN IMMEDIATE), so two
    writers queue instead of one failing half-way with 'database is locked'."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
