"""A paper stored with the same title and abstract is not extracted again; a changed one is,
and --reextract extracts everything (real runs of ``paperkg run``, in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.stores.sqlite.store import SqliteStore
from tests.support.cli import run_cli

pytestmark = pytest.mark.usefixtures("prefect_api")

PAPERS = [
    {"id": f"2403.0000{i}", "title": f"Paper {i} on segmentation",
     "abstract": f"We propose SegNet{i}, evaluated on ImageNet and COCO."}
    for i in range(1, 4)
]


def write(path: Path, papers: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in papers))
    return path


def snippets(out: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for edge in SqliteStore(out).view().paper_concepts:
        if edge.snippet:
            found.setdefault(edge.paper_id, set()).add(edge.snippet)
    return found


def test_only_new_and_changed_papers_are_extracted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run_cli("run", str(write(tmp_path / "a.jsonl", PAPERS)), "--out",
                                   str(out), "--no-map", capsys=capsys)
    assert code == 0, stderr
    assert "not extracted again" not in stdout

    changed = [*PAPERS[:2], {**PAPERS[2], "abstract": "We propose SegNet9 for detection."},
               {"id": "2403.00004", "title": "A new paper", "abstract": "We propose NewNet."}]
    code, stdout, stderr = run_cli("run", str(write(tmp_path / "b.jsonl", changed)), "--out",
                                   str(out), "--no-map", capsys=capsys)
    assert code == 0, stderr
    assert "papers read 4 (added 1, updated 1, unchanged 2)" in stdout
    assert "not extracted again (stored with the same title and abstract): 2" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["papers_not_reextracted"] == 2
    stored = snippets(out)
    assert any("SegNet9" in s for s in stored["2403.00003"])  # the changed one was extracted
    assert any("SegNet1" in s for s in stored["2403.00001"])  # the unchanged keep their edges

    code, stdout, stderr = run_cli("run", str(tmp_path / "b.jsonl"), "--out", str(out),
                                   "--no-map", "--reextract", capsys=capsys)
    assert code == 0, stderr
    assert "unchanged 4" in stdout and "not extracted again" not in stdout
