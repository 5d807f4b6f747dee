"""Rule extraction over real spaCy (blank English) on the bundled sample and small texts."""

from __future__ import annotations

from itertools import pairwise

import pytest

from pipeline.extract import Extractor, RuleExtractor, load_extractor
from pipeline.normalize import Normalizer
from schemas.model import ConceptType, Paper, PaperExtraction
from tests.support.samples import (
    NER_ONLY_NAMES,
    SAMPLE_DATA_NAMES,
    by_title,
    sample_papers,
    types_of,
)

EVAL_TYPES = {ConceptType.DATASET, ConceptType.BENCHMARK}


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return load_extractor("rules")


@pytest.fixture(scope="module")
def sample(extractor: Extractor) -> list[PaperExtraction]:
    return list(extractor.extract(sample_papers()))


def one(extractor: Extractor, abstract: str, title: str = "") -> PaperExtraction:
    return next(iter(extractor.extract([Paper(id="t", title=title, abstract=abstract)])))


def test_sample_offsets_are_exact_and_spans_do_not_overlap(sample) -> None:
    assert len(sample) == 71
    total = 0
    for extraction in sample:
        spans: dict[str, list[tuple[int, int]]] = {"title": [], "abstract": []}
        for m in extraction.mentions:
            field_text = getattr(extraction.paper, m.field)
            assert field_text[m.start : m.end] == m.text
            assert m.text in m.sentence and m.sentence in field_text
            assert m.name == "" and m.key == ""
            spans[m.field].append((m.start, m.end))
            total += 1
        for field_spans in spans.values():
            field_spans.sort()
            for (_, end), (start, _) in pairwise(field_spans):
                assert end <= start
    assert total > 500
    assert all(e.mentions for e in sample[:10])


def test_extract_keeps_order_across_batches() -> None:
    papers = sample_papers()[:7]
    out = list(RuleExtractor(batch_size=3).extract(iter(papers)))
    assert [e.paper.id for e in out] == [p.id for p in papers]


def test_acronym_definition_and_later_uses_are_linked(sample) -> None:
    master = by_title(sample, "MASTER:")
    mentions = master.mentions
    long_forms = [m for m in mentions if m.text == "Monte Carlo Tree Search"]
    assert long_forms and all(m.type is ConceptType.METHOD for m in long_forms)
    definition = long_forms[0]
    text = master.paper.abstract
    assert text[definition.end : definition.end + 7] == " (MCTS)"
    later = [m for m in mentions if m.text == "MCTS" and m.start > definition.end]
    assert len(later) >= 2 and all(m.type is ConceptType.METHOD for m in later)

    normalized = Normalizer().normalize([master])[0]
    keys = {m.key for m in normalized.mentions if m.text in ("MCTS", "Monte Carlo Tree Search")}
    assert keys == {"monte-carlo-tree-search"}
    assert {m.name for m in normalized.mentions if m.text == "MCTS"} == {"Monte Carlo Tree Search"}


def test_acronym_long_form_types_from_head_word(sample) -> None:
    big = by_title(sample, "Beyond the Imitation Game")
    assert types_of(big, "Beyond the Imitation Game benchmark") == {ConceptType.BENCHMARK}
    lcbm = by_title(sample, "Large Content And Behavior Models")
    assert types_of(lcbm, "Content Behavior Corpus") == {ConceptType.DATASET}
    assert types_of(lcbm, "CBC") == {ConceptType.DATASET}


def test_well_known_names_are_typed_on_sample_sentences(sample) -> None:
    for title, names in SAMPLE_DATA_NAMES.items():
        extraction = by_title(sample, title)
        for name in set(names) - NER_ONLY_NAMES:
            found = types_of(extraction, name)
            assert found and found <= EVAL_TYPES, (name, found)
    embers = by_title(sample, "Embers of Autoregression")
    assert types_of(embers, "GPT-4") == {ConceptType.METHOD}
    assert types_of(embers, "GPT-3.5") == {ConceptType.METHOD}
    assert types_of(by_title(sample, "The Lottery Ticket Hypothesis"), "MNIST") == {
        ConceptType.DATASET
    }
    assert types_of(by_title(sample, "WebArena:"), "WebArena") == {ConceptType.BENCHMARK}


def test_context_decides_dataset_or_benchmark(extractor) -> None:
    e = one(
        extractor,
        "We release the ZorpText dataset. Our agent tops the QuuxArena benchmark. "
        "Experiments on FlimQA and BlorpQA show gains in accuracy. We also train FooNet.",
    )
    assert types_of(e, "ZorpText") == {ConceptType.DATASET}
    assert types_of(e, "QuuxArena") == {ConceptType.BENCHMARK}
    assert types_of(e, "FlimQA") == {ConceptType.BENCHMARK}
    assert types_of(e, "BlorpQA") == {ConceptType.BENCHMARK}
    assert types_of(e, "FooNet") == {ConceptType.METHOD}
    assert types_of(e, "accuracy") == {ConceptType.METRIC}


def test_title_prefix_names_the_paper_artifact(extractor) -> None:
    e = one(extractor, "We collect ZebraSet from the web.", title="ZebraSet: A Dataset of Zebras")
    assert types_of(e, "ZebraSet") == {ConceptType.DATASET}


def test_task_method_and_metric_phrases(extractor) -> None:
    e = one(
        extractor,
        "We study open-domain question answering, machine translation and next-word "
        "prediction with graph neural networks, diffusion models and deep reinforcement "
        "learning, and report the success rate and BLEU.",
    )
    got = {(m.text, m.type) for m in e.mentions}
    assert ("open-domain question answering", ConceptType.TASK) in got
    assert ("machine translation", ConceptType.TASK) in got
    assert ("next-word prediction", ConceptType.TASK) in got
    assert ("graph neural networks", ConceptType.METHOD) in got
    assert ("diffusion models", ConceptType.METHOD) in got
    assert ("deep reinforcement learning", ConceptType.METHOD) in got
    assert ("success rate", ConceptType.METRIC) in got
    assert ("BLEU", ConceptType.METRIC) in got


def test_generic_phrases_are_rejected(extractor) -> None:
    e = one(
        extractor,
        "We propose a new framework. Our method outperforms the model and this approach. "
        "The proposed method uses existing models and a novel algorithm in various settings. "
        "Experiments show better performance than previous methods.",
    )
    assert e.mentions == ()


def test_non_names_are_not_mentions(extractor) -> None:
    e = one(
        extractor,
        "Code is at https://github.com/foo/BarNet and runs on 8 GPUs with 7B parameters in 3D. "
        "The LLM-based agent is NOT used. See Section II.",
    )
    texts = {m.text for m in e.mentions}
    assert texts <= {"BarNet"}, texts


def test_load_extractor_registry() -> None:
    assert isinstance(load_extractor("rules"), RuleExtractor)
    with pytest.raises(ValueError, match="unknown extractor"):
        load_extractor("no-such-model")


def test_metric_phrases_and_cost_measures_are_metrics() -> None:
    rules = RuleExtractor()
    title = rules.nlp("Fast decoding")
    abstract = rules.nlp("Our method cuts training time and peak memory by half, gives a 2.1x "
                         "speedup and raises the attack success rate; computational cost stays.")
    found = {(abstract[c.start : c.end].text, c.type) for c in rules.measures(title, abstract)}
    assert found == {("training time", ConceptType.METRIC), ("peak memory", ConceptType.METRIC),
                     ("speedup", ConceptType.METRIC),
                     ("attack success rate", ConceptType.METRIC)}  # the longest match


def test_long_names_of_common_metrics_are_metrics() -> None:
    rules = RuleExtractor()
    title = rules.nlp("")
    abstract = rules.nlp("We report the area under the curve, the mean absolute error, the "
                         "peak signal-to-noise ratio and the speaker similarity of each system.")
    found = {abstract[c.start : c.end].text for c in rules.measures(title, abstract)}
    assert found == {"area under the curve", "mean absolute error",
                     "peak signal-to-noise ratio", "speaker similarity"}


@pytest.mark.parametrize(("text", "metrics", "not_metrics"), [
    ("Our agent gains on average +37.69% SR, +28.96% SPL and -30.69% MSS on R2R-CE (64.2% SR).",
     {"SR", "SPL", "MSS"}, {"R2R-CE"}),
    ("It matches text-driven methods (CLIP-T: 0.2588 vs. 0.2549) with a strong PCC > 0.7, and "
     "METEOR 0.542 against 0.323.", {"CLIP-T", "PCC", "METEOR"}, set()),
    # a name before a metric word, sizes and units are no measured metric
    ("ZorpLM reaches 85.3% ZQA accuracy with 2.5 GB of memory and 7B parameters.", set(),
     {"ZQA", "GB"}),
])
def test_an_acronym_beside_a_measured_value_is_a_metric(text: str, metrics: set[str],
                                                        not_metrics: set[str]) -> None:
    from pipeline.extract import build_nlp

    nlp = build_nlp()
    rules = RuleExtractor(nlp=nlp)
    title, abstract = nlp("A study"), nlp(text)
    found = {abstract[c.start : c.end].text for c in rules.measured_names(title, abstract)}
    assert metrics <= found and not found & not_metrics, found


def test_an_acronym_is_what_the_paper_calls_it_before_its_long_forms_head(extractor) -> None:
    e = one(
        extractor,
        "Hyperspectral Anomaly Detection (HAD) is hard. We study open scenario HAD (OHAD) in "
        "depth. We present Knowledge Distillation for Text Classification (KDTC), a framework "
        "leveraging teachers. We release Open Knowledge Bench (OKBench), a fully automated "
        "framework for generating benchmarks. Neural solvers for the capacitated vehicle "
        "routing (CVR) problem are studied.",
    )
    assert types_of(e, "OHAD") == {ConceptType.TASK}  # its head is a task acronym
    assert types_of(e, "KDTC") == {ConceptType.METHOD}  # ", a framework" beats "Classification"
    assert types_of(e, "OKBench") == {ConceptType.BENCHMARK}  # its own "-Bench" form first
    assert types_of(e, "CVR") == {ConceptType.TASK}  # "(CVR) problem"


def test_the_metrics_a_paper_lists_are_metric_candidates() -> None:
    from pipeline.extract import build_nlp
    from pipeline.extract.rules import RuleExtractor

    nlp = build_nlp()
    rules = RuleExtractor(nlp=nlp)
    title = nlp("A study")
    for text, expected in [
        ("We use generation metrics: faithfulness, answer relevance, context relevance, and "
         "factual correctness.",
         ["faithfulness", "answer relevance", "context relevance", "factual correctness"]),
        ("It gains in terms of accuracy and F1 over baselines.", ["accuracy", "F1"]),
        ("We use metrics such as BLEU, chrF and COMET to evaluate the system across many "
         "languages.", ["BLEU", "chrF", "COMET"]),
        ("We report metrics that matter to users in the long run.", []),
    ]:
        abstract = nlp(text)
        found = [abstract[c.start : c.end].text for c in rules.measures(title, abstract)
                 if c.type is ConceptType.METRIC]
        assert found == expected, text
