"""Scheduled runs, refused before any server: schedules are checked, and a bad request is one
line from ``paperkg serve`` (in this process). Real scheduled runs with a real local Prefect
server are tests/integration/flows/test_serve.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.serve import ScheduleError, check_schedule
from tests.support.cli import run_cli


def test_cron_expressions_are_checked() -> None:
    check_schedule("0 7 * * *", None)
    check_schedule(None, 60)
    with pytest.raises(ScheduleError, match="not a cron expression"):
        check_schedule("every morning", None)
    with pytest.raises(ScheduleError, match="give one schedule"):
        check_schedule(None, None)


def test_schedule_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    both = run_cli("serve", "--sample", "--cron", "0 7 * * *", "--interval", "60",
                   capsys=capsys)
    bad = run_cli("serve", "--sample", "--cron", "61 7 * * *", capsys=capsys)
    secret = run_cli("serve", "https://reader:s3cret@example.org/feed",
                     "https://reader:other@example.org/more", "--interval", "60", capsys=capsys)
    for code, _, stderr in (both, bad, secret):
        assert code == 2 and "Traceback" not in stderr
    assert "give one schedule" in both[2] and "not a cron expression" in bad[2]
    assert "other credentials were given for https://example.org:443" in secret[2]
    assert "s3cret" not in secret[2]
    assert not (tmp_path / "home" / "server.log").exists()  # refused before any server
