"""The precision filter (``pipeline.extract.precision``): generic phrases, fragments and head
words go, names stay and are typed, one node per concept (issue 13)."""

from __future__ import annotations

import json

import pytest

from pipeline.extract import HybridExtractor, MentionExtractor
from pipeline.extract.precision import DOUBTFUL, drop_reason, keep, refine, retype, trim
from pipeline.extract.spans import Candidate
from pipeline.extract.tokenizer import build_nlp
from schemas.model import ConceptType, Paper, PaperExtraction
from tests.support.cli import run_cli
from tests.support.samples import SAMPLE_JUNK

B, D, M, R, T = (ConceptType.BENCHMARK, ConceptType.DATASET, ConceptType.METHOD,
                 ConceptType.METRIC, ConceptType.TASK)


@pytest.fixture(scope="module")
def hybrid() -> HybridExtractor:
    return HybridExtractor(n_process=1)


def _mentions(ex: HybridExtractor, abstract: str, title: str = "A study") -> dict[str, set[str]]:
    (out,) = ex.extract([Paper(id="p", title=title, abstract=abstract)])
    found: dict[str, set[str]] = {}
    for m in out.mentions:
        found.setdefault(m.text, set()).add(m.type.value)
    return found


def _trimmed(text: str) -> str | None:
    doc = build_nlp()(text)
    got = trim(doc, 0, len(doc))
    return None if got is None else doc[got[0] : got[1]].text


@pytest.mark.parametrize(("text", "expected"), [
    ("ImageNet dataset", "ImageNet"),
    ("ImageNet test set", "ImageNet"),
    ("the WebArena benchmark", "WebArena"),
    ("GPT-4 model", "GPT-4"),
    ("DINOv2 foundation model", "DINOv2"),
    ("Multidimensional attention UNet-based", None),  # cut before its head
    ("high-", None),  # of "high- and low-frequency adjustment"
    ("semantic segmentation task", "semantic segmentation"),
    ("downstream task of", None),  # generic head with a generic modifier
    ("our model", "model"),  # then dropped by ``keep`` as one generic word
    ("compression framework", None),
    ("a novel diffusion model", "diffusion model"),  # a family: the head is its name
    ("Spike Aware Mixed-Precision Quantization Strategy",
     "Spike Aware Mixed-Precision Quantization"),
    ("DoF Adroit Hand", "Adroit Hand"),
    ("dataset Mobile app Tasks", "Mobile app Tasks"),  # "a new dataset Mobile app Tasks ..."
    ("benchmark ZorpArena", "ZorpArena"),
    ("dataset distillation", "dataset distillation"),  # a cue word that starts a task's name
    # a quality claimed for the paper's take on a task is no part of the task's name
    ("High-Fidelity Korean Font Generation", "Korean Font Generation"),
    ("data-efficient cervical cell classification", "cervical cell classification"),
    ("parameter-efficient fine-tuning", "parameter-efficient fine-tuning"),
    ("novel view synthesis", "novel view synthesis"),  # a known task keeps its "novel"
    # a measured value before its metric ("71.512% Top-1 accuracy", "81 percent accuracy")
    ("71.512% Top-1 accuracy", "Top-1 accuracy"),
    ("percent accuracy", "accuracy"),
    ("0.66 transcription accuracy", "transcription accuracy"),
    ("250x speedup", "speedup"),
    ("20 Newsgroups", "20 Newsgroups"),  # a number that is part of a name stays
    ("3D Gaussian Splatting", "3D Gaussian Splatting"),
    # "average" of a reported figure, not of the metric's name ("average precision" is one)
    ("average OOD accuracy", "OOD accuracy"), ("average cIoU", "cIoU"),
    ("average rank correlation coefficient", "rank correlation coefficient"),
    ("average precision", "average precision"),
    # ... and of a known metric ("the best average accuracy", "mean pixel accuracy")
    ("average accuracy", "accuracy"), ("mean pixel accuracy", "pixel accuracy"),
    ("mean Dice score", "Dice score"), ("mean squared error", "mean squared error"),
    ("average reward", "average reward"),  # not a known metric: the paper's own measure
    # a value written in LaTeX ("by a 7.9\\% success rate")
    ("7.9\\% success rate", "success rate"),
    ("the", None),  # nothing left: no word read past the span
    ("mean average precision", "mean average precision"),
    # a task's systems are the task ("driving", "grading", "discovery" are task heads)
    ("autonomous driving systems", "autonomous driving"),
    ("short answer grading systems", "short answer grading"),
    # a verb that is never a noun began a clause ("allows us to quantify SFC")
    ("quantify SFC", "SFC"), ("minimize inference latency", "inference latency"),
    ("compromising diagnostic accuracy", "diagnostic accuracy"),
    ("maintaining image quality", "image quality"),
    ("preserving semantic consistency", "semantic consistency"),
    ("Improve", "Improve"),  # nothing would be left
    # a citation after the name: "... of West et al."
    ("Symbolic Knowledge Distillation of West et", "Symbolic Knowledge Distillation"),
])
def test_trim_head_words_and_edge_words(text: str, expected: str | None) -> None:
    assert _trimmed(text) == expected


@pytest.mark.parametrize(("text", "kept"), [
    ("generation", False), ("sampling", False), ("robustness", False),
    ("computational efficiency", False), ("LLMs' reasoning capability", False),
    ("ensuring robust alignment", False), ("adaptively sample depth", False),
    ("\\cup \\mathcal{O", False), ("natural language response", False),
    ("model", False), ("accuracy", True), ("summarization", True), ("code generation", True),
    ("WebArena", True), ("robustness of GPT-4", True),  # a name is never dropped here
    # not words at all, though name-shaped
    ("https://github.com/baijiesong/Lensnet", False), ("www.example.org/Tool", False),
    ("+19.05", False), ("E", False), ("R2", True),
    ("EWO)-guided reasoning path retrieval", False), ("MiniWoB++", True),
    ("language models", False), ("machine learning", False), ("large language models", True),
    ("zero-shot", False), ("multi-label", False), ("super-resolution", True),
    ("f(x) regression", True),
    # the paper's own work and tooling, not concepts; a field of study is
    ("empirical analysis", False), ("systematic evaluation", False),
    ("ablation study", False), ("Python implementation", False), ("investigative tool", False),
    ("Transformer-based baseline", False), ("real-world deployment", False),
    ("sentiment analysis", True), ("privacy evaluation", True),
    ("computational cost", False), ("computational costs", False),
    ("computational complexity", False), ("training time", True), ("peak memory", True),
    ("pass@3", True), ("pass@k", True),  # a metric, though lower case and one token
    ("LMs", False), ("AI", False), ("artificial intelligence", False),  # fields
    ("NLP", False), ("computer vision", False), ("generative AI", False),
    ("NEtworks", False), ("GFlowNets", True),  # a common word in a broken case is no name
])
def test_keep_drops_generic_words_qualities_and_fragments(text: str, kept: bool) -> None:
    doc = build_nlp()("x " + text)
    assert keep(doc[1:], False, "") is kept


def test_title_fragments_go_unless_the_abstract_uses_them(hybrid: HybridExtractor) -> None:
    title = "Does Local Information Matter? Enhancing Traffic Management With Graph Agents"
    found = _mentions(hybrid, "We study traffic management with graph agents on GSM8K.", title)
    assert "Local Information Matter" not in found
    assert not any(t.startswith("Enhancing") for t in found)


def test_a_verb_inside_a_span_splits_it() -> None:
    """The NER runs over a verb now and then: "UtterTune leverages low-rank adaptation"."""
    nlp = build_nlp()
    docs = (nlp("A study"), nlp("UtterTune leverages low-rank adaptation well ."))
    span = Candidate(1, 0, 4, M, tier=0)
    got = {docs[1][c.start : c.end].text for c in refine(docs, [span], False)}
    assert got == {"UtterTune", "low-rank adaptation"}


@pytest.mark.parametrize(("text", "kept"), [
    ("Language Modeling", True), ("Medical Image Segmentation", True),
    ("Korean Font Generation", True),
    ("Local Information Matter", False), ("Enhancing Traffic Management", False),
    ("Efficient Training", False), ("Segmentation", False), ("Vision", False),
    ("Discovery", False),
])
def test_a_title_case_titles_task_stays_though_the_abstract_never_repeats_it(
        text: str, kept: bool) -> None:
    """A Title Case title names the paper's task ("... for Medical Image Segmentation") and the
    abstract often says it another way; a title's other words still go."""
    doc = build_nlp()(text)
    assert keep(doc[:], True, "an abstract about something else") is kept


def test_a_known_name_inside_a_components_description_is_a_concept_too(
        hybrid: HybridExtractor) -> None:
    """"the CLIP text encoder", "a fine-tuned BERT model": a reader lists CLIP and BERT; a
    name inside a longer name ("Llama 2") is not split out."""
    found = _mentions(hybrid, "We align regions with the CLIP text encoder and classify "
                              "them with a fine-tuned BERT model. We also compare to Llama 2.")
    assert found.get("CLIP") == {"METHOD"}
    assert found.get("BERT") == {"METHOD"}
    assert "Llama" not in found


def test_any_name_inside_a_methods_description_stands_for_it(hybrid: HybridExtractor) -> None:
    """2025 abstracts (the tuning pool): the annotators list the name, not its description;
    a task phrase around an acronym stays a task phrase."""
    found = _mentions(hybrid, "We employ a two-stage fine-tuning process on the Qwen2.5-72B "
                              "base model. Features go to a post-processing SVM classifier.")
    assert found.get("Qwen2.5-72B") == {"METHOD"}
    assert found.get("SVM") == {"METHOD"}
    found = _mentions(hybrid, "We study automatic MCQ generation for exams.")
    assert "MCQ" not in found


def test_named_artifacts_are_typed_by_lists_cues_and_form(hybrid: HybridExtractor) -> None:
    found = _mentions(
        hybrid,
        "We pre-train on SA-1B and evaluate on CASP14, reporting RMSD. Our model reaches 71% on "
        "AIME24 and CodeAgent-Test and builds ChipKG. We fine-tune OMG-LLaVA. "
        "Results on the AMOS2022 and Synapse datasets improve.",
    )
    assert found["SA-1B"] == {"DATASET"}
    assert found["CASP14"] == {"BENCHMARK"}
    assert found["RMSD"] == {"METRIC"}
    assert found["AIME24"] == found["CodeAgent-Test"] == {"BENCHMARK"}
    assert found["ChipKG"] == {"DATASET"}
    assert found["OMG-LLaVA"] == {"METHOD"}
    assert found["AMOS2022"] == found["Synapse"] == {"DATASET"}
    # 2025 abstracts (the tuning pool): a model and a knowledge graph by name alone
    found = _mentions(hybrid, "We integrate a dynamic knowledge graph with the Grok 3 large "
                              "language model. We construct a benchmark grounded in Wikidata.")
    assert found["Grok 3"] == {"METHOD"}
    assert found["Wikidata"] == {"DATASET"}
    found = _mentions(hybrid, "Span queries achieve 10-20x reductions in TTFT. Our approach "
                              "achieves higher CLIP-T, CLIP-I, and DINO scores.")
    assert found["TTFT"] == found["CLIP-T"] == found["CLIP-I"] == {"METRIC"}


def test_filter_off_keeps_scirex_style_mentions() -> None:
    text = "A segmentation method improves computational efficiency of generation."
    found = _mentions(MentionExtractor(n_process=1), text)
    assert "segmentation method" in found or "computational efficiency" in found


def test_one_node_per_concept_and_queries_accept_any_name(tmp_path, capsys) -> None:
    papers = [
        {"id": "2501.00001", "title": "Training on the ImageNet dataset",
         "abstract": "We train ResNet-50 on the ImageNet dataset and report top-1 accuracy on "
                     "the ImageNet test set. ResNet-50 outperforms ViT on ImageNet."},
        {"id": "2501.00002", "title": "Agents on WebArena",
         "abstract": "We evaluate GPT-4 on the WebArena benchmark. The GPT-4 model reaches a "
                     "success rate of 14% on WebArena."},
    ]
    source = tmp_path / "papers.jsonl"
    source.write_text("\n".join(json.dumps(p) for p in papers) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run_cli("run", str(source), "--format", "jsonl", "--out", str(out),
                           capsys=capsys)
    assert code == 0, err
    for concept in ("ImageNet", "ImageNet dataset", "the WebArena benchmark", "WebArena"):
        code, stdout, err = run_cli("query", "methods-on", "--param", f"concept={concept}",
                                    "--out", str(out), "--format", "json", capsys=capsys)
        assert code == 0, err
        methods = {row["key"] for row in json.loads(stdout)}
        assert methods & {"resnet-50", "gpt-4"}, (concept, stdout)
    code, stdout, _ = run_cli("query", "top-concepts", "--param", "limit=50", "--out", str(out),
                              "--format", "json", capsys=capsys)
    keys = {row["key"] for row in json.loads(stdout)}
    assert {"imagenet", "webarena", "gpt-4"} <= keys
    assert not keys & {"imagenet-dataset", "imagenet-test-set", "webarena-benchmark",
                       "gpt-4-model"}


def test_sample_junk_is_no_concept(hybrid: HybridExtractor) -> None:
    from tests.support.samples import sample_papers

    sample: list[PaperExtraction] = list(hybrid.extract(sample_papers()))
    texts = {m.text.lower() for e in sample for m in e.mentions}
    assert not texts & {j.lower() for j in SAMPLE_JUNK}


def test_a_title_case_exam_name_is_a_benchmark() -> None:
    nlp = build_nlp()
    text = "We test on the American Invitational Mathematics Examination and medical exam."
    docs = (nlp("A study"), nlp(text))
    exam = Candidate(1, 4, 8, M, tier=0)  # "American Invitational Mathematics Examination"
    lower = Candidate(1, 9, 11, M, tier=0)  # "medical exam": no name
    retype(docs, [exam, lower])
    assert docs[1][4:8].text == "American Invitational Mathematics Examination"
    assert (exam.type, lower.type) == (B, M)


def _cand(doc, text: str, ctype: ConceptType, doc_index: int = 1) -> Candidate:
    words = text.split()
    start = next(i for i in range(len(doc)) if doc[i : i + len(words)].text == text)
    return Candidate(doc_index, start, start + len(words), ctype, tier=0)


def test_one_type_per_concept_in_a_paper_and_a_bracket_is_no_acronym_of_a_phrase() -> None:
    nlp = build_nlp()
    docs = (nlp("Scalable Point Cloud Registration"),
            nlp("We study point cloud registration. OmniVinci gains +19 on DailyOmni "
                "(cross-modal understanding) and on MMAR."))
    title = _cand(docs[0], "Point Cloud Registration", M, 0)
    abstract = _cand(docs[1], "point cloud registration", T)
    daily = _cand(docs[1], "DailyOmni", M)
    bracketed = _cand(docs[1], "cross-modal understanding", M)
    retype(docs, [title, abstract, daily, bracketed])
    assert title.type is abstract.type is T  # the abstract's reading of the paper's concept
    assert bracketed.type is T  # a task head; no acronym of DailyOmni


def test_a_span_cut_short_of_a_known_name_takes_it_whole() -> None:
    doc = build_nlp()("Latents serve downstream tasks such as novel view synthesis .")
    start = next(t.i for t in doc if t.text == "view")
    got = trim(doc, start, start + 2)
    assert got is not None and doc[got[0] : got[1]].text == "novel view synthesis"


def test_the_families_users_ask_for_are_methods_wherever_a_title_capitalises_them() -> None:
    nlp = build_nlp()
    docs = (nlp("Planning in Large Language Models"), nlp("We test vision-language models."))
    title = _cand(docs[0], "Large Language Models", T, 0)
    vlm = _cand(docs[1], "vision-language models", T)
    retype(docs, [title, vlm])
    assert title.type is vlm.type is M


def test_an_acronym_takes_the_type_of_its_whole_long_form_only() -> None:
    docs = (build_nlp()("A study"), build_nlp()(
        "We present One Mid-timestep Guidance Real-ISR (OMGSR), a universal framework. "
        "We study video super-resolution (VSR) further."))
    last_words = _cand(docs[1], "Real-ISR", T)
    omgsr = _cand(docs[1], "OMGSR", M)
    long_form = _cand(docs[1], "video super-resolution", T)
    vsr = _cand(docs[1], "VSR", M)
    retype(docs, [last_words, omgsr, long_form, vsr])
    assert omgsr.type is M  # "Real-ISR" is no long form of OMGSR
    assert vsr.type is T  # "video super-resolution" is VSR's


def test_a_phrase_no_other_paper_names_goes_unless_it_measures_accuracy() -> None:
    doc = build_nlp()("x grading accuracy and grading quirks")
    table = frozenset({"accuracy"})  # the phrase table: neither phrase is in it
    assert keep(doc[1:3], False, "", table)  # "grading accuracy": a metric all the same
    assert not keep(doc[4:6], False, "", table)
    assert keep(doc[4:6], False, "", None)  # no table, no check


def test_a_known_name_typed_strongly_is_not_retyped_by_its_head_word() -> None:
    docs = (build_nlp()("A study"), build_nlp()("We fit it by maximum likelihood estimation."))
    mle = _cand(docs[1], "maximum likelihood estimation", M)
    mle.strength = 8  # the paper's own words, stronger than the short lists
    retype(docs, [mle])
    assert mle.type is M  # "estimation" is a task head, but the name is known as a method


@pytest.mark.parametrize(("text", "expected"), [
    ("supervised finetuning", M), ("Trajectory-as-Exemplar Prompting", M),
    ("knowledge distillation", M),
    # a problem's head stays a task: "optimization" names both
    ("dynamic multi-objective optimization", T), ("image classification", T),
])
def test_a_task_ending_in_a_technique_head_is_a_method(text: str, expected: ConceptType) -> None:
    docs = (build_nlp()("A study"), build_nlp()(f"We study {text} here."))
    cand = _cand(docs[1], text, T)
    retype(docs, [cand])
    assert cand.type is expected


def _refined(abstract: str, start: int, end: int, ctype: ConceptType,
             doubts: bool) -> list[tuple[str, str]]:
    nlp = build_nlp()
    docs = (nlp("A study"), nlp(abstract))
    cands = refine(docs, [Candidate(1, start, end, ctype, tier=0)], False, None, doubts)
    return [(docs[1][c.start : c.end].text, c.doubt) for c in cands]


def test_doubtful_drops_stay_with_their_reason_for_the_concept_filter() -> None:
    """With ``doubts`` the word-list drops are handed on, each marked with why; without it
    they go as before."""
    assert _refined("We study segmentation here .", 2, 3, T, doubts=False) == []
    assert _refined("We study segmentation here .", 2, 3, T, doubts=True) == [
        ("segmentation", "generic word")]
    assert _refined("We use the budget forcing strategy .", 3, 6, M, doubts=False) == []
    assert _refined("We use the budget forcing strategy .", 3, 6, M, doubts=True) == [
        ("budget forcing", "generic head")]
    assert _refined("We gain computational efficiency .", 2, 4, R, doubts=True) == [
        ("computational efficiency", "descriptive head")]


def test_form_drops_stay_drops_with_doubts() -> None:
    """LaTeX, figures and bracket pieces are no concept whatever the filter would say."""
    assert drop_reason(build_nlp()("x \\mathcal{O}")[1:], False, "") == "latex"
    assert _refined("We report N=120 here .", 2, 3, R, doubts=True) == []
    assert {"latex", "not a word", "bracket piece"}.isdisjoint(DOUBTFUL)
    assert "generic head" in DOUBTFUL


@pytest.mark.parametrize("text", ["ImageNet dataset", "semantic segmentation task",
                                  "WebArena", "video generation"])
def test_keep_is_drop_reason_none(text: str) -> None:
    doc = build_nlp()("x " + text)
    assert keep(doc[1:], False, "") is (drop_reason(doc[1:], False, "") is None)
