"""Named queries over the embedded store.

Each function answers the same question as ``graph_queries/NAME.cypher`` does on Neo4j and
returns the same columns in the same order, so the two backends can be compared row by row.
(No embedded Cypher engine runs these queries as written; see the field notes.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx

from graph_queries import NamedQuery, load_queries
from pipeline.normalize import concept_key
from pipeline.store import PAPER_ROLES, concept_node, paper_node
from schemas import CONCEPT, ConceptType, LinkType, Role

Row = dict[str, Any]
CONCEPT_LINKS = frozenset(t.value for t in LinkType)


class QueryError(Exception):
    """A user error in a query call; the message is one line."""


def _concept(graph: nx.MultiDiGraph, key: str) -> str:
    node = concept_node(key)
    if node not in graph:
        raise QueryError(f"no concept with key {key!r} in the graph")
    return node


def related_work(graph: nx.MultiDiGraph, paper: str, limit: int) -> list[Row]:
    node = paper_node(paper)
    if node not in graph:
        raise QueryError(f"no paper with id {paper!r} in the graph")
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
                {"concept": data["name"], "type": data["type"], "role": role}
            )
    rows = [
        {
            "paper": graph.nodes[other]["id"],
            "title": graph.nodes[other]["title"],
            "score": round(score, 4),
            "shared_count": len(shared[other]),
            "shared_concepts": sorted(shared[other], key=lambda r: r["concept"]),
        }
        for other, score in scores.items()
    ]
    rows.sort(key=lambda r: (-r["score"], -r["shared_count"], r["paper"]))
    return rows[:limit]


def papers_for(graph: nx.MultiDiGraph, concept: str, role: str | None, limit: int) -> list[Row]:
    if role is not None and role not in PAPER_ROLES:
        raise QueryError(f"role must be one of {', '.join(r.value for r in Role)}, not {role!r}")
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
    if type is not None and type not in ConceptType.__members__:
        valid = ", ".join(t.value for t in ConceptType)
        raise QueryError(f"type must be one of {valid}, not {type!r}")
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
        ranked = sorted(by_type[concept_type], key=lambda r: (-r["papers"], r["concept"]))
        rows.extend(ranked[:limit])
    rows.sort(key=lambda r: (r["type"], -r["papers"], r["concept"]))
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
            }
        )
    rows.sort(key=lambda r: (-r["weight"], r["relation"], r["concept"]))
    return rows[:limit]


EMBEDDED: Mapping[str, Callable[..., list[Row]]] = {
    "related-work": related_work,
    "papers-for": papers_for,
    "top-concepts": top_concepts,
    "concept-neighbors": concept_neighbors,
}


def resolve_params(query: NamedQuery, raw: Mapping[str, str]) -> dict[str, Any]:
    """Typed parameter values from ``key=value`` strings, defaults filled in."""
    known = {p.name for p in query.params}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise QueryError(
            f"{query.name} has no parameter {unknown[0]!r} (parameters: {', '.join(sorted(known))})"
        )
    values: dict[str, Any] = {}
    for param in query.params:
        if param.name not in raw:
            if param.required:
                raise QueryError(f"{query.name} needs --param {param.name}=... ({param.help})")
            values[param.name] = param.default
            continue
        try:
            value = param.convert(raw[param.name])
        except ValueError:
            raise QueryError(
                f"--param {param.name} must be {param.kind}, not {raw[param.name]!r}"
            ) from None
        values[param.name] = concept_key(str(value)) if param.kind == "concept" else value
    return values


def get_query(name: str) -> NamedQuery:
    queries = load_queries()
    if name not in queries:
        raise QueryError(f"no query named {name!r} (queries: {', '.join(sorted(queries))})")
    return queries[name]


def run_embedded(graph: nx.MultiDiGraph, name: str, raw_params: Mapping[str, str]) -> list[Row]:
    query = get_query(name)
    if name not in EMBEDDED:
        raise QueryError(f"{name} runs on Neo4j only; configure NEO4J_URI or pass --neo4j-uri")
    return EMBEDDED[name](graph, **resolve_params(query, raw_params))
