"""The local Prefect server: it never outlives paperkg (even after ``kill -9``), a server that
does not start is one line, and Prefect's tracebacks go to the log file, not the terminal."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows.local_server import START_TIMEOUT_ENV
from tests.support.cli import PAPERKG
from tests.support.feed_server import serve

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc; the parent-death signal is Linux's")
GONE_WITHIN_S = 10.0


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    # configure_prefect sets its defaults in os.environ directly
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _env(prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(prefect_home)
    env["COLUMNS"] = "400"
    return env


def servers_of(prefect_home: Path) -> list[int]:
    """Live local-server processes (any parent) with ``prefect_home`` as their Prefect home."""
    found = []
    marker = f"PREFECT_HOME={prefect_home}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if b"flows.local_server" not in (proc / "cmdline").read_bytes():
                continue
            if marker not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            # after the state in parentheses-terminated "pid (comm) state ..."
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue  # exited; only not reaped (PID 1 in a container may never reap)
        except OSError:
            continue  # gone meanwhile, or not ours to read
        found.append(int(proc.name))
    return found


def wait_until(condition: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@contextmanager
def running(args: list[str], env: dict[str, str], stderr: Path) -> Iterator[subprocess.Popen]:
    """``paperkg ARGS`` in the background; killed at the end if still running."""
    with stderr.open("w") as stderr_file:
        process = subprocess.Popen([*PAPERKG, *args], stdout=subprocess.DEVNULL,
                                   stderr=stderr_file, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)


@linux_only
def test_a_server_that_does_not_start_in_time_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = _env(home)
    env[START_TIMEOUT_ENV] = "1"  # it needs seconds to import Prefect's server alone
    result = subprocess.run([*PAPERKG, "run", "--sample", "--out", str(tmp_path / "out"),
                             "--no-map"], capture_output=True, text=True, env=env, timeout=300)
    log = home / "paperkg.log"
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"paperkg: the local Prefect server did not start within 1 s (log: {log})"
    ], result.stderr
    assert START_TIMEOUT_ENV in log.read_text()  # and how to allow longer
    wait_until(lambda: not servers_of(home), GONE_WITHIN_S, "the server outlived paperkg")


def test_a_server_that_fails_at_start_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = _env(home)
    # a database it cannot open: the server exits during its start-up
    env["PREFECT_API_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{tmp_path}/no/such/x.db"
    result = subprocess.run([*PAPERKG, "run", "--sample", "--out", str(tmp_path / "out"),
                             "--no-map"], capture_output=True, text=True, env=env, timeout=300)
    log = home / "paperkg.log"
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(  # uvicorn's code for a failed start-up: 3
        rf"paperkg: the local Prefect server stopped while starting \(exit code \d+; "
        rf"log: {re.escape(str(log))}\)", lines[0]), result.stderr
    assert "unable to open database file" in log.read_text()


@linux_only
def test_kill_9_of_a_run_takes_its_server_along(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # a feed that sends a byte a second: the run is inside its flow, on its server, until killed
    with (serve({}, trickles={"/slow": "body"}) as feed,
          running(["run", feed.url("/slow"), "--out", str(tmp_path / "out"), "--no-map"],
                  _env(home), tmp_path / "run.err") as paperkg):
        wait_until(lambda: feed.requests or paperkg.poll() is not None, 300,
                   "the run never fetched its input")
        assert paperkg.poll() is None, (tmp_path / "run.err").read_text()
        servers = servers_of(home)
        assert len(servers) == 1, servers
        paperkg.send_signal(signal.SIGKILL)
        paperkg.wait(timeout=60)
        wait_until(lambda: not servers_of(home), GONE_WITHIN_S,
                   f"the server {servers} outlived a kill -9 of paperkg")


@linux_only
def test_kill_9_of_serve_takes_its_server_along(tmp_path: Path) -> None:
    home = tmp_path / "home"
    err = tmp_path / "serve.err"
    with running(["serve", "--sample", "--interval", "3600", "--no-map", "--out",
                  str(tmp_path / "out")], _env(home), err) as paperkg:
        wait_until(lambda: "local Prefect server http" in err.read_text()
                   or paperkg.poll() is not None, 300, "serve never started its server")
        assert paperkg.poll() is None, err.read_text()
        servers = servers_of(home)
        assert len(servers) == 1, servers
        paperkg.send_signal(signal.SIGKILL)
        paperkg.wait(timeout=60)
        wait_until(lambda: not servers_of(home), GONE_WITHIN_S,
                   f"the server {servers} outlived a kill -9 of paperkg serve")


FAILING_FLOW = """
from flows.local_server import local_prefect

with local_prefect() as api:
    from prefect import flow

    @flow
    def fails() -> None:
        raise ValueError("boom, see https://reader:s3cret@example.org/feed")

    api.wait()
    try:
        fails()
    except ValueError:
        print("caught")
"""


def test_a_failing_flow_leaves_its_traceback_in_the_log_not_the_terminal(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    result = subprocess.run([sys.executable, "-c", FAILING_FLOW], capture_output=True,
                            text=True, env=_env(home), timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "caught\n" and result.stderr == "", result.stderr
    log = (home / "paperkg.log").read_text()
    assert "Traceback" in log and re.search(r"ValueError.*boom", log), log
    assert "s3cret" not in log  # masked: https://***@example.org/feed
    assert (home / "paperkg.log").stat().st_mode & 0o077 == 0
