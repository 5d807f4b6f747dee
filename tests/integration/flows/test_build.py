"""The main job end to end, through the real ``paperkg`` command and a real Prefect run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from tests.support.cli import PAPERKG
from tests.support.feed_server import serve
from tests.support.graph_compare import stored_graph
from tests.support.maps import embedded_data
from tests.support.samples import ATOM_FEED


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-home")


def paperkg(*args: str, prefect_home: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home)
    env["COLUMNS"] = "400"  # keep rich from folding table cells
    return subprocess.run(
        [*PAPERKG, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )


def assert_clean(result: subprocess.CompletedProcess) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "ERROR" not in output, output


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory, prefect_home: Path):
    out = tmp_path_factory.mktemp("out")
    first = paperkg("run", "--sample", "--out", str(out), prefect_home=prefect_home)
    return out, first


def test_sample_run_builds_graph_and_map_cleanly(sample_run) -> None:
    out, result = sample_run
    assert result.returncode == 0, result.stderr
    assert_clean(result)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["papers_read"] == 71 and summary["rejected"] == 0
    assert summary["graph_papers"] == 71
    for concept_type in ("METHOD", "TASK"):
        assert summary["concepts_by_type"].get(concept_type, 0) > 10
    assert summary["edges_by_relation"].get("CO_OCCURS_WITH", 0) > 0
    assert (out / "graph.sqlite").stat().st_size > 0
    assert (out / "map.html").stat().st_size > 0
    assert not (out / "rejects.jsonl").exists()


def test_map_draws_co_occurrence_only_when_asked(
    sample_run, prefect_home: Path, tmp_path: Path
) -> None:
    out, _ = sample_run
    data = embedded_data((out / "map.html").read_text(encoding="utf-8"))
    assert data["cooccurrence"] is False and data["overview"]["co"] is None
    assert data["stats"]["papers"] == 71 and data["stats"]["drawn"] == 150
    copy = tmp_path / "out"
    copy.mkdir()
    shutil.copy(out / "graph.sqlite", copy / "graph.sqlite")  # papers stored: no extraction
    asked = paperkg("run", "--sample", "--out", str(copy), "--co-occurrence",
                    prefect_home=prefect_home)
    assert asked.returncode == 0, asked.stderr
    assert_clean(asked)
    data = embedded_data((copy / "map.html").read_text(encoding="utf-8"))
    assert data["cooccurrence"] is True and len(data["overview"]["co"]) > 0


def test_second_run_leaves_graph_unchanged(sample_run, prefect_home: Path) -> None:
    out, _ = sample_run
    before = stored_graph(out)
    again = paperkg("run", "--sample", "--out", str(out), "--no-map", prefect_home=prefect_home)
    assert again.returncode == 0, again.stderr
    assert_clean(again)
    assert stored_graph(out) == before
    assert "unchanged 71" in again.stdout
    assert "not extracted again (stored with the same title and abstract): 71" in again.stdout


def test_related_work_query_returns_ranked_papers_with_shared_concepts(
    sample_run, prefect_home: Path
) -> None:
    out, _ = sample_run
    top = paperkg("query", "top-concepts", "--format", "json", "--out", str(out),
                  prefect_home=prefect_home)
    assert top.returncode == 0, top.stderr
    # the paper that mentions the most common method has related work for sure
    method = next(r for r in json.loads(top.stdout) if r["type"] == "METHOD")
    papers = paperkg("query", "papers-for", "--param", f"concept={method['concept']}",
                     "--format", "json", "--out", str(out), prefect_home=prefect_home)
    paper_id = json.loads(papers.stdout)[0]["paper"]
    related = paperkg("query", "related-work", "--param", f"paper={paper_id}", "--format",
                      "json", "--out", str(out), prefect_home=prefect_home)
    assert related.returncode == 0, related.stderr
    rows = json.loads(related.stdout)
    assert rows and all(r["paper"] != paper_id for r in rows)
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(r["shared_concepts"] and r["shared_count"] == len(r["shared_concepts"])
               for r in rows)
    table = paperkg("query", "related-work", "--param", f"paper={paper_id}", "--out", str(out),
                    prefect_home=prefect_home)
    assert table.returncode == 0, table.stderr
    assert rows[0]["paper"] in table.stdout


def test_bad_records_are_reported_and_good_ones_kept(tmp_path: Path, prefect_home: Path) -> None:
    good = tmp_path / "papers.jsonl"
    good.write_text(
        json.dumps({"id": "2303.11366", "title": "Reflexion: Language Agents with Verbal "
                    "Reinforcement Learning", "abstract": "We propose Reflexion, a framework "
                    "for language agents, and evaluate it on HotpotQA and HumanEval."}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "x", "title": "No abstract here"}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = paperkg("run", str(good), "--out", str(out), "--no-map", prefect_home=prefect_home)
    assert result.returncode == 0, result.stderr
    assert_clean(result)
    assert f"{good}:2" in result.stderr and f"{good}:3" in result.stderr
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 3]
    assert json.loads((out / "summary.json").read_text())["graph_papers"] == 1

    strict = paperkg("run", str(good), "--out", str(out), "--no-map", "--strict",
                     prefect_home=prefect_home)
    assert strict.returncode == 1
    assert_clean(strict)


def test_a_live_feed_is_read_over_http(tmp_path: Path, prefect_home: Path) -> None:
    out = tmp_path / "out"
    with serve({"/api/query": ("application/atom+xml", ATOM_FEED.encode())}) as feed:
        url = feed.url("/api/query") + "?search_query=cat:cs.CL"
        result = paperkg("run", url, "--out", str(out), "--no-map", prefect_home=prefect_home)
        assert result.returncode == 0, result.stderr
        assert_clean(result)
        before = stored_graph(out)
        gone = paperkg("run", feed.url("/gone.atom"), "--out", str(out), "--no-map",
                       prefect_home=prefect_home)
    assert json.loads((out / "summary.json").read_text())["graph_papers"] == 2
    assert gone.returncode == 2 and "/gone.atom: HTTP 404 Not Found" in gone.stderr
    assert "Traceback" not in gone.stderr + gone.stdout
    assert stored_graph(out) == before


def test_user_errors_exit_nonzero_without_traceback(tmp_path: Path, prefect_home: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    nothing = paperkg("run", str(empty), "--out", str(tmp_path / "o1"), prefect_home=prefect_home)
    assert nothing.returncode == 1 and "no usable papers" in nothing.stderr
    missing = paperkg("run", str(tmp_path / "nope.csv"), prefect_home=prefect_home)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    broken = tmp_path / "o2"
    broken.mkdir()
    (broken / "graph.sqlite").write_text("not a database" * 100, encoding="utf-8")
    damaged = paperkg("run", "--sample", "--out", str(broken), prefect_home=prefect_home)
    assert damaged.returncode == 1 and "not a readable paperkg database" in damaged.stderr
    assert (broken / "graph.sqlite").read_text() == "not a database" * 100
    noquery = paperkg("query", "nope", "--out", str(broken), prefect_home=prefect_home)
    assert noquery.returncode == 2
    for result in (nothing, missing, damaged, noquery):
        assert "Traceback" not in result.stderr


def test_export_writes_the_stored_graph_as_graphml(
    sample_run, prefect_home: Path, tmp_path: Path
) -> None:
    out, _ = sample_run
    target = tmp_path / "exported.graphml"
    result = paperkg("export", "--out", str(out), "--output", str(target),
                     prefect_home=prefect_home)
    assert result.returncode == 0, result.stderr
    graph = nx.read_graphml(target, force_multigraph=True)
    summary = json.loads((out / "summary.json").read_text())
    kinds = Counter(kind for _, kind in graph.nodes(data="kind"))
    assert kinds == {"Paper": 71, "Concept": sum(summary["concepts_by_type"].values())}
    assert Counter(k for _, _, k in graph.edges(keys=True)) == summary["edges_by_relation"]
    assert f"wrote {target}: 71 papers" in result.stdout
    nothing = paperkg("export", "--out", str(tmp_path / "empty"), prefect_home=prefect_home)
    assert nothing.returncode == 2 and "no graph yet" in nothing.stderr
    assert not (tmp_path / "empty").exists()
