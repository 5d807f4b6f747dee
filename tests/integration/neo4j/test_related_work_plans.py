"""related-work's two plans, each checked against the embedded store.

Plan (a) of graph_queries/related-work.cypher (score the candidates of the paper's rarest
concepts, together in at most 2,000 other papers, and prove no other paper can enter) only
answers on graphs of tens of thousands of papers; on the sample every paper ends in plan (b).
Here 1,500 papers built from real abstracts by pipeline/quality/corpora.py (concepts with a
long tail, as in the real feeds) go into both backends, and 150 of them are queried with the
shipped query and with the same query at a candidate budget of 40 papers instead of 2,000,
where plan (a)
answers too: both must give the embedded store's rows. That each plan really answered is
shown by perturbing its scores in a copy of the query: answers that change came from it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from pipeline.quality.corpora import concept_batch, generate, index_sources, source_papers
from pipeline.stores.embedded import NetworkxStore
from pipeline.stores.embedded_queries import run_embedded
from pipeline.stores.neo4j.settings import Neo4jSettings
from pipeline.stores.neo4j.store import Neo4jStore
from pipeline.stores.queries import get_query, resolve_params
from tests.support.neo4j_server import Neo4jTestServer

pytestmark = pytest.mark.neo4j

PAPERS, CHECKED = 1_500, 150
BUDGET, SMALL_BUDGET = "r <= 2000", "r <= 40"
PLAN_A_SCORE = "round(sum(x.weight), 4) AS score"
PLAN_B_SCORE = "round(sum(weight), 4) AS score"


@pytest.fixture(scope="module")
def corpus(
    neo4j_server: Neo4jTestServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[nx.MultiDiGraph, Neo4jStore, list[str]]]:
    sources = source_papers()
    papers = list(generate(PAPERS, seed=3, sources=sources))
    batch = concept_batch(papers, index_sources(sources, seed=3))
    directory: Path = tmp_path_factory.mktemp("embedded-large")
    NetworkxStore(directory).write(batch)
    with neo4j_server.driver() as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
    settings = Neo4jSettings(uri=neo4j_server.uri, username=neo4j_server.user,
                             password=neo4j_server.password)
    with Neo4jStore(settings) as store:
        store.write(batch)
        ids = random.Random(3).sample([p.id for p in papers], CHECKED)
        yield NetworkxStore(directory).graph, store, ids


def _rows(store: Neo4jStore, cypher: str, paper: str) -> list[dict]:
    with store.driver.session() as session:
        return [r.data() for r in session.run(cypher, paper=paper, limit=10)]


def _small_budget() -> str:
    cypher = get_query("related-work").cypher
    assert cypher.count(BUDGET) == 1
    return cypher.replace(BUDGET, SMALL_BUDGET)


def test_both_backends_agree(corpus: tuple[nx.MultiDiGraph, Neo4jStore, list[str]]) -> None:
    graph, store, ids = corpus
    query = get_query("related-work")
    differing = [pid for pid in ids
                 if store.run_query("related-work", resolve_params(query, {"paper": pid}))
                 != run_embedded(graph, "related-work", {"paper": pid})]
    assert differing == []


def test_both_backends_agree_when_plan_a_answers(
    corpus: tuple[nx.MultiDiGraph, Neo4jStore, list[str]],
) -> None:
    graph, store, ids = corpus
    cypher = _small_budget()
    differing = [pid for pid in ids if _rows(store, cypher, pid)
                 != run_embedded(graph, "related-work", {"paper": pid})]
    assert differing == []


@pytest.mark.parametrize("score", [PLAN_A_SCORE, PLAN_B_SCORE], ids=["plan-a", "plan-b"])
def test_each_plan_answers_some_papers(
    corpus: tuple[nx.MultiDiGraph, Neo4jStore, list[str]], score: str
) -> None:
    _, store, ids = corpus
    cypher = _small_budget()
    assert cypher.count(score) == 1
    perturbed = cypher.replace(score, score.replace(", 4)", ", 4) + 0.5"))
    changed = [pid for pid in ids if _rows(store, perturbed, pid) != _rows(store, cypher, pid)]
    assert len(changed) >= 5
