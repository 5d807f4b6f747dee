import datetime as dt
import hashlib
import json
from pathlib import Path

import networkx as nx
import pytest

from pipeline.stores.base import GraphCounts, StoreError, paper_node
from pipeline.stores.embedded import GRAPH_FILE, NetworkxStore
from pipeline.stores.embedded_queries import run_embedded
from pipeline.stores.queries import get_query, resolve_params
from schemas import (
    Concept,
    ConceptLink,
    ConceptType,
    GraphBatch,
    LinkType,
    Paper,
    PaperConcept,
    Role,
)

DAY1 = dt.date(2026, 11, 1)
DAY2 = dt.date(2026, 11, 20)


def paper(pid: str, abstract: str = "An abstract.") -> Paper:
    return Paper(id=pid, title=f"Title {pid}", abstract=abstract)


def concept(key: str, ctype: ConceptType = ConceptType.METHOD) -> Concept:
    return Concept(key=key, name=key.upper(), type=ctype)


def edge(pid: str, key: str, role: Role = Role.USES) -> PaperConcept:
    return PaperConcept(paper_id=pid, concept_key=key, role=role, count=1, snippet=f"{pid} {key}")


def batch_ab() -> GraphBatch:
    return GraphBatch(
        papers=(paper("a"), paper("b")),
        concepts=(concept("mcts"), concept("webarena", ConceptType.BENCHMARK), concept("gpt 4")),
        paper_concepts=(
            edge("a", "mcts", Role.PROPOSES),
            edge("a", "webarena", Role.EVALUATES_ON),
            edge("b", "webarena", Role.EVALUATES_ON),
            edge("b", "gpt 4"),
        ),
        links=(
            ConceptLink(source="mcts", target="webarena", type=LinkType.EVALUATED_ON,
                        paper_id="a", snippet="MCTS on WebArena"),
        ),
    )


def file_hash(directory: Path) -> str:
    return hashlib.sha256((directory / GRAPH_FILE).read_bytes()).hexdigest()


def test_write_builds_papers_concepts_and_derived_edges(tmp_path: Path) -> None:
    summary = NetworkxStore(tmp_path).write(batch_ab(), today=DAY1)
    assert summary.papers_added == 2
    graph = nx.read_graphml(tmp_path / GRAPH_FILE, force_multigraph=True)
    assert graph.nodes["concept:webarena"]["paper_count"] == 2
    assert graph.nodes["concept:webarena"]["first_seen"] == "2026-11-01"
    assert graph.has_edge("paper:a", "concept:mcts", "PROPOSES")
    assert graph.edges["concept:mcts", "concept:webarena", "CO_OCCURS_WITH"]["weight"] == 1
    stated = graph.edges["concept:mcts", "concept:webarena", "EVALUATED_ON"]
    assert json.loads(stated["papers"]) == ["a"]


def test_same_batch_twice_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    NetworkxStore(tmp_path).write(batch_ab(), today=DAY1)
    first = file_hash(tmp_path)
    summary = NetworkxStore(tmp_path).write(batch_ab(), today=DAY2)
    assert summary.papers_unchanged == 2 and summary.papers_added == 0
    assert file_hash(tmp_path) == first  # first_seen kept from the first run


def test_changed_paper_replaces_only_its_own_edges(tmp_path: Path) -> None:
    NetworkxStore(tmp_path).write(batch_ab(), today=DAY1)
    changed = GraphBatch(
        papers=(paper("a", abstract="Now about something else."),),
        concepts=(concept("rag"),),
        paper_concepts=(edge("a", "rag"),),
    )
    summary = NetworkxStore(tmp_path).write(changed, today=DAY2)
    assert summary.papers_updated == 1
    assert summary.concepts_removed == 1  # mcts was only supported by paper a
    graph = NetworkxStore(tmp_path).graph
    assert "concept:mcts" not in graph
    assert not graph.has_edge("paper:a", "concept:webarena")
    assert graph.has_edge("paper:b", "concept:webarena", "EVALUATES_ON")
    assert graph.nodes["concept:webarena"]["paper_count"] == 1
    assert graph.nodes["concept:rag"]["first_seen"] == "2026-11-20"
    assert not any(k == "EVALUATED_ON" for _, _, k in graph.edges(keys=True))
    assert graph.nodes["paper:a"]["abstract"] == "Now about something else."


def test_a_damaged_graph_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / GRAPH_FILE).write_text("<graphml><broken", encoding="utf-8")
    with pytest.raises(StoreError, match="not a readable paperkg GraphML file"):
        NetworkxStore(tmp_path)
    assert (tmp_path / GRAPH_FILE).read_text(encoding="utf-8") == "<graphml><broken"


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    NetworkxStore(tmp_path).write(batch_ab(), today=DAY1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [GRAPH_FILE]


def test_after_a_write_the_store_holds_what_the_file_holds(tmp_path: Path) -> None:
    """The flow counts and draws the map from the store it wrote with, without reading the
    file again: that is the graph a fresh read gives, even where XML does not keep the text
    as it was (a carriage return reads back as a line feed)."""
    odd = paper("a").model_copy(update={"source": "in\rput.jsonl:1"})
    batch = batch_ab().model_copy(update={"papers": (odd, paper("b"))})
    with NetworkxStore(tmp_path) as store:
        store.write(batch, today=DAY1)
        fresh = NetworkxStore(tmp_path)
        assert store.counts() == fresh.counts() == GraphCounts(
            papers=2, concepts_by_type={"BENCHMARK": 1, "METHOD": 2},
            edges_by_relation={"CO_OCCURS_WITH": 2, "EVALUATED_ON": 1, "EVALUATES_ON": 2,
                               "PROPOSES": 1, "USES": 1},
        )
        exported, expected = store.export(), fresh.export()
        assert list(exported.nodes(data=True)) == list(expected.nodes(data=True))
        assert list(exported.edges(keys=True, data=True)) == list(
            expected.edges(keys=True, data=True))
        assert exported.nodes["paper:a"]["source"] == "in\nput.jsonl:1"
        values = resolve_params(get_query("papers-for"), {"concept": "WebArena"})
        assert store.run_query("papers-for", values) == run_embedded(
            expected, "papers-for", {"concept": "WebArena"}) != []


def test_content_hashes_are_those_stored(tmp_path: Path) -> None:
    from schemas import GraphBatch, Paper

    store = NetworkxStore(tmp_path)
    paper = Paper(id="p1", title="A title", abstract="An abstract.")
    store.write(GraphBatch(papers=(paper,)))
    reopened = NetworkxStore(tmp_path)
    assert reopened.content_hashes(["p1", "p2"]) == {"p1": paper.content_hash}


def test_a_graph_that_cannot_be_written_back_is_never_swapped_in(tmp_path: Path) -> None:
    """Whatever a record held, the graph on disk stays readable: a node that would make the
    file unreadable is refused at the read-back and the old file stays."""
    store = NetworkxStore(tmp_path)
    store.write(batch_ab(), today=DAY1)
    before = file_hash(tmp_path)
    store.graph.add_node(paper_node("x"), kind="Paper", title="raw \x00 NUL")
    with pytest.raises(StoreError, match="did not read back"):
        store.save()
    assert file_hash(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".paperkg-")] == []
