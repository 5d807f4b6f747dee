"""``paperkg`` commands that need no Prefect, run in this process (tests/support/cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.samples import sample_path
from tests.support.cli import run_cli


def test_extract_writes_one_line_per_paper_with_exact_offsets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "ents.jsonl"
    code, _, stderr = run_cli("extract", "--sample", "--output", str(output), capsys=capsys)
    assert code == 0, stderr
    from pipeline.ingest import read_papers

    papers = {p.id: p for p in read_papers([sample_path()]).papers}
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 71
    types = set()
    for line in lines:
        paper = papers[line["id"]]
        for entity in line["entities"]:
            text = getattr(paper, entity["field"])
            assert text[entity["start"]:entity["end"]] == entity["text"]
            assert entity["name"]
            types.add(entity["type"])
    assert {"METHOD", "TASK"} <= types <= {"METHOD", "DATASET", "BENCHMARK", "TASK", "METRIC"}


def test_extract_output_joins_back_to_the_records_by_their_own_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        {"id": "lab-0042", "title": "ToolBench", "abstract": "We evaluate GPT-4 on WebArena."},
        {"id": "arXiv:2303.11366v3", "title": "Reflexion", "abstract": "We propose Reflexion."},
        {"title": "No Id", "abstract": "We study machine translation on WMT14."},
    ]
    source = tmp_path / "mine.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    output = tmp_path / "ents.jsonl"
    code, _, stderr = run_cli("extract", str(source), "--output", str(output), capsys=capsys)
    assert code == 0, stderr
    ids = [json.loads(line)["id"] for line in output.read_text(encoding="utf-8").splitlines()]
    assert ids[:2] == ["lab-0042", "2303.11366"]
    assert ids[2].startswith("t-")


def test_train_refuses_a_missing_corpus_or_model_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.jsonl.gz"
    code, _, stderr = run_cli("train", "--output", str(tmp_path / "m"), "--corpus", str(missing),
                              capsys=capsys)
    assert code == 2 and "no reference corpus" in stderr and "Traceback" not in stderr
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "title": "T", "abstract": "We study video generation."}\n')
    code, _, stderr = run_cli("train", "--phrases-only", "--output", str(tmp_path / "m"),
                              "--corpus", str(corpus), capsys=capsys)
    assert code == 2 and "no trained model" in stderr
    assert not (tmp_path / "m").exists()


def test_train_phrases_only_rebuilds_the_table_and_fits_the_concept_filter_and_typer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import gzip
    import os
    import shutil

    from pipeline.extract.concept_filter import FILTER_FILE, ConceptFilter
    from pipeline.extract.concept_typer import TYPER_FILE, ConceptTyper
    from pipeline.extract.model import MODEL_DIR
    from pipeline.extract.phrases import PHRASES_FILE, forget_loaded_tables
    from pipeline.extract.pool_names import NAMES_FILE
    from pipeline.quality.modern_set import corpus_path

    # the filter pool and the dev half join their texts from the shared corpus
    if not corpus_path().is_file():
        reason = f"{corpus_path()} missing (the shared corpora sit beside the repo)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    model = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model)
    (model / FILTER_FILE).unlink()
    (model / TYPER_FILE).unlink()
    (model / NAMES_FILE).unlink()
    reference = tmp_path / "reference.jsonl.gz"
    with gzip.open(reference, "wt", encoding="utf-8") as handle:
        for i, abstract in enumerate(["We study video generation with diffusion models.",
                                      "Video generation on UCF101 with a new sampler."]):
            handle.write(json.dumps({"id": f"r{i}", "title": "T", "abstract": abstract}) + "\n")
    try:
        code, stdout, stderr = run_cli("train", "--phrases-only", "--output", str(model),
                                       "--corpus", str(reference), capsys=capsys)
    finally:
        forget_loaded_tables()
    assert code == 0, stderr
    assert "concept filter: threshold" in stdout
    table = gzip.decompress((model / PHRASES_FILE).read_bytes()).decode()
    assert "video-generation\t2" in table.splitlines()
    fitted = ConceptFilter.load(model)
    assert fitted is not None and 0.0 <= fitted.threshold < 1.0
    assert any(w != 0.0 for w in fitted.weights)
    # trained on the precision filter's doubts, so the hybrid hands them to it
    assert fitted.judges_doubts and fitted.lexical["doubt=generic word"] < 0.0
    # the pools' names rebuilt, byte for byte, and judged by the filter
    assert (model / NAMES_FILE).read_bytes() == (MODEL_DIR / NAMES_FILE).read_bytes()
    assert "pool names: 20017 names" in stdout and fitted.judges_pool_names
    assert "concept typer:" in stdout
    typer = ConceptTyper.load(model)
    assert typer is not None and typer.lexical
    assert any(w != 0.0 for row in typer.weights for w in row)
