"""Scheduled runs: the build flow served as a Prefect deployment on a cron or an interval.

Prefect only schedules runs on a real API server; its temporary per-run server refuses ("Cannot
schedule flows on an ephemeral server"). So ``paperkg serve`` uses the server named by
``PREFECT_API_URL`` when one is set, and otherwise starts a local server (``flows.local_server``:
what ``prefect server start`` serves, on a free loopback port, ended with paperkg however
paperkg ends) with its state in paperkg's Prefect home and its scheduler on, for as long as it
serves. Each scheduled run is a normal ``paperkg-build`` flow run: same inputs (files or live
addresses), same output folder, so a feed re-read every morning adds what is new and leaves
what it already has unchanged.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flows.local_server import LocalServerError, local_server, server_healthy, using_api_url

__all__ = [
    "ScheduleError",
    "check_schedule",
    "local_prefect_server",
    "prefect_api",
    "serve_build",
    "server_healthy",
]

# after Ctrl-C, Prefect's runner pauses the schedule and stops; where it instead hangs (it can
# wait forever on a finished run's process) a SIGTERM, which it always obeys, ends it
STOP_GRACE_S = 15.0
# the one-shot settings of flows/settings.py turn these off; a serving server needs them
_SERVING_SERVICES = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "true",
    "PREFECT_SERVER_UI_ENABLED": "false",
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


@contextlib.contextmanager
def local_prefect_server(log_file: Path) -> Iterator[str]:
    """A local Prefect server that schedules runs, for the duration (``flows.local_server``);
    yields its API URL once it answers."""
    with local_server(log_file, ephemeral=False, env=_SERVING_SERVICES) as server:
        try:
            server.wait()
        except LocalServerError as error:
            raise ScheduleError(str(error)) from None
        yield server.api_url


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
    with local_prefect_server(log) as api_url, using_api_url(api_url):
        yield api_url, log


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
