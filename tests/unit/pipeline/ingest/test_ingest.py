"""Tests for pipeline.ingest: every format, good and bad records side by side, on real files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.ingest import (
    FORMATS,
    IngestError,
    IngestResult,
    Rejected,
    detect_format,
    read_papers,
    write_rejects,
)
from schemas.keys import paper_id_for
from tests.support.samples import ATOM_FEED, SAMPLE


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def by_line(result: IngestResult) -> dict[int | None, str]:
    return {r.line: r.reason for r in result.rejected}


# ---------------------------------------------------------------------------
# The bundled trending sample


def test_sample_yields_71_papers_and_no_rejects() -> None:
    result = read_papers([SAMPLE])
    assert result.rejected == []
    assert len(result.papers) == 71
    first, last = result.papers[0], result.papers[-1]
    assert first.title == "Left/Right Brain, human motor control and the implications for robotics"
    assert first.abstract.startswith("Neural Network movement controllers promise")
    assert first.source == f"{SAMPLE}:11"
    assert last.title == (
        "Harnessing Diversity for Important Data Selection in Pretraining Large Language Models"
    )
    assert last.abstract.startswith("Data selection is of great significance in pre-training")
    assert len({p.id for p in result.papers}) == 71


def test_sample_pairs_titles_with_their_own_abstracts() -> None:
    papers = {p.title: p for p in read_papers([SAMPLE]).papers}
    assert papers["Locally Typical Sampling"].abstract.startswith(
        "Today's probabilistic language generators fall short"
    )
    assert papers["The Consciousness Prior"].abstract.startswith(
        "A new prior is proposed for learning representations"
    )
    assert papers["What's the Magic Word? A Control Theory of LLM Prompting"].abstract.startswith(
        "Prompt engineering is crucial for deploying LLMs"
    )
    headers = {"new", "Subscribe", "Mar 11", "byAK and the research community",
               "Get trending papers in your email inbox!"}
    assert not headers & set(papers)
    for paper in papers.values():
        assert len(paper.abstract) > 400 > len(paper.title)
        assert paper.date is None and paper.url is None
        assert paper.id == paper_id_for(paper.title)


# ---------------------------------------------------------------------------
# trending text


TRENDING = (
    "new\n\nSubscribe\n\nMar 11\n\n"                                    # 1-5 header
    "Title One\n\nAbstract one. It has two sentences.\n\n"             # 7, 9
    "Orphan Title\n\n"                                                  # 11
    "Title Two\n\nAbstract two has a bad \xff byte.\n\n"               # 13, 15
    "Mar 10\n\n"                                                        # 17 date separator
    "Title Three\n\nAbstract three, wrapped\nover two lines.\n\n"      # 19, 21-22
    "Final Title\n"                                                     # 24
)


def test_trending_mixed_good_and_bad(tmp_path: Path) -> None:
    path = write(tmp_path / "page.txt", TRENDING.encode("latin-1"))
    result = read_papers([path])
    assert [(p.title, p.abstract, p.source) for p in result.papers] == [
        ("Title One", "Abstract one. It has two sentences.", f"{path}:7"),
        ("Title Three", "Abstract three, wrapped over two lines.", f"{path}:19"),
    ]
    assert by_line(result) == {
        11: "missing abstract",
        13: "not UTF-8: invalid byte 0xff at line 15, column 24",  # "...a bad " is 23 chars
        24: "missing abstract",
    }
    bad = next(r for r in result.rejected if r.line == 13)
    assert bad.excerpt == "Title Two\n\nAbstract two has a bad \\xff byte."


def test_trending_abstract_without_title(tmp_path: Path) -> None:
    text = (
        "Subscribe\n\n"
        "A stray paragraph of prose. It reads like an abstract.\n\n"   # 3
        "Real Title\n\nIts abstract.\n\n"                            # 5, 7
        "Another stray abstract.\n"                                     # 9
    )
    path = write(tmp_path / "stray.txt", text)
    result = read_papers([path])
    assert [(p.title, p.abstract, p.source) for p in result.papers] == [
        ("Real Title", "Its abstract.", f"{path}:5")
    ]
    assert by_line(result) == {3: "abstract without a title", 9: "abstract without a title"}


def test_trending_crlf_and_bom(tmp_path: Path) -> None:
    text = "\ufeffSubscribe\r\n\r\nA Title\r\n\r\nSome abstract text.\r\n"
    result = read_papers([write(tmp_path / "crlf.txt", text)])
    assert result.rejected == []
    assert [(p.title, p.abstract, p.source) for p in result.papers] == [
        ("A Title", "Some abstract text.", f"{tmp_path / 'crlf.txt'}:3")
    ]


def test_trending_only_header_is_no_papers(tmp_path: Path) -> None:
    path = write(tmp_path / "header.txt", "new\n\nSubscribe\n\nMar 11\n")
    result = read_papers([path])
    assert result.papers == []
    assert [(r.line, r.reason) for r in result.rejected] == [(None, "no papers found")]


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
@pytest.mark.parametrize("name", ["e.txt", "e.jsonl", "e.json", "e.csv", "e.xml"])
def test_empty_file(tmp_path: Path, name: str, content: str) -> None:
    path = write(tmp_path / name, content)
    result = read_papers([path])
    assert result.papers == []
    assert result.rejected == [Rejected(file=str(path), line=None, reason="empty file")]


# ---------------------------------------------------------------------------
# jsonl


def test_jsonl_mixed_good_and_bad(tmp_path: Path) -> None:
    lines = [
        b'{"title": "Good One", "abstract": "First."}',
        b'{"title": "Broken", "abstract": "x" "authors": []}',
        b"",
        b'{"title": "No Abstract"}',
        b'{"title": "  ", "abstract": "blank title"}',
        b'["not", "an", "object"]',
        b'{"title": "Caf\xe9", "abstract": "latin-1 byte"}',
        b'{"title": "Good Two", "abstract": "Second."}',
        b'{"title": "Cut off", "abstract": ',
    ]
    path = write(tmp_path / "mixed.jsonl", b"\n".join(lines) + b"\n")
    result = read_papers([path])
    assert [(p.title, p.source) for p in result.papers] == [
        ("Good One", f"{path}:1"),
        ("Good Two", f"{path}:8"),
    ]
    broken_col = lines[1].index(b'"authors"') + 1
    assert by_line(result) == {
        2: f"invalid JSON: Expecting ',' delimiter (col {broken_col})",
        4: "missing abstract",
        5: "missing title",
        6: "not a JSON object (got array)",
        7: f"not UTF-8: invalid byte 0xe9 at column {lines[6].index(0xE9) + 1}",
        9: f"invalid JSON: Expecting value (col {len(lines[8]) + 1})",
    }
    assert next(r for r in result.rejected if r.line == 7).excerpt == (
        '{"title": "Caf\\xe9", "abstract": "latin-1 byte"}'
    )


ARXIV_SNAPSHOT_RECORD = {
    "id": "2303.11366",
    "submitter": "Noah Shinn",
    "authors": "Noah Shinn, Federico Cassano, Edward Berman, Ashwin Gopinath, Karthik\n"
    "  Narasimhan, Shunyu Yao",
    "title": "Reflexion: Language Agents with Verbal Reinforcement Learning",
    "comments": "v4 contains a few additional experiments",
    "journal-ref": None,
    "doi": None,
    "report-no": None,
    "categories": "cs.AI cs.CL cs.LG",
    "license": "http://creativecommons.org/licenses/by/4.0/",
    "abstract": "  Large language models (LLMs) have been increasingly used to interact with\n"
    "external environments (e.g., games, compilers, APIs) as goal-driven agents.\n",
    "versions": [{"version": "v1", "created": "Mon, 20 Mar 2023 18:08:50 GMT"}],
    "update_date": "2023-10-10",
    "authors_parsed": [["Shinn", "Noah", ""], ["Cassano", "Federico", ""]],
}


def test_arxiv_snapshot_field_names(tmp_path: Path) -> None:
    path = write(tmp_path / "arxiv-metadata.json", json.dumps(ARXIV_SNAPSHOT_RECORD) + "\n")
    result = read_papers([path], fmt="jsonl")
    assert result.rejected == []
    (paper,) = result.papers
    assert paper.id == "2303.11366"
    assert paper.title == "Reflexion: Language Agents with Verbal Reinforcement Learning"
    assert paper.abstract == (
        "Large language models (LLMs) have been increasingly used to interact with "
        "external environments (e.g., games, compilers, APIs) as goal-driven agents."
    )
    assert paper.authors == (
        "Noah Shinn", "Federico Cassano", "Edward Berman", "Ashwin Gopinath",
        "Karthik Narasimhan", "Shunyu Yao",
    )
    assert paper.categories == ("cs.AI", "cs.CL", "cs.LG")
    assert paper.date == dt.date(2023, 10, 10)
    assert paper.source == f"{path}:1"


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        ("A. Smith, B. Jones (MIT, USA) and C. Brown", ("A. Smith", "B. Jones", "C. Brown")),
        ("A. Smith, B. Jones, and C. Brown", ("A. Smith", "B. Jones", "C. Brown")),
        (["Ada Lovelace", " Alan  Turing "], ("Ada Lovelace", "Alan Turing")),
        ([["Shinn", "Noah", ""], ["King", "Martin Luther", "Jr"]],
         ("Noah Shinn", "Martin Luther King Jr")),
        ([{"name": "Grace Hopper"}], ("Grace Hopper",)),
    ],
)
def test_author_forms(tmp_path: Path, authors: object, expected: tuple[str, ...]) -> None:
    record = {"title": "T", "abstract": "A.", "authors": authors}
    path = write(tmp_path / "a.jsonl", json.dumps(record) + "\n")
    assert read_papers([path]).papers[0].authors == expected


def test_authors_parsed_used_when_authors_absent(tmp_path: Path) -> None:
    record = {"title": "T", "abstract": "A.", "authors_parsed": [["Yao", "Shunyu", ""]]}
    path = write(tmp_path / "a.jsonl", json.dumps(record) + "\n")
    assert read_papers([path]).papers[0].authors == ("Shunyu Yao",)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"date": "2024-03-11"}, dt.date(2024, 3, 11)),
        ({"published": "2023-03-20T17:59:58Z"}, dt.date(2023, 3, 20)),
        ({"update_date": "2023-10-10"}, dt.date(2023, 10, 10)),
        ({"published": "2023-03-20", "update_date": "2023-10-10"}, dt.date(2023, 3, 20)),
        ({}, None),
    ],
)
def test_dates(tmp_path: Path, fields: dict[str, str], expected: dt.date | None) -> None:
    path = write(tmp_path / "d.jsonl", json.dumps({"title": "T", "abstract": "A.", **fields}))
    assert read_papers([path]).papers[0].date == expected


def test_invalid_date_rejects_the_record(tmp_path: Path) -> None:
    lines = [{"title": "T1", "abstract": "A.", "date": "2023-13-45"},
             {"title": "T2", "abstract": "B.", "date": "2023-01-02"}]
    path = write(tmp_path / "d.jsonl", "\n".join(json.dumps(x) for x in lines))
    result = read_papers([path])
    assert [p.title for p in result.papers] == ["T2"]
    assert by_line(result) == {1: "invalid date: '2023-13-45'"}


# ---------------------------------------------------------------------------
# json


def test_json_array_reports_element_lines(tmp_path: Path) -> None:
    text = (
        "[\n"
        '  {"title": "First", "abstract": "One."},\n'       # 2
        "  42,\n"                                            # 3
        "  {\n"                                              # 4
        '    "title": "No abstract here"\n'
        "  },\n"
        '  {"title": "Last", "abstract": "Three.",\n'       # 7
        '   "categories": ["cs.CL", "cs.AI"], "url": "https://example.org/p"}\n'
        "]\n"
    )
    path = write(tmp_path / "list.json", text)
    result = read_papers([path])
    assert [(p.title, p.source) for p in result.papers] == [
        ("First", f"{path}:2"),
        ("Last", f"{path}:7"),
    ]
    assert result.papers[1].categories == ("cs.CL", "cs.AI")
    assert result.papers[1].url == "https://example.org/p"
    assert by_line(result) == {
        3: "array element [1] is not a JSON object (got number)",
        4: "missing abstract",
    }


@pytest.mark.parametrize("key", ["papers", "records", "items"])
def test_json_object_with_list(tmp_path: Path, key: str) -> None:
    text = f'{{"source": "x",\n "{key}": [\n  {{"title": "T", "abstract": "A."}}\n ]}}'
    result = read_papers([write(tmp_path / "wrapped.json", text)])
    assert result.rejected == []
    assert [(p.title, p.source) for p in result.papers] == [
        ("T", f"{tmp_path / 'wrapped.json'}:3")
    ]


def test_malformed_json_is_one_file_level_reject(tmp_path: Path) -> None:
    bad_line = '  {"title": "U" "abstract": "B."}'
    text = f'[\n  {{"title": "T", "abstract": "A."}},\n{bad_line}\n]\n'
    path = write(tmp_path / "bad.json", text)
    result = read_papers([path])
    assert result.papers == []
    col = bad_line.index('"abstract"') + 1
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, f"invalid JSON: Expecting ',' delimiter (col {col})")
    ]


def test_json_bad_bytes_reject_only_their_element(tmp_path: Path) -> None:
    data = (b'[{"title": "A", "abstract": "bad \xff"}, {"title": "B", "abstract": "fine"},'
            b' {"title": "C", "abstract": "also \xfe bad"}]')
    result = read_papers([write(tmp_path / "mini.json", data)])
    assert [p.title for p in result.papers] == ["B"]
    assert [r.reason for r in result.rejected] == [
        f"not UTF-8: invalid byte 0xff at column {data.index(0xFF) + 1}",
        f"not UTF-8: invalid byte 0xfe at column {data.index(0xFE) + 1}",
    ]
    assert result.rejected[1].excerpt.startswith('{"title": "C"')


def test_json_lines_saved_as_json(tmp_path: Path) -> None:
    text = '{"title": "A", "abstract": "a."}\n{"title": "B", "abstract": "b."}\n'
    result = read_papers([write(tmp_path / "lines.json", text)])
    assert [(p.title, p.source.rsplit(":", 1)[1]) for p in result.papers] == [
        ("A", "1"), ("B", "2"),
    ]


# ---------------------------------------------------------------------------
# csv


def test_csv_mixed_good_and_bad(tmp_path: Path) -> None:
    data = (
        b"id,title,abstract,authors,categories\n"                                    # 1
        b'2303.11366v2,Reflexion,"An abstract\nover two lines","A. One; B. Two",cs.AI\n'  # 2-3
        b"x,Short row\n"                                                             # 4
        b"y,No abstract,,C. Three,cs.CL\n"                                           # 5
        b"z,Caf\xe9 title,bad bytes,,\n"                                             # 6
        b"\n"
        b',Last Good,"Fine, with a comma","Smith, J.; Doe, A.","cs.CL;cs.LG"\n'      # 8
    )
    path = write(tmp_path / "papers.csv", data)
    result = read_papers([path])
    assert [(p.title, p.source) for p in result.papers] == [
        ("Reflexion", f"{path}:2"),
        ("Last Good", f"{path}:8"),
    ]
    first, last = result.papers
    assert first.id == "2303.11366"
    assert first.abstract == "An abstract over two lines"
    assert first.authors == ("A. One", "B. Two")
    assert last.abstract == "Fine, with a comma"
    assert last.authors == ("Smith, J.", "Doe, A.")
    assert last.categories == ("cs.CL", "cs.LG")
    assert last.id == paper_id_for("Last Good")
    assert by_line(result) == {
        4: "expected 5 columns, got 2",
        5: "missing abstract",
        6: "not UTF-8: invalid byte 0xe9 at column 6",
    }


def test_csv_author_and_category_splitting(tmp_path: Path) -> None:
    data = 'title,abstract,authors,categories\nT,A.,"Ann Lee, Bo Chen and Cy Diaz",cs.CL cs.AI\n'
    (paper,) = read_papers([write(tmp_path / "s.csv", data)]).papers
    assert paper.authors == ("Ann Lee", "Bo Chen", "Cy Diaz")
    assert paper.categories == ("cs.CL", "cs.AI")


def test_csv_without_abstract_column(tmp_path: Path) -> None:
    path = write(tmp_path / "h.csv", "title,summary_text\nT,x\n")
    result = read_papers([path])
    assert result.papers == []
    assert [(r.line, r.reason) for r in result.rejected] == [
        (1, "CSV header has no abstract column")
    ]


# ---------------------------------------------------------------------------
# atom


def test_atom_feed(tmp_path: Path) -> None:
    path = write(tmp_path / "query.xml", ATOM_FEED)
    result = read_papers([path])
    assert result.rejected == []
    reflexion, attention = result.papers
    assert reflexion.id == "2303.11366"
    assert reflexion.title == "Reflexion: Language Agents with Verbal Reinforcement Learning"
    assert reflexion.abstract == (
        "Large language models (LLMs) have been increasingly used to interact with "
        "external environments as goal-driven agents."
    )
    assert reflexion.authors == ("Noah Shinn", "Federico Cassano")
    assert reflexion.date == dt.date(2023, 3, 20)
    assert reflexion.categories == ("cs.AI", "cs.CL")
    assert reflexion.url == "http://arxiv.org/abs/2303.11366v2"
    assert attention.id == "1706.03762"
    assert attention.date == dt.date(2017, 6, 12)
    assert attention.url == "https://arxiv.org/abs/1706.03762v7"
    entry_lines = [n for n, line in enumerate(ATOM_FEED.splitlines(), 1) if line == "  <entry>"]
    assert entry_lines == [8, 31]
    assert reflexion.source == f"{path}:{entry_lines[0]}"
    assert attention.source == f"{path}:{entry_lines[1]}"


def test_atom_bad_entries_next_to_good_ones(tmp_path: Path) -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<feed xmlns="http://www.w3.org/2005/Atom">\n'
        b"<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>No summary</title></entry>\n"
        b"<entry><id>http://arxiv.org/abs/2401.00002v1</id><title>Bad \xff</title>"
        b"<summary>s</summary></entry>\n"
        b"<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_12</id>"
        b"<title>Error</title><summary>incorrect id format for 12</summary></entry>\n"
        b"<entry><id>http://arxiv.org/abs/2401.00004v3</id><title>Good</title>"
        b"<summary>Fine.</summary></entry>\n"
        b"</feed>\n"
    )
    result = read_papers([write(tmp_path / "feed.atom", data)])
    assert [(p.id, p.title) for p in result.papers] == [("2401.00004", "Good")]
    assert by_line(result) == {
        3: "missing abstract",
        4: f"not UTF-8: invalid byte 0xff at column {data.splitlines()[3].index(0xFF) + 1}",
        5: "arXiv API error: incorrect id format for 12",
    }


def test_malformed_xml_keeps_the_entries_before_the_error(tmp_path: Path) -> None:
    text = ATOM_FEED.replace("<title>Attention Is All You Need</title>",
                             "<title>Attention Is All You Need</titel>")
    result = read_papers([write(tmp_path / "broken.xml", text)])
    assert [p.id for p in result.papers] == ["2303.11366"]  # the entry before the error
    line = text.splitlines().index("    <title>Attention Is All You Need</titel>") + 1
    col = text.splitlines()[line - 1].index("titel") + 1  # expat points at the end tag's name
    assert [(r.line, r.reason) for r in result.rejected] == [
        (line, f"malformed XML: mismatched tag (col {col})")
    ]


def test_a_truncated_feed_keeps_its_whole_entries(tmp_path: Path) -> None:
    # a download cut off inside the second entry: the first is whole and goes through
    cut = ATOM_FEED.index("<title>Attention Is All You Need</title>")
    text = ATOM_FEED[:cut]
    result = read_papers([write(tmp_path / "cut.xml", text)])
    assert [p.id for p in result.papers] == ["2303.11366"]
    assert [r.reason.split(" (")[0] for r in result.rejected] == ["malformed XML: no element found"]
    assert result.rejected[0].line == text.count("\n") + 1


def test_malformed_xml_before_any_entry_keeps_nothing(tmp_path: Path) -> None:
    result = read_papers([write(tmp_path / "rss.xml", "<rss><channel><item></channel></rss>")])
    assert result.papers == []
    assert [r.reason.split(" (")[0] for r in result.rejected] == ["malformed XML: mismatched tag"]


def test_xml_entities_are_not_expanded(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE feed [<!ENTITY lol "lollollollollollollol">'
        '<!ENTITY ext SYSTEM "file:///etc/passwd">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol;</title>'
        "<summary>&ext;</summary></entry></feed>\n"
    )
    result = read_papers([write(tmp_path / "evil.xml", text)])
    assert result.papers == []
    assert [(r.line, r.reason) for r in result.rejected] == [
        (2, "XML entity declarations are not allowed")
    ]


def test_not_an_atom_feed(tmp_path: Path) -> None:
    result = read_papers([write(tmp_path / "rss.xml", "<rss><channel/></rss>")])
    assert [r.reason for r in result.rejected] == ["not an Atom feed: the root element is <rss>"]


# ---------------------------------------------------------------------------
# ids and duplicates


def test_same_title_same_id_across_formats(tmp_path: Path) -> None:
    title = "Open-Ended Learning Leads to Generally Capable Agents"
    paths = [
        write(tmp_path / "a.txt", f"{title}\n\nAn abstract.\n"),
        write(tmp_path / "b.jsonl", json.dumps({"title": title.upper(), "abstract": "x"})),
        write(tmp_path / "c.csv", f'title,abstract\n"  {title}!",x\n'),
    ]
    ids = [read_papers([p]).papers[0].id for p in paths]
    assert ids == [paper_id_for(title)] * 3
    assert ids[0].startswith("t-")


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "2303.11366v2"},
        {"id": "arXiv:2303.11366"},
        {"id": "http://arxiv.org/abs/2303.11366v5"},
        {"url": "https://arxiv.org/pdf/2303.11366v1.pdf"},
    ],
)
def test_arxiv_id_without_version(tmp_path: Path, fields: dict[str, str]) -> None:
    record = {"title": "Whatever", "abstract": "A.", **fields}
    path = write(tmp_path / "i.jsonl", json.dumps(record))
    assert read_papers([path]).papers[0].id == "2303.11366"


def test_a_records_own_id_is_its_key(tmp_path: Path) -> None:
    records = [
        {"id": "W2981", "title": "Same Title", "abstract": "A."},
        {"id": 17, "title": "Same Title", "abstract": "B."},
        {"id": "lab-7", "title": "Other", "abstract": "C.", "url": "https://arxiv.org/abs/2303.11366"},
        {"title": "No Id", "abstract": "D."},
    ]
    path = write(tmp_path / "i.jsonl", "\n".join(json.dumps(r) for r in records))
    csv_path = write(tmp_path / "i.csv", "id,title,abstract\nW2981,Same Title,A.\n")
    papers = read_papers([path]).papers
    assert [p.id for p in papers] == ["W2981", "17", "lab-7", paper_id_for("No Id")]
    assert read_papers([csv_path]).papers[0].id == "W2981"


def test_duplicates_keep_the_first(tmp_path: Path) -> None:
    jsonl = write(tmp_path / "a.jsonl", json.dumps({"id": "2303.11366v1", "title": "R",
                                                    "abstract": "A."}))
    atom = write(tmp_path / "b.xml", ATOM_FEED)
    result = read_papers([jsonl, atom])
    assert [p.id for p in result.papers] == ["2303.11366", "1706.03762"]
    assert result.papers[0].source == f"{jsonl}:1"
    assert [(r.file, r.line, r.reason) for r in result.rejected] == [
        (str(atom), 8, f"duplicate of 2303.11366 at {jsonl}:1")
    ]


def test_same_file_twice_is_told_not_fatal() -> None:
    result = read_papers([SAMPLE, str(SAMPLE)])
    assert len(result.papers) == 71
    assert len(result.rejected) == 71
    first = result.rejected[0]
    assert first.file == str(SAMPLE)
    assert first.message() == (
        f"{SAMPLE}:11: duplicate of {result.papers[0].id} at {SAMPLE}:11"
    )


# ---------------------------------------------------------------------------
# rejects file and messages


def test_write_rejects(tmp_path: Path) -> None:
    path = write(tmp_path / "m.jsonl", '{"title": "T"}\n{oops\n')
    result = read_papers([path])
    out = write_rejects(result.rejected, tmp_path / "out" / "run")
    assert out == tmp_path / "out" / "run" / "rejects.jsonl"
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {"file": str(path), "line": 1, "reason": "missing abstract",
         "excerpt": '{"title": "T"}'},
        {"file": str(path), "line": 2,
         "reason": "invalid JSON: Expecting property name enclosed in double quotes (col 2)",
         "excerpt": "{oops"},
    ]
    assert [Rejected.model_validate(row) for row in rows] == result.rejected


def test_write_rejects_nothing_removes_stale_file(tmp_path: Path) -> None:
    stale = write(tmp_path / "rejects.jsonl", '{"old": true}\n')
    assert write_rejects([], tmp_path) is None
    assert not stale.exists()
    assert write_rejects([], tmp_path / "never-made") is None
    assert not (tmp_path / "never-made").exists()


def test_rejected_message() -> None:
    assert Rejected(file="a.csv", line=4, reason="missing title").message() == (
        "a.csv:4: missing title"
    )
    assert Rejected(file="b.txt", line=None, reason="empty file").message() == "b.txt: empty file"


def test_excerpt_is_capped(tmp_path: Path) -> None:
    path = write(tmp_path / "long.jsonl", json.dumps({"title": "T", "x": "y" * 1000}))
    (rejected,) = read_papers([path]).rejected
    assert rejected.reason == "missing abstract"
    assert 150 <= len(rejected.excerpt) <= 200


# ---------------------------------------------------------------------------
# format detection and errors


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.txt", "trending"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"), ("a.json", "json"),
     ("a.csv", "csv"), ("a.xml", "atom"), ("A.ATOM", "atom")],
)
def test_detect_format_from_extension(tmp_path: Path, name: str, expected: str) -> None:
    assert detect_format(tmp_path / name) == expected  # the file need not exist


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (ATOM_FEED, "atom"),
        ('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "atom"),
        ('[{"title": "T", "abstract": "A."}]', "json"),
        ('{"papers": [{"title": "T", "abstract": "A."}]}', "json"),
        ('{\n  "papers": []\n}', "json"),
        ('{"title": "T", "abstract": "A."}\n{"title": "U", "abstract": "B."}\n', "jsonl"),
        ("\ufeffid,title,abstract\n1,T,A.\n", "csv"),
        ("new\n\nSubscribe\n\nA title\n\nAn abstract.\n", "trending"),
    ],
)
def test_detect_format_by_sniffing(tmp_path: Path, content: str, expected: str) -> None:
    assert detect_format(write(tmp_path / "download", content)) == expected


def test_sniffed_file_is_read_with_the_sniffed_format(tmp_path: Path) -> None:
    path = write(tmp_path / "export", "title,abstract\nT,A.\n")
    result = read_papers([path])
    assert [(p.title, p.abstract) for p in result.papers] == [("T", "A.")]


def test_format_override(tmp_path: Path) -> None:
    path = write(tmp_path / "actually.txt", '{"title": "T", "abstract": "A."}\n')
    as_detected = read_papers([path])
    assert as_detected.papers == []
    assert [r.reason for r in as_detected.rejected] == ["missing abstract"]
    forced = read_papers([path], fmt="jsonl")
    assert [p.title for p in forced.papers] == ["T"]
    assert read_papers([path], fmt="JSONL").papers == forced.papers


def test_unknown_format_lists_the_valid_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "T\n\nA.\n")
    with pytest.raises(IngestError) as caught:
        read_papers([path], fmt="yaml")
    message = str(caught.value)
    assert "yaml" in message and "\n" not in message
    assert all(name in message for name in FORMATS)


def test_missing_path_and_directory_raise_before_reading(tmp_path: Path) -> None:
    good = write(tmp_path / "a.txt", "T\n\nA.\n")
    with pytest.raises(IngestError, match=r"nope\.json: no such file"):
        read_papers([good, tmp_path / "nope.json"])
    with pytest.raises(IngestError, match="is a directory"):
        read_papers([tmp_path])
    with pytest.raises(IngestError, match="no such file"):
        detect_format(tmp_path / "no-extension")
