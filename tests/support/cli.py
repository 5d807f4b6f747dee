"""Running the ``paperkg`` command in tests (a pytest plugin, loaded by tests/conftest.py).

* ``PAPERKG``: the command for a subprocess (this interpreter, this checkout's ``pipeline``),
  where the process is the point: its lifetime, signals, a clean environment, the local
  Prefect server it starts.
* ``run_cli(*args, capsys=capsys)``: the command in this process, for tests of its output,
  exit code and files.
* ``interrupt(process)``: Ctrl-C for a ``paperkg serve`` subprocess, leaving none behind.
* ``prefect_api`` (fixture, module scope): one local Prefect server for a module whose
  in-process ``paperkg run`` calls would otherwise each start their own; a module asks for it
  with ``pytestmark = pytest.mark.usefixtures("prefect_api")``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

PAPERKG = [sys.executable, "-c", "from pipeline.cli import main; main()"]


def interrupt(process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Ctrl-C ``process`` and wait for it to end; past ``timeout`` terminate it (leaving no
    serve process, nor its Prefect server, behind) and raise ``TimeoutExpired``."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait(timeout=timeout)
        raise


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``paperkg ARGS`` in this process: (exit code, stdout, stderr)."""
    from pipeline.cli import main

    argv = sys.argv
    sys.argv = ["paperkg", *args]
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    """One local Prefect server for the module: each run finds it as a configured
    PREFECT_API_URL, as with a user's own server, instead of starting its own."""
    from flows.local_server import local_prefect

    with local_prefect() as api:
        api.wait()
        yield
