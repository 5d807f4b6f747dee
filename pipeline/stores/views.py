"""``GraphView`` <-> networkx: the graph.graphml form (``GraphStore.export``) and the row form
(``GraphStore.view``) of the same graph."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from pipeline.stores.base import (
    PAPER_ROLES,
    ConceptRow,
    CoOccurrenceRow,
    GraphView,
    LinkRow,
    PaperConceptRow,
    PaperRow,
    concept_node,
    paper_node,
)
from schemas import CONCEPT, PAPER, LinkType


def _list(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(json.loads(value)) if isinstance(value, str) else tuple(value)


def view_from_networkx(graph: nx.MultiDiGraph, *, co_occurrence: bool = False) -> GraphView:
    """The rows of a graph in graph.graphml's form."""
    view = GraphView(co_occurrence=[] if co_occurrence else None)
    for _, data in sorted(graph.nodes(data=True), key=lambda n: n[0]):
        if data.get("kind") == PAPER.label:
            view.papers.append(PaperRow(
                id=data["id"], title=data.get("title", ""), abstract=data.get("abstract", ""),
                authors=_list(data.get("authors")), date=data.get("date") or "",
                url=data.get("url") or "", categories=_list(data.get("categories")),
                content_hash=data.get("content_hash", ""), source=data.get("source", "")))
        elif data.get("kind") == CONCEPT.label:
            view.concepts.append(ConceptRow(
                key=data["key"], name=data["name"], type=data["type"],
                aliases=_list(data.get("aliases")), paper_count=int(data.get("paper_count", 0)),
                first_seen=data.get("first_seen") or ""))
    nodes = graph.nodes
    for u, v, key, data in sorted(graph.edges(keys=True, data=True),
                                  key=lambda e: (e[0], e[1], e[2])):
        if key in PAPER_ROLES:
            view.paper_concepts.append(PaperConceptRow(
                paper_id=nodes[u]["id"], concept_key=nodes[v]["key"], role=key,
                count=int(data.get("count", 1)), snippet=data.get("snippet", "")))
        elif key == LinkType.CO_OCCURS_WITH:
            if view.co_occurrence is not None:
                a, b = sorted((nodes[u]["key"], nodes[v]["key"]))
                view.co_occurrence.append(CoOccurrenceRow(a, b, int(data["weight"])))
        else:
            view.links.append(LinkRow(
                source=nodes[u]["key"], target=nodes[v]["key"], type=key,
                weight=int(data["weight"]), papers=_list(data.get("papers")),
                snippet=data.get("snippet", "")))
    if view.co_occurrence is not None:
        view.co_occurrence.sort()
    view.paper_concepts.sort(key=lambda r: (r.paper_id, r.concept_key, r.role))
    view.links.sort(key=lambda r: (r.source, r.target, r.type))
    return view


def view_to_networkx(view: GraphView) -> nx.MultiDiGraph:
    """The graph in graph.graphml's form: node ids from ``paper_node``/``concept_node``, a
    ``kind`` on every node, edge keys = relationship types, lists as JSON text, nodes, edges
    and attributes sorted (the canonical order the GraphML store writes)."""
    graph = nx.MultiDiGraph()
    nodes: list[tuple[str, dict[str, Any]]] = []
    for p in view.papers:
        nodes.append((paper_node(p.id), {
            "kind": PAPER.label, "id": p.id, "title": p.title, "abstract": p.abstract,
            "authors": json.dumps(list(p.authors), ensure_ascii=False), "date": p.date,
            "url": p.url, "categories": json.dumps(list(p.categories), ensure_ascii=False),
            "content_hash": p.content_hash, "source": p.source,
        }))
    for c in view.concepts:
        nodes.append((concept_node(c.key), {
            "kind": CONCEPT.label, "key": c.key, "name": c.name, "type": c.type,
            "aliases": json.dumps(list(c.aliases), ensure_ascii=False),
            "paper_count": c.paper_count, "first_seen": c.first_seen,
        }))
    for node, attributes in sorted(nodes, key=lambda n: n[0]):
        graph.add_node(node, **dict(sorted(attributes.items())))
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for r in view.paper_concepts:
        edges.append((paper_node(r.paper_id), concept_node(r.concept_key), r.role,
                      {"type": r.role, "count": r.count, "snippet": r.snippet}))
    for link in view.links:
        edges.append((concept_node(link.source), concept_node(link.target), link.type,
                      {"type": link.type, "weight": link.weight,
                       "papers": json.dumps(list(link.papers)), "snippet": link.snippet}))
    for co in view.co_occurrence or ():
        edges.append((concept_node(co.a), concept_node(co.b), LinkType.CO_OCCURS_WITH.value,
                      {"type": LinkType.CO_OCCURS_WITH.value, "weight": co.weight}))
    for u, v, key, attributes in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        graph.add_edge(u, v, key=key, **dict(sorted(attributes.items())))
    return graph
