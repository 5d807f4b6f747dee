"""The interactive map's HTML: structure, escaping, offline-ness, the index of the whole graph
and the overview (tests/integration/browser checks the page in headless Chromium)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.stores.base import (
    ConceptRow,
    CoOccurrenceRow,
    GraphView,
    LinkRow,
    PaperConceptRow,
    PaperRow,
)
from pipeline.visualize import DEFAULT_MAX_NODES, export_map, map_data
from tests.support.maps import (
    CONCEPT_TYPES,
    EVIL_TITLE,
    IMG_PAYLOAD,
    SCRIPT_PAYLOAD,
    build_view,
    decode_index,
    embedded_data,
    hub_view,
)

ROLE_ORDER = ("PROPOSES", "EVALUATES_ON", "ADDRESSES", "USES")


@pytest.fixture
def view() -> GraphView:
    return build_view()


@pytest.fixture
def map_file(view: GraphView, tmp_path: Path) -> Path:
    return export_map(view, tmp_path / "out" / "map.html", title="Test <map> & 'co'")


def paper(pid: str, title: str = "", **fields: object) -> PaperRow:
    row = PaperRow(pid, title or f"Title {pid}", "", (), "", "", (), "", "")
    return row._replace(**fields)  # type: ignore[arg-type]


def concept(key: str, name: str = "", ctype: str = "METHOD", aliases: tuple[str, ...] = ()
            ) -> ConceptRow:
    return ConceptRow(key, name or key, ctype, aliases, 0, "")


# ---------------------------------------------------------------------------
# Plain tests on the HTML text


def test_export_returns_path_of_single_html_file(map_file: Path) -> None:
    assert map_file.is_file()
    assert list(map_file.parent.iterdir()) == [map_file]  # nothing else written (no lib/ dir)
    html = map_file.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "vis-network" in html and "new vis.Network" in html
    assert 300_000 < len(html.encode()) < 2_000_000


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_no_external_references(map_file: Path) -> None:
    html = map_file.read_text(encoding="utf-8")
    tags = _tags(html)
    urls = [
        v
        for _, attrs in tags
        for k, v in attrs.items()
        if k in ("src", "href", "action", "srcset", "poster", "data", "xlink:href")
    ]
    assert urls and all(u.startswith("data:image/svg+xml;base64,") for u in urls)
    assert {t for t, _ in tags} & {"link", "iframe", "object", "embed", "base", "frame"} == set()
    refs = re.findall(
        r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?([^"'\s>]+)""", html, re.I
    )
    external = [r for r in refs if re.match(r"(?:https?:)?//", r, re.I)]
    assert external == []
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", html, re.I)
    assert not re.search(r"@import", html, re.I)
    assert not re.search(r"<(?:link|iframe|object|embed|base)\b", html, re.I)
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    for cdn in ("cdn.jsdelivr", "cdnjs", "unpkg", "bootstrap", "googleapis", "tom-select"):
        assert cdn not in html.lower()
    csp = [
        a["content"]
        for t, a in tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(csp) == 1
    assert "default-src 'none'" in csp[0] and "connect-src 'none'" in csp[0]
    assert "unsafe-inline" not in csp[0].split("style-src")[0]  # scripts only by hash


def test_user_text_never_appears_as_markup(map_file: Path) -> None:
    html = map_file.read_text(encoding="utf-8")
    # the payloads are in the page as data (the index is compressed; the overview is not)...
    data = embedded_data(html)
    assert EVIL_TITLE in data["index"]["papers"]["titles"]
    assert "window.__pwned" in html  # the drawn hostile paper's abstract, escaped
    # ...but never as raw markup
    assert SCRIPT_PAYLOAD not in html
    assert "<img src=x" not in html
    assert "</div></script>" not in html
    assert html.lower().count("</script") == 3  # only our own three script elements close
    assert "<map>" not in html and "Test &lt;map&gt; &amp; &#39;co&#39;" in html


def test_bidi_controls_and_invisible_characters_never_reach_the_page(tmp_path: Path) -> None:
    """A graph written before text was cleaned at ingest still shows what is there."""
    view = GraphView(papers=[paper("p1", "Report \u202egnp.exe\u200b",
                                   abstract="Abstract \u2066with\u2069 isolates.",
                                   authors=("Eve\u202d",))])
    html = export_map(view, tmp_path / "map.html").read_text(encoding="utf-8")
    data = json.dumps(embedded_data(html), ensure_ascii=False)  # the page's text is all here
    for char in ("\u202e", "\u200b", "\u2066", "\u2069", "\u202d"):
        assert char not in data
    assert "Report gnp.exe" in data and "Abstract with isolates." in data


# ---------------------------------------------------------------------------
# The index: the whole graph, whatever is drawn


def _expected_edges(view: GraphView) -> dict[tuple[str, str], str]:
    """(paper id, concept name) -> the most specific role among the pair's rows."""
    names = {c.key: c.name for c in view.concepts}
    edges: dict[tuple[str, str], str] = {}
    for row in view.paper_concepts:
        key = (row.paper_id, names[row.concept_key])
        old = edges.get(key)
        if old is None or ROLE_ORDER.index(row.role) < ROLE_ORDER.index(old):
            edges[key] = row.role
    return edges


def test_index_holds_every_paper_concept_and_edge(map_file: Path, view: GraphView) -> None:
    index = decode_index(embedded_data(map_file.read_text(encoding="utf-8"))["index"])
    assert [p[0] for p in index["papers"]] == sorted(p.id for p in view.papers)
    by_id = {p[0]: p for p in index["papers"]}
    assert by_id["2401.00001"][1:] == (
        "Attention Is Still All You Need for Long Documents", "Ada Lovelace et al.",
        "2024-05-01", "https://arxiv.org/abs/2401.00001")
    assert by_id["t-abc123def456"][1] == EVIL_TITLE
    assert by_id["t-abc123def456"][4] == "javascript:window.__pwned=3"  # text; map.js won't link
    assert sorted(c[0] for c in index["concepts"]) == sorted(c.name for c in view.concepts)
    concepts = {c[0]: c for c in index["concepts"]}
    assert concepts["graph neural network"][1:] == ("METHOD", ("GNN", "GNNs"))
    assert concepts["ImageNet"][1:] == ("DATASET", ("ILSVRC",))
    assert concepts[f"SafeNet {IMG_PAYLOAD}"][2] == (SCRIPT_PAYLOAD, "</script><b>x</b>")
    assert {c[1] for c in index["concepts"]} == set(CONCEPT_TYPES)
    assert index["edges"] == _expected_edges(view)
    assert sorted(index["links"]) == [
        ("LongFormer-X", "Long Range Arena", "EVALUATED_ON", 1),
        ("LongFormer-X", "document classification", "APPLIED_TO", 1),
    ]
    # concepts in several papers come first, most papers first
    assert [c[0] for c in index["concepts"][:2]] == ["graph neural network", "ImageNet"]


def test_index_numbers_concepts_of_one_paper_by_that_paper() -> None:
    view = hub_view(n_papers=60, n_hubs=5)
    index = decode_index(map_data(view)["index"])
    assert index["edges"] == _expected_edges(view)
    assert len(index["edges"]) == len(view.paper_concepts)
    names = [c[0] for c in index["concepts"]]
    hubs = [n for n in names if n.startswith("hub")]
    assert names[: len(hubs)] == hubs  # shared concepts first...
    own = names[len(hubs) :]
    assert own == sorted(own)  # ...then each paper's own, in paper order


def test_one_edge_per_pair_with_the_most_specific_role_and_odd_rows() -> None:
    view = GraphView(
        papers=[paper("p1", url="https://example.org/x/p1"), paper("p2", url="ftp://p2"),
                paper("p1", "a duplicate row")],
        concepts=[concept("x", "X", "weird"), concept("y", "Y", "task", ("Why", "y", "WHY")),
                  concept("lonely", "Lonely")],
        paper_concepts=[
            PaperConceptRow("p1", "x", "USES", 3, "uses x"),
            PaperConceptRow("p1", "x", "PROPOSES", 1, "proposes x"),
            PaperConceptRow("p1", "x", "SOMETHING", 1, ""),
            PaperConceptRow("p2", "x", "EVALUATES_ON", 1, ""),
            PaperConceptRow("p2", "y", "ADDRESSES", 1, ""),
            PaperConceptRow("p9", "x", "USES", 1, "no such paper"),
            PaperConceptRow("p1", "zz", "USES", 1, "no such concept"),
        ],
        links=[LinkRow("x", "y", "APPLIED_TO", 2, ("p1", "p2"), "x for y"),
               LinkRow("x", "nowhere", "APPLIED_TO", 1, ("p1",), ""),
               LinkRow("x", "y", "CO_OCCURS_WITH", 1, ("p1",), "")],
    )
    data = map_data(view)
    index = decode_index(data["index"])
    assert index["edges"] == {("p1", "X"): "PROPOSES", ("p2", "X"): "EVALUATES_ON",
                              ("p2", "Y"): "ADDRESSES"}
    assert [p[1] for p in index["papers"]] == ["Title p1", "Title p2"]  # first row of p1 kept
    assert [p[4] for p in index["papers"]] == ["https://example.org/x/p1", "ftp://p2"]
    concepts = {c[0]: c for c in index["concepts"]}
    assert concepts["X"][1] == "OTHER" and concepts["Y"][1] == "TASK"
    assert concepts["Y"][2] == ("Why",)  # aliases search would match through the name anyway
    assert concepts["Lonely"][1:] == ("METHOD", ())  # in no paper, still searchable
    assert index["links"] == [("X", "Y", "APPLIED_TO", 2)]
    assert data["stats"] == {"papers": 2, "concepts": 3, "mentions": 3, "links": 1, "drawn": 5}


# ---------------------------------------------------------------------------
# The overview: what is drawn when the page opens


def test_small_graph_is_drawn_whole_with_rich_details(map_file: Path, view: GraphView) -> None:
    data = embedded_data(map_file.read_text(encoding="utf-8"))
    overview, index = data["overview"], decode_index(data["index"])
    assert len(overview["concepts"]) == len(view.concepts) == 10
    assert len(overview["papers"]) == len(view.papers) == 3
    assert len(overview["mentions"]) == len(index["edges"])  # every mention edge, with details
    titles = [p[1] for p in index["papers"]]
    evil = overview["paperInfo"][overview["papers"].index(titles.index(EVIL_TITLE))]
    assert IMG_PAYLOAD in evil["abstract"] and evil["authors"] == [IMG_PAYLOAD]
    names = [c[0] for c in index["concepts"]]
    gnn = overview["conceptInfo"][overview["concepts"].index(names.index("graph neural network"))]
    assert gnn["evidence"]["snippet"].startswith("We use graph neural networks")
    assert gnn["evidence"]["role"] == "USES"
    assert [index["links"][i][2] for i in overview["links"]] == ["APPLIED_TO", "EVALUATED_ON"]
    assert data["options"]["physics"] == {"enabled": False}
    xy = list(zip(overview["conceptXY"][::2], overview["conceptXY"][1::2], strict=True))
    assert len(set(xy)) == len(xy)  # laid out in Python: every node has its own place
    assert all(isinstance(v, int) for v in overview["conceptXY"] + overview["paperXY"])


def test_big_graph_overview_is_the_concepts_with_most_papers() -> None:
    view = hub_view(n_papers=400, n_hubs=30)  # 400 papers, 30 hubs + 800 own concepts
    data = map_data(view)
    overview, index = data["overview"], decode_index(data["index"])
    drawn = [index["concepts"][c][0] for c in overview["concepts"]]
    assert len(drawn) == DEFAULT_MAX_NODES and overview["papers"] == []
    papers_of: dict[str, int] = {}
    for row in view.paper_concepts:
        papers_of[row.concept_key] = papers_of.get(row.concept_key, 0) + 1
    names = {c.key: c.name for c in view.concepts}
    ranked = sorted(papers_of, key=lambda k: (-papers_of[k], k))
    assert sorted(drawn) == sorted(names[k] for k in ranked[:DEFAULT_MAX_NODES])
    assert "hub concept 00" in drawn and "hub concept 29" in drawn
    assert len(map_data(view, max_nodes=20)["overview"]["concepts"]) == 20
    with pytest.raises(ValueError):
        map_data(view, max_nodes=0)


def test_overview_labels_do_not_overlap() -> None:
    view = hub_view(n_papers=400, n_hubs=30)
    overview = map_data(view, max_nodes=60)["overview"]
    index = decode_index(map_data(view, max_nodes=60)["index"])
    boxes = []
    for k, c in enumerate(overview["concepts"]):
        x, y = overview["conceptXY"][2 * k : 2 * k + 2]
        size, font = overview["conceptLook"][2 * k : 2 * k + 2]
        width = max(2 * size, 0.6 * font * min(len(index["concepts"][c][0]), 32))
        boxes.append((x - width / 2, y - size, x + width / 2, y + size + font + 4))
    overlaps = [
        (a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    assert overlaps == []


def test_co_occurrence_is_drawn_only_when_the_view_has_it(tmp_path: Path) -> None:
    without = export_map(build_view(), tmp_path / "a.html").read_text(encoding="utf-8")
    data = embedded_data(without)
    assert data["overview"]["co"] is None and data["cooccurrence"] is False
    assert 'id="pkg-show-cooccur"' not in without
    with_co = export_map(build_view(co_occurrence=True), tmp_path / "b.html").read_text()
    data = embedded_data(with_co)
    co = data["overview"]["co"]
    names = [c[0] for c in decode_index(data["index"])["concepts"]]
    pairs = {frozenset((names[co[k]], names[co[k + 1]])) for k in range(0, len(co), 3)}
    assert pairs == {frozenset(p) for p in (
        ("LongFormer-X", "ImageNet"), ("Long Range Arena", "ImageNet"),
        ("graph neural network", "QM9"), (f"SafeNet {IMG_PAYLOAD}", "ImageNet"),
        ("graph neural network", f"SafeNet {IMG_PAYLOAD}"))}
    assert data["cooccurrence"] is True and 'id="pkg-show-cooccur"' in with_co


def test_co_occurrence_edges_are_thinned_to_the_strongest() -> None:
    view = hub_view(n_papers=200, n_hubs=12).model_copy(update={"co_occurrence": [
        CoOccurrenceRow(f"hub-{a:02d}", f"hub-{b:02d}", 100 - a - b)
        for a in range(12) for b in range(a + 1, 12)
    ]})
    co = map_data(view)["overview"]["co"]
    assert co is not None
    edges = [co[k : k + 3] for k in range(0, len(co), 3)]
    assert 0 < len(edges) <= 12 * 5  # at most CO_TOP (5) per concept, not all 66 pairs
    degree: dict[int, int] = {}
    for a, b, _w in edges:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    assert min(degree.values()) >= 5  # each keeps its five strongest


def test_output_is_deterministic(view: GraphView, tmp_path: Path) -> None:
    shuffled = GraphView(
        papers=list(reversed(view.papers)),
        concepts=list(reversed(view.concepts)),
        paper_concepts=list(reversed(view.paper_concepts)),
        links=list(reversed(view.links)),
    )
    a = export_map(view, tmp_path / "a.html").read_bytes()
    b = export_map(shuffled, tmp_path / "b.html").read_bytes()
    assert a == b
    big = hub_view(n_papers=300, n_hubs=20)
    assert (export_map(big, tmp_path / "c.html").read_bytes()
            == export_map(big, tmp_path / "d.html").read_bytes())


def test_empty_view_exports(tmp_path: Path) -> None:
    data = embedded_data(export_map(GraphView(), tmp_path / "e.html").read_text())
    assert data["overview"]["concepts"] == [] and data["legend"] == []
    assert data["index"]["papers"]["count"] == 0


def test_the_index_stays_compact(tmp_path: Path) -> None:
    """What a paper costs in the file (sizing at 40k papers: bench/map_scale.py)."""
    small = export_map(hub_view(n_papers=100), tmp_path / "s.html").stat().st_size
    large = export_map(hub_view(n_papers=1100), tmp_path / "l.html").stat().st_size
    per_paper = (large - small) / 1000  # title, id, author, date, ~5 edges, 2 own concepts
    assert per_paper < 120, per_paper
