"""The scale benchmark's own logic (bench/scale.py): which papers each size and the new day
are, and how query parameters are drawn. The measurements themselves are not tested here."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

import psutil
import pytest

from bench.scale import (
    Runner,
    build_pools,
    daily_plan,
    listing_order,
    parse_sizes,
    percentile,
    plan_params,
)
from graph_queries import load_queries


def line(pid: str, published: str) -> str:
    return json.dumps({"id": pid, "title": "t", "abstract": "a", "published": published})


def test_papers_are_in_listing_order_date_then_id_whatever_the_file_order() -> None:
    lines = [line("2503.2", "2025-03-19"), line("2503.9", "2025-03-18"),
             line("2503.1", "2025-03-19"), line("2503.5", "2025-03-18"), ""]
    ordered = [json.loads(x)["id"] for x in listing_order(lines)]
    assert ordered == ["2503.5", "2503.9", "2503.1", "2503.2"]


def test_sizes_take_k_and_all_and_are_capped_at_the_corpus() -> None:
    assert parse_sizes("5k,10k,20k,all", 40_717) == [5000, 10_000, 20_000, 40_717]
    assert parse_sizes("600, 300,300", 40_717) == [300, 600]
    assert parse_sizes("50k", 40_717) == [40_717]
    with pytest.raises(ValueError):
        parse_sizes("0", 100)


def test_the_new_day_follows_the_largest_size() -> None:
    plan = daily_plan(600, 40_717, 300)
    assert (plan.base, plan.day, plan.base_is_a_size) == (600, (600, 900), True)


def test_with_the_whole_corpus_the_new_day_is_its_end_and_the_base_the_rest() -> None:
    plan = daily_plan(40_717, 40_717, 300)
    assert (plan.base, plan.day, plan.base_is_a_size) == (40_417, (40_417, 40_717), False)


def test_a_short_tail_after_the_largest_size_is_the_new_day() -> None:
    assert daily_plan(1000, 1100, 300).day == (1000, 1100)


def test_percentile_is_an_observed_value() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95) == 95.0
    assert percentile(values, 50) == 50.0
    assert percentile([3.0], 95) == 3.0
    assert percentile([], 95) is None


def test_query_parameters_alternate_frequent_and_rare_concepts_of_the_right_type() -> None:
    concepts = [("BERT", "METHOD", 40), ("tiny method", "METHOD", 1),
                ("ImageNet", "DATASET", 30), ("odd set", "DATASET", 1),
                ("MMLU", "BENCHMARK", 20), ("translation", "TASK", 9)]
    pools = build_pools(["p1", "p2"], concepts)
    rng = random.Random(1)
    queries = load_queries()
    assert plan_params(queries["methods-on"], pools, rng, 0)["concept"] in {"ImageNet", "MMLU"}
    assert plan_params(queries["methods-on"], pools, rng, 1) == {"concept": "odd set"}
    assert plan_params(queries["tasks-for-method"], pools, rng, 1) == {"concept": "tiny method"}
    assert plan_params(queries["related-work"], pools, rng, 0)["paper"] in {"p1", "p2"}
    # type rotates through "all types" (left out) and each type
    types = [plan_params(queries["top-concepts"], pools, rng, i).get("type") for i in range(5)]
    assert types == [None, "BENCHMARK", "DATASET", "METHOD", "TASK"]


def test_a_failing_step_keeps_its_exit_status_and_stderr_tail(tmp_path: Path) -> None:
    runner = Runner(tmp_path, os.environ, timeout=30)
    step = runner.run("fails", [sys.executable, "-c",
                                "import sys; print('why', file=sys.stderr); sys.exit(3)"])
    assert (step.status, step.stderr_tail) == ("exit 3", "why")
    assert step.wall_s is not None and step.cpu_s is not None


def test_a_step_over_its_timeout_is_killed_with_the_processes_it_started(tmp_path: Path) -> None:
    grandchild = tmp_path / "grandchild.pid"
    script = (f"import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', "
              f"'import time; time.sleep(60)']); open({str(grandchild)!r}, 'w').write(str(p.pid));"
              f" time.sleep(60)")
    runner = Runner(tmp_path, os.environ, timeout=1.5)
    step = runner.run("hangs", [sys.executable, "-c", script])
    assert step.status == "timeout"
    pid = int(grandchild.read_text())
    deadline = time.monotonic() + 5
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the step's own child outlived the timeout"
        time.sleep(0.1)
