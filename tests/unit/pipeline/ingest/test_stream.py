"""Reading in chunks (``iter_papers``) and gzip-compressed sources, on real files: the same
papers and rejections as ``read_papers``, in bounded pieces."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.ingest import IngestError, detect_format, iter_papers, read_papers
from pipeline.ingest.records import StreamDoc
from tests.support.samples import ATOM_FEED, SAMPLE


def record(i: int, **extra: object) -> dict[str, object]:
    return {"id": f"2501.{i:05d}", "title": f"Paper number {i}",
            "abstract": f"We propose Net{i}, evaluated on ImageNet.", **extra}


def jsonl(records: list[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def test_chunks_hold_at_most_chunk_size_papers_and_add_up(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_bytes(jsonl([record(i) for i in range(25)]) + b"{broken\n")
    chunks = list(iter_papers([path], chunk_size=10))
    assert [len(c.papers) for c in chunks] == [10, 10, 5]
    assert [p.id for c in chunks for p in c.papers] == [f"2501.{i:05d}" for i in range(25)]
    assert [r.line for c in chunks for r in c.rejected] == [26]
    whole = read_papers([path])
    assert [p for c in chunks for p in c.papers] == whole.papers


def test_gzip_is_read_transparently_by_magic_and_by_name(tmp_path: Path) -> None:
    data = jsonl([record(1), record(2, published="2025-03-18")])
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(data)
    named = tmp_path / "papers.jsonl.gz"
    named.write_bytes(gzip.compress(data))
    unnamed = tmp_path / "download"  # no extension: gzip by its magic, jsonl by sniffing
    unnamed.write_bytes(gzip.compress(data))
    assert detect_format(named) == "jsonl" and detect_format(unnamed) == "jsonl"
    expected = [(p.id, p.title, p.date) for p in read_papers([plain]).papers]
    for path in (named, unnamed):
        got = read_papers([path])
        assert [(p.id, p.title, p.date) for p in got.papers] == expected
        assert got.rejected == []
        assert got.papers[0].source == f"{path}:1"
    assert str(read_papers([named]).papers[1].date) == "2025-03-18"


@pytest.mark.parametrize("name, content", [
    ("papers.csv.gz", "id,title,abstract\n1,A title,An abstract about BERT.\n"),
    ("papers.json.gz", json.dumps([{"title": "A title", "abstract": "About BERT."}])),
    ("feed.xml.gz", ATOM_FEED),
])
def test_every_format_reads_through_gzip(tmp_path: Path, name: str, content: str) -> None:
    plain = tmp_path / name.removesuffix(".gz")
    plain.write_text(content, encoding="utf-8")
    packed = tmp_path / name
    packed.write_bytes(gzip.compress(content.encode()))
    a, b = read_papers([plain]), read_papers([packed])
    assert [(p.id, p.title) for p in a.papers] == [(p.id, p.title) for p in b.papers]
    assert a.papers and not b.rejected


def test_truncated_gzip_keeps_the_papers_before_the_break(tmp_path: Path) -> None:
    data = gzip.compress(jsonl([record(i) for i in range(2000)]))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    result = read_papers([path])
    assert 0 < len(result.papers) < 2000
    (broken,) = result.rejected
    assert broken.line is None and broken.reason.startswith("cannot read past line")
    not_gzip = tmp_path / "bad.jsonl.gz"
    not_gzip.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    (bad,) = read_papers([not_gzip]).rejected
    assert bad.file == str(not_gzip) and bad.line is None


def test_streamed_rejections_match_the_whole_file_reader(tmp_path: Path) -> None:
    """The streamed jsonl/csv readers report what the whole-file parsers reported: the same
    lines, reasons and excerpts (bad bytes, bad JSON, a quoted newline in CSV, CR endings)."""
    lines = (jsonl([record(1)]) + b"{not json\n" + b'{"id": "x", "title": "caf\xe9"}\n'
             + b"\n" + jsonl([record(1)]) + jsonl([record(2)]))
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(lines)
    streamed = read_papers([path])
    # the same bytes parsed whole, as a .json file falling back to JSON Lines
    whole = read_papers([path], fmt="json")
    assert [(r.line, r.reason, r.excerpt) for r in streamed.rejected] == [
        (r.line, r.reason, r.excerpt) for r in whole.rejected]
    assert [r.line for r in streamed.rejected] == [2, 3, 5]
    assert "duplicate of 2501.00001 at" in streamed.rejected[-1].reason

    csv = tmp_path / "rows.csv"
    csv.write_bytes(b'title,abstract\r"Two\nline title","An abstract."\rshort\r'
                    b'"Ok","Fine abstract about GPT-4."\r')
    result = read_papers([csv])
    assert [p.title for p in result.papers] == ["Two line title", "Ok"]
    assert [(r.line, r.reason) for r in result.rejected] == [(4, "expected 2 columns, got 1")]


def test_a_stream_doc_keeps_only_the_lines_not_yet_released() -> None:
    lines = (f'{{"n": {i}}}\n'.encode() for i in range(10_000))
    doc = StreamDoc("big.jsonl", lines)
    held = count = 0
    for _ in doc.lines:
        count += 1
        held = max(held, len(doc._raw))
        doc.release()
    assert count == 10_000 and held == 1
    assert doc.excerpt(None).startswith('{"n": 0}')


def test_the_first_chunk_carries_notes_and_empty_input_still_gives_one_chunk(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    (only,) = list(iter_papers([empty]))
    assert only.papers == [] and [r.reason for r in only.rejected] == ["empty file"]


def test_duplicates_across_chunks_and_files_keep_the_first(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_bytes(jsonl([record(i) for i in range(5)]))
    b = tmp_path / "b.jsonl.gz"
    b.write_bytes(gzip.compress(jsonl([record(i) for i in range(3, 8)])))
    chunks = list(iter_papers([a, b], chunk_size=2))
    ids = [p.id for c in chunks for p in c.papers]
    assert ids == [f"2501.{i:05d}" for i in range(8)]
    dupes = [r for c in chunks for r in c.rejected]
    assert [(r.file, r.line) for r in dupes] == [(str(b), 1), (str(b), 2)]


def test_problems_with_the_request_raise_before_anything_is_read(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl([record(1)]))
    with pytest.raises(IngestError, match="no such file"):
        iter_papers([good, tmp_path / "missing.jsonl.gz"])


def test_progress_fraction_follows_the_bytes_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl([record(i) for i in range(3000)])))
    stream = iter_papers([path, SAMPLE], chunk_size=500)
    fractions = [stream.fraction_read() for _ in stream]
    assert all(f is not None for f in fractions)
    assert fractions == sorted(fractions)  # type: ignore[type-var]
    assert fractions[-1] == 1.0 and fractions[0] < 1.0  # type: ignore[operator]
