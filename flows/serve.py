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
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "ScheduleError",
    "check_schedule",
    "local_prefect_server",
    "prefect_api",
    "serve_build",
    "server_healthy",
]

SERVER_START_TIMEOUT_S = 90.0
# after Ctrl-C, Prefect's runner pauses the schedule and stops; where it instead hangs (it can
# wait forever on a finished run's process) a SIGTERM, which it always obeys, ends it
STOP_GRACE_S = 15.0
# the one-shot settings of flows/settings.py turn these off; a serving server needs them
_SERVING_SERVICES = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "true",
}


class ScheduleError(Exception):
    """A schedule or server problem the user can fix; the message is one line."""


def check_schedule(cron: str | None, interval_s: float | None) -> None:
    """``ScheduleError`` unless exactly one of a valid cron expression and an interval is given."""
    if (cron is None) == (interval_s is None):
        raise ScheduleError("give one schedule: --cron EXPR or --interval SECONDS")
    if cron is None:
        return
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError:
        raise ScheduleError(f"--cron {cron!r} is not a cron expression "
                            "(five fields, e.g. '0 7 * * *')") from None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_healthy(api_url: str) -> bool:
    """The Prefect API at ``api_url`` answers its health check."""
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
        while not server_healthy(api_url):
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


@contextlib.contextmanager
def prefect_api() -> Iterator[tuple[str, Path | None]]:
    """The API to serve on, and the log of the local server started for it (None when
    ``PREFECT_API_URL`` names one). The spawned flow runs find it in ``PREFECT_API_URL``."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured, None
        return
    # set by flows.settings.configure_prefect when no API URL is configured
    log = Path(os.environ["PREFECT_HOME"]).expanduser() / "server.log"
    with local_prefect_server(log) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        try:
            yield api_url, log
        finally:
            del os.environ["PREFECT_API_URL"]


def serve_build(
    parameters: dict[str, Any],
    *,
    api_url: str,
    name: str,
    cron: str | None = None,
    interval_s: float | None = None,
) -> None:
    """Serve ``paperkg-build`` with ``parameters`` on the Prefect server at ``api_url`` (see
    ``prefect_api``) on the schedule (``check_schedule``) until interrupted."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.build import build_graph

    def interrupted(signum: int, frame: Any) -> None:
        timer = threading.Timer(STOP_GRACE_S, os.kill, (os.getpid(), signal.SIGTERM))
        timer.daemon = True
        timer.start()
        signal.default_int_handler(signum, frame)  # KeyboardInterrupt, as usual

    previous = signal.signal(signal.SIGINT, interrupted)
    # Prefect read its settings when first imported
    with temporary_settings(updates={PREFECT_API_URL: api_url}), contextlib.ExitStack() as undo:
        undo.callback(signal.signal, signal.SIGINT, previous)
        build_graph.serve(
            name=name,
            cron=cron,
            interval=interval_s,
            parameters=parameters,
            description="paperkg: re-read the sources and merge them into the graph",
            print_starting_message=False,
        )
