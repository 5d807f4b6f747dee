"""Store: the embedded default backend, a networkx graph persisted as GraphML.

GraphML opens in networkx (``nx.read_graphml(path, force_multigraph=True)``), Gephi,
Cytoscape and yEd. Node ids are ``paper:<id>`` and ``concept:<key>``; every node has a
``kind`` attribute ("Paper" or "Concept"); edge keys are the relation types of
``schemas``. List-valued properties are stored as JSON strings because GraphML only
holds scalars.

Merging is per paper: a paper in the batch replaces its own Paper->Concept edges and
its sentence-stated concept links; papers not in the batch are not touched. Concept
nodes no paper supports any more are removed, and the derived state (paper counts,
co-occurrence weights) is recomputed from the paper edges, so it cannot drift.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import combinations
from pathlib import Path
from typing import IO, Any

import networkx as nx

from pipeline.output import atomic_writer
from pipeline.stores.base import (
    PAPER_ROLES,
    GraphCounts,
    GraphView,
    Row,
    StoreError,
    WriteSummary,
    concept_node,
    paper_node,
)
from pipeline.stores.embedded_queries import run_query
from pipeline.stores.views import view_from_networkx
from schemas import CONCEPT, PAPER, GraphBatch, LinkType, Paper

GRAPH_FILE = "graph.graphml"
STATED_LINKS = frozenset({LinkType.APPLIED_TO.value, LinkType.EVALUATED_ON.value})


def _paper_attributes(paper: Paper) -> dict[str, object]:
    return {
        "kind": PAPER.label,
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": json.dumps(list(paper.authors), ensure_ascii=False),
        "date": paper.date.isoformat() if paper.date else "",
        "url": paper.url or "",
        "categories": json.dumps(list(paper.categories), ensure_ascii=False),
        "content_hash": paper.content_hash,
        "source": paper.source,
    }


class NetworkxStore:
    """The embedded graph store: one GraphML file in the output folder, read whole when the
    store is opened (a GraphStore)."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / GRAPH_FILE
        self.graph = self._load()

    def _load(self) -> nx.MultiDiGraph:
        if not self.path.exists():
            return nx.MultiDiGraph()
        try:
            graph = nx.read_graphml(self.path, force_multigraph=True)
        except Exception as error:  # networkx raises several types for a bad file
            message = f"{self.path}: not a readable paperkg GraphML file ({error})"
            raise StoreError(message) from None
        return nx.MultiDiGraph(graph)

    # -- writing -------------------------------------------------------------

    def write(self, batch: GraphBatch, *, today: dt.date | None = None) -> WriteSummary:
        """Merge a batch into the graph and persist it atomically."""
        today = today or dt.date.today()
        graph = self.graph
        summary = WriteSummary()
        for paper in batch.papers:
            node = paper_node(paper.id)
            if node not in graph:
                summary.papers_added += 1
            elif graph.nodes[node].get("content_hash") == paper.content_hash:
                summary.papers_unchanged += 1
            else:
                summary.papers_updated += 1
            graph.add_node(node, **_paper_attributes(paper))
            self._drop_paper_edges(paper.id)

        for concept in batch.concepts:
            node = concept_node(concept.key)
            first_seen = graph.nodes[node].get("first_seen") if node in graph else None
            graph.add_node(
                node,
                kind=CONCEPT.label,
                key=concept.key,
                name=concept.name,
                type=concept.type.value,
                aliases=json.dumps(list(concept.aliases), ensure_ascii=False),
                first_seen=first_seen or today.isoformat(),
            )
        for edge in batch.paper_concepts:
            graph.add_edge(
                paper_node(edge.paper_id),
                concept_node(edge.concept_key),
                key=edge.role.value,
                type=edge.role.value,
                count=edge.count,
                snippet=edge.snippet,
            )
        for link in batch.links:
            self._add_stated_link(link.source, link.target, link.type.value, link.paper_id,
                                  link.snippet)

        summary.concepts_removed = self._drop_unsupported_concepts()
        self._recompute_derived()
        self.save()
        return summary

    def _drop_paper_edges(self, paper_id: str) -> None:
        graph = self.graph
        node = paper_node(paper_id)
        graph.remove_edges_from(list(graph.out_edges(node, keys=True)))
        for source, target, key, data in list(graph.edges(keys=True, data=True)):
            if key not in STATED_LINKS:
                continue
            papers = json.loads(data["papers"])
            if paper_id in papers:
                papers.remove(paper_id)
                if papers:
                    data["papers"] = json.dumps(papers)
                    data["weight"] = len(papers)
                else:
                    graph.remove_edge(source, target, key)

    def _add_stated_link(
        self, source: str, target: str, link_type: str, paper_id: str, snippet: str
    ) -> None:
        graph = self.graph
        u, v = concept_node(source), concept_node(target)
        if graph.has_edge(u, v, link_type):
            data = graph.edges[u, v, link_type]
            papers = sorted({*json.loads(data["papers"]), paper_id})
            data["papers"] = json.dumps(papers)
            data["weight"] = len(papers)
            if paper_id == papers[0]:
                data["snippet"] = snippet
        else:
            graph.add_edge(u, v, key=link_type, type=link_type, weight=1,
                           papers=json.dumps([paper_id]), snippet=snippet)

    def _drop_unsupported_concepts(self) -> int:
        graph = self.graph
        orphans = [
            node
            for node, kind in graph.nodes(data="kind")
            if kind == CONCEPT.label
            and not any(key in PAPER_ROLES for _, _, key in graph.in_edges(node, keys=True))
        ]
        graph.remove_nodes_from(orphans)
        return len(orphans)

    def _recompute_derived(self) -> None:
        graph = self.graph
        graph.remove_edges_from(
            [(u, v, k) for u, v, k in graph.edges(keys=True) if k == LinkType.CO_OCCURS_WITH]
        )
        together: Counter[tuple[str, str]] = Counter()
        for node, kind in graph.nodes(data="kind"):
            if kind != PAPER.label:
                continue
            concepts = sorted({v for _, v in graph.out_edges(node)})
            together.update(combinations(concepts, 2))
        for (u, v), weight in together.items():
            graph.add_edge(u, v, key=LinkType.CO_OCCURS_WITH.value,
                           type=LinkType.CO_OCCURS_WITH.value, weight=weight)
        for node, kind in graph.nodes(data="kind"):
            if kind == CONCEPT.label:
                graph.nodes[node]["paper_count"] = len(
                    {u for u, _, k in graph.in_edges(node, keys=True) if k in PAPER_ROLES}
                )

    def save(self) -> None:
        """Write a canonical (sorted) copy next to the file, read it back, then swap it in.

        A copy that does not read back as the same graph is never swapped in: whatever a
        record held, the graph already on disk stays readable. The graph read back becomes
        ``self.graph``, so the store holds what the file holds (XML reads a carriage return
        back as a line feed) without reading the file again."""
        canonical = nx.MultiDiGraph()
        for node in sorted(self.graph.nodes):
            canonical.add_node(node, **dict(sorted(self.graph.nodes[node].items())))
        for u, v, k, data in sorted(self.graph.edges(keys=True, data=True),
                                    key=lambda e: (e[0], e[1], e[2])):
            canonical.add_edge(u, v, key=k, **dict(sorted(data.items())))
        self.graph = canonical
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_writer(self.path, binary=True) as handle:
            nx.write_graphml(canonical, handle)
            handle.seek(0)
            written = _read_back(handle, canonical)
        self.graph = written

    # -- reading -------------------------------------------------------------

    def counts(self) -> GraphCounts:
        graph = self.graph
        papers = sum(1 for _, kind in graph.nodes(data="kind") if kind == PAPER.label)
        concepts = Counter(t for _, t in graph.nodes(data="type") if t)
        relations = Counter(k for _, _, k in graph.edges(keys=True))
        return GraphCounts(papers=papers, concepts_by_type=dict(sorted(concepts.items())),
                           edges_by_relation=dict(sorted(relations.items())))

    def content_hashes(self, paper_ids: Iterable[str]) -> dict[str, str]:
        nodes = self.graph.nodes
        found = {pid: nodes[paper_node(pid)].get("content_hash") for pid in paper_ids
                 if paper_node(pid) in nodes}
        return {pid: str(h) for pid, h in found.items() if h}

    def run_query(self, name: str, params: Mapping[str, Any]) -> list[Row]:
        return run_query(self.graph, name, params)

    def export(self) -> nx.MultiDiGraph:
        """The graph itself (as graph.graphml holds it), not a copy."""
        return self.graph

    def view(self, *, co_occurrence: bool = False) -> GraphView:
        return view_from_networkx(self.export(), co_occurrence=co_occurrence)

    def check(self) -> None:
        """Nothing left to check: opening the store read the file (a damaged one raised)."""

    def close(self) -> None:
        """Nothing to release: the file is read whole and every write is already on disk."""

    def __enter__(self) -> NetworkxStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _read_back(handle: IO[bytes], expected: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph ``handle`` holds, as a store opening it would load it; StoreError unless it
    has ``expected``'s nodes and edges."""
    try:
        written = nx.read_graphml(handle, force_multigraph=True)
    except Exception as error:  # networkx raises several types for a bad file
        raise StoreError(f"the graph did not read back after writing ({error}); "
                         "the stored graph was left as it was") from None
    if (written.number_of_nodes(), written.number_of_edges()) != (
        expected.number_of_nodes(), expected.number_of_edges()
    ):
        raise StoreError("the graph did not read back whole after writing; "
                         "the stored graph was left as it was")
    return nx.MultiDiGraph(written)
