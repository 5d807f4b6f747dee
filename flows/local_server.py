"""The local Prefect server of a run or of ``paperkg serve``: started and owned by paperkg, and
never outliving it.

With no PREFECT_API_URL, Prefect would start its own temporary server for each run
(``prefect.server.api.server.SubprocessASGIServer``). It waits only 20 s for it, which a busy
2-core machine exceeds (Prefect then raises a raw "Timed out while attempting to connect"
traceback), and a ``kill -9`` of paperkg leaves that server running. So paperkg serves the
same app itself, in a child process (``python -m flows.local_server``) that

- asks Linux to send it SIGTERM when paperkg dies, however paperkg dies
  (``PR_SET_PDEATHSIG``), then checks that paperkg was still alive when it asked; elsewhere a
  thread watches the parent's pid. SIGTERM, not SIGKILL: uvicorn then stops the app and
  closes its database cleanly;
- runs uvicorn in its own process, as Prefect's temporary server does, so there is no
  grandchild to leave behind;
- serves a loopback socket that paperkg bound and passed down: the port is known at once and
  nothing can take it meanwhile, and a client that connects before the app is ready waits in
  the socket's backlog instead of being refused.

A run starts it before the flow's modules are imported, so the two load side by side, and
waits for it (``wait``) only before the flow: ``START_TIMEOUT_S`` from its start
(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, the setting of the server it replaces,
overrides). A server that does not come up is one line naming the log. At exit, Prefect's
queued logs and events are sent to it before it is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from flows.settings import (
    LOCAL_API_URL_ENV,
    ROOT_HANDLERS_ENV,
    VERBOSE_ROOT_HANDLERS,
    default_prefect_home,
    prefect_log_file,
)

__all__ = [
    "START_TIMEOUT_ENV",
    "LocalServer",
    "LocalServerError",
    "PrefectApi",
    "local_prefect",
    "local_server",
    "server_healthy",
    "start_timeout_s",
    "using_api_url",
]

START_TIMEOUT_S = 120.0
START_TIMEOUT_ENV = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
# uvicorn stops the app in well under a second; SIGKILL after this
STOP_TIMEOUT_S = 10.0
DRAIN_TIMEOUT_S = 5.0
_HEALTH_TIMEOUT_S = 2.0
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
START_LOCK_FILE = ".paperkg-server-start.lock"  # in the Prefect home


class LocalServerError(Exception):
    """The local Prefect server did not start; the message is one line naming its log."""


def start_timeout_s() -> float:
    """Seconds the local server may take to start: START_TIMEOUT_ENV when set, else 120."""
    value = os.environ.get(START_TIMEOUT_ENV, "").strip()
    try:
        return float(value) if value else START_TIMEOUT_S
    except ValueError:
        return START_TIMEOUT_S


def server_healthy(api_url: str, timeout: float = _HEALTH_TIMEOUT_S) -> bool:
    """The Prefect API at ``api_url`` (``http://HOST:PORT/api``) answers its health check."""
    # http.client, not urllib: urllib would send a loopback request to an http_proxy
    parts = urlsplit(api_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80,
                                            timeout=timeout)
    try:
        connection.request("GET", f"{parts.path.rstrip('/')}/health")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


@dataclass
class LocalServer:
    """A started ``python -m flows.local_server``; see ``local_server``."""

    process: subprocess.Popen[bytes]
    api_url: str
    log_file: Path
    timeout_s: float
    started: float = field(default_factory=time.monotonic)

    def wait(self) -> None:
        """Return once the server answers; ``LocalServerError`` when it exits first or has not
        answered ``timeout_s`` after its start."""
        deadline = self.started + self.timeout_s
        while True:
            code = self.process.poll()
            if code is not None:
                how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
                self._fail("the local Prefect server stopped while starting", detail=how)
            if time.monotonic() >= deadline:
                self._fail(f"the local Prefect server did not start within {self.timeout_s:g} s",
                           hint=f"{START_TIMEOUT_ENV}=SECONDS allows longer")
            remaining = deadline - time.monotonic()
            if server_healthy(self.api_url, timeout=min(remaining, _HEALTH_TIMEOUT_S)):
                return
            # a refusal comes at once (the server has exited: poll() tells); a slow start
            # has used the health check's timeout
            time.sleep(0.05)

    def _fail(self, message: str, *, detail: str = "", hint: str = "") -> NoReturn:
        """``LocalServerError``: "MESSAGE (DETAIL; log: FILE)". The log gets the line too, with
        the hint: it may hold nothing else (a server stopped while importing Prefect)."""
        logged = "; ".join(part for part in (detail, hint) if part)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with contextlib.suppress(OSError), open(_open_log(self.log_file), "a",
                                                encoding="utf-8") as log:
            log.write(f"{stamp} | {os.getpid()} | ERROR   | paperkg - {message}"
                      + (f" ({logged})" if logged else "") + "\n")
        shown = "; ".join(part for part in (detail, f"log: {self.log_file}") if part)
        raise LocalServerError(f"{message} ({shown})")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # its own process group (session): everything it may have started goes too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _open_log(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    # a traceback can quote what the user typed: the file is the user's alone
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


@contextlib.contextmanager
def local_server(
    log_file: Path, *, ephemeral: bool, env: Mapping[str, str] | None = None
) -> Iterator[LocalServer]:
    """A Prefect server on a free loopback port for the duration: started now, not waited for
    (``LocalServer.wait``), stopped at exit; its output goes to ``log_file``.

    ``ephemeral``: only the services a one-shot run needs, as in Prefect's temporary server;
    else the ones the settings enable, as ``prefect server start``. ``env``: settings for the
    server over this process's environment. Start it from the main thread: the kernel sends
    the parent-death signal when the *thread* that started the child ends."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("start the local Prefect server from the main thread")
    child_env = {**os.environ, **(env or {}), "PREFECT__SERVER_FINAL": "1"}
    if ephemeral:
        child_env["PREFECT__SERVER_EPHEMERAL"] = "1"
    for name in ("PREFECT_API_URL", LOCAL_API_URL_ENV):
        child_env.pop(name, None)
    if child_env.get(ROOT_HANDLERS_ENV) == VERBOSE_ROOT_HANDLERS:
        del child_env[ROOT_HANDLERS_ENV]  # its terminal is the log file already
    listener = socket.create_server(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    command = [sys.executable, "-m", "flows.local_server", "--fd", str(listener.fileno()),
               "--parent", str(os.getpid()), "--port", str(port)]
    log = None
    try:
        log = _open_log(log_file)
        process = subprocess.Popen(
            command, env=child_env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),),
            # a Ctrl-C in the terminal reaches paperkg alone, which then stops the server
            start_new_session=True,
        )
    except OSError as error:
        raise LocalServerError(f"the local Prefect server could not be started "
                               f"({error.strerror or error}; log: {log_file})") from None
    finally:
        listener.close()  # the child's copy serves; a dead child then refuses at once
        if log is not None:
            os.close(log)
    server = LocalServer(process, f"http://127.0.0.1:{port}/api", log_file, start_timeout_s())
    try:
        yield server
    finally:
        server.stop()


@dataclass
class PrefectApi:
    """The Prefect API of a run: the user's server, or the local ``server`` paperkg started."""

    url: str
    server: LocalServer | None = None

    def wait(self) -> None:
        """Return once the API can take the run (at once for the user's server); see
        ``LocalServer.wait``."""
        if self.server is not None:
            self.server.wait()


@contextlib.contextmanager
def local_prefect() -> Iterator[PrefectApi]:
    """The Prefect API of a one-shot run: PREFECT_API_URL when the user set one, else a local
    server started now (``wait()`` for it before the flow) and stopped at exit. Its output and
    Prefect's log go to ``flows.settings.prefect_log_file()``.

    Enter it before Prefect is imported: Prefect's background threads (logs, events) read the
    API URL from the settings it loads at import, and one that finds none starts Prefect's own
    temporary server. (When Prefect is imported already, its settings are reloaded.)"""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield PrefectApi(configured)
        return
    with local_server(prefect_log_file(), ephemeral=True) as server, \
            using_api_url(server.api_url):
        try:
            yield PrefectApi(server.api_url, server)
        finally:
            _drain_prefect()


@contextlib.contextmanager
def using_api_url(url: str) -> Iterator[None]:
    """PREFECT_API_URL for this process and the ones it starts, for the duration, marked as
    paperkg's own server (``flows.settings``: not the user's, so the quiet settings hold)."""
    os.environ["PREFECT_API_URL"] = url
    os.environ[LOCAL_API_URL_ENV] = url
    _reload_prefect_settings()
    try:
        yield
    finally:
        for name in ("PREFECT_API_URL", LOCAL_API_URL_ENV):
            os.environ.pop(name, None)
        _reload_prefect_settings()


def _reload_prefect_settings() -> None:
    if "prefect.context" in sys.modules:
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()


def _drain_prefect() -> None:
    """Send Prefect's queued logs and events to the server while it is still there (Prefect
    itself would at interpreter exit, after the server has been stopped)."""
    if "prefect.logging.handlers" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    def drain() -> None:
        for worker in (APILogWorker, EventsWorker):
            # best effort: the run's outcome is known already, and must not be hidden
            with contextlib.suppress(Exception):
                worker.drain_all(timeout=DRAIN_TIMEOUT_S)

    # in a thread of its own: called from a thread that runs an event loop, drain_all returns
    # a coroutine instead of waiting, and nothing is drained
    thread = threading.Thread(target=drain, name="paperkg-prefect-drain", daemon=True)
    thread.start()
    thread.join(2 * DRAIN_TIMEOUT_S + 1)


def _guard_parent(parent: int) -> None:
    """End this process (SIGTERM) when ``parent`` ends, however it ends."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGTERM), ctypes.c_ulong(0),
                      ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0:
            if os.getppid() != parent:  # it died before the signal was asked for
                sys.exit(0)
            return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def _skip_migrations_if_done(home: Path) -> Path:
    """Skip checking the database's migrations (~1 s of every start) when a server of this
    Prefect version already migrated this home's database. Returns the marker to write once
    the app has started (and so migrated)."""
    from importlib.metadata import version

    marker = home / f".paperkg-migrated-prefect-{version('prefect')}"
    own_database = not any(
        os.environ.get(name) for name in ("PREFECT_SERVER_DATABASE_CONNECTION_URL",
                                          "PREFECT_API_DATABASE_CONNECTION_URL"))
    if marker.exists() and own_database and (home / "prefect.db").exists():
        os.environ.setdefault("PREFECT_SERVER_DATABASE_MIGRATE_ON_START", "false")
    return marker


def _serve(argv: list[str] | None = None) -> None:
    """The child: guard, then serve Prefect's app on the inherited socket until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m flows.local_server")
    parser.add_argument("--fd", type=int, required=True, help="listening socket to serve")
    parser.add_argument("--parent", type=int, required=True, help="pid to die with")
    parser.add_argument("--port", type=int, help="the socket's port (shown to ps)")
    args = parser.parse_args(argv)
    _guard_parent(args.parent)

    import uvicorn
    from filelock import FileLock

    # Two servers starting on one Prefect home at once (two runs on a fresh machine) would
    # both migrate its new database, and one dies half-way ("no column named ..."): servers
    # on one home start one at a time, the lock held until the app's start-up (migrations,
    # block registration) is done. The kernel drops the lock if this process dies.
    home = Path(os.environ.get("PREFECT_HOME") or default_prefect_home()).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    starting = FileLock(home / START_LOCK_FILE, thread_local=False, is_singleton=False)
    starting.acquire()
    migrated = _skip_migrations_if_done(home)

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            try:
                await super().startup(sockets=sockets)
                if not self.should_exit:
                    migrated.touch()
            finally:
                starting.release()

    config = uvicorn.Config("prefect.server.api.server:create_app", factory=True,
                            lifespan="on", log_level="error")
    _Server(config).run(sockets=[socket.socket(fileno=args.fd)])


if __name__ == "__main__":
    _serve()
