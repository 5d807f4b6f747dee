"""Every named query gives the same rows, in the same order, on every backend: Neo4j, the
SQLite store (the embedded default) and the plain-networkx reference store.

The 71-paper sample is loaded into the three stores (Neo4j: the real test server), on day
one, then a changed version of a few papers on day two (so first_seen has two dates and the
replacement path is part of what is compared).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph_queries import load_queries
from pipeline.stores.embedded import NetworkxStore
from pipeline.stores.embedded_queries import run_embedded, run_query
from pipeline.stores.neo4j.settings import Neo4jSettings
from pipeline.stores.neo4j.store import Neo4jStore
from pipeline.stores.queries import get_query, resolve_params
from pipeline.stores.sqlite.store import SqliteStore
from tests.support.graph_compare import batch_for, sample_batch, sample_papers
from tests.support.neo4j_server import Neo4jTestServer

pytestmark = pytest.mark.neo4j

DAY1, DAY2 = dt.date(2026, 11, 1), dt.date(2026, 11, 20)
FIRST, SECOND = sample_papers()[0].id, sample_papers()[40].id

CASES: list[tuple[str, dict[str, str]]] = [
    ("related-work", {"paper": FIRST}),
    ("related-work", {"paper": SECOND, "limit": "25"}),
    ("related-work", {"paper": sample_papers()[5].id, "limit": "3"}),
    ("papers-for", {"concept": "large language model"}),
    ("papers-for", {"concept": "WebArena", "role": "EVALUATES_ON"}),
    ("papers-for", {"concept": "GSM8K", "limit": "1"}),
    ("papers-for", {"concept": "MCTS"}),  # an alias of Monte Carlo Tree Search
    ("top-concepts", {}),
    ("top-concepts", {"type": "TASK", "limit": "3"}),
    ("concept-neighbors", {"concept": "large language model"}),
    ("concept-neighbors", {"concept": "WebArena", "limit": "50"}),
    ("methods-on", {"concept": "GSM8K"}),
    ("methods-on", {"concept": "WebArena"}),
    ("methods-on", {"concept": "MiniWoB++", "limit": "2"}),
    ("tasks-for-method", {"concept": "large language model"}),
    ("tasks-for-method", {"concept": "reinforcement learning"}),
    ("central-concepts", {}),
    ("central-concepts", {"type": "METHOD", "limit": "5"}),
    ("central-concepts", {"type": "BENCHMARK", "limit": "50"}),
    ("new-concepts", {"today": "2026-11-21", "days": "7"}),
    ("new-concepts", {"today": "2026-11-21", "days": "30", "limit": "500"}),
    ("new-concepts", {"today": "2026-11-21", "days": "30", "type": "METHOD"}),
    ("new-concepts", {"today": "2026-10-01", "days": "7"}),
    ("new-concepts", {"today": "2026-11-05", "days": "10"}),
]


def changed_batch():
    papers = []
    for paper in sample_papers()[30:38]:
        sentences = paper.abstract.split(". ")
        papers.append(paper.model_copy(
            update={"abstract": ". ".join([*sentences[1:], sentences[0]])[: len(paper.abstract)]}
        ))
    return batch_for(tuple(papers))


@pytest.fixture(scope="module")
def backends(
    neo4j_server: Neo4jTestServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[nx.MultiDiGraph, Neo4jStore, SqliteStore]]:
    directory: Path = tmp_path_factory.mktemp("embedded")
    embedded = NetworkxStore(directory)
    sqlite_store = SqliteStore(tmp_path_factory.mktemp("sqlite"))
    with neo4j_server.driver() as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
    settings = Neo4jSettings(uri=neo4j_server.uri, username=neo4j_server.user,
                             password=neo4j_server.password)
    with Neo4jStore(settings) as store:
        for batch, day in ((sample_batch(), DAY1), (changed_batch(), DAY2)):
            embedded.write(batch, today=day)
            store.write(batch, today=day)
            sqlite_store.write(batch, today=day)
        yield NetworkxStore(directory).graph, store, sqlite_store


def test_every_named_query_is_covered() -> None:
    assert {name for name, _ in CASES} == set(load_queries())


@pytest.mark.parametrize(("name", "raw"), CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(CASES)])
def test_same_rows_on_both_backends(
    backends: tuple[nx.MultiDiGraph, Neo4jStore, SqliteStore], name: str, raw: dict[str, str]
) -> None:
    graph, store, sqlite_store = backends
    expected: list[dict[str, Any]] = run_embedded(graph, name, raw)
    values = resolve_params(get_query(name), raw)
    assert store.run_query(name, values) == expected
    # what NetworkxStore.run_query runs, from the same typed values
    assert run_query(graph, name, values) == expected
    # what `paperkg query` runs on the embedded default
    assert sqlite_store.run_query(name, values) == expected


def test_queries_return_something_on_the_sample(
    backends: tuple[nx.MultiDiGraph, Neo4jStore, SqliteStore],
) -> None:
    """The cases above compare real rows, not two empty lists."""
    graph, _, _ = backends
    empty = [(n, raw) for n, raw in CASES
             if not run_embedded(graph, n, raw) and raw.get("today") != "2026-10-01"]
    assert empty == []
    day2 = run_embedded(graph, "new-concepts", {"today": "2026-11-21", "days": "7"})
    assert day2 and all(r["first_seen"] == DAY2.isoformat() for r in day2)


def test_an_alias_names_the_same_concept_on_both_backends(
    backends: tuple[nx.MultiDiGraph, Neo4jStore, SqliteStore],
) -> None:
    graph, store, _ = backends
    by_alias = run_embedded(graph, "papers-for", {"concept": "MCTS"})
    by_name = run_embedded(graph, "papers-for", {"concept": "Monte Carlo Tree Search"})
    assert by_alias and by_alias == by_name
    raw = {"concept": "mcts", "limit": "5"}
    assert store.run_query("concept-neighbors", resolve_params(
        get_query("concept-neighbors"), raw)) == run_embedded(graph, "concept-neighbors", raw)


@pytest.mark.parametrize("limit", ["1", "4", "10"])
def test_related_work_agrees_for_every_sample_paper(
    backends: tuple[nx.MultiDiGraph, Neo4jStore, SqliteStore], limit: str
) -> None:
    """related-work picks one of two plans per paper (and may fall back from the first): every
    paper of the sample, at several limits, gets the embedded store's rows whichever runs."""
    graph, store, sqlite_store = backends
    query = get_query("related-work")
    differing = []
    for paper in sample_papers():
        raw = {"paper": paper.id, "limit": limit}
        expected = run_embedded(graph, "related-work", raw)
        values = resolve_params(query, raw)
        if (store.run_query("related-work", values) != expected
                or sqlite_store.run_query("related-work", values) != expected):
            differing.append(paper.id)
    assert differing == []
