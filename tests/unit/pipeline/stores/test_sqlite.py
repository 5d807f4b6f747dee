"""The SQLite store holds the same graph as the plain-networkx reference store (embedded.py)
for the same writes, answers every named query with the same rows, and keeps its file whole
when a write fails or two writers meet."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from graph_queries import load_queries
from pipeline.stores.base import StoreError
from pipeline.stores.embedded import NetworkxStore
from pipeline.stores.queries import get_query, resolve_params
from pipeline.stores.sqlite.store import DB_FILE, SqliteStore
from schemas import Concept, ConceptType, GraphBatch, Paper, PaperConcept, Role
from tests.support.graph_compare import batch_for, sample_batch, sample_papers

DAY1, DAY2, DAY3 = dt.date(2026, 11, 1), dt.date(2026, 11, 20), dt.date(2026, 11, 25)
PAPERS = sample_papers()


def rotated(papers: tuple[Paper, ...]) -> GraphBatch:
    """The papers with their first sentence moved to the end: new hashes, other roles."""
    changed = []
    for paper in papers:
        sentences = paper.abstract.split(". ")
        changed.append(paper.model_copy(
            update={"abstract": ". ".join([*sentences[1:], sentences[0]])}))
    return batch_for(tuple(changed))


def emptied(papers: tuple[Paper, ...]) -> GraphBatch:
    """The papers rewritten to mention nothing: their concepts lose them (and some go)."""
    return batch_for(tuple(p.model_copy(update={"title": "Untitled", "abstract": "Nothing."})
                           for p in papers))


WRITES = [(sample_batch(), DAY1), (rotated(PAPERS[30:38]), DAY2), (emptied(PAPERS[3:9]), DAY3)]


def query_cases() -> list[tuple[str, dict[str, str]]]:
    cases = [("related-work", {"paper": p.id, "limit": limit})
             for p in PAPERS for limit in ("1", "4", "10")]
    cases += [
        ("papers-for", {"concept": c, **extra})
        for c in ("large language model", "WebArena", "GSM8K", "MCTS", "mcts")
        for extra in ({}, {"role": "EVALUATES_ON"}, {"limit": "1"})
    ]
    cases += [(name, {"type": t, "limit": limit})
              for name in ("top-concepts", "central-concepts")
              for t in ("METHOD", "TASK", "BENCHMARK", "DATASET", "METRIC")
              for limit in ("1", "5", "500")]
    cases += [("top-concepts", {}), ("central-concepts", {})]
    cases += [(name, {"concept": c, "limit": limit})
              for name in ("concept-neighbors", "methods-on", "tasks-for-method")
              for c in ("large language model", "WebArena", "GSM8K", "reinforcement learning",
                        "MiniWoB++")
              for limit in ("2", "50")]
    cases += [("new-concepts", {"today": today, "days": days, **extra})
              for today in ("2026-11-21", "2026-11-26", "2026-10-01")
              for days in ("3", "30")
              for extra in ({}, {"type": "METHOD"}, {"limit": "3"})]
    return cases


SUMMARIES: list[object] = []


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[NetworkxStore, SqliteStore]:
    reference = NetworkxStore(tmp_path_factory.mktemp("graphml"))
    store = SqliteStore(tmp_path_factory.mktemp("sqlite"))
    for batch, day in WRITES:
        summary = store.write(batch, today=day)
        assert summary == reference.write(batch, today=day)
        SUMMARIES.append(summary)
    return reference, store


def test_the_writes_add_update_and_remove(stores: tuple[NetworkxStore, SqliteStore]) -> None:
    """The comparisons below cover every path of a write: the second replaced papers, the
    third left concepts without papers."""
    added, updated, emptying = SUMMARIES
    assert added.papers_added == len(PAPERS)  # type: ignore[attr-defined]
    assert updated.papers_updated == 8  # type: ignore[attr-defined]
    assert emptying.papers_updated == 6 and emptying.concepts_removed > 0  # type: ignore[attr-defined]


def test_the_same_graph_as_the_reference_store(
    stores: tuple[NetworkxStore, SqliteStore],
) -> None:
    reference, store = stores
    assert store.counts() == reference.counts()
    assert store.counts().papers == len(PAPERS)
    expected, actual = reference.view(co_occurrence=True), store.view(co_occurrence=True)
    for part in ("papers", "concepts", "paper_concepts", "links", "co_occurrence"):
        assert getattr(actual, part) == getattr(expected, part), part
    assert store.view().co_occurrence is None
    assert {c.first_seen for c in actual.concepts} == {d.isoformat() for _, d in WRITES[:2]}


def test_every_named_query_answers_the_same_rows(
    stores: tuple[NetworkxStore, SqliteStore],
) -> None:
    reference, store = stores
    cases = query_cases()
    assert {name for name, _ in cases} == set(load_queries())
    differing, empty = [], 0
    for name, raw in cases:
        values = resolve_params(get_query(name), raw)
        expected = reference.run_query(name, values)
        empty += not expected
        if store.run_query(name, values) != expected:
            differing.append((name, raw))
    assert differing == []
    assert empty < len(cases) / 4  # real rows were compared, not empty lists


def test_a_reopened_store_reads_what_was_written(
    stores: tuple[NetworkxStore, SqliteStore],
) -> None:
    with SqliteStore(stores[1].directory) as reopened:
        assert reopened.view(co_occurrence=True) == stores[1].view(co_occurrence=True)
        hashes = reopened.content_hashes([PAPERS[0].id, "nope"])
    assert hashes == {PAPERS[0].id: sample_batch().papers[0].content_hash}


def test_writing_the_same_batch_again_changes_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path)
    store.write(sample_batch(), today=DAY1)
    before = store.view(co_occurrence=True)
    again = store.write(sample_batch(), today=DAY2)
    assert again.papers_unchanged == len(PAPERS) and again.papers_added == 0
    assert store.view(co_occurrence=True) == before


def test_a_failing_write_leaves_the_graph_as_it_was(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path)
    store.write(sample_batch(), today=DAY1)
    before = store.view(co_occurrence=True)
    batch = rotated(PAPERS[:5])
    broken = batch.model_copy(update={"paper_concepts": (
        *batch.paper_concepts,
        PaperConcept(paper_id=PAPERS[0].id, concept_key="no-such-concept", role=Role.USES,
                     count=1, snippet="x"),
    )})
    with pytest.raises(KeyError):
        store.write(broken, today=DAY2)
    assert store.view(co_occurrence=True) == before
    assert SqliteStore(tmp_path).view(co_occurrence=True) == before


def one_paper_batch(paper_id: str) -> GraphBatch:
    return GraphBatch(
        papers=(Paper(id=paper_id, title=f"On {paper_id}", abstract="We study it."),),
        concepts=(Concept(key="shared", name="Shared", type=ConceptType.TASK),
                  Concept(key=f"own-{paper_id}", name=paper_id, type=ConceptType.METHOD)),
        paper_concepts=(
            PaperConcept(paper_id=paper_id, concept_key="shared", role=Role.ADDRESSES, count=1,
                         snippet="s"),
            PaperConcept(paper_id=paper_id, concept_key=f"own-{paper_id}", role=Role.PROPOSES,
                         count=1, snippet="s"),
        ),
    )


def test_two_writers_at_once_keep_both_sets_of_papers(tmp_path: Path) -> None:
    SqliteStore(tmp_path).check()
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            with SqliteStore(tmp_path) as store:
                for i in range(40):
                    store.write(one_paper_batch(f"{prefix}{i}"))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(p,)) for p in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = SqliteStore(tmp_path).counts()
    assert counts.papers == 80
    shared = SqliteStore(tmp_path).run_query("papers-for", {"concept": "shared", "role": None,
                                                            "limit": 1000})
    assert len(shared) == 80
    top = SqliteStore(tmp_path).run_query("central-concepts", {"type": "TASK", "limit": 1})
    assert top[0]["neighbors"] == 80 and top[0]["papers"] == 80


def test_a_graphml_folder_is_imported_with_its_dates(tmp_path: Path) -> None:
    reference = NetworkxStore(tmp_path)
    reference.write(sample_batch(), today=DAY1)
    reference.write(rotated(PAPERS[:4]), today=DAY2)
    store = SqliteStore(tmp_path)
    assert store.view(co_occurrence=True) == reference.view(co_occurrence=True)
    assert (tmp_path / DB_FILE).exists()


def test_a_file_that_is_not_a_paperkg_database_is_one_line(tmp_path: Path) -> None:
    (tmp_path / DB_FILE).write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a readable paperkg database"):
        SqliteStore(tmp_path).check()
    other = tmp_path / "other"
    other.mkdir()
    with sqlite3.connect(other / DB_FILE) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a readable paperkg database"):
        SqliteStore(other).check()


def test_a_concept_is_found_by_its_display_name_when_its_key_differs(tmp_path: Path) -> None:
    """An acronym seen without its long form in a batch is named by the acronym but keyed by
    the long form: the name a user reads on the map must still find it."""
    batch = GraphBatch(
        papers=(Paper(id="p", title="On VLMs", abstract="We study them."),),
        concepts=(Concept(key="vision-language-model", name="VLM", type=ConceptType.METHOD),),
        paper_concepts=(PaperConcept(paper_id="p", concept_key="vision-language-model",
                                     role=Role.USES, count=1, snippet="s"),),
    )
    reference = NetworkxStore(tmp_path / "graphml")
    store = SqliteStore(tmp_path / "sqlite")
    values = resolve_params(get_query("papers-for"), {"concept": "VLM"})
    for graph in (reference, store):
        graph.write(batch)
        assert [r["paper"] for r in graph.run_query("papers-for", values)] == ["p"]


@pytest.mark.parametrize(("asked", "found"), [
    ("Open-Canopy benchmark", "open-canopy-benchmark"),  # stored with its head word
    ("ImageNet test set", "imagenet"),  # stored without: the head words are dropped
    ("the ImageNet dataset", "imagenet"),
])
def test_a_concept_is_found_with_or_without_head_words(
    tmp_path: Path, asked: str, found: str
) -> None:
    keys = {"open-canopy-benchmark": "Open-Canopy benchmark", "imagenet": "ImageNet"}
    batch = GraphBatch(
        papers=(Paper(id="p", title="Trees", abstract="We count them."),),
        concepts=tuple(Concept(key=k, name=n, type=ConceptType.BENCHMARK)
                       for k, n in keys.items()),
        paper_concepts=tuple(PaperConcept(paper_id="p", concept_key=k, role=Role.EVALUATES_ON,
                                          count=1, snippet="s") for k in keys),
    )
    values = resolve_params(get_query("methods-on"), {"concept": asked})
    for graph in (NetworkxStore(tmp_path / "graphml"), SqliteStore(tmp_path / "sqlite")):
        graph.write(batch)
        neighbours = graph.run_query("papers-for", {**values, "role": None, "limit": 5})
        assert [r["paper"] for r in neighbours] == ["p"]
        others = set(keys) - {found}
        graph.write(GraphBatch(papers=batch.papers, concepts=tuple(
            c for c in batch.concepts if c.key == found), paper_concepts=tuple(
            e for e in batch.paper_concepts if e.concept_key == found)))
        assert graph.run_query("papers-for", {**values, "role": None, "limit": 5})
        assert not others & {c.key for c in graph.view().concepts}
