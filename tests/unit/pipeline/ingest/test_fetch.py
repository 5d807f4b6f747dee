"""pipeline.ingest.fetch: credentials only for their origin and an overall deadline (loopback
servers; two ports are two origins). That credentials stay out of Prefect is checked in
tests/integration/flows/test_fetch.py."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest

from pipeline.cli import UserError, _inputs
from pipeline.ingest import IngestError, read_papers
from pipeline.ingest.fetch import CREDENTIALS_ENV, DEADLINE_ENV, FetchError, fetch, origin
from tests.support.feed_server import authorizations, serve
from tests.support.samples import ATOM_FEED

FEED = {"/feed.atom": ("application/atom+xml", ATOM_FEED.encode())}
USERINFO = "reader:s3cret"
BASIC = "Basic " + base64.b64encode(USERINFO.encode()).decode()
SLACK_S = 3.0  # thread and socket scheduling on a busy two-core machine


@pytest.fixture(autouse=True)
def no_stored_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # set (not deleted), so the value the CLI helper writes is undone after each test
    monkeypatch.setenv(CREDENTIALS_ENV, "")
    monkeypatch.delenv(DEADLINE_ENV, raising=False)


def test_a_redirect_to_another_origin_drops_the_credentials_and_says_so() -> None:
    with serve(FEED) as b, serve({}, redirects={"/feed.atom": b.url("/feed.atom")}) as a:
        result = read_papers([a.url("/feed.atom", userinfo=USERINFO)])
    assert len(result.papers) == 2 and result.rejected == []
    assert authorizations(a.requests) == [BASIC]
    assert authorizations(b.requests) == [None]
    assert result.notes == [f"{a.url('/feed.atom')} redirected to {b.url('/feed.atom')} "
                            "(another origin): credentials not sent"]
    assert all(p.source.startswith(a.url("/feed.atom")) for p in result.papers)
    assert "s3cret" not in json.dumps(result.model_dump(mode="json"))


def test_a_redirect_within_the_origin_keeps_the_credentials() -> None:
    with serve(FEED, redirects={"/old": "/feed.atom"}) as a:
        result = read_papers([a.url("/old", userinfo=USERINFO)])
    assert len(result.papers) == 2 and result.notes == []
    assert [path for path, _ in a.requests] == ["/old", "/feed.atom"]
    assert authorizations(a.requests) == [BASIC, BASIC]


def test_a_redirect_without_credentials_needs_no_note() -> None:
    with serve(FEED) as b, serve({}, redirects={"/feed.atom": b.url("/feed.atom")}) as a:
        fetched = fetch(a.url("/feed.atom"))
    assert fetched.notes == [] and fetched.data == ATOM_FEED.encode()


def test_a_redirect_loop_is_one_line() -> None:
    with serve({}, redirects={"/a": "/b", "/b": "/a"}) as a, pytest.raises(FetchError) as failed:
        fetch(a.url("/a", userinfo=USERINFO))
    assert str(failed.value) == f"{a.url('/a')}: too many redirects (a loop, or more than 10)"


@pytest.mark.parametrize("part", ["body", "headers"])
def test_a_trickling_server_is_cut_off_at_the_deadline(part: str) -> None:
    with serve({}, trickles={"/slow": part}) as srv, pytest.raises(FetchError) as failed:
        started = time.monotonic()
        fetch(srv.url("/slow", userinfo=USERINFO), deadline_s=2)
    elapsed = time.monotonic() - started
    assert str(failed.value) == f"{srv.url('/slow')}: no complete response within 2 s"
    assert 2 <= elapsed < 2 + SLACK_S


def test_read_papers_stops_at_the_deadline_before_parsing_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DEADLINE_ENV, "2")
    with (
        serve(FEED, trickles={"/slow.atom": "body"}) as srv,
        pytest.raises(IngestError) as failed,
    ):
        started = time.monotonic()
        read_papers([srv.url("/feed.atom"), srv.url("/slow.atom", userinfo=USERINFO)])
    assert time.monotonic() - started < 2 + SLACK_S
    assert str(failed.value) == f"{srv.url('/slow.atom')}: no complete response within 2 s"


def test_the_cli_moves_credentials_out_of_the_addresses_and_the_fetch_still_sends_them(
    tmp_path: Path,
) -> None:
    local = tmp_path / "papers.jsonl"
    local.write_text("", encoding="utf-8")
    with serve(FEED) as srv:
        given = [srv.url("/feed.atom", userinfo="reader:s3cr%40t"), str(local)]
        clean = _inputs(given, sample=False)
        assert clean == [srv.url("/feed.atom"), str(local)]
        assert json.loads(os.environ[CREDENTIALS_ENV]) == {origin(srv.base): "reader:s3cr@t"}
        result = read_papers(clean)
    assert len(result.papers) == 2
    assert authorizations(srv.requests) == ["Basic " + base64.b64encode(b"reader:s3cr@t").decode()]


def test_one_origin_with_two_passwords_is_refused_without_showing_them() -> None:
    with pytest.raises(UserError) as refused:
        _inputs(["https://reader:s3cret@example.org/a", "https://reader:other@Example.org:443/b"],
                sample=False)
    message = str(refused.value)
    assert "other credentials were given for https://example.org:443" in message
    assert "s3cret" not in message and "other@" not in message


def test_stored_credentials_are_matched_by_origin_and_never_echoed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert origin("HTTPS://Example.ORG/feed?x=1") == "https://example.org:443"
    assert origin("http://[::1]:8080/feed") == "http://[::1]:8080"
    with serve(FEED) as srv:
        # another port is another origin: nothing is sent there
        host, port = srv.base.removeprefix("http://").split(":")
        monkeypatch.setenv(CREDENTIALS_ENV, json.dumps({f"http://{host}:{int(port) + 1}": "x:y"}))
        fetch(srv.url("/feed.atom"))
        monkeypatch.setenv(CREDENTIALS_ENV, json.dumps({srv.base.upper(): USERINFO}))
        fetch(srv.url("/feed.atom"))
    assert authorizations(srv.requests) == [None, BASIC]
    monkeypatch.setenv(CREDENTIALS_ENV, "reader:s3cret")
    with pytest.raises(FetchError) as bad:
        fetch("http://127.0.0.1:9/feed")
    assert CREDENTIALS_ENV in str(bad.value) and "s3cret" not in str(bad.value)
