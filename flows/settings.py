"""Prefect settings that keep a local run quiet and offline; applied before Prefect is imported.

With no API URL configured, Prefect starts a temporary local server for each run. Out of the
box that server tries to send telemetry (an ERROR line on an offline machine) and runs
background services (scheduler, late-run marker, ...) that race the run for its SQLite file
and print tracebacks at exit. A one-shot run needs none of them. Values the user has set in
the environment win; a configured PREFECT_API_URL (a real server) is left alone entirely.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

QUIET_LOCAL_SERVER = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED": "false",
}


def default_prefect_home() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "paperkg" / "prefect"


def _usable_home(preferred: Path) -> Path:
    """The preferred folder, created; a per-user temporary folder when it cannot be made."""
    try:
        preferred.mkdir(parents=True, exist_ok=True)
        return preferred
    except OSError:
        fallback = Path(tempfile.gettempdir()) / f"paperkg-prefect-{os.getuid()}"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


def configure_prefect(*, verbose: bool = False) -> None:
    """Set paperkg's Prefect defaults in this process (call before importing prefect)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    if os.environ.get("PREFECT_API_URL"):
        return
    if "PREFECT_HOME" not in os.environ:
        os.environ["PREFECT_HOME"] = str(_usable_home(default_prefect_home()))
    else:
        # Prefect creates its home without parents, then fails to open its database there
        with contextlib.suppress(OSError):
            Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    for name, value in QUIET_LOCAL_SERVER.items():
        os.environ.setdefault(name, value)
