import math
from pathlib import Path

import networkx as nx
import pytest

from graph_queries import load_queries, parse_query
from pipeline.stores.embedded import NetworkxStore
from pipeline.stores.embedded_queries import run_embedded
from pipeline.stores.queries import QueryError
from schemas import Concept, ConceptType, GraphBatch, Paper, PaperConcept, Role


def build(tmp_path: Path) -> nx.MultiDiGraph:
    """Four papers: q shares a rare concept with r1, a common one with r1, r2 and r3."""
    concepts = {
        "rare": ConceptType.BENCHMARK,
        "common": ConceptType.METHOD,
        "other": ConceptType.TASK,
    }
    links = {
        "q": [("rare", Role.EVALUATES_ON), ("common", Role.USES)],
        "r1": [("rare", Role.EVALUATES_ON)],
        "r2": [("common", Role.PROPOSES), ("other", Role.ADDRESSES)],
        "r3": [("common", Role.USES)],
    }
    batch = GraphBatch(
        papers=tuple(Paper(id=p, title=f"Paper {p}", abstract="text") for p in links),
        concepts=tuple(Concept(key=k, name=k.title(), type=t) for k, t in concepts.items()),
        paper_concepts=tuple(
            PaperConcept(paper_id=p, concept_key=k, role=r, count=1, snippet=f"{p}:{k}")
            for p, edges in links.items()
            for k, r in edges
        ),
    )
    store = NetworkxStore(tmp_path)
    store.write(batch)
    return store.graph


def test_related_work_ranks_rare_shared_concepts_first(tmp_path: Path) -> None:
    rows = run_embedded(build(tmp_path), "related-work", {"paper": "q"})
    assert [r["paper"] for r in rows] == ["r1", "r2", "r3"]
    assert rows[0]["score"] == round(math.log(4 / 2), 4)
    assert rows[1]["score"] == round(math.log(4 / 3), 4)
    assert rows[0]["shared_concepts"] == [
        {"concept": "Rare", "type": "BENCHMARK", "role": "EVALUATES_ON"}
    ]
    assert run_embedded(build(tmp_path), "related-work", {"paper": "q", "limit": "1"}) == rows[:1]


def test_papers_for_filters_by_role_and_normalizes_the_concept(tmp_path: Path) -> None:
    graph = build(tmp_path)
    rows = run_embedded(graph, "papers-for", {"concept": "COMMON"})
    assert [(r["role"], r["paper"]) for r in rows] == [
        ("PROPOSES", "r2"), ("USES", "q"), ("USES", "r3")
    ]
    only = run_embedded(graph, "papers-for", {"concept": "common", "role": "PROPOSES"})
    assert [r["paper"] for r in only] == ["r2"]


def test_top_concepts_and_neighbors(tmp_path: Path) -> None:
    graph = build(tmp_path)
    top = run_embedded(graph, "top-concepts", {})
    assert [(r["type"], r["concept"], r["papers"]) for r in top] == [
        ("BENCHMARK", "Rare", 2), ("METHOD", "Common", 3), ("TASK", "Other", 1)
    ]
    assert run_embedded(graph, "top-concepts", {"type": "TASK"})[0]["concept"] == "Other"
    neighbors = run_embedded(graph, "concept-neighbors", {"concept": "common"})
    assert {(r["concept"], r["relation"], r["weight"]) for r in neighbors} == {
        ("Rare", "CO_OCCURS_WITH", 1), ("Other", "CO_OCCURS_WITH", 1)
    }


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("related-work", {}, "needs --param paper"),
        ("related-work", {"paper": "nope"}, "no paper with id"),
        ("related-work", {"paper": "q", "limit": "ten"}, "must be int"),
        ("papers-for", {"concept": "common", "role": "LOVES"}, "role must be one of"),
        ("papers-for", {"concept": "missing"}, "no concept"),
        ("top-concepts", {"colour": "red"}, "has no parameter"),
        ("no-such-query", {}, "no query named"),
    ],
)
def test_user_errors_are_one_line(tmp_path: Path, name: str, params: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message) as caught:
        run_embedded(build(tmp_path), name, params)
    assert "\n" not in str(caught.value)


def test_every_query_file_has_a_complete_header_and_parameters() -> None:
    queries = load_queries()
    assert {"related-work", "papers-for", "top-concepts", "concept-neighbors"} <= set(queries)
    for query in queries.values():
        assert query.purpose and query.example.startswith(f"paperkg query {query.name}")
        for param in query.params:
            assert f"${param.name}" in query.cypher, (query.name, param.name)


def test_a_header_without_purpose_is_rejected() -> None:
    with pytest.raises(ValueError, match="purpose"):
        parse_query("x", "// name: x\n// example: paperkg query x\nRETURN 1\n")


def test_new_queries_on_the_small_graph(tmp_path: Path) -> None:
    graph = build(tmp_path)
    methods = run_embedded(graph, "methods-on", {"concept": "rare"})
    assert [(r["method"], r["papers"], r["stated"]) for r in methods] == [("Common", 1, 0)]
    tasks = run_embedded(graph, "tasks-for-method", {"concept": "common"})
    assert [(r["task"], r["papers"]) for r in tasks] == [("Other", 1)]
    central = run_embedded(graph, "central-concepts", {"type": "METHOD"})
    assert [(r["concept"], r["neighbors"]) for r in central] == [("Common", 2)]
    today = graph.nodes["concept:rare"]["first_seen"]
    assert len(run_embedded(graph, "new-concepts", {"today": today, "days": "0"})) == 3
    assert run_embedded(graph, "new-concepts", {"today": "2000-01-01", "days": "7"}) == []


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("new-concepts", {"today": "yesterday"}, "must be a date"),
        ("new-concepts", {"days": "-1"}, "must be 0 or more"),
        ("central-concepts", {"type": "PERSON"}, "type must be one of"),
        ("methods-on", {"concept": "nothing here"}, "no concept with key"),
    ],
)
def test_new_query_errors(tmp_path: Path, name: str, params: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        run_embedded(build(tmp_path), name, params)
