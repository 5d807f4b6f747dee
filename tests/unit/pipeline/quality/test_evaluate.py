"""Tests for pipeline.quality.evaluate: the scores on hand-made gold, the split, the CLI, and the
quality of the shipped default extractor on the held-out SciREX dev split."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.extract import DEFAULT_EXTRACTOR
from pipeline.quality.evaluate import (
    EvalReport,
    GoldDoc,
    GoldMention,
    Pred,
    data_dir,
    evaluate,
    format_table,
    load_gold,
    scirex_split,
    score,
)
from schemas.model import ConceptType, Mention, Paper, PaperExtraction
from tests.support.cli import run_cli

TEXT = "We train a graph neural network for node classification on Cora and report accuracy."
#       0         1         2         3         4         5         6         7         8
#       0123456789012345678901234567890123456789012345678901234567890123456789012345678901234


def gm(text: str, label: str, occurrence: int = 0, doc: str = TEXT) -> GoldMention:
    start = -1
    for _ in range(occurrence + 1):
        start = doc.index(text, start + 1)
    return GoldMention(start, start + len(text), text, label)


def pred(text: str, label: str, doc: str = TEXT) -> Pred:
    start = doc.index(text)
    return Pred(start, start + len(text), text, label)


def gold_doc(*mentions: GoldMention) -> GoldDoc:
    return GoldDoc("d", "", TEXT, tuple(mentions), "scirex")


def run(golds: list[GoldDoc], preds: list[list[Pred]]) -> EvalReport:
    return score(golds, preds, EvalReport("x", "g", "all", len(golds)))


def test_exact_overlap_and_concept_scores_differ_as_defined() -> None:
    gold = gold_doc(
        gm("graph neural network", "METHOD"),
        gm("node classification", "TASK"),
        gm("Cora", "DATASET"),
        gm("accuracy", "METRIC"),
    )
    preds = [
        pred("graph neural network", "METHOD"),  # exact
        pred("classification", "TASK"),  # boundary error: overlap only
        pred("Cora", "METHOD"),  # type error
        pred("report", "METRIC"),  # spurious
    ]
    report = run([gold], [preds])
    exact, overlap, concept = (report.scores[m]["ALL"] for m in ("exact", "overlap", "concept"))
    assert (exact.tp, exact.n_pred, exact.n_gold) == (1, 4, 4)
    assert (overlap.tp, overlap.n_pred, overlap.n_gold) == (2, 4, 4)
    assert (concept.tp, concept.n_pred, concept.n_gold) == (1, 4, 4)
    assert report.f1("exact") == pytest.approx(0.25)
    assert report.f1("overlap") == pytest.approx(0.5)
    assert report.scores["exact"]["METHOD"].precision == pytest.approx(0.5)
    assert report.scores["exact"]["DATASET"].recall == 0.0
    assert report.type_errors == {("DATASET", "METHOD"): 1}
    assert report.boundary_errors == {"TASK": 1}
    assert report.spurious == {"METRIC": 1}
    assert report.missed == {"METRIC": 1}
    table = format_table(report)
    assert "DATASET -> METHOD: 1" in table and "[Cora]" in table
    assert json.loads(json.dumps(report.as_dict()))["scores"]["exact"]["ALL"]["f1"] == 0.25


def test_concept_level_counts_each_name_once_per_paper_after_normalizing() -> None:
    text = "Graph neural networks beat a graph neural network."
    gold = GoldDoc("d", "", text, (gm("Graph neural networks", "METHOD", doc=text),
                                   gm("graph neural network", "METHOD", doc=text)), "scirex")
    report = run([gold], [[pred("graph neural network", "METHOD", doc=text)]])
    assert report.scores["concept"]["ALL"].tp == 1
    assert report.scores["concept"]["ALL"].n_gold == 1
    assert report.scores["exact"]["ALL"].n_gold == 2


def test_overlap_matching_is_one_to_one() -> None:
    gold = gold_doc(gm("graph neural network", "METHOD"))
    preds = [pred("graph neural", "METHOD"), pred("network", "METHOD")]
    report = run([gold], [preds])
    assert report.scores["overlap"]["ALL"].tp == 1
    assert report.scores["overlap"]["ALL"].precision == 0.5


def test_split_is_deterministic_and_about_a_fifth() -> None:
    ids = [f"{i:040x}" for i in range(2000)]
    dev = [i for i in ids if scirex_split(i) == "dev"]
    assert 0.17 < len(dev) / len(ids) < 0.23
    assert [scirex_split(i) for i in ids] == [scirex_split(i) for i in ids]


def test_load_gold_maps_types_ignores_others_and_selects_split(tmp_path: Path) -> None:
    scirex = tmp_path / "scirex.jsonl"
    records = []
    for i in range(40):
        text = "BERT on SQuAD."
        records.append({"id": f"doc{i}", "title": "T", "abstract": text, "mentions": [
            {"start": 0, "end": 4, "text": "BERT", "type": "Method"},
            {"start": 8, "end": 13, "text": "SQuAD", "type": "Dataset"}]})
    scirex.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    dev = load_gold(scirex, "dev")
    train = load_gold(scirex, "train")
    assert len(dev) + len(train) == 40 and dev and train
    assert {d.id for d in dev} == {f"doc{i}" for i in range(40) if scirex_split(f"doc{i}") == "dev"}
    assert [m.label for m in dev[0].mentions] == ["METHOD", "DATASET"]
    assert dev[0].title == "T"

    scierc = tmp_path / "scierc.jsonl"
    scierc.write_text(json.dumps({"id": 0, "text": "English parsing method", "mentions": [
        {"start": 0, "end": 7, "text": "English", "type": "Material"},
        {"start": 8, "end": 15, "text": "parsing", "type": "Task"},
        {"start": 16, "end": 22, "text": "method", "type": "Generic"},
        {"start": 0, "end": 15, "text": "English parsing", "type": "OtherScientificTerm"}]}) + "\n")
    (doc,) = load_gold(scierc, "dev")  # SciERC files are one split already: read whole
    found = [(m.text, m.label) for m in doc.mentions]
    assert found == [("English", "DATASET"), ("parsing", "TASK")]

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": 1, "text": "abc", "mentions": [
        {"start": 0, "end": 2, "text": "xyz", "type": "Task"}]}) + "\n")
    with pytest.raises(ValueError, match="offsets"):
        load_gold(bad)


class FixedExtractor:
    """Predicts BENCHMARK for every "SQuAD" in the abstract, and a title mention."""

    def extract(self, papers):
        for p in papers:
            found = [
                Mention(text="SQuAD", type=ConceptType.BENCHMARK, start=i, end=i + 5,
                        field="abstract", sentence=p.abstract)
                for i in range(len(p.abstract)) if p.abstract.startswith("SQuAD", i)
            ]
            found.append(Mention(text="T", type=ConceptType.METHOD, start=0, end=1,
                                 field="title", sentence="T"))
            yield PaperExtraction(paper=Paper(id=p.id, title=p.title, abstract=p.abstract),
                                  mentions=tuple(found))


def test_benchmark_scores_as_dataset_and_title_mentions_are_not_scored(tmp_path: Path) -> None:
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"id": "a", "title": "T", "abstract": "BERT on SQuAD.",
                                "mentions": [{"start": 8, "end": 13, "text": "SQuAD",
                                              "type": "Dataset"}]}) + "\n")
    report = evaluate(gold, "fixed", "all", extractor=FixedExtractor())
    assert report.scores["exact"]["ALL"].as_dict()["f1"] == 1.0


def test_cli_evaluate_prints_table_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"id": 0, "text": "We use a convolutional neural network.",
                                "mentions": [{"start": 9, "end": 37, "text":
                                              "convolutional neural network", "type": "Method"}]})
                    + "\n")
    args = ["evaluate", "--gold", str(gold), "--extractor", "rules"]
    code, stdout, stderr = run_cli(*args, capsys=capsys)
    assert code == 0, stderr
    assert "METHOD" in stdout and "exact" in stdout
    _, as_json, _ = run_cli(*args, "--format", "json", capsys=capsys)
    assert json.loads(as_json)["scores"]["exact"]["METHOD"]["f1"] == 1.0
    code, _, stderr = run_cli(*args[:-2], "--extractor", "nope", capsys=capsys)
    assert code == 2 and "unknown --extractor" in stderr


# ---------------------------------------------------------------------------
# Quality regression: the shipped NER plus rules on the held-out SciREX dev split, scored as
# mentions (``hybrid-mentions``: SciREX annotates generic phrases, "pooling", "search
# techniques", that the default's precision filter drops by design), and the default on the
# modern set's dev half, scored as concepts per the annotation guide.

# Reached by the shipped model (see docs/extraction-quality.md); the test allows 0.02 less.
DEV_EXACT_F1 = 0.689
DEV_CONCEPT_F1 = 0.697
# 52 mentions: one more or less moves it by ~0.01, so it is allowed 0.03
DEV_DATASET_F1 = 0.673
SCIERC_DEV_EXACT_F1 = 0.553
MENTION_EXTRACTOR = "hybrid-mentions"
# the default on the modern set's dev half and on the tuning pool (docs/extraction-quality.md),
# 0.02 allowed
MODERN_DEV_TYPED_P = 0.812
MODERN_DEV_TYPED_R = 0.789
TUNE_TYPED_P = 0.832
TUNE_TYPED_R = 0.709


def scirex_file() -> Path:
    path = data_dir() / "scirex" / "abstracts.jsonl"
    if not path.is_file():
        reason = f"{path} missing (the shared data sits beside the repo; PAPERKG_DATA overrides)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def test_mention_quality_on_dev_split_has_not_regressed() -> None:
    report = evaluate(scirex_file(), MENTION_EXTRACTOR, "dev")
    assert report.docs >= 30
    assert report.f1("exact") >= DEV_EXACT_F1 - 0.02, format_table(report)
    assert report.f1("concept") >= DEV_CONCEPT_F1 - 0.02, format_table(report)
    assert report.f1("exact", "DATASET") >= DEV_DATASET_F1 - 0.03, format_table(report)


def test_mention_quality_on_scierc_dev_has_not_regressed() -> None:
    path = scirex_file().parents[1] / "scierc" / "dev.jsonl"
    report = evaluate(path, MENTION_EXTRACTOR, "all")
    assert report.docs >= 250
    assert report.f1("exact") >= SCIERC_DEV_EXACT_F1 - 0.02, format_table(report)


def test_default_extractor_concept_quality_on_modern_dev_has_not_regressed() -> None:
    from pipeline.quality.modern_set import TUNE_POOL_PATH, corpus_path

    if not corpus_path().is_file():
        reason = f"{corpus_path()} missing (the shared corpora sit beside the repo)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    gold = Path(__file__).parents[4] / "pipeline" / "quality" / "data" / "modern-2025.jsonl"
    report = evaluate(gold, DEFAULT_EXTRACTOR, "dev")
    typed = report.scores["typed"]["ALL"]
    assert typed.precision >= MODERN_DEV_TYPED_P - 0.02, format_table(report)
    assert typed.recall >= MODERN_DEV_TYPED_R - 0.02, format_table(report)
    # the tuning pool: 159 unseen papers, a steadier check than the 40 of the dev half
    report = evaluate(TUNE_POOL_PATH, DEFAULT_EXTRACTOR, "all")
    typed = report.scores["typed"]["ALL"]
    assert report.docs >= 150
    assert typed.precision >= TUNE_TYPED_P - 0.02, format_table(report)
    assert typed.recall >= TUNE_TYPED_R - 0.02, format_table(report)
