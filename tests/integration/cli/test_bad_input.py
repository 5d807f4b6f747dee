"""Bad input, class by class, through the real ``paperkg run`` (in-process, real Prefect flow).

For each class: the exit code; exactly one clear line naming the file and line (or, for text
that is cleaned rather than refused, the cleaned text stored); every good record of the same
input stored; the graph that was there before unchanged and readable; no traceback. A class
that stops the whole run (a missing file, a dead address) leaves the graph byte-identical.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.stores.sqlite.store import SqliteStore
from schemas import Paper, PaperExtraction
from tests.support.cli import run_cli
from tests.support.feed_server import serve
from tests.support.graph_compare import stored_graph

pytestmark = pytest.mark.usefixtures("prefect_api")

GOOD_ABSTRACT = (
    "We propose {name}, a transformer model for image segmentation. "
    "{name} is evaluated on ImageNet and outperforms ResNet-50."
)
BASE = [  # the graph every case starts from
    {"id": f"2301.0000{i}", "title": f"Earlier paper {i} on segmentation",
     "abstract": GOOD_ABSTRACT.format(name=f"EarlyNet{i}")}
    for i in range(1, 4)
]
GOOD = [  # the good records around each bad one
    {"id": "2402.00001", "title": "Good paper alpha",
     "abstract": GOOD_ABSTRACT.format(name="AlphaNet")},
    {"id": "2402.00002", "title": "Good paper beta",
     "abstract": GOOD_ABSTRACT.format(name="BetaNet")},
]


def jsonl(*records: object) -> bytes:
    return b"".join(
        (r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records
    )


def around(bad: object) -> bytes:
    """good, bad, good as JSON Lines: the bad record is on line 2."""
    return jsonl(GOOD[0], bad, GOOD[1])


def good_with(**fields: object) -> dict[str, object]:
    return {"id": "2402.09999", "title": "Bad paper", "abstract": "An abstract.", **fields}


def csv_text(*rows: str) -> bytes:
    header = "id,title,abstract"
    good = [f'{g["id"]},{g["title"]},"{g["abstract"]}"' for g in GOOD]
    return "\n".join([header, good[0], *rows, good[1]]).encode() + b"\n"


def trending(middle: str) -> bytes:
    good = [f'{g["title"]}\n\n{g["abstract"]}' for g in GOOD]
    return f"Trending Papers\n\n{good[0]}\n\n{middle}\n\n{good[1]}\n".encode()


def atom(entry: str) -> bytes:
    good = "".join(
        f'<entry><id>http://arxiv.org/abs/{g["id"]}v1</id><title>{g["title"]}</title>'
        f'<summary>{g["abstract"]}</summary></entry>\n' for g in GOOD
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom">\n{good}{entry}\n</feed>\n').encode()


@dataclass(frozen=True)
class Rejected:
    """The class rejects one record: ``file:line: ...reason...``; the good ones go through."""

    name: str
    file: str
    body: bytes
    line: int
    reason: str


@dataclass(frozen=True)
class Cleaned:
    """The class is cleaned, not refused: the record is stored with ``title`` as its title."""

    name: str
    file: str
    body: bytes
    paper_id: str
    title: str
    abstract_check: Callable[[str], bool] = lambda _: True


REJECTED = [
    Rejected("invalid JSON", "in.jsonl", around(b'{"title": "x", "abstract": '), 2,
             "invalid JSON"),
    Rejected("not an object", "in.jsonl", around(b'["a", "b"]'), 2, "not a JSON object"),
    Rejected("missing title", "in.jsonl", around({"id": "x", "abstract": "text"}), 2,
             "missing title"),
    Rejected("missing abstract", "in.jsonl", around({"id": "x", "title": "text"}), 2,
             "missing abstract"),
    Rejected("title not text", "in.jsonl", around(good_with(title=42)), 2,
             "title is not text"),
    Rejected("only control characters in the title", "in.jsonl",
             around(good_with(title="\u0000\u0007\u200b")), 2, "missing title"),
    Rejected("lone surrogate in the title", "in.jsonl", around(b'{"id": "2402.09999", '
             b'"title": "Bad \\ud800 paper", "abstract": "An abstract."}'), 2,
             "invalid title: lone surrogate U+D800"),
    Rejected("lone surrogate in the abstract", "in.jsonl", around(b'{"title": "Bad paper", '
             b'"abstract": "An \\udfff abstract."}'), 2, "invalid abstract: lone surrogate"),
    Rejected("lone surrogate in an author", "in.jsonl", around(b'{"title": "Bad paper", '
             b'"abstract": "An abstract.", "authors": ["A \\ud800"]}'), 2,
             "invalid authors"),
    Rejected("abstract over spaCy's max_length", "in.jsonl",
             around(good_with(abstract="word " * 200_001)), 2,
             "invalid abstract: 1,000,005 characters, more than the 100,000 allowed"),
    Rejected("oversized title", "in.jsonl", around(good_with(title="T" * 5_000)), 2,
             "invalid title: 5,000 characters"),
    Rejected("date whose zone overflows", "in.jsonl",
             around(good_with(date="Mon, 01 Jan 2024 00:00:00 +99999999999999999999")), 2,
             "invalid date"),
    Rejected("date with a one-digit year", "in.jsonl",
             around(good_with(published="Mon, 01 Jan 0001 00:00:00 -2359")), 2,
             "a year before 1600"),
    Rejected("date that is not a date", "in.jsonl", around(good_with(date="yesterday")), 2,
             "invalid date: 'yesterday'"),
    Rejected("date that is a number", "in.jsonl", around(good_with(date=20240101)), 2,
             "invalid date"),
    Rejected("authors of the wrong type", "in.jsonl", around(good_with(authors=7)), 2,
             "authors is not a list or text"),
    Rejected("categories of the wrong type", "in.jsonl",
             around(good_with(categories={"a": 1})), 2, "categories is not a list or text"),
    Rejected("bytes that are not UTF-8", "in.jsonl",
             around(b'{"title": "Bad \xff\xfe paper", "abstract": "An abstract."}'), 2,
             "not UTF-8: invalid byte 0xff"),
    Rejected("duplicate of a record in the same run", "in.jsonl", around(GOOD[0]), 2,
             "duplicate of 2402.00001"),
    Rejected("array element not an object", "in.json",
             json.dumps([GOOD[0], 5, GOOD[1]], indent=1).encode(), 7,
             "array element [1] is not a JSON object"),
    Rejected("CSV row with too many columns", "in.csv", csv_text("x,Bad,abstract,extra"), 3,
             "expected 3 columns, got 4"),
    Rejected("CSV row missing its abstract", "in.csv", csv_text("x,Bad paper,"), 3,
             "missing abstract"),
    Rejected("trending page: a title with no abstract", "in.txt",
             trending("A lonely title"), 7, "missing abstract"),
    Rejected("Atom entry without a summary", "in.atom",
             atom("<entry><id>http://arxiv.org/abs/2402.09999v1</id>"
                  "<title>No summary</title></entry>"), 5, "missing abstract"),
    Rejected("Atom entry with an overflowing date", "in.atom",
             atom("<entry><id>http://arxiv.org/abs/2402.09999v1</id><title>T</title>"
                  "<summary>S.</summary><published>2024-13-45</published></entry>"), 5,
             "invalid published"),
    Rejected("url holding a lone surrogate", "in.jsonl", around(b'{"title": "Bad paper", '
             b'"abstract": "An abstract.", "url": "http://x/\\ud800"}'), 2, "invalid url"),
]

CLEANED = [
    Cleaned("NUL and BEL in a JSON title", "in.jsonl",
            around(good_with(title="Null\u0000 and bell\u0007 paper")), "2402.09999",
            "Null and bell paper"),
    Cleaned("a raw control byte in a trending page", "in.txt",
            trending("Control\x01 title\n\nAn abstract about control bytes\x02."), "",
            "Control title", lambda a: "\x02" not in a),
    Cleaned("right-to-left override in a title", "in.jsonl",
            around(good_with(title="Report \u202egnp.exe")), "2402.09999", "Report gnp.exe"),
    Cleaned("zero-width characters in a title", "in.jsonl",
            around(good_with(title="Zero\u200bwidth\u2060 title\ufeff")), "2402.09999",
            "Zerowidth title"),
    Cleaned("C1 control and non-character in an abstract", "in.jsonl",
            around(good_with(abstract="Text \u0085with\u009b C1\uffff.")), "2402.09999",
            "Bad paper", lambda a: a == "Text with C1."),
]


@pytest.fixture(scope="module")
def base_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    source = folder / "base.jsonl"
    source.write_bytes(jsonl(*BASE))
    argv, sys.argv = sys.argv, ["paperkg", "run", str(source), "--out", str(folder / "out"),
                                "--no-map"]
    try:
        with pytest.raises(SystemExit) as stop:
            main()
    finally:
        sys.argv = argv
    assert stop.value.code == 0
    return folder / "out"


@pytest.fixture
def out(base_graph: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    shutil.copytree(base_graph, folder)
    return folder


def papers(folder: Path) -> dict[str, dict[str, object]]:
    with SqliteStore(folder) as store:  # raises if the file is not readable
        return {paper.id: paper._asdict() for paper in store.view().papers}


def assert_base_kept(before: dict[str, dict[str, object]], folder: Path) -> None:
    after = papers(folder)
    for paper_id, data in before.items():
        assert after[paper_id] == data, paper_id


def assert_good_stored(folder: Path) -> None:
    titles = {data["title"] for data in papers(folder).values()}
    assert {g["title"] for g in GOOD} <= titles


@pytest.mark.parametrize("case", REJECTED, ids=[c.name for c in REJECTED])
def test_a_bad_record_is_one_line_and_costs_nothing_else(
    case: Rejected, out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / case.file
    source.write_bytes(case.body)
    before = papers(out)

    code, stdout, stderr = run_cli("run", str(source), "--out", str(out), "--no-map",
                                   capsys=capsys)

    assert code == 0, stderr
    assert "Traceback" not in stdout + stderr
    lines = [line for line in stderr.splitlines() if line.startswith("skipped ")]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"skipped {source}:{case.line}: "), lines[0]
    assert case.reason in lines[0], lines[0]
    assert "rejected 1" in stdout
    assert_good_stored(out)
    assert_base_kept(before, out)
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert [(r["file"], r["line"]) for r in rejects] == [(str(source), case.line)]


@pytest.mark.parametrize("case", CLEANED, ids=[c.name for c in CLEANED])
def test_text_the_graph_cannot_hold_is_cleaned(
    case: Cleaned, out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / case.file
    source.write_bytes(case.body)
    before = papers(out)

    code, stdout, stderr = run_cli("run", str(source), "--out", str(out), capsys=capsys)

    assert code == 0, stderr
    assert "Traceback" not in stdout + stderr
    assert "rejected 0" in stdout, stderr
    stored = {data["title"]: data for data in papers(out).values()}
    assert case.title in stored, sorted(stored)
    assert case.abstract_check(str(stored[case.title]["abstract"]))
    if case.paper_id:
        assert stored[case.title]["id"] == case.paper_id
    assert_good_stored(out)
    assert_base_kept(before, out)
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "\u202e" not in page and "\u0000" not in page




@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("a file that does not exist", ["/nonexistent/papers.jsonl"],
         "/nonexistent/papers.jsonl: no such file"),
        ("a folder given as a file", ["{tmp}"], "not a file"),
        ("an unknown --format", ["{good}", "--format", "yaml"], "unknown --format 'yaml'"),
        ("an unknown option", ["{good}", "--bogus"], "No such option: --bogus"),
        ("a batch size of zero", ["{good}", "--batch-size", "0"], "--batch-size"),
    ],
)
def test_a_bad_request_stops_before_anything_is_written(
    name: str, args: list[str], message: str, out: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl(*GOOD))
    before = stored_graph(out)
    filled = [a.format(tmp=tmp_path, good=good) for a in args]

    code, _, stderr = run_cli("run", *filled, "--out", str(out), capsys=capsys)

    assert code == 2, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("paperkg: "), stderr
    assert message in stderr
    assert stored_graph(out) == before


def test_an_address_that_answers_404_stops_before_anything_is_written(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = stored_graph(out)
    with serve({}) as feed:
        code, _, stderr = run_cli("run", feed.url("/missing.atom"), "--out", str(out),
                                  capsys=capsys)
    assert code == 2, stderr
    assert stderr == f"paperkg: {feed.url('/missing.atom')}: HTTP 404 Not Found\n"
    assert stored_graph(out) == before


def test_an_address_nobody_listens_on_stops_before_anything_is_written(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = stored_graph(out)
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, stderr = run_cli("run", f"http://127.0.0.1:{port}/feed.atom", "--out", str(out),
                              capsys=capsys)
    assert code == 2, stderr
    assert stderr.startswith(f"paperkg: http://127.0.0.1:{port}/feed.atom: cannot fetch")
    assert stderr.count("\n") == 1, stderr
    assert stored_graph(out) == before


class _FailsOnPoison:
    """The rules extractor, except that it raises on a paper whose title says POISON: a record
    that breaks an extractor (a plug-in's bug, a spaCy edge case) must cost only itself."""

    def __init__(self) -> None:
        from pipeline.extract import RuleExtractor

        self.inner = RuleExtractor()

    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        batch = list(papers)
        if any("POISON" in p.title for p in batch):
            raise ValueError("the extractor cannot handle this paper")
        yield from self.inner.extract(batch)


def test_a_record_the_extractor_fails_on_is_rejected_not_the_run(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.build import build_graph
    from pipeline.extract import EXTRACTORS

    monkeypatch.setitem(EXTRACTORS, "fails-on-poison", _FailsOnPoison)
    source = tmp_path / "in.jsonl"
    source.write_bytes(around(good_with(title="A POISON paper")))
    before = papers(out)

    summary = build_graph([str(source)], str(out), extractor="fails-on-poison", make_map=False)

    assert summary.reject_messages == [
        f"{source}:2: extraction failed (ValueError)"
    ]
    assert summary.papers_read == 2
    assert_good_stored(out)
    assert_base_kept(before, out)
    assert "POISON" not in json.dumps(papers(out))


@pytest.mark.neo4j
def test_a_password_in_the_neo4j_uri_is_never_shown(
    clean_neo4j: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NEO4J_URI", "NEO4J_PASSWORD", "NEO4J_USERNAME", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    host = clean_neo4j.uri.removeprefix("bolt://")
    wrong = f"bolt://neo4j:Wr0ngSecret@{host}"
    code, stdout, stderr = run_cli("query", "top-concepts", "--neo4j-uri", wrong,
                                   capsys=capsys)
    assert code == 1, stderr
    assert "Wr0ngSecret" not in stdout + stderr
    assert stderr.startswith("paperkg: ") and stderr.count("\n") == 1, stderr

    right = f"bolt://neo4j:{clean_neo4j.password}@{host}"
    code, stdout, stderr = run_cli("query", "top-concepts", "--neo4j-uri", right,
                                   capsys=capsys)
    assert code == 0, stderr  # the URI's user and password log in
    assert clean_neo4j.password not in stdout + stderr


@pytest.mark.neo4j
def test_an_integer_beyond_64_bits_is_one_line_on_neo4j(
    clean_neo4j: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_URI", clean_neo4j.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", clean_neo4j.password)
    code, _, stderr = run_cli("query", "top-concepts", "--param",
                              "limit=99999999999999999999", capsys=capsys)
    assert code == 2, stderr
    assert stderr == "paperkg: --param limit is too large (at most 9,223,372,036,854,775,807)\n"


def test_an_output_that_cannot_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl(*GOOD))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, stderr = run_cli("extract", str(good), "--output", str(blocker / "x.jsonl"),
                              capsys=capsys)
    assert code == 2, stderr
    assert stderr.startswith(f"paperkg: {blocker}: cannot create the output folder"), stderr
    assert stderr.count("\n") == 1

    code, _, stderr = run_cli("run", str(good), "--out", str(blocker), capsys=capsys)
    assert code == 2, stderr
    assert stderr.startswith(f"paperkg: {blocker}: cannot create the output folder"), stderr
    assert blocker.read_text() == "not a folder"


def test_paperkgs_own_failure_is_one_line_and_its_traceback_is_kept_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The error boundary itself: whatever a bug raises, the user sees one line that says
    where the traceback is, and no secret reaches the line or the log."""
    import pipeline.cli

    log = tmp_path / "paperkg.log"
    monkeypatch.setenv("PREFECT_LOGGING_HANDLERS_FILE_FILENAME", str(log))

    def broken(**_: object) -> None:
        raise RuntimeError("lost bolt://neo4j:Hunter2pw@db:7687")

    monkeypatch.setattr(pipeline.cli, "app", broken)
    code, stdout, stderr = run_cli("schema", capsys=capsys)
    assert code == 1
    assert stderr == ("paperkg: unexpected error: RuntimeError: lost bolt://***@db:7687; "
                      f"details in {log}\n")
    kept = log.read_text()
    assert "Traceback (most recent call last)" in kept and "in broken" in kept
    assert "Hunter2pw" not in kept + stdout + stderr
