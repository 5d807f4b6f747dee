"""Two ``paperkg run`` into one output folder at once: one writes while the other waits, and
the graph ends up with both runs' papers (real processes, real Prefect runs, a real OS lock)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from pipeline.output import locked_output
from pipeline.stores.sqlite.store import SqliteStore
from tests.support.cli import PAPERKG


def records(prefix: str, count: int) -> str:
    return "".join(
        json.dumps({"id": f"{prefix}.{i:05d}", "title": f"Paper {prefix} number {i}",
                    "abstract": f"We propose Net{prefix}x{i}, evaluated on ImageNet."}) + "\n"
        for i in range(count)
    )


def test_two_runs_into_one_folder_keep_both_runs_papers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    inputs = []
    for prefix in ("2501", "2502"):
        path = tmp_path / f"{prefix}.jsonl"
        path.write_text(records(prefix, 20))
        inputs.append(path)

    # both runs reach the folder while this test holds it, so both have to wait their turn
    with locked_output(out):
        runs = [
            subprocess.Popen([*PAPERKG, "run", str(path), "--out", str(out)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for path in inputs
        ]
        waiting = [run.stderr.readline() for run in runs if run.stderr is not None]
    results = [run.communicate(timeout=600) for run in runs]

    for run, (stdout, stderr), told in zip(runs, results, waiting, strict=True):
        assert run.returncode == 0, stderr
        assert told.startswith("waiting for another paperkg run to finish writing"), told
        assert "Traceback" not in stdout + stderr
        assert "added 20" in stdout
    ids = {paper.id for paper in SqliteStore(out).view().papers}
    assert ids == {f"{p}.{i:05d}" for p in ("2501", "2502") for i in range(20)}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["graph_papers"] == 40  # the last writer saw both runs
