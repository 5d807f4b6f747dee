"""The learned concept filter (``pipeline.extract.concept_filter``): one decision per concept of
a paper, features read from the paper and the phrase table, weights loaded from the model folder
only when they were fitted for these features."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.extract.concept_filter import (
    FEATURES,
    FILTER_FILE,
    ConceptFilter,
    features,
    lexical_features,
    not_judged,
)
from pipeline.extract.model import MODEL_DIR
from pipeline.extract.phrases import load_phrase_counts, write_phrases
from pipeline.extract.spans import Candidate
from pipeline.extract.tokenizer import build_nlp
from pipeline.quality.training.concept_filter import fit
from schemas.keys import concept_key
from schemas.model import ConceptType

M, T = ConceptType.METHOD, ConceptType.TASK
TITLE = "WebAgent-R1: sequential task execution for web agents"
ABSTRACT = ("We propose WebAgent-R1 for sequential task execution. WebAgent-R1 improves "
            "video generation and sequential task execution on WebArena.")


@pytest.fixture(scope="module")
def paper() -> tuple:
    nlp = build_nlp()
    docs = (nlp(TITLE), nlp(ABSTRACT))

    def span(di: int, text: str, nth: int = 0) -> tuple[int, int]:
        doc = docs[di]
        found = [(t.i, t.i + len(nlp(text))) for t in doc
                 if doc[t.i : t.i + len(nlp(text))].text == text]
        return found[nth]

    cands = [
        Candidate(0, *span(0, "WebAgent-R1"), M, tier=2, strength=4, is_name=True),
        Candidate(0, *span(0, "sequential task execution"), T, tier=0),
        Candidate(1, *span(1, "WebAgent-R1"), M, tier=2, strength=4, is_name=True),
        Candidate(1, *span(1, "sequential task execution"), T, tier=0),
        Candidate(1, *span(1, "WebAgent-R1", 1), M, tier=2, strength=4, is_name=True),
        Candidate(1, *span(1, "video generation"), T, tier=0),
        Candidate(1, *span(1, "sequential task execution", 1), T, tier=0),
    ]
    return docs, cands


def column(name: str) -> int:
    return FEATURES.index(name)


def test_one_vector_per_concept_of_the_paper(paper: tuple) -> None:
    docs, cands = paper
    counts = {concept_key("video generation"): 40, concept_key("sequential task execution"): 1}
    rows = {key: (group, vector) for key, group, vector in features(docs, cands, counts)}
    assert set(rows) == {concept_key(t) for t in
                         ("WebAgent-R1", "sequential task execution", "video generation")}
    assert all(len(v) == len(FEATURES) for _, v in rows.values())
    name_group, name = rows[concept_key("WebAgent-R1")]
    assert len(name_group) == 3
    assert name[column("has a name-shaped token")] == 1.0
    assert name[column("descriptive (no capital or digit inside)")] == 0.0
    assert name[column("in the title")] == 1.0
    assert name[column("mentions in the paper (log)")] == pytest.approx(np.log1p(3))
    _, phrase = rows[concept_key("sequential task execution")]
    assert phrase[column("descriptive (no capital or digit inside)")] == 1.0
    others = column("other papers naming it (log)")
    assert phrase[others] == pytest.approx(np.log1p(1) / 5)
    assert name[others] == 0.0  # names are not judged by the table
    # the paper is itself in the table's corpus: its own count is taken off
    own = {k: v for k, _, v in features(docs, cands, counts, own_paper_counted=True)}
    assert own[concept_key("sequential task execution")][others] == 0.0
    assert own[concept_key("video generation")][others] == pytest.approx(np.log1p(39) / 5)


def test_keep_drops_every_mention_of_a_rejected_concept_and_keeps_order(paper: tuple) -> None:
    docs, cands = paper
    weights = [0.0] * len(FEATURES)
    weights[column("other papers naming it (log)")] = 10.0
    weights[column("has a name-shaped token")] = 10.0
    rejecting = ConceptFilter(tuple(weights), bias=-2.0, threshold=0.5)
    counts = {concept_key("video generation"): 40}
    kept = rejecting.keep(docs, cands, counts)
    assert kept == [c for c in cands if c.type is M or c.end - c.start == 2]
    assert [c for c in kept if c.type is T] == [cands[5]]  # "video generation" stays
    everything = ConceptFilter(tuple(weights), bias=-2.0, threshold=0.0)
    assert everything.keep(docs, cands, counts) == cands


def test_names_the_short_lists_know_and_metric_phrases_are_not_judged() -> None:
    nlp = build_nlp()
    title, abstract = nlp(""), nlp("We pair the Grok 3 model with a retriever and report the "
                                   "area under the curve.")
    words = [t.text for t in abstract]
    grok, auc = words.index("Grok"), words.index("area")
    cands = [
        Candidate(1, grok, grok + 2, M, tier=2, strength=7, is_name=True),  # the short lists
        Candidate(1, auc, auc + 4, ConceptType.METRIC, tier=2, strength=5),  # a metric phrase
        Candidate(1, words.index("retriever"), words.index("retriever") + 1, M, tier=0),
    ]
    rejecting_all = ConceptFilter(tuple([0.0] * len(FEATURES)), bias=-5.0, threshold=0.5)
    assert rejecting_all.keep((title, abstract), cands, {}) == cands[:2]
    # a name known only from the paper's own words is judged
    coined = Candidate(1, grok, grok + 2, M, tier=2, strength=4, is_name=True)
    assert rejecting_all.keep((title, abstract), [coined], {}) == []


def test_the_words_around_a_concept_weigh_in(paper: tuple) -> None:
    docs, cands = paper
    neutral = ConceptFilter(tuple([0.0] * len(FEATURES)), bias=1.0, threshold=0.5)
    assert neutral.keep(docs, cands, {}) == cands
    # "video generation" is the only concept the word "improves" comes before
    words = ConceptFilter(neutral.weights, 1.0, 0.5, {"before=improves": -3.0, "after=on": 9.0})
    assert words.keep(docs, cands, {}) == [c for c in cands if c is not cands[5]]


def test_filter_file_round_trip_and_refusal_of_other_features(tmp_path: Path) -> None:
    assert ConceptFilter.load(tmp_path) is None  # an older model folder: the step is off
    fitted = ConceptFilter(tuple(float(i) / 10 for i in range(len(FEATURES))), -1.5, 0.3,
                           {"last=framework": -0.8, "after=dataset": 1.25})
    (tmp_path / FILTER_FILE).write_text(fitted.to_json(), encoding="utf-8")
    assert ConceptFilter.load(tmp_path) == fitted
    data = json.loads((tmp_path / FILTER_FILE).read_text(encoding="utf-8"))
    del data["lexical"]  # a filter fitted before the word features: the vector alone
    (tmp_path / FILTER_FILE).write_text(json.dumps(data), encoding="utf-8")
    loaded = ConceptFilter.load(tmp_path)
    assert loaded is not None and loaded.lexical == {} and loaded.weights == fitted.weights
    data["features"] = [*data["features"][:-1], "something else"]
    (tmp_path / FILTER_FILE).write_text(json.dumps(data), encoding="utf-8")
    assert ConceptFilter.load(tmp_path) is None


def test_the_shipped_model_has_a_filter_for_these_features() -> None:
    shipped = ConceptFilter.load(MODEL_DIR)
    assert shipped is not None, "retrain with `paperkg train` after changing FEATURES"
    assert 0.0 < shipped.threshold < 1.0


def test_phrase_counts_read_the_table(tmp_path: Path) -> None:
    write_phrases(tmp_path, {"video-generation": 40, "code-completion": 2})
    assert load_phrase_counts(tmp_path) == {"video-generation": 40, "code-completion": 2}
    assert load_phrase_counts(tmp_path / "missing") is None


def test_fit_separates_what_the_labels_separate() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] - 2 * x[:, 1] > 0).astype(float)
    w, b = fit(x, y, l2=0.1)
    assert w[0] > 0 > w[1] and abs(w[2]) < abs(w[0]) / 2
    accuracy = (((x @ w + b) > 0) == y.astype(bool)).mean()
    assert accuracy > 0.95


def test_a_doubted_concept_carries_its_doubt_and_is_always_judged() -> None:
    """What the precision filter would have dropped comes with the reason as a word feature,
    and even a metric-list phrase is judged then."""
    nlp = build_nlp()
    docs = (nlp(""), nlp("We report the computational cost and the area under the curve ."))
    words = [t.text for t in docs[1]]
    cost, auc = words.index("computational"), words.index("area")
    doubted = Candidate(1, cost, cost + 2, ConceptType.METRIC, tier=2, strength=5,
                        doubt="broad field")
    listed = Candidate(1, auc, auc + 4, ConceptType.METRIC, tier=2, strength=5)
    assert "doubt=broad field" in lexical_features(docs, [doubted])
    assert not any(f.startswith("doubt=") for f in lexical_features(docs, [listed]))
    assert not_judged(listed) and not not_judged(doubted)
    neutral = ConceptFilter(tuple([0.0] * len(FEATURES)), bias=1.0, threshold=0.5)
    against = ConceptFilter(neutral.weights, 1.0, 0.5, {"doubt=broad field": -4.0})
    assert neutral.keep(docs, [doubted, listed], {}) == [doubted, listed]
    assert against.keep(docs, [doubted, listed], {}) == [listed]
    assert against.judges_doubts and not neutral.judges_doubts


def test_the_hybrid_hands_doubts_only_to_a_filter_trained_on_them() -> None:
    """The shipped filter was trained on the doubted spans, so the hybrid hands them over;
    with a filter that knows nothing of them (an older model folder), they are dropped."""
    from pipeline.extract.hybrid import HybridExtractor

    hybrid = HybridExtractor(n_process=1)
    assert hybrid.concept_filter is not None and hybrid.concept_filter.judges_doubts
    abstract = ("We study sampling for the budget forcing strategy, which we apply to "
                "test-time scaling of reasoning models on MATH-500.")
    pair = tuple(hybrid.nlp.pipe(["A study", abstract]))
    hybrid.concept_filter = ConceptFilter(tuple([0.0] * len(FEATURES)), 5.0, 0.5,
                                          {"doubt=generic head": 0.0})
    hybrid.concept_typer = None
    doubted = {pair[1][c.start : c.end].text: c.doubt for c in hybrid._spans(pair) if c.doubt}
    assert doubted, "a doubted span of this abstract reaches the filter"
    hybrid.concept_filter = ConceptFilter(tuple([0.0] * len(FEATURES)), 5.0, 0.5)
    assert not any(c.doubt for c in hybrid._spans(pair))
    hybrid.doubts = True  # as the filter's training asks for them
    assert {pair[1][c.start : c.end].text for c in hybrid._spans(pair) if c.doubt} == set(doubted)


def test_judge_hands_the_typer_the_rows_of_the_concepts_it_keeps(paper: tuple) -> None:
    """The typer reads the filter's rows instead of computing them again: the same types as
    computing them afresh."""
    from pipeline.extract.concept_typer import ConceptTyper

    docs, cands = paper
    weights = [0.0] * len(FEATURES)
    weights[column("has a name-shaped token")] = 10.0
    names_only = ConceptFilter(tuple(weights), bias=-2.0, threshold=0.5)
    kept, rows = names_only.judge(docs, cands, {})
    assert kept == names_only.keep(docs, cands, {})
    assert [key for key, _, _ in rows] == [concept_key("WebAgent-R1")]
    assert [c for _, group, _ in rows for c in group] == kept
    typer = ConceptTyper.load(MODEL_DIR)
    assert typer is not None
    fresh = [c.type for c in typer.retype(docs, [copy.copy(c) for c in kept], {})]
    assert [c.type for c in typer.retype(docs, kept, {}, rows)] == fresh
