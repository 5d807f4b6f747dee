"""Named queries over the SQLite store.

Each function answers the same question as ``graph_queries/NAME.cypher`` does on Neo4j and
returns the same columns, rows and order (tests/integration/neo4j/test_query_conformance.py).
Every query starts from an index (a paper or concept, or a ranking index per concept type), so
it reads what its answer needs, not the graph: a few milliseconds on a 40,000-paper graph,
tens for related-work on a paper linked to the largest concepts.

Text orders agree with Python's and Neo4j's: SQLite compares text by its UTF-8 bytes, which
is code-point order.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from pipeline.stores.base import PAPER_ROLES, Row
from pipeline.stores.queries import (
    QueryError,
    check_params,
    check_role,
    check_type,
    get_query,
    missing_error,
    parse_today,
    resolve_concept,
)
from schemas import ConceptType, LinkType, Role

TYPES = sorted(t.value for t in ConceptType)
ROLES = sorted(PAPER_ROLES)


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _names(prefix: str, values: tuple[str, ...]) -> str:
    return ",".join(f":{prefix}{i}" for i in range(len(values)))


def _values(prefix: str, values: tuple[str, ...]) -> dict[str, str]:
    return {f"{prefix}{i}": value for i, value in enumerate(values)}


def _concept(db: sqlite3.Connection, key: str) -> int:
    """The concept a key names (``resolve_concept``: its key, a name or alias, or the key
    without trailing head words)."""

    def held(variant: str) -> bool:
        return db.execute("SELECT 1 FROM concepts WHERE key = ?", (variant,)).fetchone() is not None

    def by_name(variant: str) -> str | None:
        # the most-mentioned concept with that name or alias, then the smaller key, as
        # ``alias_match`` decides on the other stores
        row = db.execute(
            "SELECT c.key FROM concept_aliases a JOIN concepts c USING (cid) "
            "WHERE a.alias_key = ? ORDER BY c.paper_count DESC, c.key LIMIT 1", (variant,)
        ).fetchone()
        return None if row is None else str(row[0])

    found = resolve_concept(key, held, by_name)
    return int(db.execute("SELECT cid FROM concepts WHERE key = ?", (found,)).fetchone()[0])


def related_work(db: sqlite3.Connection, paper: str, limit: int) -> list[Row]:
    row = db.execute("SELECT pid FROM papers WHERE id = ?", (paper,)).fetchone()
    if row is None:
        raise missing_error("paper", paper)
    papers = db.execute("SELECT count(*) FROM papers").fetchone()[0]
    scores: dict[str, float] = {}
    shared: dict[str, list[tuple[str, str, str, str]]] = {}
    # one row per (edge of this paper, edge of another paper) to the same concept, as the
    # Cypher pattern matches them
    for other, name, concept_type, role, key, paper_count in db.execute(
        "SELECT op.id, c.name, c.type, o.role, c.key, c.paper_count "
        "FROM paper_concepts m JOIN concepts c ON c.cid = m.cid "
        "JOIN paper_concepts o ON o.cid = m.cid AND o.pid != m.pid "
        "JOIN papers op ON op.pid = o.pid "
        "WHERE m.pid = ? ORDER BY c.paper_count, c.key",
        (row[0],),
    ):
        scores[other] = scores.get(other, 0.0) + math.log(papers / paper_count)
        shared.setdefault(other, []).append((name, key, concept_type, role))
    ranked = sorted(
        ((round(score, 4), len(shared[other]), other) for other, score in scores.items()),
        key=lambda r: (-r[0], -r[1], r[2]),
    )[:limit]
    titles = dict(
        db.execute(f"SELECT id, title FROM papers WHERE id IN ({_marks(len(ranked))})",
                   [other for _, _, other in ranked])
    ) if ranked else {}
    return [
        {
            "paper": other,
            "title": titles[other],
            "score": score,
            "shared_count": count,
            "shared_concepts": [
                {"concept": name, "type": concept_type, "role": role}
                for name, _, concept_type, role in sorted(shared[other], key=lambda s: s[:2])
            ],
        }
        for score, count, other in ranked
    ]


def papers_for(db: sqlite3.Connection, concept: str, role: str | None, limit: int) -> list[Row]:
    check_role(role)
    cid = _concept(db, concept)
    roles = ROLES if role is None else [role]
    return [
        {"role": r, "paper": paper_id, "title": title, "mentions": count, "evidence": snippet}
        for r, paper_id, title, count, snippet in db.execute(
            "SELECT pc.role, p.id, p.title, pc.count, pc.snippet FROM paper_concepts pc "
            f"JOIN papers p USING (pid) WHERE pc.cid = ? AND pc.role IN ({_marks(len(roles))}) "
            "ORDER BY pc.role, pc.count DESC, p.id LIMIT ?",
            (cid, *roles, limit),
        )
    ]


def _per_type(
    db: sqlite3.Connection, type: str | None, sql: str, limit: int
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for concept_type in TYPES if type is None else [type]:
        rows.extend(db.execute(sql, (concept_type, limit)))
    return rows


def top_concepts(db: sqlite3.Connection, type: str | None, limit: int) -> list[Row]:
    check_type(type)
    rows = _per_type(
        db, type,
        "SELECT type, name, key, paper_count FROM concepts INDEXED BY concepts_by_papers "
        "WHERE type = ? ORDER BY paper_count DESC, name, key LIMIT ?", limit)
    return [{"type": t, "concept": name, "key": key, "papers": papers}
            for t, name, key, papers in rows]


def central_concepts(db: sqlite3.Connection, type: str | None, limit: int) -> list[Row]:
    check_type(type)
    rows = _per_type(
        db, type,
        "SELECT type, name, key, neighbors, paper_count FROM concepts "
        "INDEXED BY concepts_by_neighbors WHERE type = ? "
        "ORDER BY neighbors DESC, paper_count DESC, name, key LIMIT ?", limit)
    return [{"type": t, "concept": name, "key": key, "neighbors": neighbors, "papers": papers}
            for t, name, key, neighbors, papers in rows]


def concept_neighbors(db: sqlite3.Connection, concept: str, limit: int) -> list[Row]:
    cid = _concept(db, concept)
    co = LinkType.CO_OCCURS_WITH.value
    rows = db.execute(
        f"""
        SELECT c.name, c.type, relation, direction, weight FROM (
          SELECT b AS other, '{co}' AS relation, 'out' AS direction, weight
            FROM co_occurrence WHERE a = :c
          UNION ALL
          SELECT a, '{co}', 'in', weight FROM co_occurrence WHERE b = :c
          UNION ALL
          SELECT target, type, 'out', count(*) FROM stated_links WHERE source = :c
            GROUP BY target, type
          UNION ALL
          SELECT source, type, 'in', count(*) FROM stated_links WHERE target = :c
            GROUP BY source, type
        ) JOIN concepts c ON c.cid = other
        ORDER BY weight DESC, relation, c.name, direction, c.key
        LIMIT :limit
        """,
        {"c": cid, "limit": limit},
    )
    return [{"concept": name, "type": t, "relation": relation, "direction": direction,
             "weight": weight} for name, t, relation, direction, weight in rows]


def _via_papers(
    db: sqlite3.Connection,
    start: int,
    start_roles: tuple[str, ...],
    other_roles: tuple[str, ...],
    other_type: str,
    stated: str,
    forward: bool,
    limit: int,
) -> list[tuple[Any, ...]]:
    """Concepts of ``other_type`` reached from ``start`` through shared papers or a stated
    link: (name, key, papers, stated weight, evidence), best first.

    papers = distinct papers linked to ``start`` by ``start_roles`` and to the concept by
    ``other_roles``; stated = papers stating the ``stated`` link between them (evidence: the
    snippet of the first of those papers by id)."""
    near, far = ("source", "target") if forward else ("target", "source")
    return db.execute(
        f"""
        WITH start_papers AS (
          SELECT DISTINCT pid FROM paper_concepts
          WHERE cid = :start AND role IN ({_names("start_role", start_roles)})
        ), shared AS (
          SELECT o.cid, count(DISTINCT o.pid) AS papers
          FROM start_papers s JOIN paper_concepts o ON o.pid = s.pid
          WHERE o.role IN ({_names("other_role", other_roles)}) AND o.cid != :start
          GROUP BY o.cid
        ), stated AS (
          SELECT {far} AS cid, count(*) AS weight,
                 (SELECT l2.snippet FROM stated_links l2
                  WHERE l2.{near} = :start AND l2.{far} = l.{far} AND l2.type = :stated
                  ORDER BY l2.paper_id LIMIT 1) AS evidence
          FROM stated_links l WHERE {near} = :start AND type = :stated
          GROUP BY {far}
        ), found AS (
          SELECT cid FROM shared UNION SELECT cid FROM stated
        )
        SELECT c.name, c.key, coalesce(shared.papers, 0) AS papers,
               coalesce(stated.weight, 0) AS stated_weight, stated.evidence
        FROM found JOIN concepts c USING (cid)
        LEFT JOIN shared USING (cid) LEFT JOIN stated USING (cid)
        WHERE c.type = :type
        ORDER BY papers DESC, stated_weight DESC, c.name, c.key
        LIMIT :limit
        """,
        {"start": start, "stated": stated, "type": other_type, "limit": limit,
         **_values("start_role", start_roles), **_values("other_role", other_roles)},
    ).fetchall()


def methods_on(db: sqlite3.Connection, concept: str, limit: int) -> list[Row]:
    rows = _via_papers(db, _concept(db, concept), (Role.EVALUATES_ON.value,),
                       (Role.PROPOSES.value, Role.USES.value), ConceptType.METHOD.value,
                       LinkType.EVALUATED_ON.value, forward=False, limit=limit)
    return [{"method": name, "key": key, "papers": papers, "stated": stated, "evidence": ev}
            for name, key, papers, stated, ev in rows]


def tasks_for_method(db: sqlite3.Connection, concept: str, limit: int) -> list[Row]:
    rows = _via_papers(db, _concept(db, concept),
                       (Role.PROPOSES.value, Role.USES.value), (Role.ADDRESSES.value,),
                       ConceptType.TASK.value, LinkType.APPLIED_TO.value, forward=True,
                       limit=limit)
    return [{"task": name, "key": key, "papers": papers, "stated": stated, "evidence": ev}
            for name, key, papers, stated, ev in rows]


def new_concepts(
    db: sqlite3.Connection, days: int, today: str | None, type: str | None, limit: int
) -> list[Row]:
    check_type(type)
    until = parse_today(today)
    since = until - dt.timedelta(days=days)
    types = TYPES if type is None else [type]
    rows = db.execute(
        # in the index's order, so LIMIT stops the scan early
        "SELECT name, key, type, first_seen, paper_count FROM concepts "
        "INDEXED BY concepts_by_first_seen "
        f"WHERE first_seen BETWEEN ? AND ? AND type IN ({_marks(len(types))}) "
        "ORDER BY first_seen DESC, paper_count DESC, name, key LIMIT ?",
        (since.isoformat(), until.isoformat(), *types, limit),
    )
    return [{"concept": name, "key": key, "type": t, "first_seen": first_seen, "papers": papers}
            for name, key, t, first_seen, papers in rows]


QUERIES: Mapping[str, Callable[..., list[Row]]] = {
    "related-work": related_work,
    "papers-for": papers_for,
    "top-concepts": top_concepts,
    "concept-neighbors": concept_neighbors,
    "methods-on": methods_on,
    "tasks-for-method": tasks_for_method,
    "central-concepts": central_concepts,
    "new-concepts": new_concepts,
}


def run_query(db: sqlite3.Connection, name: str, values: Mapping[str, Any]) -> list[Row]:
    """Run a named query with typed values (``resolve_params``), as Neo4j runs its Cypher."""
    get_query(name)
    if name not in QUERIES:
        raise QueryError(f"{name} runs on Neo4j only; configure NEO4J_URI or pass --neo4j-uri")
    check_params(name, values)
    return QUERIES[name](db, **values)
