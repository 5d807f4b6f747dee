"""Scheduled runs: the build flow served as a Prefect deployment on a cron or an interval.

Prefect only schedules runs on a real API server; its temporary per-run server refuses ("Cannot
schedule flows on an ephemeral server"). So ``paperkg serve`` uses the server named by
``PREFECT_API_URL`` when one is set, and otherwise starts ``prefect server start`` on a free
loopback port, with its state in paperkg's Prefect home and its scheduler on, for as long as it
serves. Each scheduled run is a normal ``paperkg-build`` flow run: same inputs (files or live
addresses), same output folder, so a feed re-read every morning adds what is new and leaves
what it already has unchanged.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["ScheduleError", "check_cron", "local_prefect_server", "serve_build"]

SERVER_START_TIMEOUT_S = 90.0
# the one-shot settings of flows/settings.py turn these off; a serving server needs them
_SERVING_SERVICES = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "true",
}


class ScheduleError(Exception):
    """A schedule or server problem the user can fix; the message is one line."""


def check_cron(expression: str) -> str:
    """``expression`` if it is a valid cron schedule, else ``ScheduleError``."""
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=expression)
    except ValueError:
        raise ScheduleError(f"--cron {expression!r} is not a cron expression "
                            "(five fields, e.g. '0 7 * * *')") from None
    return expression


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def local_prefect_server(log_file: Path) -> Iterator[str]:
    """A ``prefect server start`` on loopback for the duration; yields its API URL."""
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, **_SERVING_SERVICES, "PREFECT_SERVER_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(api_url):
            if server.poll() is not None:
                raise ScheduleError(f"the local Prefect server exited at start; see {log_file}")
            if time.monotonic() > deadline:
                raise ScheduleError(f"the local Prefect server did not start in "
                                    f"{SERVER_START_TIMEOUT_S:.0f} s; see {log_file}")
            time.sleep(0.5)
        yield api_url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def serve_build(
    parameters: dict[str, Any],
    *,
    name: str,
    cron: str | None = None,
    interval_s: float | None = None,
) -> None:
    """Serve ``paperkg-build`` with ``parameters`` on the schedule until interrupted.

    Call after ``flows.settings.configure_prefect`` with ``PREFECT_API_URL`` pointing at a
    real server (``local_prefect_server`` gives one)."""
    if (cron is None) == (interval_s is None):
        raise ScheduleError("give one schedule: --cron or --interval")
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.build import build_graph

    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        raise ScheduleError("scheduled runs need a Prefect server (PREFECT_API_URL)")
    # Prefect read its settings when first imported; the runs it spawns read the environment
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        build_graph.serve(
            name=name,
            cron=cron,
            interval=interval_s,
            parameters=parameters,
            description="paperkg: re-read the sources and merge them into the graph",
            print_starting_message=False,
        )
