"""Prefect's home must work on a machine where nothing has been created yet: a real
``paperkg run`` in an environment with no Prefect settings and an empty cache folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_run_on_a_machine_with_no_prefect_home_yet(tmp_path: Path) -> None:
    papers = tmp_path / "papers.jsonl"
    papers.write_text(json.dumps({
        "id": "2310.04406", "title": "Language Agent Tree Search",
        "abstract": "We propose LATS, which uses Monte Carlo Tree Search (MCTS) with "
                    "large language models, and evaluate it on HotpotQA and WebShop.",
    }) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "brand-new" / "cache")
    result = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "run", str(papers),
         "--out", str(tmp_path / "out"), "--no-map"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output and "ERROR" not in output and "Warning" not in output
    assert (tmp_path / "brand-new" / "cache" / "paperkg" / "prefect").is_dir()
