"""paperkg's Prefect settings and the local server's choice, in this process: a user's server is
used and none started, and paperkg's quiet defaults hold only with its own server. Starting,
stopping and killing the local server is tests/integration/flows/test_local_server.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.local_server import local_prefect
from flows.settings import (
    LOCAL_API_URL_ENV,
    ROOT_HANDLERS_ENV,
    VERBOSE_ROOT_HANDLERS,
    configure_prefect,
    prefect_log_file,
    users_api_url,
)


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    # configure_prefect sets its defaults in os.environ directly
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_the_users_server_is_used_and_none_started(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.delenv(LOCAL_API_URL_ENV, raising=False)
    with local_prefect() as api:
        api.wait()  # at once: nothing to wait for
        assert api.url == "http://127.0.0.1:9/api" and api.server is None
    assert users_api_url() == "http://127.0.0.1:9/api"


def test_quiet_settings_hold_with_paperkgs_own_server_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4242/api")
    monkeypatch.setenv(LOCAL_API_URL_ENV, "http://127.0.0.1:4242/api")
    monkeypatch.delenv("PREFECT_SERVER_ANALYTICS_ENABLED", raising=False)
    monkeypatch.delenv("PREFECT_LOGGING_HANDLERS_FILE_FILENAME", raising=False)
    configure_prefect()
    assert users_api_url() is None
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert prefect_log_file() == tmp_path / "home" / "paperkg.log"

    monkeypatch.setenv("PREFECT_API_URL", "https://prefect.example.org/api")  # the user's
    monkeypatch.delenv("PREFECT_SERVER_ANALYTICS_ENABLED")
    configure_prefect()
    assert "PREFECT_SERVER_ANALYTICS_ENABLED" not in os.environ


def test_verbose_shows_prefect_on_the_terminal_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "INFO")
    monkeypatch.delenv(ROOT_HANDLERS_ENV, raising=False)
    monkeypatch.delenv("PREFECT_LOGGING_SETTINGS_PATH", raising=False)
    configure_prefect()
    assert os.environ[ROOT_HANDLERS_ENV] == VERBOSE_ROOT_HANDLERS


def test_prefect_is_drained_inside_an_event_loop_without_a_stray_coroutine() -> None:
    # Prefect's drain_all returns a coroutine, and drains nothing, when the calling thread runs
    # an event loop (in the full suite even the main thread has one left running by an
    # in-process flow); paperkg drains from a thread of its own
    import asyncio
    import threading
    import warnings

    import prefect.logging.handlers  # noqa: F401  (what is drained)

    from flows.local_server import _drain_prefect

    async def in_a_loop() -> None:
        _drain_prefect()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # a thread of the test's own: a new loop there, whatever this thread runs
        thread = threading.Thread(target=lambda: asyncio.run(in_a_loop()))
        thread.start()
        thread.join(30)
    assert not thread.is_alive()
    assert not [w for w in caught if "never awaited" in str(w.message)]
