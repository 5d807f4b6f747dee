"""The interactive map: structure, escaping and offline-ness, checked in headless Chromium."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import pytest

from pipeline.visualize import export_map, select_subgraph

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.browser import OfflinePage

SCRIPT_PAYLOAD = "<script>window.__pwned=1</script>"
IMG_PAYLOAD = '<img src=x onerror="window.__pwned=2">'
EVIL_TITLE = f"Robust parsing {SCRIPT_PAYLOAD} of hostile abstracts"
EVIL_ABSTRACT = (
    f'We study {IMG_PAYLOAD} injection and </div></script> breakouts with href="x" & '
    "quotes ' \". We propose SafeNet and evaluate on ImageNet."
)
CONCEPT_TYPES = ("METHOD", "DATASET", "BENCHMARK", "TASK", "METRIC")


def _paper(
    g: nx.MultiDiGraph,
    pid: str,
    title: str,
    abstract: str,
    url: str = "",
    authors: tuple[str, ...] = ("A. Author",),
    date: str = "2024-05-01",
) -> str:
    node = f"paper:{pid}"
    g.add_node(
        node,
        kind="Paper",
        id=pid,
        title=title,
        abstract=abstract,
        url=url,
        date=date,
        authors=json.dumps(list(authors)),
        categories=json.dumps(["cs.LG"]),
    )
    return node


def _concept(
    g: nx.MultiDiGraph,
    key: str,
    name: str,
    ctype: str,
    aliases: tuple[str, ...] = (),
    paper_count: int = 1,
) -> str:
    node = f"concept:{key}"
    g.add_node(
        node,
        kind="Concept",
        key=key,
        name=name,
        type=ctype,
        aliases=json.dumps(list(aliases)),
        paper_count=paper_count,
    )
    return node


def _mention(
    g: nx.MultiDiGraph, paper: str, concept: str, role: str, snippet: str, count: int = 1
) -> None:
    g.add_edge(paper, concept, key=role, type=role, count=count, snippet=snippet)


def build_graph() -> nx.MultiDiGraph:
    """Three papers, one per concept type and more, every relation, and one hostile paper."""
    g = nx.MultiDiGraph()
    p1 = _paper(
        g,
        "2401.00001",
        "Attention Is Still All You Need for Long Documents",
        "We propose LongFormer-X, a transformer for long document classification. "
        "It improves accuracy on the LRA benchmark and on ImageNet.",
        url="https://arxiv.org/abs/2401.00001",
        authors=("Ada Lovelace", "Alan Turing"),
    )
    p2 = _paper(
        g,
        "2401.00002",
        "Graph Neural Networks for Molecule Property Prediction",
        "We use graph neural networks for property prediction on QM9, measuring MAE.",
        url="https://arxiv.org/abs/2401.00002",
    )
    p3 = _paper(
        g,
        "t-abc123def456",
        EVIL_TITLE,
        EVIL_ABSTRACT,
        url="javascript:window.__pwned=3",
        authors=(IMG_PAYLOAD,),
    )

    lfx = _concept(g, "longformer-x", "LongFormer-X", "METHOD", ("LFX",))
    gnn = _concept(g, "gnn", "graph neural network", "METHOD", ("GNN", "GNNs"), 2)
    safenet = _concept(
        g, "safenet", f"SafeNet {IMG_PAYLOAD}", "METHOD", (SCRIPT_PAYLOAD, "</script><b>x</b>")
    )
    imagenet = _concept(g, "imagenet", "ImageNet", "DATASET", ("ILSVRC",), 2)
    qm9 = _concept(g, "qm9", "QM9", "DATASET")
    lra = _concept(g, "lra", "Long Range Arena", "BENCHMARK", ("LRA",))
    doccls = _concept(g, "document-classification", "document classification", "TASK")
    propred = _concept(g, "property-prediction", "property prediction", "TASK")
    acc = _concept(g, "accuracy", "accuracy", "METRIC", paper_count=1)
    mae = _concept(g, "mae", "mean absolute error", "METRIC", ("MAE",))

    _mention(g, p1, lfx, "PROPOSES", "We propose LongFormer-X, a transformer for long documents.")
    _mention(g, p1, doccls, "ADDRESSES", "a transformer for long document classification.")
    _mention(g, p1, lra, "EVALUATES_ON", "It improves accuracy on the LRA benchmark.")
    _mention(g, p1, imagenet, "EVALUATES_ON", "and on ImageNet.")
    _mention(g, p1, acc, "USES", "It improves accuracy on the LRA benchmark.")
    _mention(g, p2, gnn, "USES", "We use graph neural networks for property prediction.", 3)
    _mention(g, p2, qm9, "EVALUATES_ON", "property prediction on QM9, measuring MAE.")
    _mention(g, p2, propred, "ADDRESSES", "graph neural networks for property prediction")
    _mention(g, p2, mae, "USES", "measuring MAE.")
    _mention(g, p3, safenet, "PROPOSES", f"We propose SafeNet {SCRIPT_PAYLOAD} {IMG_PAYLOAD}.")
    _mention(g, p3, imagenet, "EVALUATES_ON", "and evaluate on ImageNet </script>.")
    _mention(g, p3, gnn, "USES", "built from GNN layers.")

    g.add_edge(
        lfx,
        doccls,
        key="APPLIED_TO",
        type="APPLIED_TO",
        weight=1,
        papers=json.dumps(["2401.00001"]),
        snippet="LongFormer-X for classification.",
    )
    g.add_edge(
        lfx,
        lra,
        key="EVALUATED_ON",
        type="EVALUATED_ON",
        weight=1,
        papers=json.dumps(["2401.00001"]),
        snippet="LongFormer-X on LRA.",
    )
    for a, b, w in (
        (lfx, imagenet, 1),
        (lra, imagenet, 1),
        (gnn, qm9, 1),
        (safenet, imagenet, 1),
        (gnn, safenet, 1),
    ):
        g.add_edge(a, b, key="CO_OCCURS_WITH", type="CO_OCCURS_WITH", weight=w)
    g.add_edge(qm9, gnn, key="CO_OCCURS_WITH", type="CO_OCCURS_WITH", weight=1)  # reverse dup
    return g


def drawn_counts(g: nx.MultiDiGraph) -> tuple[int, int]:
    """Nodes and edges the map draws: CO_OCCURS_WITH once per unordered pair."""
    co = {frozenset((u, v)) for u, v, k in g.edges(keys=True) if k == "CO_OCCURS_WITH"}
    other = sum(1 for _, _, k in g.edges(keys=True) if k != "CO_OCCURS_WITH")
    return g.number_of_nodes(), other + len(co)


def embedded_data(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="paperkg-data">(.*?)</script>', html, re.S
    )
    assert match
    return json.loads(match.group(1))


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return build_graph()


@pytest.fixture
def map_file(graph: nx.MultiDiGraph, tmp_path: Path) -> Path:
    return export_map(graph, tmp_path / "out" / "map.html", title="Test <map> & 'co'")


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
    assert "window.__pwned" in html  # the payload is there, as data...
    assert SCRIPT_PAYLOAD not in html  # ...but never as raw markup
    assert "<img src=x" not in html
    assert "</div></script>" not in html
    # only our own three script elements close
    assert html.lower().count("</script") == 3
    assert "<map>" not in html and "Test &lt;map&gt; &amp; &#39;co&#39;" in html


def test_bidi_controls_and_invisible_characters_never_reach_the_page(tmp_path: Path) -> None:
    """A graph written before text was cleaned at ingest still shows what is there."""
    g = nx.MultiDiGraph()
    _paper(g, "p1", "Report \u202egnp.exe\u200b", "Abstract \u2066with\u2069 isolates.",
           authors=("Eve\u202d",))
    html = export_map(g, tmp_path / "map.html").read_text(encoding="utf-8")
    data = json.dumps(embedded_data(html), ensure_ascii=False)  # the page's text is all here
    for char in ("\u202e", "\u200b", "\u2066", "\u2069", "\u202d"):
        assert char not in data
    assert "Report gnp.exe" in data and "Abstract with isolates." in data


def test_data_round_trips_and_matches_graph(map_file: Path, graph: nx.MultiDiGraph) -> None:
    data = embedded_data(map_file.read_text(encoding="utf-8"))
    n_nodes, n_edges = drawn_counts(graph)
    assert len(data["nodes"]) == n_nodes and len(data["edges"]) == n_edges
    by_id = {n["id"]: n for n in data["nodes"]}
    evil = by_id["paper:t-abc123def456"]["info"]
    assert evil["name"] == EVIL_TITLE and IMG_PAYLOAD in evil["abstract"]
    assert evil["href"] == ""  # javascript: URL is never linked
    assert by_id["paper:2401.00001"]["info"]["href"] == "https://arxiv.org/abs/2401.00001"
    assert {n["ptype"] for n in data["nodes"]} == {"Paper", *CONCEPT_TYPES}
    assert len({(n["shape"], n["color"]) for n in data["nodes"]}) == 6
    gnn = by_id["concept:gnn"]
    assert gnn["info"]["aliases"] == ["GNN", "GNNs"] and gnn["info"]["papers"] == 2
    assert gnn["info"]["evidence"]["snippet"].startswith("We use graph neural networks")
    assert gnn["size"] > by_id["concept:mae"]["size"]  # sized by degree
    rels = {e["rel"] for e in data["edges"]}
    assert rels == {
        "PROPOSES",
        "USES",
        "EVALUATES_ON",
        "ADDRESSES",
        "APPLIED_TO",
        "EVALUATED_ON",
        "CO_OCCURS_WITH",
    }
    for edge in data["edges"]:
        assert ("label" in edge) == (edge["rel"] != "CO_OCCURS_WITH")
    physics = data["options"]["physics"]
    assert physics["stabilization"]["enabled"] and physics["stabilization"]["iterations"] <= 400


def test_output_is_deterministic(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(graph.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(graph.edges(keys=True, data=True))))
    a = export_map(graph, tmp_path / "a.html").read_bytes()
    b = export_map(shuffled, tmp_path / "b.html").read_bytes()
    assert a == b


def _big_graph(n_concepts: int = 60, n_papers: int = 300) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for c in range(n_concepts):
        _concept(g, f"c{c:03d}", f"concept {c}", CONCEPT_TYPES[c % 5])
    for p in range(n_papers):
        paper = _paper(g, f"p{p:04d}", f"Paper {p}", "An abstract.")
        # concept c is linked to papers p with p % (c + 1) == 0: low c => high degree
        for c in range(n_concepts):
            if p % (c + 1) == 0 and c < 25:
                _mention(g, paper, f"concept:c{c:03d}", "USES", "uses it")
    return g


def _ranked_concepts(g: nx.MultiDiGraph) -> list[str]:
    return sorted(
        (n for n in g if n.startswith("concept:")),
        key=lambda n: (-len(set(g.predecessors(n)) | set(g.successors(n))), n),
    )


def test_max_nodes_keeps_top_concepts_and_their_papers(tmp_path: Path) -> None:
    g = _big_graph()  # 60 concepts (25 linked), 300 papers; c000 is linked to every paper
    sub = select_subgraph(g, 120)
    assert sub.number_of_nodes() == 120
    concepts = {n for n in sub if n.startswith("concept:")}
    assert concepts == set(_ranked_concepts(g)[:60])  # max_nodes // 2 concepts, best first
    papers = {n for n in sub if n.startswith("paper:")}
    assert len(papers) == 60
    # the papers kept are those tying most kept concepts together: multiples of many numbers
    assert "paper:p0000" in papers and "paper:p0240" in papers and "paper:p0001" not in papers
    assert all(set(g.successors(p)) & concepts for p in papers)
    assert select_subgraph(g, None) is g and select_subgraph(g, 10_000) is g
    with pytest.raises(ValueError):
        select_subgraph(g, 0)


def test_max_nodes_spends_leftover_budget_on_next_concepts(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    for c in range(20):  # c0..c3 have two papers each, c4..c19 none
        concept = _concept(g, f"c{c:02d}", f"concept {c}", CONCEPT_TYPES[c % 5])
        for i in range(2 if c < 4 else 0):
            _mention(g, _paper(g, f"{c}-{i}", f"Paper {c}-{i}", "x"), concept, "USES", "s")
    sub = select_subgraph(g, 20)  # 10 concepts + all 8 papers, then 2 more concepts
    assert sub.number_of_nodes() == 20
    assert sorted(n for n in sub if n.startswith("concept:")) == _ranked_concepts(g)[:12]
    assert sum(1 for n in sub if n.startswith("paper:")) == 8
    data = embedded_data(export_map(g, tmp_path / "m.html", max_nodes=20).read_text())
    assert len(data["nodes"]) == 20 and data["stats"]["total_nodes"] == 28


def test_parallel_edges_and_odd_attributes(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    _paper(g, "p1", "", "")  # no title: the id is the label
    g.add_node("concept:x", kind="Concept", name="X", type="weird", aliases="not json")
    g.add_node("concept:y", kind="Concept", name="Y", type="TASK", aliases=["Why"])
    g.add_edge("paper:p1", "concept:x", type="USES", count=1, snippet="a")
    g.add_edge("paper:p1", "concept:x", type="USES", count=2, snippet="b")
    g.add_edge("concept:x", "concept:y", key="CO_OCCURS_WITH", weight=float("nan"))
    data = embedded_data(export_map(g, tmp_path / "p.html").read_text())
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"]) == 3
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["paper:p1"]["label"] == "p1"
    assert by_id["concept:x"]["ptype"] == "OTHER" and by_id["concept:x"]["info"]["aliases"] == [
        "not json"
    ]
    assert by_id["concept:y"]["info"]["aliases"] == ["Why"]


def test_empty_graph_exports(tmp_path: Path) -> None:
    data = embedded_data(export_map(nx.MultiDiGraph(), tmp_path / "e.html").read_text())
    assert data["nodes"] == [] and data["legend"] == []


# ---------------------------------------------------------------------------
# In headless Chromium

READY = "() => window.paperkgMap && window.paperkgMap.ready === true"


def _open(offline_page, path: Path) -> Page:
    page = offline_page.page
    page.goto(path.resolve().as_uri())
    page.wait_for_function(READY, timeout=60_000)
    return page


@pytest.mark.browser
def test_map_draws_offline_without_errors(
    offline_page: OfflinePage, map_file: Path, graph: nx.MultiDiGraph
) -> None:
    page = _open(offline_page, map_file)
    assert page.locator("#mynetwork canvas").count() == 1
    box = page.locator("#mynetwork canvas").bounding_box()
    assert box and box["width"] > 400 and box["height"] > 300
    counts = page.evaluate(
        """() => { const m = window.paperkgMap, net = m.network.body;
        return [m.nodes.length, m.edges.length,
                net.nodeIndices.length, net.edgeIndices.length,
                m.network.physics.options.enabled]; }"""
    )
    n_nodes, n_edges = drawn_counts(graph)
    assert counts == [n_nodes, n_edges, n_nodes, n_edges, False]  # drawn; physics off
    assert page.title() == "Test <map> & 'co'"
    page.wait_for_timeout(300)
    offline_page.assert_clean()
    assert offline_page.requests == [map_file.resolve().as_uri()]


def _hover(page: Page, node_id: str) -> dict[str, float]:
    """Move the mouse onto a node so vis-network opens its tooltip; return the point."""
    page.evaluate(
        "id => window.paperkgMap.network.focus(id, {scale: 1.5, animation: false})", node_id
    )
    pos = page.evaluate(
        """id => { const net = window.paperkgMap.network;
        const p = net.canvasToDOM(net.getPosition(id));
        const r = document.getElementById('mynetwork').getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y}; }""",
        node_id,
    )
    page.mouse.move(pos["x"] - 30, pos["y"] - 30)
    page.mouse.move(pos["x"], pos["y"], steps=5)
    return pos


@pytest.mark.browser
def test_vis_shows_string_titles_as_text(offline_page: OfflinePage, map_file: Path) -> None:
    """What the tooltips are built on: vis-network 9.1.2 puts a string title in with innerText
    (so escaping it would show entities), an Element title as is (map.js builds those)."""
    page = _open(offline_page, map_file)
    raw = "<b>bold?</b> &amp; <i>x</i>"
    page.evaluate("t => window.paperkgMap.nodes.update({id: 'concept:qm9', title: t})", raw)
    _hover(page, "concept:qm9")
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.text_content() == raw
    assert tooltip.locator("b, i").count() == 0
    offline_page.assert_clean()


@pytest.mark.browser
def test_xss_payloads_stay_literal_text(offline_page: OfflinePage, map_file: Path) -> None:
    page = _open(offline_page, map_file)
    evil_id = "paper:t-abc123def456"
    pos = _hover(page, evil_id)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.text_content() or ""
    assert EVIL_TITLE in text
    assert IMG_PAYLOAD in text
    assert tooltip.locator("img, script, a").count() == 0  # javascript: url not linked
    # click it: the details panel shows the same literal text
    page.mouse.click(pos["x"], pos["y"])
    details = page.locator("#pkg-details-body")
    assert EVIL_TITLE in (details.text_content() or "")
    # and a concept whose name and aliases carry payloads
    page.evaluate("() => window.paperkgMap.search('SafeNet')")
    assert SCRIPT_PAYLOAD in (details.text_content() or "")
    page.wait_for_timeout(300)
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.evaluate("() => document.querySelectorAll('img:not([src^=\"data:\"])').length") == 0
    assert page.evaluate("() => document.querySelectorAll('script').length") == 3
    # no tooltip element, shown or not yet shown, holds parsed markup
    injected = page.evaluate(
        """() => [...window.paperkgMap.nodes.get(), ...window.paperkgMap.edges.get()]
        .filter(item => item.title.querySelector('img, script, iframe, b, div[onerror]'))
        .map(item => item.id)"""
    )
    assert injected == []
    offline_page.assert_clean()


@pytest.mark.browser
def test_type_filter_hides_and_restores_nodes(offline_page: OfflinePage, map_file: Path) -> None:
    page = _open(offline_page, map_file)
    visible = "() => window.paperkgMap.visibleNodeCount()"
    total = page.evaluate(visible)
    page.locator("input.pkg-type-filter[value=METHOD]").uncheck()
    assert page.evaluate(visible) == total - 3
    hidden = page.evaluate(
        "() => window.paperkgMap.nodes.get({filter: n => n.hidden}).map(n => n.ptype)"
    )
    assert hidden == ["METHOD"] * 3
    page.locator("input.pkg-type-filter[value=Paper]").uncheck()
    assert page.evaluate(visible) == total - 6
    page.locator("input.pkg-type-filter[value=METHOD]").check()
    page.locator("input.pkg-type-filter[value=Paper]").check()
    assert page.evaluate(visible) == total
    co = "() => window.paperkgMap.edges.get({filter: e => e.hidden}).length"
    page.locator("#pkg-show-cooccur").uncheck()
    assert page.evaluate(co) == 5
    offline_page.assert_clean()


@pytest.mark.browser
def test_legend_lists_each_type_present(
    offline_page: OfflinePage, map_file: Path, tmp_path: Path
) -> None:
    page = _open(offline_page, map_file)
    names = page.locator("#pkg-legend-types .pkg-legend-name").all_text_contents()
    assert names == ["Paper", *CONCEPT_TYPES]
    assert page.locator("#pkg-legend-types img").count() == 6
    assert page.locator("#pkg-legend").is_visible()
    # a graph without metrics or benchmarks lists only what it has
    g = build_graph()
    g.remove_nodes_from(
        [n for n, d in g.nodes(data=True) if d.get("type") in ("METRIC", "BENCHMARK")]
    )
    page = _open(offline_page, export_map(g, tmp_path / "few.html"))
    names = page.locator("#pkg-legend-types .pkg-legend-name").all_text_contents()
    assert names == ["Paper", "METHOD", "DATASET", "TASK"]
    offline_page.assert_clean()


@pytest.mark.browser
def test_search_selects_matching_nodes(offline_page: OfflinePage, map_file: Path) -> None:
    page = _open(offline_page, map_file)
    page.locator("#pkg-search").fill("gnn")
    page.locator("#pkg-search").press("Enter")
    selected = page.evaluate("() => window.paperkgMap.network.getSelectedNodes()")
    assert selected == ["concept:gnn"]  # matched by alias
    assert page.locator("#pkg-search-status").text_content() == "1 match"
    assert "graph neural network" in (page.locator("#pkg-details-body").text_content() or "")
    page.locator("#pkg-search").fill("zzz-nothing")
    page.locator("#pkg-search").press("Enter")
    assert page.locator("#pkg-search-status").text_content() == "no match"
    offline_page.assert_clean()


@pytest.mark.browser
def test_large_map_stabilizes_and_stops_physics(offline_page: OfflinePage, tmp_path: Path) -> None:
    g = _big_graph(n_concepts=120, n_papers=420)
    path = export_map(g, tmp_path / "big.html", max_nodes=500)
    page = _open(offline_page, path)
    state = page.evaluate(
        "() => [window.paperkgMap.nodes.length, window.paperkgMap.network.physics.options.enabled]"
    )
    assert 0 < state[0] <= 500 and state[1] is False
    offline_page.assert_clean()
