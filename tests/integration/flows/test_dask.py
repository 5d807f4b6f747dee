"""Extraction off the flow's process: on a real Dask cluster (``--dask-address``) and on the
local process pool. Each must give the graph an in-process run gives; the cluster run must
have run its extraction tasks on the cluster's workers (real processes, real Prefect runs)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.stores.sqlite.store import SqliteStore
from tests.support.cli import PAPERKG, interrupt
from tests.support.graph_compare import diff, embedded_snapshot
from tests.support.neo4j_server import free_port
from tests.support.samples import sample_papers

distributed = pytest.importorskip("distributed")


def corpus(path: Path, count: int) -> Path:
    """``count`` papers: the sample's abstracts again and again under new ids and titles (real
    abstracts, so the extractor finds real concepts)."""
    sample = sample_papers()
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            paper = sample[i % len(sample)]
            record = {"id": f"2501.{i:05d}", "title": f"{paper.title} ({i // len(sample)})",
                      "abstract": paper.abstract}
            handle.write(json.dumps(record) + "\n")
    return path


def paperkg(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("PREFECT_", "PAPERKG_"))}
    environ.update(PREFECT_HOME=str(home), COLUMNS="400", **env)
    return subprocess.run([*PAPERKG, *args], capture_output=True, text=True, env=environ,
                          timeout=900)


def graph_of(out: Path) -> dict:
    with SqliteStore(out) as store:
        return embedded_snapshot(store.export())


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def _extractor_loads() -> int:
    """Run on a worker: how many extractors this process built (flows.build caches one per
    name the first time an extract-batch task runs here)."""
    from flows.build import _EXTRACTORS

    return len(_EXTRACTORS)


def test_extraction_runs_on_the_cluster_and_gives_the_local_graph(
    tmp_path: Path, home: Path, cluster: distributed.LocalCluster
) -> None:
    source = corpus(tmp_path / "papers.jsonl", 150)
    with distributed.Client(cluster) as client:
        assert client.run(os.getpid) and os.getpid() not in client.run(os.getpid).values()
        client.get_task_stream()  # registers the scheduler's task stream before the run
        remote = paperkg("run", str(source), "--out", str(tmp_path / "dask"), "--no-map",
                         "--dask-address", cluster.scheduler_address, home=home)
        assert remote.returncode == 0, remote.stderr
        stream = client.get_task_stream()
        loads = client.run(_extractor_loads)
    assert "papers read 150 (added 150" in remote.stdout
    assert "Traceback" not in remote.stdout + remote.stderr

    # 150 papers in batches of 64: three extract-batch tasks, all run by the cluster's workers
    workers = set(cluster.scheduler_info["workers"])
    extracted = [t for t in stream if "extract" in str(t["key"])]
    assert len(extracted) == 3, [t["key"] for t in stream]
    assert {t["worker"] for t in extracted} <= workers
    assert all(t["status"] == "OK" for t in extracted)
    # ...and loaded the extractor there (a worker that extracted nothing has none)
    assert sum(loads.values()) >= 1 and set(loads) == workers

    local = paperkg("run", str(source), "--out", str(tmp_path / "local"), "--no-map", home=home,
                    PAPERKG_TASK_RUNNER="local")
    assert local.returncode == 0, local.stderr
    a, b = graph_of(tmp_path / "dask"), graph_of(tmp_path / "local")
    assert len(a["nodes"]) > 150
    assert a == b, diff(a, b)


def test_the_process_pool_gives_the_in_process_graph(tmp_path: Path, home: Path) -> None:
    """An input past PARALLEL_MIN_PAPERS (lowered to 300 here) goes to the local process
    pool, in two chunks."""
    source = corpus(tmp_path / "papers.jsonl", 320)
    pooled = paperkg("run", str(source), "--out", str(tmp_path / "pool"), "--no-map", "-v",
                     "--chunk-size", "200", home=home, PAPERKG_PARALLEL_MIN_PAPERS="300")
    assert pooled.returncode == 0, pooled.stderr
    assert "chunk 1: 200 papers, 200 extracted (pool)" in pooled.stderr
    assert "chunk 2: 120 papers, 120 extracted (pool)" in pooled.stderr
    inline = paperkg("run", str(source), "--out", str(tmp_path / "inline"), "--no-map", "-v",
                     "--chunk-size", "200", home=home, PAPERKG_TASK_RUNNER="local")
    assert inline.returncode == 0, inline.stderr
    assert "(in process)" in inline.stderr and "(pool)" not in inline.stderr
    a, b = graph_of(tmp_path / "pool"), graph_of(tmp_path / "inline")
    assert a == b, diff(a, b)


def test_an_unreachable_cluster_is_one_line_and_nothing_is_written(
    tmp_path: Path, home: Path
) -> None:
    out = tmp_path / "out"
    port = free_port()
    unreachable = paperkg("run", "--sample", "--out", str(out), "--dask-address",
                          f"tcp://127.0.0.1:{port}", home=home)
    with_password = paperkg("run", "--sample", "--out", str(out), home=home,
                            PAPERKG_DASK_ADDRESS=f"tcp://reader:s3cret-pw@127.0.0.1:{port}")
    for result, says in ((unreachable, "paperkg: cannot reach the Dask scheduler at tcp://"),
                         (with_password, "paperkg: tcp://***@127.0.0.1")):
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(says), result.stderr
        assert "s3cret-pw" not in result.stdout + result.stderr
    assert not out.exists()


def test_serve_checks_the_cluster_before_it_creates_anything(tmp_path: Path, home: Path) -> None:
    out = tmp_path / "out"
    result = paperkg("serve", "--sample", "--interval", "3600", "--no-map", "--out", str(out),
                     "--dask-address", f"tcp://127.0.0.1:{free_port()}", home=home)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no Prefect server was started either
    assert lines[0].startswith("paperkg: cannot reach the Dask scheduler at tcp://")
    assert not out.exists()  # as `paperkg run`: a failed check leaves no output folder


SCHEDULED_RUN_TIMEOUT_S = 300  # server start, the next minute, the scheduler's pass, the run


def test_a_scheduled_run_extracts_on_the_cluster(
    tmp_path: Path, cluster: distributed.LocalCluster
) -> None:
    source = corpus(tmp_path / "papers.jsonl", 100)  # two extract-batch tasks of 64 and 36
    out, log = tmp_path / "out", tmp_path / "serve.err"
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("PREFECT_", "PAPERKG_"))}
    # the scheduler looks for due runs every 60 s by default; a test waits less
    environ.update(PREFECT_HOME=str(tmp_path / "home"), COLUMNS="400",
                   PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5")
    with distributed.Client(cluster) as client, log.open("w") as stderr:
        # registers the scheduler's task stream; the module's cluster has run tasks before
        earlier = {t["key"] for t in client.get_task_stream()}
        process = subprocess.Popen(
            [*PAPERKG, "serve", str(source), "--cron", "* * * * *", "--no-map", "--out",
             str(out), "--dask-address", cluster.scheduler_address],
            stdout=subprocess.DEVNULL, stderr=stderr, text=True, env=environ,
        )
        try:
            deadline = time.monotonic() + SCHEDULED_RUN_TIMEOUT_S
            while not (out / "summary.json").exists():
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "no scheduled run finished in time"
                time.sleep(2)
            summary = json.loads((out / "summary.json").read_text())
            stream = [t for t in client.get_task_stream() if t["key"] not in earlier]
        finally:
            interrupt(process)  # Ctrl-C
    assert summary["graph_papers"] == 100 and summary["error"] is None, log.read_text()
    workers = set(cluster.scheduler_info["workers"])
    extracted = [t for t in stream if "extract" in str(t["key"])]
    assert len(extracted) == 2, [t["key"] for t in stream]
    assert {t["worker"] for t in extracted} <= workers
    assert all(t["status"] == "OK" for t in extracted)
