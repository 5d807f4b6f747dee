"""The interactive map's HTML: structure, escaping and offline-ness (tests/integration/browser
checks the page in headless Chromium)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from pipeline.visualize import export_map, select_subgraph
from tests.support.maps import (
    CONCEPT_TYPES,
    EVIL_TITLE,
    IMG_PAYLOAD,
    SCRIPT_PAYLOAD,
    add_concept,
    add_mention,
    add_paper,
    big_graph,
    build_graph,
    drawn_counts,
    embedded_data,
)


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
    add_paper(g, "p1", "Report \u202egnp.exe\u200b", "Abstract \u2066with\u2069 isolates.",
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


def _ranked_concepts(g: nx.MultiDiGraph) -> list[str]:
    return sorted(
        (n for n in g if n.startswith("concept:")),
        key=lambda n: (-len(set(g.predecessors(n)) | set(g.successors(n))), n),
    )


def test_max_nodes_keeps_top_concepts_and_their_papers(tmp_path: Path) -> None:
    g = big_graph()  # 60 concepts (25 linked), 300 papers; c000 is linked to every paper
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
        concept = add_concept(g, f"c{c:02d}", f"concept {c}", CONCEPT_TYPES[c % 5])
        for i in range(2 if c < 4 else 0):
            add_mention(g, add_paper(g, f"{c}-{i}", f"Paper {c}-{i}", "x"), concept, "USES", "s")
    sub = select_subgraph(g, 20)  # 10 concepts + all 8 papers, then 2 more concepts
    assert sub.number_of_nodes() == 20
    assert sorted(n for n in sub if n.startswith("concept:")) == _ranked_concepts(g)[:12]
    assert sum(1 for n in sub if n.startswith("paper:")) == 8
    data = embedded_data(export_map(g, tmp_path / "m.html", max_nodes=20).read_text())
    assert len(data["nodes"]) == 20 and data["stats"]["total_nodes"] == 28


def test_parallel_edges_and_odd_attributes(tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    add_paper(g, "p1", "", "")  # no title: the id is the label
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
