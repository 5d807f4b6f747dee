"""The shipped trained extractor (NER + rules): loads offline from the package, keeps the rules'
tokenizer, types the sample's named datasets and benchmarks, and gives exact offsets."""

from __future__ import annotations

import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from pipeline.extract import DEFAULT_EXTRACTOR, EXTRACTORS, build_nlp, load_extractor
from pipeline.extract.hybrid import HybridExtractor, _generic_data, _model_checkpoint
from pipeline.extract.model import (
    GENERIC_TERMS,
    MODEL_DIR,
    ModelExtractor,
    _clean,
    _split_acronym,
    load_model,
)
from schemas.model import ConceptType, Paper, PaperExtraction
from tests.support.samples import SAMPLE_DATA_NAMES, by_title, sample_papers, types_of

EVAL_TYPES = {ConceptType.DATASET, ConceptType.BENCHMARK}


def assert_named_data(hybrid: HybridExtractor, abstract: str, names: set[str]) -> None:
    """Each of ``names`` is a mention of the abstract, typed DATASET or BENCHMARK only."""
    (extraction,) = hybrid.extract([Paper(id="t", title="", abstract=abstract)])
    for name in names:
        assert types_of(extraction, name) <= EVAL_TYPES and types_of(extraction, name), name


def assert_not_data(hybrid: HybridExtractor, abstract: str, not_data: str) -> None:
    (extraction,) = hybrid.extract([Paper(id="t", title="", abstract=abstract)])
    assert not types_of(extraction, not_data) & EVAL_TYPES


@pytest.fixture(scope="module")
def hybrid() -> HybridExtractor:
    return HybridExtractor()


@pytest.fixture(scope="module")
def sample(hybrid: HybridExtractor) -> list[PaperExtraction]:
    return list(hybrid.extract(sample_papers()))


def test_model_ships_in_the_package_small_and_loads_from_disk() -> None:
    files = [p for p in MODEL_DIR.rglob("*") if p.is_file()]
    assert (MODEL_DIR / "config.cfg") in files
    assert sum(p.stat().st_size for p in files) < 8 * 1024 * 1024
    nlp = load_model()
    assert nlp.pipe_names == ["sentencizer", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"METHOD", "DATASET", "TASK", "METRIC"}
    assert "sci_ner" in nlp.meta["name"] and "SciREX" in nlp.meta["description"]


def test_missing_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="paperkg train"):
        load_model(tmp_path)


def test_model_tokenizes_like_the_rules() -> None:
    rules, model = build_nlp(), load_model()
    for paper in sample_papers()[:20]:
        for text in (paper.title, paper.abstract):
            assert [t.text for t in model.make_doc(text)] == [t.text for t in rules(text)]


def test_model_loads_with_plain_spacy_load_in_a_fresh_interpreter(tmp_path: Path) -> None:
    # spaCy finds the model's tokenizer through paperkg's entry point (pyproject.toml), so the
    # script imports only spaCy; run from elsewhere so the checkout is not on sys.path by chance
    code = (
        "import spacy\n"
        f"nlp = spacy.load({str(MODEL_DIR)!r})\n"
        "print(nlp('GPT-4 on WebArena').ents)\n"
        "print([t.text for t in nlp('a state-of-the-art model on GSM8K')])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "['a', 'state-of-the-art', 'model', 'on', 'GSM8K']" in run.stdout


def test_default_extractor_is_registered_and_is_the_trained_one() -> None:
    assert {"rules", "model", "hybrid"} <= set(EXTRACTORS)
    assert DEFAULT_EXTRACTOR == "hybrid"
    assert isinstance(load_extractor(), HybridExtractor)


def test_sample_named_datasets_and_benchmarks_are_typed(sample) -> None:
    for title, names in SAMPLE_DATA_NAMES.items():
        extraction = by_title(sample, title)
        for name in names:
            found = types_of(extraction, name)
            assert found and found <= EVAL_TYPES, (title, name, found)
    assert types_of(by_title(sample, "WebArena:"), "WebArena") == {ConceptType.BENCHMARK}
    assert types_of(by_title(sample, "The Lottery Ticket Hypothesis"), "MNIST") == {
        ConceptType.DATASET
    }


def test_sample_offsets_are_exact_and_spans_do_not_overlap(sample) -> None:
    assert len(sample) == 71
    assert [e.paper.id for e in sample] == [p.id for p in sample_papers()]
    total = 0
    for extraction in sample:
        spans: dict[str, list[tuple[int, int]]] = {"title": [], "abstract": []}
        for m in extraction.mentions:
            text = getattr(extraction.paper, m.field)
            assert text[m.start : m.end] == m.text and m.text.strip() == m.text
            assert m.text in m.sentence
            spans[m.field].append((m.start, m.end))
            total += 1
        for field_spans in spans.values():
            for (_, end), (start, _) in pairwise(sorted(field_spans)):
                assert end <= start
    assert total > 550  # concepts only: the precision and concept filters drop generic phrases


def test_benchmark_decided_by_context_for_names_the_model_finds() -> None:
    paper = Paper(
        id="t", title="",
        abstract="We introduce the ZorpBench benchmark for agents. We also release the "
        "FlimText dataset. Our model reaches 80% accuracy on ZorpBench.",
    )
    (extraction,) = HybridExtractor().extract([paper])
    assert types_of(extraction, "ZorpBench") == {ConceptType.BENCHMARK}
    assert types_of(extraction, "FlimText") <= {ConceptType.DATASET}


def test_model_alone_never_says_benchmark(sample) -> None:
    model = list(ModelExtractor().extract(sample_papers()[:10]))
    assert all(m.type is not ConceptType.BENCHMARK for e in model for m in e.mentions)
    assert sum(len(e.mentions) for e in model) > 50


def test_two_processes_give_the_same_result(sample) -> None:
    papers = sample_papers()[:12]
    two = list(HybridExtractor(n_process=2, batch_size=4).extract(iter(papers)))
    assert two == sample[:12]


def test_clean_drops_dangling_brackets_and_edge_words() -> None:
    nlp = build_nlp()
    doc = nlp("validated on the Wild (SFEW 2.0 ) set and the CIFAR-10 .")
    words = [t.text for t in doc]
    span = _clean(doc, words.index("Wild"), words.index("2.0") + 1)
    assert span is not None and doc[span[0] : span[1]].text == "SFEW 2.0"
    span = _clean(doc, words.index("the", 5), len(doc))
    assert span is not None and doc[span[0] : span[1]].text == "CIFAR-10"
    assert _clean(doc, words.index("("), words.index("(") + 1) is None
    cited = nlp("BERT bert2018 and daume05learning beat ResNet50 .")
    assert _clean(cited, 0, 2) == (0, 1)  # the citation key goes, the name stays
    assert _clean(cited, 3, 4) is None
    assert _clean(cited, 5, 6) == (5, 6)  # a model size is no year
    clause = nlp("Embers of Autoregression : Understanding LLMs . It generates hand motion .")
    assert _clean(clause, 0, 6) is None  # a span across a colon is a title, not a term
    assert _clean(clause, 8, 11) == (9, 11)  # "generates hand motion" -> "hand motion"
    assert _clean(clause, 9, 11) == (9, 11)


def test_an_acronym_definition_span_becomes_two_mentions() -> None:
    doc = build_nlp()("a multilayer perceptron ( MLP ) and a recurrent ( RNN ) cell")
    assert _split_acronym(doc, 1, 6) == [(1, 3), (4, 5)]
    assert _split_acronym(doc, 8, 13) == [(8, 13)]  # the brackets inside a name stay


def test_generic_one_word_terms_never_become_concepts(sample) -> None:
    lone = [m.text for e in sample for m in e.mentions if m.text.lower() in GENERIC_TERMS]
    assert lone == []
    # the filter is about lone words: a phrase with a generic head stays
    texts = {m.text.lower() for e in sample for m in e.mentions}
    assert any(t.endswith(" learning") for t in texts)


def test_sample_organisations_tools_and_title_words_are_not_datasets(sample) -> None:
    data = {m.text for e in sample for m in e.mentions if m.type in EVAL_TYPES}
    # organisations and software the NER took for data, a Title Case title phrase ("...
    # DeepSeek-R1 at Inference Time"), plural heads with no name ("multi-task datasets")
    for junk in ("OpenAI", "MATLAB", "Inference Time", "Evaluation Benchmarks",
                 "multi-task datasets", "Falcon-7b"):
        assert junk not in data, junk
    # the sample's "working code in MATLAB, Python and R": tools, of no concept type
    assert not any(m.text in ("OpenAI", "MATLAB", "Python") for e in sample for m in e.mentions)
    # nor of any other type ("Evaluation Benchmarks" as a METRIC)
    assert not any(m.text in ("Evaluation Benchmarks", "multi-task datasets")
                   for e in sample for m in e.mentions)
    # a model checkpoint in a list of LLMs is a method
    assert types_of(by_title(sample, "What's the Magic Word"), "Falcon-7b") == {ConceptType.METHOD}
    assert {m.type for e in sample for m in e.mentions if m.text == "Cohere-xlarge-52.4B"} == {
        ConceptType.METHOD}
    # a released corpus with a plain English name keeps its type
    assert "Content Behavior Corpus" in data
    # "we introduce Synapse, a computer agent": the paper's words beat the short lists' dataset
    assert types_of(by_title(sample, "Synapse:"), "Synapse") == {ConceptType.METHOD}


def test_model_checkpoints_and_generic_data_heads() -> None:
    assert _model_checkpoint("Falcon-7b") and _model_checkpoint("Llama-70B")
    assert _model_checkpoint("Cohere-xlarge-52.4B")  # any name with billions of parameters
    assert not _model_checkpoint("LAION-5B")  # a dataset family
    assert not _model_checkpoint("SA-1B") and not _model_checkpoint("COYO-700M")
    assert not _model_checkpoint("Falcon")  # no size: the name alone is decided elsewhere
    doc = build_nlp()("We use multi-task datasets , SciTail datasets and Atari environments .")
    assert _generic_data(doc[2:4], False)
    assert not _generic_data(doc[5:7], False)
    assert not _generic_data(doc[8:10], False)
    title = build_nlp()("Quantifying Variance in Evaluation Benchmarks")
    assert _generic_data(title[3:5], True) and not _generic_data(title[3:5], False)


@pytest.mark.parametrize(("title", "abstract", "name"), [
    # 2025 abstracts whose proposed name the NER typed DATASET
    ("WDMamba: When Wavelet Degradation Prior Meets Vision Mamba for Image Dehazing",
     "Exploiting this insight, we propose a novel dehazing framework, WDMamba, which "
     "decomposes the image dehazing task into two sequential stages.", "WDMamba"),
    ("Post-Training Language Models to Plan",
     "We introduce PLAN-TUNING, a unified post-training framework that distills synthetic "
     "task decompositions.", "PLAN-TUNING"),
    ("Sentiment reasoning", "In this paper, we propose an original framework, MLLMsent, to "
     "investigate the sentiment reasoning capabilities of MLLMs.", "MLLMsent"),
    # 2025 abstracts (the tuning pool) whose coined name the NER or its long form typed TASK
    ("KDH-MLTC: Knowledge Distillation for Healthcare Multi-Label Text Classification",
     "This research presents Knowledge Distillation for Healthcare Multi-Label Text "
     "Classification (KDH-MLTC), a framework leveraging model compression and Large Language "
     "Models (LLMs). KDH-MLTC transfers knowledge from a more complex teacher LLM.", "KDH-MLTC"),
    ("WGRAMMAR: Leverage Prior Knowledge to Accelerate Structured Decoding",
     "Structured decoding enables large language models (LLMs) to generate outputs in formats "
     "required by downstream systems, such as HTML or JSON. However, existing methods suffer "
     "from efficiency bottlenecks due to grammar compilation, state tracking, and mask "
     "creation. We introduce wgrammar, a lightweight decoding engine that integrates "
     "domain-aware simplification, constraint decomposition, and mask caching, achieving up to "
     "250x speedup over existing systems.", "WGRAMMAR"),
])
def test_a_name_the_paper_calls_a_framework_is_a_method(title: str, abstract: str,
                                                        name: str) -> None:
    (extraction,) = HybridExtractor(n_process=1).extract(
        [Paper(id="t", title=title, abstract=abstract)])
    assert types_of(extraction, name) == {ConceptType.METHOD}


def test_a_long_form_the_ner_split_is_one_span() -> None:
    (extraction,) = HybridExtractor(n_process=1).extract([Paper(
        id="t", title="Mind the Gap: Confidence Discrepancy Can Guide Federated Learning",
        abstract="Motivated by these findings, we propose a simple and effective method called "
        "Semi-supervised Aggregation for Globally-Enhanced Ensemble (SAGE), that can flexibly "
        "correct pseudo-labels based on confidence discrepancies.")])
    texts = {m.text for m in extraction.mentions}
    assert "Semi-supervised Aggregation for Globally-Enhanced Ensemble" in texts
    assert not texts & {"Semi-supervised Aggregation", "Globally-Enhanced Ensemble"}


def test_method_apposition_and_left_cues_type_a_name() -> None:
    from pipeline.extract.rules import RuleExtractor

    nlp = build_nlp()
    rules = RuleExtractor(nlp=nlp)
    for text, name in [
        ("We propose a novel dehazing framework , WDMamba , which works .", "WDMamba"),
        ("We introduce ZorpNet , a unified post-training framework for agents .", "ZorpNet"),
        ("We release ZorpSet , a new dataset of images .", "ZorpSet"),
        ("We propose the Explore-Generate-Simulate ( EGS ) framework , which helps .",
         "Explore-Generate-Simulate"),
    ]:
        doc = nlp(text)
        start = next(t.i for t in doc if t.text == name)
        ctype, strength = rules.name_type(doc, 1, name, [(start, start + 1)], start, start + 1)
        expected = ConceptType.DATASET if name == "ZorpSet" else ConceptType.METHOD
        assert (ctype, strength >= 5) == (expected, True), text


@pytest.mark.parametrize(("abstract", "names"), [
    # SciREX abstracts whose datasets the NER missed or cut
    ("Our method achieves state-of-the-art results across four established transductive and "
     "inductive graph benchmarks: the Cora, Citeseer and Pubmed citation network datasets, as "
     "well as a protein-protein interaction dataset.", {"Cora", "Citeseer", "Pubmed"}),
    ("Face recognition was popularized by the Labeled Faces in the Wild dataset for imagery.",
     {"Labeled Faces in the Wild"}),
    ("The proposed method is verified on the widely-used UNBC-McMaster Shoulder-Pain dataset.",
     {"UNBC-McMaster Shoulder-Pain"}),
    # a 2025 abstract: a Title Case name first in a list before "datasets"
    ("Our method achieves state-of-the-art performance on the Blender, LLFF, and DTU datasets.",
     {"Blender", "LLFF", "DTU"}),
    # an acronym whose Title Case long form a data word follows
    ("We report accuracy on the validation set of Real-World Affective Faces (RAF) Database.",
     {"Real-World Affective Faces", "RAF"}),
    ("Due to the lack of spatio-temporal datasets, we construct the Unified Spatio-Temporal "
     "Grounding (Uni-STG) dataset, comprising 480K instances across three tasks.", {"Uni-STG"}),
    # an acronym whose long form the paper calls data: "the validation set of <long form>"
    ("We report accuracy on the validation set of Static Facial Expressions in the Wild "
     "(SFEW 2.0) and on the test set of the RAF Database.", {"SFEW 2.0"}),
    # a name that begins with digits
    ("Landmark detection accuracy measured on the 300W benchmark does not imply better "
     "results.", {"300W"}),
])
def test_names_before_a_data_cue_are_data(hybrid: HybridExtractor, abstract: str,
                                          names: set[str]) -> None:
    assert_named_data(hybrid, abstract, names)


@pytest.mark.parametrize(("abstract", "not_data"), [
    # a domain word or acronym that describes the data, and a cue inside a method's name
    ("Despite the growing scale of medical Vision-Language datasets, quality matters.",
     "Vision-Language"),
    ("In urban search and rescue (USAR) operations, communication is crucial. We evaluate this "
     "approach in a real-world USAR environment.", "USAR"),
    ("We propose Xplore-Agent, a GUI agent framework that combines Action-aware GUI Modeling "
     "with Graph-Guided Environment Reasoning.", "Graph-Guided Environment"),
    # a task's acronym before "datasets": the long form is no name
    ("Fine-grained visual classification (FGVC) is hard, and FGVC datasets are small.", "FGVC"),
])
def test_words_that_describe_data_are_not_named_data(hybrid: HybridExtractor, abstract: str,
                                                     not_data: str) -> None:
    assert_not_data(hybrid, abstract, not_data)


@pytest.mark.parametrize(("abstract", "names"), [
    ("We evaluated our model on two datasets Market 1501 and Duke MTMC. Experiments show "
     "that it learns incrementally.", {"Market 1501", "Duke MTMC"}),
    ("We evaluate on the benchmarks: Zorp-QA, Quux Reasoning and BlorpBench.",
     {"Zorp-QA", "Quux Reasoning", "BlorpBench"}),
    ("Results on the benchmark ZorpArena show gains.", {"ZorpArena"}),
])
def test_names_after_a_data_cue_are_data(hybrid: HybridExtractor, abstract: str,
                                         names: set[str]) -> None:
    assert_named_data(hybrid, abstract, names)


@pytest.mark.parametrize(("abstract", "not_data"), [
    # a verb follows: the name is the clause's subject, not an item of the cue's list
    ("On these benchmarks ZorpNet scores 40% higher than prior work.", "ZorpNet"),
    # a comma closes the clause: "On both benchmarks, Method X outperforms"
    ("On both benchmarks, ZorpNet outperforms the baselines.", "ZorpNet"),
])
def test_a_name_after_a_data_cue_that_starts_a_clause_is_not_data(
        hybrid: HybridExtractor, abstract: str, not_data: str) -> None:
    assert_not_data(hybrid, abstract, not_data)


@pytest.mark.parametrize("abstract", [
    "We achieve 29.8 BLEU on WMT 2016 English \u2013 Romanian, a new state of the art.",
    "We achieve 29.8 BLEU on WMT 2016 English-Romanian, a new state of the art.",
])
def test_a_language_pair_is_part_of_its_dataset(hybrid: HybridExtractor, abstract: str) -> None:
    (extraction,) = hybrid.extract([Paper(id="t", title="", abstract=abstract)])
    data = {m.text for m in extraction.mentions if m.type in EVAL_TYPES}
    assert any(t.startswith("WMT 2016") and t.endswith("Romanian") for t in data), data
    assert "WMT 2016 English" not in data


def test_an_acronym_beside_a_measured_value_is_a_metric(hybrid: HybridExtractor) -> None:
    paper = Paper(id="t", title="", abstract="Our navigation agent improves on average +37.69% "
                  "SR and +28.96% SPL on R2R-CE, where it reaches 64.2% SR.")
    (extraction,) = hybrid.extract([paper])
    assert types_of(extraction, "SR") == {ConceptType.METRIC}
    assert types_of(extraction, "SPL") == {ConceptType.METRIC}


def test_a_metric_name_the_ner_runs_past_is_the_metric() -> None:
    from pipeline.extract import MentionExtractor

    # the NER's span: "average win rate exceeding" (a METHOD)
    paper = Paper(id="t", title="", abstract="Our approach achieves not only over 20% "
                  "improvement on the new dataset but also an average win rate exceeding 70% "
                  "against strong baselines on existing safety benchmarks.")
    (extraction,) = MentionExtractor(n_process=1).extract([paper])
    assert types_of(extraction, "win rate") == {ConceptType.METRIC}
    assert not any("exceeding" in m.text for m in extraction.mentions)


def test_a_metric_after_a_latex_percent_is_found(hybrid: HybridExtractor) -> None:
    paper = Paper(id="t", title="", abstract="Our framework outperformed prior SOTA on the "
                  "LIBERO benchmark by a 7.9\\% success rate, and obtained nearly an 8\\% "
                  "accuracy gain.")
    (extraction,) = hybrid.extract([paper])
    assert types_of(extraction, "success rate") == {ConceptType.METRIC}


def test_a_mention_takes_the_data_word_after_it_and_a_concept_does_not() -> None:
    from pipeline.extract import MentionExtractor

    paper = Paper(id="t", title="", abstract="Face verification was popularized by the Labeled "
                  "Faces in the Wild dataset, and we report results on the IJB-A and IJB-B "
                  "benchmarks.")
    (mentions,) = MentionExtractor(n_process=1).extract([paper])
    (concepts,) = HybridExtractor(n_process=1).extract([paper])
    assert {"Labeled Faces in the Wild dataset", "IJB-B benchmarks"} <= {
        m.text for m in mentions.mentions}
    assert {"Labeled Faces in the Wild", "IJB-B"} <= {m.text for m in concepts.mentions}
