"""Prefect's home must work on a machine where nothing has been created yet (a whole run on such
a machine: tests/integration/flows/test_settings.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.settings import configure_prefect


def test_default_home_is_created_with_its_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_HOME", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh" / "cache"))
    configure_prefect()
    home = Path(os.environ["PREFECT_HOME"])
    assert home == tmp_path / "fresh" / "cache" / "paperkg" / "prefect"
    assert home.is_dir()
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_unwritable_cache_falls_back_to_a_temporary_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.delenv("PREFECT_HOME", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    configure_prefect()
    home = Path(os.environ["PREFECT_HOME"])
    assert home.is_dir() and not str(home).startswith(str(blocker))
