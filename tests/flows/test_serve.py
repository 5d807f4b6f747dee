"""Scheduled runs: ``paperkg serve`` with a real local Prefect server and real scheduled runs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from flows.serve import ScheduleError, check_schedule, server_healthy
from tests.feed_server import serve
from tests.flows.test_build import PAPERKG
from tests.pipeline.test_ingest import ATOM_FEED

FIRST_RUN_TIMEOUT_S = 300  # server start, the scheduler's first pass, a run's own start


def _env(prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home)
    # the scheduler looks for due runs every 60 s by default; a test waits less
    env["PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS"] = "5"
    env["COLUMNS"] = "400"
    return env


def test_cron_expressions_are_checked() -> None:
    check_schedule("0 7 * * *", None)
    check_schedule(None, 60)
    with pytest.raises(ScheduleError, match="not a cron expression"):
        check_schedule("every morning", None)
    with pytest.raises(ScheduleError, match="give one schedule"):
        check_schedule(None, None)


def test_schedule_errors_are_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path / "home")
    both = subprocess.run([*PAPERKG, "serve", "--sample", "--cron", "0 7 * * *", "--interval",
                           "60"], capture_output=True, text=True, env=env, timeout=120)
    bad = subprocess.run([*PAPERKG, "serve", "--sample", "--cron", "61 7 * * *"],
                         capture_output=True, text=True, env=env, timeout=120)
    secret = subprocess.run([*PAPERKG, "serve", "https://reader:s3cret@example.org/feed",
                             "--interval", "60"], capture_output=True, text=True, env=env,
                            timeout=120)
    for result in (both, bad, secret):
        assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "give one schedule" in both.stderr and "not a cron expression" in bad.stderr
    assert "without user:password@" in secret.stderr and "s3cret" not in secret.stderr
    assert not (tmp_path / "home" / "server.log").exists()  # refused before any server


def test_serve_runs_the_job_on_schedule_and_stops_its_server(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with serve({"/api/query": ("application/atom+xml", ATOM_FEED.encode())}) as feed:
        process = subprocess.Popen(
            [*PAPERKG, "serve", feed.url("/api/query"), "--interval", "20", "--no-map",
             "--out", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=_env(tmp_path / "home"),
        )
        try:
            deadline = time.monotonic() + FIRST_RUN_TIMEOUT_S
            while not (out / "summary.json").exists() and process.poll() is None:
                assert time.monotonic() < deadline, "no scheduled run finished in time"
                time.sleep(2)
            time.sleep(1)  # the summary is the run's last write
            summary = json.loads((out / "summary.json").read_text())
            requests = len(feed.requests)
        finally:
            process.send_signal(signal.SIGINT)  # Ctrl-C
            stdout, stderr = process.communicate(timeout=60)
    assert summary["graph_papers"] == 2 and summary["error"] is None, stderr
    assert requests >= 1  # the scheduled run fetched the live source
    found = re.search(r"local Prefect server (http://127\.0\.0\.1:\d+/api)", stderr)
    assert found, stderr
    assert "serving paperkg-build/scheduled: every 20 s" in stderr
    assert "Traceback" not in stdout + stderr, stderr
    assert not server_healthy(found.group(1))  # the local server went with it
