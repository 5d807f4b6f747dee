"""Scheduled runs: ``paperkg serve`` with a real local Prefect server and real scheduled runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path

from flows.serve import server_healthy
from tests.support.cli import PAPERKG, interrupt
from tests.support.feed_server import serve
from tests.support.samples import ATOM_FEED

FIRST_RUN_TIMEOUT_S = 300  # server start, the next minute, the scheduler's pass, the run


def _env(prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home)
    # the scheduler looks for due runs every 60 s by default; a test waits less
    env["PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS"] = "5"
    env["COLUMNS"] = "400"
    return env


def _completed_runs(api_url: str) -> int:
    query = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
    request = urllib.request.Request(f"{api_url}/flow_runs/filter",
                                     data=json.dumps(query).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return len(json.load(response))


def test_serve_runs_the_job_on_schedule_and_stops_its_server(tmp_path: Path) -> None:
    out = tmp_path / "out"
    log = tmp_path / "serve.err"
    with (serve({"/api/query": ("application/atom+xml", ATOM_FEED.encode())}) as feed,
          log.open("w") as stderr_file):
        # every minute: the first run comes at the next minute and is over well before the
        # second, so Ctrl-C arrives with no run in flight
        # credentials travel to the scheduled runs in the environment, not as parameters
        process = subprocess.Popen(
            [*PAPERKG, "serve", feed.url("/api/query", userinfo="reader:s3cret"), "--cron",
             "* * * * *", "--no-map", "--out", str(out)],
            stdout=subprocess.DEVNULL, stderr=stderr_file, text=True,
            env=_env(tmp_path / "home"),
        )
        try:
            deadline = time.monotonic() + FIRST_RUN_TIMEOUT_S
            api_url = None
            while process.poll() is None:
                assert time.monotonic() < deadline, "no scheduled run finished in time"
                found = re.search(r"local Prefect server (http://127\.0\.0\.1:\d+/api)",
                                  log.read_text())
                api_url = found.group(1) if found else None
                if api_url and (out / "summary.json").exists() and _completed_runs(api_url):
                    break
                time.sleep(2)
            summary = json.loads((out / "summary.json").read_text())
            requests = list(feed.requests)
        finally:
            interrupt(process)  # Ctrl-C
    stderr = log.read_text()
    assert summary["graph_papers"] == 2 and summary["error"] is None, stderr
    # the scheduled run fetched the live source, with the credentials
    assert requests and requests[0][1].get("Authorization") == "Basic cmVhZGVyOnMzY3JldA=="
    for path in (tmp_path / "home").rglob("*"):  # Prefect's database, the server log
        assert not path.is_file() or b"s3cret" not in path.read_bytes(), path
    assert api_url is not None, stderr
    assert "serving paperkg-build/scheduled: cron '* * * * *'" in stderr
    assert "Traceback" not in stderr, stderr
    assert not server_healthy(api_url)  # the local server went with it
