"""Tests for the concept-level scorer (pipeline.quality.concept_eval) on hand-made cases, and for
the committed modern evaluation set (pipeline/quality/data/modern-2025.jsonl)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from pipeline.quality.concept_eval import (
    ConceptDoc,
    ConceptReport,
    GoldConcept,
    PredConcept,
    fold,
    load_concept_gold,
    predicted_concepts,
    score_concepts,
)
from pipeline.quality.evaluate import evaluate, format_table, gold_format
from pipeline.quality.modern_set import (
    CORPUS_ENV,
    FILTER_POOL2_PATH,
    FILTER_POOL2_SEEDS,
    FILTER_POOL_PATH,
    FILTER_POOL_SEEDS,
    GOLD_PATH,
    NER_POOL_PATH,
    NER_POOL_SEEDS,
    TUNE_POOL_PATH,
    TUNE_POOL_SEEDS,
    CorpusMissing,
    corpus_path,
    load_texts,
    pool_ids,
    select,
)
from schemas.model import ConceptType, Mention, Paper, PaperExtraction
from tests.support.cli import run_cli

G = GoldConcept
P = PredConcept


def doc(*concepts: GoldConcept, acceptable: tuple[str, ...] = ()) -> ConceptDoc:
    return ConceptDoc("p1", "dev", concepts, acceptable)


def run(docs: list[ConceptDoc], preds: list[list[PredConcept]]) -> ConceptReport:
    return score_concepts(docs, preds, ConceptReport("x", "g", "all", len(docs)))


def counts(report: ConceptReport, kind: str, label: str = "ALL") -> tuple[int, int, int, int]:
    s = report.scores[kind][label]
    return s.pred_ok, s.n_pred, s.gold_ok, s.n_gold


def test_fold_drops_case_punctuation_and_a_plural_s() -> None:
    assert fold("Vision Transformers") == fold("vision transformer")
    assert fold("chain-of-thought") == fold("Chain of Thought") == "chainofthought"
    assert fold("GPT-4") == fold("GPT4")
    assert fold("LLMs") == fold("LLM")
    assert fold("strategies") == fold("strategy")
    # an "s" that is not a plural stays: these must not fold onto other words
    assert fold("process") == "process" and fold("corpus") == "corpus"
    assert fold("analysis") == "analysis"
    assert fold("accuracies") == "accuracy"


def test_a_prediction_matches_by_alias_and_by_its_own_aliases() -> None:
    gold = doc(G("retrieval-augmented generation", "METHOD", ("RAG",)),
               G("SWE-bench", "BENCHMARK"))
    preds = [P("RAG", "METHOD"), P("SWE bench Verified", "BENCHMARK", ("SWE-Bench",))]
    report = run([gold], [preds])
    assert counts(report, "typed") == (2, 2, 2, 2)
    assert report.false_positives == [] and report.misses == []


def test_plural_folding_matches_singular_gold() -> None:
    report = run([doc(G("Vision Transformer", "METHOD", ("ViT",)))],
                 [[P("Vision Transformers", "METHOD")]])
    assert counts(report, "typed") == (1, 1, 1, 1)


def test_dataset_and_benchmark_count_as_one_type() -> None:
    gold = doc(G("MMLU", "BENCHMARK"), G("ImageNet", "DATASET"))
    report = run([gold], [[P("MMLU", "DATASET"), P("ImageNet", "BENCHMARK")]])
    assert counts(report, "typed") == (2, 2, 2, 2)
    assert counts(report, "typed", "DATASET") == (2, 2, 2, 2)


def test_acceptable_only_matches_are_left_out_of_precision() -> None:
    gold = doc(G("LoRA", "METHOD"), acceptable=("large language models",))
    preds = [P("LoRA", "METHOD"), P("large language model", "METHOD"), P("our model", "METHOD")]
    report = run([gold], [preds])
    # 3 predictions, one acceptable-only: 1 right of 2 counted
    assert counts(report, "untyped") == (1, 2, 1, 1)
    assert report.scores["typed"]["ALL"].precision == 0.5
    assert report.acceptable_only == [{"paper": "p1", "name": "large language model",
                                       "type": "METHOD"}]
    assert [f["name"] for f in report.false_positives] == ["our model"]


def test_a_prediction_matching_gold_and_acceptable_counts_as_a_match() -> None:
    gold = doc(G("diffusion models", "METHOD"), acceptable=("diffusion model",))
    report = run([gold], [[P("diffusion model", "METHOD")]])
    assert counts(report, "typed") == (1, 1, 1, 1)
    assert report.acceptable_only == []


def test_a_type_mismatch_counts_untyped_only() -> None:
    gold = doc(G("BLEU", "METRIC"), G("machine translation", "TASK"))
    preds = [P("BLEU", "METHOD"), P("machine translation", "TASK")]
    report = run([gold], [preds])
    assert counts(report, "untyped") == (2, 2, 2, 2)
    assert counts(report, "typed") == (1, 2, 1, 2)
    assert counts(report, "typed", "METHOD") == (0, 1, 0, 0)
    assert counts(report, "typed", "METRIC") == (0, 0, 0, 1)
    assert counts(report, "untyped", "METRIC") == (0, 0, 1, 1)
    assert report.false_positives == [{"paper": "p1", "name": "BLEU", "type": "METHOD",
                                       "kind": "type", "gold": "BLEU", "gold_type": "METRIC"}]
    assert report.misses == [{"paper": "p1", "name": "BLEU", "type": "METRIC", "kind": "type",
                              "pred_type": "METHOD"}]


def test_matching_is_not_one_to_one_and_duplicates_count_once() -> None:
    gold = doc(G("retrieval-augmented generation", "METHOD", ("RAG",)), G("F1", "METRIC"))
    preds = [P("RAG", "METHOD"), P("retrieval augmented generation", "METHOD"),
             P("RAG", "METHOD")]
    report = run([gold], [preds])
    assert counts(report, "typed") == (2, 2, 1, 2)
    assert [m["name"] for m in report.misses] == ["F1"]
    assert report.misses[0]["kind"] == "missed"


def test_split_and_wrongly_merged_concepts_are_listed() -> None:
    gold = doc(G("retrieval-augmented generation", "METHOD", ("RAG",)), G("BLEU", "METRIC"),
               G("BLEU-4", "METRIC", ("BLEU",)))
    preds = [P("RAG", "METHOD"), P("retrieval augmented generation", "METHOD"),
             P("BLEU", "METRIC")]
    report = run([gold], [preds])
    assert report.split_concepts == [{"paper": "p1", "name": "retrieval-augmented generation",
                                      "predicted": ["RAG", "retrieval augmented generation"]}]
    assert report.merged_concepts == [{"paper": "p1", "name": "BLEU",
                                       "gold": ["BLEU", "BLEU-4"]}]
    table = format_table(report)
    assert "1 gold concepts split" in table and "1 predicted concepts merging" in table
    one_each = run([gold], [[P("RAG", "METHOD"), P("BLEU-4", "METRIC")]])
    assert not one_each.split_concepts and not one_each.merged_concepts


def test_report_renders_as_table_and_json() -> None:
    report = run([doc(G("BLEU", "METRIC"))], [[P("BLEU", "METHOD"), P("the model", "METHOD")]])
    table = format_table(report)
    assert "typed P" in table and "untyped P" in table
    assert "p1" in table and "the model" in table and "[type: gold METRIC 'BLEU']" in table
    data = json.loads(json.dumps(report.as_dict()))
    assert data["scores"]["untyped"]["ALL"]["precision"] == 0.5
    assert {f["name"] for f in data["false_positives"]} == {"BLEU", "the model"}
    assert data["misses"][0]["name"] == "BLEU"


# ---------------------------------------------------------------------------
# loading, format detection, predictions


def write(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


RECORD = {"id": "t1", "split": "dev", "title": "LoRA for BLEU",
          "abstract": "We tune LoRA adapters and report BLEU on WMT14.",
          "concepts": [{"name": "LoRA", "type": "METHOD", "aliases": []},
                       {"name": "BLEU", "type": "METRIC", "aliases": []},
                       {"name": "WMT14", "type": "DATASET", "aliases": []}],
          "acceptable": ["adapters"]}


def test_load_selects_split_and_rejects_bad_records(tmp_path: Path) -> None:
    gold = write(tmp_path / "g.jsonl", RECORD, {**RECORD, "id": "t2", "split": "test"})
    assert gold_format(gold) == "concepts"
    assert [d.id for d in load_concept_gold(gold, "test")] == ["t2"]
    assert len(load_concept_gold(gold, "all")) == 2
    with pytest.raises(ValueError, match="split"):
        load_concept_gold(gold, "train")
    bad = write(tmp_path / "b.jsonl",
                {**RECORD, "concepts": [{"name": "x", "type": "MODEL", "aliases": []}]})
    with pytest.raises(ValueError, match="MODEL"):
        load_concept_gold(bad)
    scirex = write(tmp_path / "s.jsonl", {"id": "a", "title": "", "abstract": "x", "mentions": []})
    assert gold_format(scirex) == "mentions"


def test_missing_corpus_fails_with_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(CORPUS_ENV, str(tmp_path / "nowhere.jsonl.gz"))
    textless = {k: v for k, v in RECORD.items() if k not in ("title", "abstract")}
    gold = write(tmp_path / "g.jsonl", textless)
    with pytest.raises(CorpusMissing, match="corpus not found"):
        load_concept_gold(gold)
    code, _, stderr = run_cli("evaluate", "--gold", str(gold), "--extractor", "rules",
                              capsys=capsys)
    assert code != 0 and "corpus not found" in stderr
    assert len(stderr.strip().splitlines()) == 1


class FixedExtractor:
    """Tags fixed strings in the abstract with fixed types."""

    def __init__(self, spans: dict[str, ConceptType]) -> None:
        self.spans = spans

    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        for paper in papers:
            mentions = []
            for text, kind in self.spans.items():
                start = paper.abstract.find(text)
                if start >= 0:
                    mentions.append(Mention(text=text, type=kind, start=start,
                                            end=start + len(text), field="abstract",
                                            sentence=paper.abstract))
            yield PaperExtraction(paper=paper, mentions=tuple(mentions))


def test_predictions_are_the_normalized_concepts_of_each_paper(tmp_path: Path) -> None:
    abstract = "We use retrieval-augmented generation (RAG). RAG beats BLEU baselines on WMT14."
    record = {**RECORD, "abstract": abstract,
              "concepts": [{"name": "retrieval-augmented generation", "type": "METHOD",
                            "aliases": ["RAG"]},
                           {"name": "WMT14", "type": "BENCHMARK", "aliases": []}]}
    gold = write(tmp_path / "g.jsonl", record)
    spans = {"retrieval-augmented generation": ConceptType.METHOD, "RAG": ConceptType.METHOD,
             "WMT14": ConceptType.DATASET, "baselines": ConceptType.METHOD}
    docs = load_concept_gold(gold)
    (preds,) = predicted_concepts(FixedExtractor(spans), docs)
    # the acronym is linked to its long form by the normalizer: one concept, not two
    assert sorted(p.name for p in preds) == ["WMT14", "baseline", "retrieval-augmented generation"]
    rag = next(p for p in preds if p.name.startswith("retrieval"))
    assert "RAG" in rag.aliases
    report = evaluate(gold, "fixed", "all", extractor=FixedExtractor(spans))
    assert isinstance(report, ConceptReport)
    assert report.scores["typed"]["ALL"].as_dict()["recall"] == 1.0
    assert report.scores["typed"]["ALL"].as_dict()["precision"] == pytest.approx(2 / 3, 1e-3)


def test_cli_scores_a_concept_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write(tmp_path / "g.jsonl", RECORD, {**RECORD, "id": "t2", "split": "test"})
    args = ["evaluate", "--gold", str(gold), "--extractor", "rules"]
    code, stdout, stderr = run_cli(*args, "--split", "test", capsys=capsys)
    assert code == 0, stderr
    assert "typed P" in stdout and "(split test, 1 papers)" in stdout
    code, as_json, stderr = run_cli(*args, "--split", "all", "--format", "json", capsys=capsys)
    assert code == 0, stderr
    data = json.loads(as_json)
    assert data["docs"] == 2 and {"false_positives", "misses"} <= data.keys()
    code, _, stderr = run_cli(*args, "--split", "train", capsys=capsys)
    assert code == 2 and "train" in stderr


# ---------------------------------------------------------------------------
# the committed set


def committed() -> list[dict]:
    return [json.loads(line) for line in GOLD_PATH.read_text().splitlines() if line.strip()]


def test_committed_set_is_well_formed() -> None:
    records = committed()
    assert len(records) >= 80
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    splits = [r["split"] for r in records]
    assert splits.count("dev") >= 40 and splits.count("test") >= 40
    types = {t.value for t in ConceptType}
    for r in records:
        # the corpus text must not be copied into the repository
        assert set(r) == {"id", "split", "concepts", "acceptable"}, r["id"]
        keys: dict[str, str] = {}
        for c in r["concepts"]:
            assert c["type"] in types and c["name"].strip(), (r["id"], c)
            for name in (c["name"], *c["aliases"]):
                # "each concept once": no name of a concept is a name of another one
                assert keys.setdefault(fold(name), c["name"]) == c["name"], (r["id"], name)
        assert not {fold(a) for a in r["acceptable"]} & keys.keys(), r["id"]
    assert sum(len(r["concepts"]) for r in records) >= 400
    for kind in types:
        assert any(c["type"] == kind for r in records for c in r["concepts"]), kind


def test_committed_set_is_the_seeded_selection_and_its_ids_are_in_the_corpus() -> None:
    # ../shared beside the repo: required in CI, skipped elsewhere (as the other data tests)
    if not corpus_path().is_file():
        reason = f"{corpus_path()} missing (the shared corpora sit beside the repo)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    records = committed()
    picked = {p.id: p.split for p in select()}
    assert {r["id"]: r["split"] for r in records} == picked
    texts = load_texts(picked)
    assert set(texts) == set(picked)
    for r in records:
        text = (texts[r["id"]]["title"] + " " + texts[r["id"]]["abstract"]).casefold()
        # names are written as the paper writes them: most appear verbatim in the text
        names = [c["name"] for c in r["concepts"]]
        found = sum(n.casefold() in text for n in names)
        assert found >= len(names) - 1, (r["id"], names)


def _pool_ids(path: Path) -> set[str]:
    return {json.loads(line)["id"] for line in path.read_text().splitlines() if line.strip()}


# each pool and the pools picked before it (its ids leave theirs out)
_POOLS = (FILTER_POOL_PATH, NER_POOL_PATH, TUNE_POOL_PATH, FILTER_POOL2_PATH)


@pytest.mark.parametrize(("path", "seeds", "papers", "split"), [
    (FILTER_POOL_PATH, FILTER_POOL_SEEDS, 80, "train"),
    (NER_POOL_PATH, NER_POOL_SEEDS, 150, "train"),
    (TUNE_POOL_PATH, TUNE_POOL_SEEDS, 150, "tune"),
    (FILTER_POOL2_PATH, FILTER_POOL2_SEEDS, 1800, "train"),
])
def test_pools_are_well_formed_and_apart_from_the_evaluation_set(
    path: Path, seeds: tuple[int, ...], papers: int, split: str
) -> None:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert len(records) >= papers
    assert {r["split"] for r in records} == {split}
    ids = {r["id"] for r in records}
    assert len(ids) == len(records)
    assert not ids & {r["id"] for r in committed()}
    for other in _POOLS:
        if other != path:
            assert not ids & _pool_ids(other), other.name
    types = {t.value for t in ConceptType}
    for r in records:
        assert set(r) == {"id", "split", "concepts", "acceptable"}, r["id"]
        for c in r["concepts"]:
            assert c["type"] in types and c["name"].strip(), (r["id"], c)
    if not corpus_path().is_file():
        reason = f"{corpus_path()} missing (the shared corpora sit beside the repo)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    earlier = set().union(*(_pool_ids(p) for p in _POOLS[: _POOLS.index(path)]))
    expected = pool_ids(seeds, {r["id"] for r in committed()} | earlier)
    assert sorted(ids) == sorted(expected)
