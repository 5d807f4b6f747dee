"""Named queries over the embedded store.

Each function answers the same question as ``graph_queries/NAME.cypher`` does on Neo4j and
returns the same columns in the same order, so the two backends can be compared row by row.
(No embedded Cypher engine runs these queries as written; see the field notes.)
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx

from graph_queries import NamedQuery
from pipeline.stores.base import PAPER_ROLES, Row, concept_node, paper_node
from pipeline.stores.queries import (
    QueryError,
    alias_match,
    check_params,
    check_role,
    check_type,
    get_query,
    missing_error,
    parse_today,
    resolve_concept,
    resolve_params,
)
from schemas import CONCEPT, ConceptType, LinkType, Role

CONCEPT_LINKS = frozenset(t.value for t in LinkType)


def _concept(graph: nx.MultiDiGraph, key: str) -> str:
    def by_name(variant: str) -> str | None:
        return alias_match(variant, (
            (data["key"], [data["name"], *json.loads(data["aliases"] or "[]")],
             data["paper_count"])
            for _, data in graph.nodes(data=True)
            if data.get("kind") == CONCEPT.label
        ))

    return concept_node(resolve_concept(key, lambda k: concept_node(k) in graph, by_name))


def related_work(graph: nx.MultiDiGraph, paper: str, limit: int) -> list[Row]:
    node = paper_node(paper)
    if node not in graph:
        raise missing_error("paper", paper)
    papers = sum(1 for _, kind in graph.nodes(data="kind") if kind == "Paper")
    scores: dict[str, float] = {}
    shared: dict[str, list[Row]] = {}
    for _, concept in graph.out_edges(node):
        data = graph.nodes[concept]
        weight = math.log(papers / data["paper_count"])
        for other, _, role in graph.in_edges(concept, keys=True):
            if other == node or role not in PAPER_ROLES:
                continue
            scores[other] = scores.get(other, 0.0) + weight
            shared.setdefault(other, []).append(
                {"concept": data["name"], "type": data["type"], "role": role, "_key": data["key"]}
            )
    rows = [
        {
            "paper": graph.nodes[other]["id"],
            "title": graph.nodes[other]["title"],
            "score": round(score, 4),
            "shared_count": len(shared[other]),
            "shared_concepts": [
                {k: v for k, v in r.items() if k != "_key"}
                for r in sorted(shared[other], key=lambda r: (r["concept"], r["_key"]))
            ],
        }
        for other, score in scores.items()
    ]
    rows.sort(key=lambda r: (-r["score"], -r["shared_count"], r["paper"]))
    return rows[:limit]


def papers_for(graph: nx.MultiDiGraph, concept: str, role: str | None, limit: int) -> list[Row]:
    check_role(role)
    node = _concept(graph, concept)
    rows = [
        {
            "role": key,
            "paper": graph.nodes[source]["id"],
            "title": graph.nodes[source]["title"],
            "mentions": data["count"],
            "evidence": data["snippet"],
        }
        for source, _, key, data in graph.in_edges(node, keys=True, data=True)
        if key in PAPER_ROLES and (role is None or key == role)
    ]
    rows.sort(key=lambda r: (r["role"], -r["mentions"], r["paper"]))
    return rows[:limit]


def top_concepts(graph: nx.MultiDiGraph, type: str | None, limit: int) -> list[Row]:
    check_type(type)
    by_type: dict[str, list[Row]] = {}
    for _, data in graph.nodes(data=True):
        if data.get("kind") != CONCEPT.label or (type is not None and data["type"] != type):
            continue
        by_type.setdefault(data["type"], []).append(
            {"type": data["type"], "concept": data["name"], "key": data["key"],
             "papers": data["paper_count"]}
        )
    rows: list[Row] = []
    for concept_type in sorted(by_type):
        ranked = sorted(by_type[concept_type],
                        key=lambda r: (-r["papers"], r["concept"], r["key"]))
        rows.extend(ranked[:limit])
    rows.sort(key=lambda r: (r["type"], -r["papers"], r["concept"], r["key"]))
    return rows


def concept_neighbors(graph: nx.MultiDiGraph, concept: str, limit: int) -> list[Row]:
    node = _concept(graph, concept)
    rows = []
    edges = [(v, k, d, "out") for _, v, k, d in graph.out_edges(node, keys=True, data=True)]
    edges += [(u, k, d, "in") for u, _, k, d in graph.in_edges(node, keys=True, data=True)]
    for other, key, data, direction in edges:
        if key not in CONCEPT_LINKS:
            continue
        rows.append(
            {
                "concept": graph.nodes[other]["name"],
                "type": graph.nodes[other]["type"],
                "relation": key,
                "direction": direction,
                "weight": data["weight"],
                "_key": graph.nodes[other]["key"],
            }
        )
    rows.sort(key=lambda r: (-r["weight"], r["relation"], r["concept"], r["direction"],
                             r["_key"]))
    return [{k: v for k, v in r.items() if k != "_key"} for r in rows[:limit]]


def _paper_links(graph: nx.MultiDiGraph, node: str, roles: frozenset[str]) -> set[str]:
    """Papers linked to a concept node by one of ``roles``."""
    return {u for u, _, k in graph.in_edges(node, keys=True) if k in roles}


def _via_papers(
    graph: nx.MultiDiGraph,
    start: str,
    start_roles: frozenset[str],
    other_roles: frozenset[str],
    other_type: str,
    stated: str,
    forward: bool,
) -> list[Row]:
    """Concepts of ``other_type`` reached from ``start`` through shared papers or a stated link.

    papers = distinct papers linked to ``start`` by ``start_roles`` and to the concept by
    ``other_roles``; stated = weight of the ``stated`` link between them (0 when none).
    """
    found: dict[str, set[str]] = {}
    for paper in _paper_links(graph, start, start_roles):
        for _, other, role in graph.out_edges(paper, keys=True):
            if role in other_roles and other != start:
                found.setdefault(other, set()).add(paper)
    links = {}
    edges = (graph.out_edges(start, keys=True, data=True) if forward
             else graph.in_edges(start, keys=True, data=True))
    for u, v, key, data in edges:
        if key == stated:
            other = v if forward else u
            links[other] = data
            found.setdefault(other, set())
    rows = []
    for other, papers in found.items():
        data = graph.nodes[other]
        if data["type"] != other_type:
            continue
        link = links.get(other)
        rows.append({
            "name": data["name"],
            "key": data["key"],
            "papers": len(papers),
            "stated": link["weight"] if link else 0,
            "evidence": link["snippet"] if link else None,
        })
    rows.sort(key=lambda r: (-r["papers"], -r["stated"], r["name"], r["key"]))
    return rows


def methods_on(graph: nx.MultiDiGraph, concept: str, limit: int) -> list[Row]:
    rows = _via_papers(graph, _concept(graph, concept), frozenset({Role.EVALUATES_ON.value}),
                       frozenset({Role.PROPOSES.value, Role.USES.value}),
                       ConceptType.METHOD.value, LinkType.EVALUATED_ON.value, forward=False)
    return [{"method": r.pop("name"), **r} for r in rows[:limit]]


def tasks_for_method(graph: nx.MultiDiGraph, concept: str, limit: int) -> list[Row]:
    rows = _via_papers(graph, _concept(graph, concept),
                       frozenset({Role.PROPOSES.value, Role.USES.value}),
                       frozenset({Role.ADDRESSES.value}),
                       ConceptType.TASK.value, LinkType.APPLIED_TO.value, forward=True)
    return [{"task": r.pop("name"), **r} for r in rows[:limit]]


def central_concepts(graph: nx.MultiDiGraph, type: str | None, limit: int) -> list[Row]:
    check_type(type)
    by_type: dict[str, list[Row]] = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") != CONCEPT.label or (type is not None and data["type"] != type):
            continue
        neighbors = sum(1 for _, _, k in graph.out_edges(node, keys=True)
                        if k == LinkType.CO_OCCURS_WITH)
        neighbors += sum(1 for _, _, k in graph.in_edges(node, keys=True)
                         if k == LinkType.CO_OCCURS_WITH)
        by_type.setdefault(data["type"], []).append(
            {"type": data["type"], "concept": data["name"], "key": data["key"],
             "neighbors": neighbors, "papers": data["paper_count"]}
        )
    rows: list[Row] = []
    order = lambda r: (-r["neighbors"], -r["papers"], r["concept"], r["key"])  # noqa: E731
    for concept_type in sorted(by_type):
        rows.extend(sorted(by_type[concept_type], key=order)[:limit])
    rows.sort(key=lambda r: (r["type"], *order(r)))
    return rows


def new_concepts(
    graph: nx.MultiDiGraph, days: int, today: str | None, type: str | None, limit: int
) -> list[Row]:
    check_type(type)
    until = parse_today(today)
    since, until_text = (until - dt.timedelta(days=days)).isoformat(), until.isoformat()
    rows = [
        {"concept": data["name"], "key": data["key"], "type": data["type"],
         "first_seen": data["first_seen"], "papers": data["paper_count"]}
        for _, data in graph.nodes(data=True)
        if data.get("kind") == CONCEPT.label and since <= data["first_seen"] <= until_text
        and (type is None or data["type"] == type)
    ]
    rows.sort(key=lambda r: (r["concept"], r["key"]))
    rows.sort(key=lambda r: (r["first_seen"], r["papers"]), reverse=True)
    return rows[:limit]


EMBEDDED: Mapping[str, Callable[..., list[Row]]] = {
    "related-work": related_work,
    "papers-for": papers_for,
    "top-concepts": top_concepts,
    "concept-neighbors": concept_neighbors,
    "methods-on": methods_on,
    "tasks-for-method": tasks_for_method,
    "central-concepts": central_concepts,
    "new-concepts": new_concepts,
}


def _embedded(name: str) -> tuple[NamedQuery, Callable[..., list[Row]]]:
    query = get_query(name)
    if name not in EMBEDDED:
        raise QueryError(f"{name} runs on Neo4j only; configure NEO4J_URI or pass --neo4j-uri")
    return query, EMBEDDED[name]


def run_query(graph: nx.MultiDiGraph, name: str, values: Mapping[str, Any]) -> list[Row]:
    """Run a named query with typed values (``resolve_params``), as Neo4j runs its Cypher."""
    _, answer = _embedded(name)
    check_params(name, values)
    return answer(graph, **values)


def run_embedded(graph: nx.MultiDiGraph, name: str, raw_params: Mapping[str, str]) -> list[Row]:
    """Run a named query from ``key=value`` strings."""
    query, _ = _embedded(name)
    return run_query(graph, name, resolve_params(query, raw_params))
