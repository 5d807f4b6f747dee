"""The pools' names (``pipeline.extract.pool_names``): proposed where nothing overlaps them, with
the case of a pools' surface, typed as the pools mostly typed them, with a doubt from the
counts, and with a pool paper's own listing and text taken off while the filter learns."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract.pool_names import NAMES_FILE, PoolConcept, PoolNames, doubt_for
from pipeline.extract.spans import Candidate
from pipeline.extract.tokenizer import build_nlp
from pipeline.quality.concept_eval import ConceptDoc, GoldConcept
from pipeline.quality.training.pool_names import build_pool_names, listed_labels, number_forms
from schemas.model import ConceptType

TEXT = ("We study test-time scaling on the Iris dataset with ReAct agents; iris images and the "
        "KL divergence between large language model outputs are measured.")


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


@pytest.fixture(scope="module")
def names(nlp) -> PoolNames:
    forms = {"test-time scaling": ("test-time scaling",), "iris": ("Iris",),
             "react": ("ReAct",), "kl divergence": ("KL divergence",),
             "language model": ("language model",),
             "large language model": ("large language model",)}
    keys = {"test-time scaling": "testtimescaling", "iris": "iris", "react": "react",
            "kl divergence": "kldivergence", "language model": "languagemodel",
            "large language model": "largelanguagemodel"}
    concepts = {
        "testtimescaling": PoolConcept({"METHOD": 5}, 6),
        "iris": PoolConcept({"DATASET": 2}, 2),
        "react": PoolConcept({"METHOD": 1}, 1),
        "kldivergence": PoolConcept({"METRIC": 3, "METHOD": 1}, 10),
        "languagemodel": PoolConcept({"METHOD": 1}, 40),
        "largelanguagemodel": PoolConcept({"METHOD": 30}, 200),
    }
    return PoolNames(nlp, forms, keys, concepts)


def texts(docs, cands: list[Candidate]) -> dict[str, tuple[str, str]]:
    return {docs[c.doc_index][c.start : c.end].text: (c.type.value, c.doubt) for c in cands}


def test_doubt_bins() -> None:
    assert doubt_for(1, 1) == "lexicon 1 >=0.5"
    assert doubt_for(3, 10) == "lexicon 2-3 <0.5"
    assert doubt_for(30, 200) == "lexicon 4+ <0.2"
    assert doubt_for(2, 0) == "lexicon 2-3 >=0.5"  # listed under a surface the text lacks


def test_proposes_each_name_once_with_the_pools_type_and_case(nlp, names) -> None:
    docs = (nlp("Scaling agents"), nlp(TEXT))
    found = texts(docs, names.candidates(docs, []))
    assert found == {
        "test-time scaling": ("METHOD", "lexicon 4+ >=0.5"),
        "Iris": ("DATASET", "lexicon 2-3 >=0.5"),  # not "iris images": the pools wrote "Iris"
        "ReAct": ("METHOD", "lexicon 1 >=0.5"),
        "KL divergence": ("METRIC", "lexicon 4+ <0.5"),
        "large language model": ("METHOD", "lexicon 4+ <0.2"),  # the longest name wins
    }
    assert all(c.tier == 1 and not c.is_name for c in names.candidates(docs, []))


def test_leaves_what_another_candidate_overlaps(nlp, names) -> None:
    docs = (nlp("Scaling agents"), nlp(TEXT))
    react = next(i for i, t in enumerate(docs[1]) if t.text == "ReAct")
    taken = [Candidate(1, react, react + 2, ConceptType.METHOD, tier=0)]  # "ReAct agents"
    assert "ReAct" not in texts(docs, names.candidates(docs, taken))


def test_a_pool_paper_is_read_without_its_own_names(nlp, names) -> None:
    docs = (nlp("Scaling agents"), nlp(TEXT))
    found = texts(docs, names.candidates(docs, [], leave_out={"react": "METHOD",
                                                              "iris": "DATASET"}))
    assert "ReAct" not in found  # only this paper listed it
    assert found["Iris"] == ("DATASET", "lexicon 1 >=0.5")  # 1 of the 1 other paper with it
    assert found["test-time scaling"] == ("METHOD", "lexicon 4+ >=0.5")  # 5 of 5 others


def test_build_counts_listings_and_texts_and_round_trips(nlp, tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    pool.write_text(
        '{"id": "a", "title": "ReAct for agents", "abstract": "ReAct uses chain-of-thought.", '
        '"split": "dev", "concepts": [{"name": "ReAct", "type": "METHOD"}, '
        '{"name": "chain-of-thought", "type": "METHOD", "aliases": ["CoT"]}]}\n'
        '{"id": "b", "title": "Agents", "abstract": "A react loop with CoT on WebArena.", '
        '"split": "dev", "concepts": [{"name": "WebArena", "type": "BENCHMARK"}]}\n',
        encoding="utf-8")
    built = build_pool_names(nlp, tmp_path, [pool])
    assert (tmp_path / NAMES_FILE).is_file()
    loaded = PoolNames.load(nlp, tmp_path)
    assert loaded is not None and loaded.to_json() == built.to_json()
    assert loaded.concepts["react"] == PoolConcept({"METHOD": 1}, 1)  # "react" has the wrong case
    assert loaded.concepts["cot"] == PoolConcept({"METHOD": 1}, 1)  # listed by a, in b's text
    assert loaded.concepts["webarena"] == PoolConcept({"DATASET": 1}, 1)
    assert loaded.keys["chain-of-thought"] == "chainofthought"


def test_listed_labels_score_benchmarks_as_data() -> None:
    doc = ConceptDoc("x", "all", (GoldConcept("WebArena", "BENCHMARK", ("Web Arena",)),))
    assert listed_labels(doc) == {"webarena": "DATASET"}


def test_a_model_folder_without_the_file_has_none(nlp, tmp_path: Path) -> None:
    assert PoolNames.load(nlp, tmp_path) is None


def test_a_name_is_matched_in_either_number() -> None:
    assert number_forms("LLM") == ["LLM", "LLMs"]
    assert number_forms("accuracies")[-1] == "accuracy"
    assert number_forms("language model") == ["language model", "language models"]
    assert number_forms("Iris") == ["Iris"]  # no plural "s" to take off
    assert number_forms("GPT-4") == ["GPT-4"]


def test_the_shipped_hybrid_proposes_pool_names_its_filter_was_trained_on() -> None:
    """The shipped filter learnt the pool names' doubts, so the hybrid proposes them; with a
    filter that knows nothing of them (an older model folder), it proposes none."""
    from pipeline.extract.concept_filter import FEATURES, ConceptFilter
    from pipeline.extract.hybrid import HybridExtractor

    hybrid = HybridExtractor(n_process=1)
    assert hybrid.pool_names is not None and hybrid.concept_filter is not None
    assert hybrid.concept_filter.judges_pool_names
    abstract = "We measure the KL divergence of test-time scaling with ReAct agents."
    pair = tuple(hybrid.nlp.pipe(["A study", abstract]))
    proposed = {pair[c.doc_index][c.start : c.end].text for c in hybrid._spans(pair)
                if c.doubt.startswith("lexicon")}
    assert proposed, "a pool name of this abstract reaches the filter"
    hybrid.concept_filter = ConceptFilter(tuple([0.0] * len(FEATURES)), 5.0, 0.5,
                                          {"doubt=generic word": 0.0})
    assert not any(c.doubt.startswith("lexicon") for c in hybrid._spans(pair))
    hybrid.propose_pool_names = True  # as the filter's training asks for them
    assert {pair[c.doc_index][c.start : c.end].text for c in hybrid._spans(pair)
            if c.doubt.startswith("lexicon")} >= proposed
