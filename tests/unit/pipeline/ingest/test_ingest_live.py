"""pipeline.ingest on live sources: http(s) addresses fetched from a loopback server."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from pipeline.ingest import IngestError, is_url, read_papers
from tests.support.feed_server import serve
from tests.support.samples import ATOM_FEED

GOOD = {"id": "2303.11366", "title": "Reflexion", "abstract": "We evaluate on HotpotQA."}
JSONL = (json.dumps(GOOD) + "\n{not json\n").encode()


def test_is_url_only_for_http_addresses() -> None:
    assert is_url("https://export.arxiv.org/api/query?search_query=cat:cs.CL")
    assert is_url("HTTP://127.0.0.1:8000/feed")
    assert not is_url("feed.atom") and not is_url("file:///tmp/feed.atom")
    assert not is_url(Path("http:/x"))  # a Path has already lost the address's "//"


def test_a_feed_is_read_by_its_content_type_with_sources_naming_the_address() -> None:
    with serve({"/api/query": ("application/atom+xml; charset=utf-8", ATOM_FEED.encode())}) as srv:
        url = srv.url("/api/query") + "?search_query=cat:cs.CL&max_results=2"
        result = read_papers([url])
    assert [p.id for p in result.papers] == ["2303.11366", "1706.03762"]
    assert result.rejected == []
    assert result.papers[0].source == f"{url}:8"
    path, headers = srv.requests[0]
    assert path.endswith("max_results=2") and headers["User-Agent"].startswith("paperkg/")


def test_bad_records_in_a_fetched_file_are_reported_by_address_and_line(tmp_path: Path) -> None:
    local = tmp_path / "local.jsonl"
    local.write_text(json.dumps({**GOOD, "id": "1706.03762", "title": "Attention"}) + "\n")
    with serve({"/papers.jsonl": ("text/plain", JSONL)}) as srv:
        url = srv.url("/papers.jsonl")
        result = read_papers([str(local), url])  # format from the address's extension
    assert [p.id for p in result.papers] == ["1706.03762", "2303.11366"]
    assert [(r.file, r.line) for r in result.rejected] == [(url, 2)]


def test_a_failing_address_stops_before_anything_is_parsed() -> None:
    with (
        serve({"/ok.jsonl": ("application/x-ndjson", JSONL)}) as srv,
        pytest.raises(IngestError, match=r"/missing\.atom: HTTP 404 Not Found"),
    ):
        read_papers([srv.url("/ok.jsonl"), srv.url("/missing.atom")])


def test_an_unreachable_host_is_one_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the fetch: nothing listens
    with pytest.raises(IngestError, match=rf"127\.0\.0\.1:{port}/feed: cannot fetch: "):
        read_papers([f"http://127.0.0.1:{port}/feed"])


def test_credentials_in_an_address_are_sent_but_never_shown() -> None:
    with serve({"/feed": ("application/atom+xml", ATOM_FEED.encode())}) as srv:
        result = read_papers([srv.url("/feed", userinfo="reader:s3cret")])
        with pytest.raises(IngestError) as failed:
            read_papers([srv.url("/gone", userinfo="reader:s3cret")])
    assert len(result.papers) == 2
    assert srv.requests[0][1]["Authorization"] == "Basic cmVhZGVyOnMzY3JldA=="  # reader:s3cret
    assert all("s3cret" not in p.source for p in result.papers)
    assert "s3cret" not in str(failed.value) and "/gone: HTTP 404" in str(failed.value)
