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
