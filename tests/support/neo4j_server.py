"""A real Neo4j for tests: embedded Neo4j 5.26 Community with Bolt, run as a Java process.

The server is ``scripts/neo4j`` (a small Maven-built launcher, see ``scripts/neo4j/start``).
Authentication is on, so a wrong password fails as it would against a production server.

    with Neo4jTestServer() as server:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=server.auth)

``stop()`` shuts the server down cleanly (SIGTERM), ``kill()`` kills it (SIGKILL, as a crash
would), and ``start()`` starts it again on the same data directory and port. The server's
stdout/stderr go to ``<data_dir>/server.log`` (Neo4j's own logs are in ``<data_dir>/logs``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import neo4j
from neo4j.exceptions import AuthError, DriverError, Neo4jError

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts" / "neo4j"
BUILD = SCRIPTS / "build"
START = SCRIPTS / "start"
DEFAULT_PASSWORD = "paperkg-test"
READY_MARK = "neo4j ready bolt://"


class Neo4jServerError(RuntimeError):
    """The test Neo4j could not be built, started or reached."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago (bind to port 0, read, release)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def build_launcher(timeout: float = 900.0) -> None:
    """Build ``scripts/neo4j`` if it is out of date (a no-op taking milliseconds otherwise)."""
    if shutil.which("java") is None:
        raise Neo4jServerError(
            "java not found on PATH: the test Neo4j needs a JDK 17+ (apt-get install "
            "openjdk-17-jdk-headless) and Maven (apt-get install maven) to build scripts/neo4j"
        )
    try:
        proc = subprocess.run(
            [str(BUILD)], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Neo4jServerError(f"{BUILD} failed to run: {e}") from e
    if proc.returncode != 0:
        raise Neo4jServerError(
            f"{BUILD} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}".rstrip()
        )


class Neo4jTestServer:
    """One Neo4j server process on a loopback port, with its own data directory.

    ``port=None`` picks a free port at the first start (kept for restarts, so ``uri`` stays
    valid); ``data_dir=None`` makes a temporary directory that ``close()`` removes (a given
    ``data_dir`` is never removed).
    """

    user = "neo4j"

    def __init__(
        self,
        port: int | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        password: str = DEFAULT_PASSWORD,
        *,
        host: str = "127.0.0.1",
        heap: str = "768m",
        pagecache: str = "256m",
        startup_timeout: float = 120.0,
    ) -> None:
        if len(password) < 8:
            raise ValueError("Neo4j passwords need at least 8 characters")
        self.host = host
        self.port = port
        self.password = password
        self.heap = heap
        self.pagecache = pagecache
        self.startup_timeout = startup_timeout
        self._own_data_dir = data_dir is None
        self.data_dir = Path(
            tempfile.mkdtemp(prefix="paperkg-neo4j-") if data_dir is None else data_dir
        ).resolve()
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None
        self._log_file = None

    # -- addresses -------------------------------------------------------------------------
    @property
    def uri(self) -> str:
        if self.port is None:
            raise Neo4jServerError("the server has not been started yet (no port)")
        return f"bolt://{self.host}:{self.port}"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    @property
    def log_path(self) -> Path:
        """stdout/stderr of the server process (appended to across restarts)."""
        return self.data_dir / "server.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def driver(self, **kwargs: object) -> neo4j.Driver:
        """A new driver for this server with the right credentials (close it when done)."""
        return neo4j.GraphDatabase.driver(self.uri, auth=self.auth, **kwargs)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Neo4jTestServer:
        """Build if needed, start the server, return once a driver can log in."""
        if self.is_running():
            raise Neo4jServerError(f"already running (pid {self.pid}) at {self.uri}")
        build_launcher()
        if self.port is not None:
            self._start_once()
            return self
        # A port picked here can be taken by someone else before the server binds it: retry.
        for attempt in range(3):
            self.port = free_port(self.host)
            try:
                self._start_once()
                return self
            except Neo4jServerError as e:
                if attempt == 2 or "Address already in use" not in str(e):
                    self.port = None
                    raise
        return self

    def _start_once(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._close_log()
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 (kept open for the child)
        env = dict(os.environ)
        env.update(
            NEO4J_PASSWORD=self.password,
            NEO4J_HEAP=self.heap,
            NEO4J_PAGECACHE=self.pagecache,
            NEO4J_WATCH_PID=str(os.getpid()),
        )
        cmd = [
            str(START),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--data",
            str(self.data_dir),
        ]
        t0 = time.monotonic()
        try:
            self.process = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # Ctrl-C in the test run reaches us, not the server
            )
        except OSError as e:
            raise Neo4jServerError(f"cannot run {START}: {e}") from e
        try:
            self._wait_ready(t0, log_offset)
        except BaseException:
            self.kill()
            raise
        self.startup_seconds = time.monotonic() - t0

    def _wait_ready(self, t0: float, log_offset: int) -> None:
        deadline = t0 + self.startup_timeout
        # 1. The launcher prints READY_MARK once Bolt listens and the password is set.
        while READY_MARK not in self._log_since(log_offset):
            if self.process is not None and self.process.poll() is not None:
                raise self._error(f"exited with code {self.process.returncode} during startup")
            if time.monotonic() > deadline:
                raise self._error(f"not ready after {self.startup_timeout:.0f} s")
            time.sleep(0.1)
        # 2. A real driver logs in with our password.
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise self._error(f"exited with code {self.process.returncode} during startup")
            try:
                with self.driver() as driver:
                    driver.verify_connectivity()
                return
            except AuthError as e:
                raise self._error(f"rejected the password for user {self.user!r}: {e}") from e
            except (DriverError, Neo4jError, OSError) as e:
                last = e
                time.sleep(0.2)
        raise self._error(
            f"Bolt did not accept a login within {self.startup_timeout:.0f} s: {last}"
        )

    def stop(self, timeout: float = 60.0) -> None:
        """Clean shutdown: SIGTERM, wait up to ``timeout`` s, then SIGKILL."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(30)
        self._close_log()

    def kill(self) -> None:
        """SIGKILL the server, like a crash or an OOM kill: no checkpoint, no clean shutdown."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(30)
        self._close_log()

    def close(self) -> None:
        """Stop the server and remove the data directory if this object made it."""
        self.stop()
        if self._own_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Neo4jTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.is_running() else "stopped"
        port = self.port if self.port is not None else "?"
        return f"<Neo4jTestServer bolt://{self.host}:{port} {state} data={self.data_dir}>"

    # -- helpers ---------------------------------------------------------------------------
    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _log_since(self, offset: int) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's stdout/stderr and of Neo4j's debug.log."""
        parts = []
        for path in (self.log_path, self.data_dir / "logs" / "debug.log"):
            try:
                text = path.read_text("utf-8", "replace")
            except OSError:
                continue
            tail = "\n".join(text.splitlines()[-lines:])
            parts.append(f"--- last {lines} lines of {path} ---\n{tail}")
        return "\n".join(parts) or "(no server log yet)"

    def _error(self, what: str) -> Neo4jServerError:
        return Neo4jServerError(
            f"test Neo4j at {self.host}:{self.port} (data {self.data_dir}) {what}\n"
            f"{self.log_tail()}"
        )
