"""Named queries over the embedded store.

Each function answers the same question as ``graph_queries/NAME.cypher`` does on Neo4j and
returns the same columns in the same order, so the two backends can be compared row by row.
(No embedded Cypher engine runs these queries as written; see the field notes.)
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from graph_queries import NamedQuery, load_queries
from pipeline.store import PAPER_ROLES, concept_node, paper_node
from schemas import CONCEPT, ConceptType, LinkType, Role
from schemas.keys import concept_key

Row = dict[str, Any]
CONCEPT_LINKS = frozenset(t.value for t in LinkType)


class QueryError(Exception):
    """A user error in a query call; the message is one line."""


def missing_error(kind: str, value: str) -> QueryError:
    """The error for a paper or concept parameter naming nothing in the graph (both backends)."""
    if kind == "paper":
        return QueryError(f"no paper with id {value!r} in the graph")
    return QueryError(f"no concept with key {value!r} in the graph")


def alias_match(key: str, candidates: Iterable[tuple[str, Sequence[str], int]]) -> str | None:
    """The concept a user meant by a name that is only an alias ("MCTS", "BIG-bench").

    ``candidates`` are (key, aliases, paper_count); when several concepts carry the alias,
    the one in the most papers wins, then the smaller key, so both backends agree.
    """
    found = [
        (-papers, candidate)
        for candidate, aliases, papers in candidates
        # an all-lower-case spelling of an acronym normalizes differently ("mcts" -> "mct")
        if any(key in (concept_key(alias), concept_key(alias.lower())) for alias in aliases)
    ]
    return min(found)[1] if found else None


def _concept(graph: nx.MultiDiGraph, key: str) -> str:
    node = concept_node(key)
    if node in graph:
        return node
    resolved = alias_match(
        key,
        (
            (data["key"], json.loads(data["aliases"] or "[]"), data["paper_count"])
            for _, data in graph.nodes(data=True)
            if data.get("kind") == CONCEPT.label
        ),
    )
    if resolved is None:
        raise missing_error("concept", key)
    return concept_node(resolved)


def _check_type(type: str | None) -> None:
    if type is not None and type not in ConceptType.__members__:
        valid = ", ".join(t.value for t in ConceptType)
        raise QueryError(f"type must be one of {valid}, not {type!r}")


def _check_role(role: str | None) -> None:
    if role is not None and role not in PAPER_ROLES:
        raise QueryError(f"role must be one of {', '.join(r.value for r in Role)}, not {role!r}")


def _today(today: str | None) -> dt.date:
    if today is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(today)
    except ValueError:
        raise QueryError(f"--param today must be a date YYYY-MM-DD, not {today!r}") from None


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def check_params(name: str, values: Mapping[str, Any]) -> None:
    """Value checks both backends apply before running a query (one-line QueryError)."""
    for key in ("limit", "days"):
        value = values.get(key)
        if isinstance(value, int) and value < 0:
            raise QueryError(f"--param {key} must be 0 or more, not {value}")
    for key, value in values.items():
        # Neo4j (and Cypher) integers are 64-bit; a larger one fails inside the driver
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            raise QueryError(f"--param {key} is too large (at most {INT64_MAX:,})")
    _check_role(values.get("role"))
    _check_type(values.get("type"))
    if "today" in values:
        _today(values["today"])


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
    _check_role(role)
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
    _check_type(type)
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
    _check_type(type)
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
    _check_type(type)
    until = _today(today)
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
    values = resolve_params(query, raw_params)
    check_params(name, values)
    return EMBEDDED[name](graph, **values)
