"""Prefect settings that keep a local run quiet and offline; applied before Prefect is imported.

With no API URL configured, paperkg starts a local Prefect server for each run
(``flows.local_server``). Out of the box that server tries to send telemetry (an ERROR line on
an offline machine) and runs background services (scheduler, late-run marker, ...) that race
the run for its SQLite file and print tracebacks at exit. A one-shot run needs none of them.
Values the user has set in the environment win; a PREFECT_API_URL the user set (a real
server) keeps Prefect's home and services as they are. The URL of paperkg's own local server
is set too while it runs, and marked as paperkg's (``LOCAL_API_URL_ENV``) so that it does
not count as the user's.

Prefect's own logging goes to a log file (``prefect_log_file``), not the terminal: a failure
ends with paperkg's one line, and its traceback is in that file. ``--verbose`` (or
PREFECT_LOGGING_LEVEL=INFO/DEBUG) shows Prefect's logs on the terminal as well.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# the API URL of the local server paperkg started (flows.local_server), in its environment
LOCAL_API_URL_ENV = "PAPERKG_LOCAL_PREFECT_API_URL"
LOG_FILE_NAME = "paperkg.log"
# Prefect's logging.yml with the terminal handler swapped for the log file
LOGGING_CONFIG = Path(__file__).with_name("logging.yml")
# Prefect overrides any key of the logging config from PREFECT_LOGGING_<PATH>_<TO>_<KEY>
_LOG_FILE_ENV = "PREFECT_LOGGING_HANDLERS_FILE_FILENAME"
ROOT_HANDLERS_ENV = "PREFECT_LOGGING_ROOT_HANDLERS"
VERBOSE_ROOT_HANDLERS = "console,file"

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


def users_api_url() -> str | None:
    """The Prefect API URL the user configured; None when unset or paperkg's own server's."""
    url = os.environ.get("PREFECT_API_URL")
    if not url or url == os.environ.get(LOCAL_API_URL_ENV):
        return None
    return url


def prefect_log_file() -> Path:
    """The file that Prefect's warnings, errors and tracebacks go to: ``paperkg.log`` in the
    Prefect home (``~/.cache/paperkg/prefect`` unless PREFECT_HOME is set)."""
    configured = os.environ.get(_LOG_FILE_ENV)
    if configured:
        return Path(configured).expanduser()
    home = os.environ.get("PREFECT_HOME")
    return _usable_home(Path(home).expanduser() if home else default_prefect_home()) / LOG_FILE_NAME


def _shows_info(level: str) -> bool:
    name = level.strip().upper()
    return name in ("DEBUG", "INFO") or (name.isdigit() and int(name) <= 20)  # 20: INFO


def _route_logging(verbose: bool) -> None:
    log_file = prefect_log_file()
    with contextlib.suppress(OSError):
        # tracebacks can quote what a user typed; the file is the user's alone
        os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.environ.setdefault(_LOG_FILE_ENV, str(log_file))
    if os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", str(LOGGING_CONFIG)) != str(
        LOGGING_CONFIG
    ):
        return  # the user's own logging config: it may have no "file" handler
    if verbose or _shows_info(os.environ["PREFECT_LOGGING_LEVEL"]):
        os.environ.setdefault(ROOT_HANDLERS_ENV, VERBOSE_ROOT_HANDLERS)


def configure_prefect(*, verbose: bool = False) -> None:
    """Set paperkg's Prefect defaults in this process (call before importing prefect)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    if not users_api_url():
        if "PREFECT_HOME" not in os.environ:
            os.environ["PREFECT_HOME"] = str(_usable_home(default_prefect_home()))
        else:
            # Prefect creates its home without parents, then fails to open its database there
            with contextlib.suppress(OSError):
                Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
        for name, value in QUIET_LOCAL_SERVER.items():
            os.environ.setdefault(name, value)
    _route_logging(verbose)
