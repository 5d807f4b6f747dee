"""The interactive map in headless Chromium: drawn offline without errors, hostile text kept
literal, the overview labelled, search over the whole graph, neighbourhoods opened by a click
or a search result, co-occurrence only when asked, and filters and legend working."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pipeline.stores.base import GraphView
from pipeline.visualize import export_map
from tests.support.maps import (
    CONCEPT_TYPES,
    EVIL_TITLE,
    IMG_PAYLOAD,
    SCRIPT_PAYLOAD,
    build_view,
    hub_view,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.browser import OfflinePage


@pytest.fixture
def view() -> GraphView:
    return build_view()


@pytest.fixture
def map_file(view: GraphView, tmp_path: Path) -> Path:
    return export_map(view, tmp_path / "out" / "map.html", title="Test <map> & 'co'")


@pytest.fixture
def hub_file(tmp_path: Path) -> Path:
    """400 papers, 830 concepts: the overview draws 150 concepts and no paper."""
    return export_map(hub_view(n_papers=400, n_hubs=30), tmp_path / "hub" / "map.html")


# ---------------------------------------------------------------------------
# Helpers

READY = "() => window.paperkgReady === true && document.body.dataset.ready === 'true'"


def _open(offline_page: OfflinePage, path: Path) -> Page:
    page = offline_page.page
    page.goto(path.resolve().as_uri())
    page.wait_for_function(READY, timeout=60_000)
    return page


def _id(page: Page, kind: str, text: str) -> str:
    """The node id of a paper (by paper id) or a concept (by name)."""
    node = page.evaluate("([k, t]) => window.paperkgMap.idOf(k, t)", [kind, text])
    assert node, (kind, text)
    return node


def _drawn(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(
        """() => window.paperkgMap.nodes.get().map(n => ({id: n.id, label: n.label,
        ptype: n.ptype, font: n.font.size, hidden: !!n.hidden}))"""
    )


def _edges(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(
        """() => window.paperkgMap.edges.get().map(e => ({id: e.id, from: e.from, to: e.to,
        rel: e.rel, hidden: !!e.hidden}))"""
    )


def _point(page: Page, node_id: str) -> dict[str, float]:
    """Where a node is on the screen, after centring it at scale 1.5."""
    page.evaluate("id => window.paperkgMap.network.focus(id, {scale: 1.5, animation: false})",
                  node_id)
    return page.evaluate(
        """id => { const net = window.paperkgMap.network;
        const p = net.canvasToDOM(net.getPosition(id));
        const r = document.getElementById('mynetwork').getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y}; }""",
        node_id,
    )


def _hover(page: Page, node_id: str) -> dict[str, float]:
    """Move the mouse onto a node so vis-network opens its tooltip; return the point."""
    pos = _point(page, node_id)
    page.mouse.move(pos["x"] - 30, pos["y"] - 30)
    page.mouse.move(pos["x"], pos["y"], steps=5)
    return pos


def _details(page: Page) -> str:
    return page.locator("#pkg-details-body").text_content() or ""


# ---------------------------------------------------------------------------
# Drawing, offline


@pytest.mark.browser
def test_map_draws_offline_without_errors(offline_page: OfflinePage, map_file: Path) -> None:
    page = _open(offline_page, map_file)
    assert page.locator("#mynetwork canvas").count() == 1
    box = page.locator("#mynetwork canvas").bounding_box()
    assert box and box["width"] > 400 and box["height"] > 300
    counts = page.evaluate(
        """() => { const m = window.paperkgMap, net = m.network.body;
        return [m.nodes.length, m.edges.length, net.nodeIndices.length, net.edgeIndices.length,
                m.network.physics.options.enabled]; }"""
    )
    # the small graph is drawn whole: 3 papers, 10 concepts, 12 mentions, 2 stated links
    assert counts == [13, 14, 13, 14, False]  # drawn; no physics, positions from Python
    assert page.title() == "Test <map> & 'co'"
    page.wait_for_timeout(300)
    offline_page.assert_clean()
    assert offline_page.requests == [map_file.resolve().as_uri()]


@pytest.mark.browser
def test_vis_shows_string_titles_as_text(offline_page: OfflinePage, map_file: Path) -> None:
    """What the tooltips are built on: vis-network 9.1.2 puts a string title in with innerText
    (so escaping it would show entities), an Element title as is (map.js builds those)."""
    page = _open(offline_page, map_file)
    raw = "<b>bold?</b> &amp; <i>x</i>"
    qm9 = _id(page, "concept", "QM9")
    page.evaluate("([id, t]) => window.paperkgMap.nodes.update({id: id, title: t})", [qm9, raw])
    _hover(page, qm9)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.text_content() == raw
    assert tooltip.locator("b, i").count() == 0
    offline_page.assert_clean()


@pytest.mark.browser
def test_xss_payloads_stay_literal_text(offline_page: OfflinePage, map_file: Path) -> None:
    page = _open(offline_page, map_file)
    evil_id = _id(page, "paper", "t-abc123def456")
    pos = _hover(page, evil_id)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.text_content() or ""
    assert EVIL_TITLE in text
    assert IMG_PAYLOAD in text
    assert tooltip.locator("img, script, a").count() == 0  # javascript: url not linked
    # click it: the details panel shows the same literal text
    page.mouse.click(pos["x"], pos["y"])
    assert EVIL_TITLE in _details(page)
    assert "javascript:window.__pwned=3" in _details(page)
    assert page.locator("#pkg-details-body a").count() == 0
    # and a concept whose name and aliases carry payloads, chosen from the search results
    page.locator("#pkg-search").fill("SafeNet")
    result = page.locator("#pkg-results li").first
    result.wait_for(state="visible", timeout=5_000)
    assert IMG_PAYLOAD in (result.text_content() or "")
    result.click()
    assert SCRIPT_PAYLOAD in _details(page)
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
def test_paper_links_are_http_only(offline_page: OfflinePage, map_file: Path) -> None:
    page = _open(offline_page, map_file)
    page.evaluate("id => window.paperkgMap.open(id)", _id(page, "paper", "2401.00001"))
    link = page.locator("#pkg-details-body a")
    assert link.count() == 1
    assert link.get_attribute("href") == "https://arxiv.org/abs/2401.00001"
    assert link.get_attribute("rel") == "noopener noreferrer"
    offline_page.assert_clean()


# ---------------------------------------------------------------------------
# The overview, search and neighbourhoods


@pytest.mark.browser
def test_overview_draws_top_concepts_with_visible_labels(
    offline_page: OfflinePage, hub_file: Path
) -> None:
    page = _open(offline_page, hub_file)
    drawn = _drawn(page)
    assert len(drawn) == 150
    assert not any(n["ptype"] == "Paper" for n in drawn)
    assert all(n["label"] for n in drawn)
    labels = {n["label"] for n in drawn}
    assert {f"hub concept {h:02d}" for h in range(30)} <= labels
    # vis skips a label smaller than its drawThreshold (5 px) at the current zoom: at the
    # opening (fitted) zoom every label of the overview is drawn
    scale, threshold = page.evaluate(
        """() => [window.paperkgMap.network.getScale(),
        window.paperkgMap.network.body.nodes[window.paperkgMap.nodes.getIds()[0]]
          .options.scaling.label.drawThreshold]"""
    )
    assert threshold == 5
    assert min(n["font"] for n in drawn) * scale >= threshold
    # and the whole overview is in view
    inside = page.evaluate(
        """() => { const net = window.paperkgMap.network,
        r = document.getElementById('mynetwork').getBoundingClientRect();
        return window.paperkgMap.nodes.getIds().every(id => {
          const p = net.canvasToDOM(net.getPosition(id));
          return p.x >= 0 && p.y >= 0 && p.x <= r.width && p.y <= r.height; }); }"""
    )
    assert inside
    offline_page.assert_clean()


@pytest.mark.browser
def test_search_finds_a_paper_that_is_not_drawn_and_opens_it(
    offline_page: OfflinePage, hub_file: Path
) -> None:
    page = _open(offline_page, hub_file)
    paper = _id(page, "paper", "p0397")
    assert not page.evaluate("id => window.paperkgMap.isDrawn(id)", paper)
    page.locator("#pkg-search").press_sequentially("number 397", delay=20)
    result = page.locator(f"#pkg-results li[data-id='{paper}']")
    result.wait_for(state="visible", timeout=5_000)
    assert "Paper number 397 on topic 5" in (result.text_content() or "")
    assert page.locator("#pkg-search-status").text_content() == "1 match"
    result.click()
    # the paper is drawn, selected, with its concepts (397 is prime: no hub, two of its own)
    # around it and an edge to each
    assert page.evaluate("() => window.paperkgMap.network.getSelectedNodes()") == [paper]
    own = [_id(page, "concept", "own 0397-0"), _id(page, "concept", "own 0397-1")]
    assert all(page.evaluate("id => window.paperkgMap.isDrawn(id)", c) for c in own)
    assert {(paper, c) for c in own} <= {(e["from"], e["to"]) for e in _edges(page)}
    details = _details(page)
    assert "Paper number 397 on topic 5" in details and "Concepts (2)" in details
    offline_page.assert_clean()


@pytest.mark.browser
def test_clicking_a_concept_opens_its_papers_around_it(
    offline_page: OfflinePage, hub_file: Path
) -> None:
    page = _open(offline_page, hub_file)
    hub = _id(page, "concept", "hub concept 29")  # in the papers i % 31 == 0: 13 of them
    before = len(_drawn(page))
    pos = _point(page, hub)
    page.mouse.click(pos["x"], pos["y"])
    drawn = _drawn(page)
    papers = {n["id"] for n in drawn if n["ptype"] == "Paper"}
    expected = {_id(page, "paper", f"p{i:04d}") for i in range(0, 400, 31)}
    assert papers == expected and len(drawn) == before + 13
    edges = {(e["from"], e["to"], e["rel"]) for e in _edges(page)}
    assert all(any(f == p and t == hub for f, t, _ in edges) for p in papers)
    assert "Papers (13)" in _details(page)
    # a paper of the list in the details opens in turn, with its own concepts
    page.locator(f"#pkg-details-body li[data-id='{_id(page, 'paper', 'p0031')}']").click()
    assert page.evaluate("id => window.paperkgMap.isDrawn(id)", _id(page, "concept", "own 0031-0"))
    # and the Overview button takes it all away again
    page.locator("#pkg-reset").click()
    assert len(_drawn(page)) == before
    assert not any(n["ptype"] == "Paper" for n in _drawn(page))
    offline_page.assert_clean()


@pytest.mark.browser
def test_search_matches_aliases_and_enter_opens_the_best(
    offline_page: OfflinePage, map_file: Path
) -> None:
    page = _open(offline_page, map_file)
    page.locator("#pkg-search").fill("gnn")
    page.locator("#pkg-search").press("Enter")
    gnn = _id(page, "concept", "graph neural network")
    assert page.evaluate("() => window.paperkgMap.network.getSelectedNodes()") == [gnn]
    assert page.locator("#pkg-search-status").text_content() == "1 match"  # by its alias
    assert "graph neural network" in _details(page)
    page.locator("#pkg-search").fill("zzz-nothing")
    page.locator("#pkg-search").press("Enter")
    assert page.locator("#pkg-search-status").text_content() == "no match"
    # concepts come before papers, exact names before the rest
    hits = page.evaluate("() => window.paperkgMap.search('graph neural network')")
    assert hits[0] == gnn and hits[1] == _id(page, "paper", "2401.00002")
    offline_page.assert_clean()


# ---------------------------------------------------------------------------
# Co-occurrence, filters, legend


@pytest.mark.browser
def test_co_occurrence_is_off_by_default_and_on_when_asked(
    offline_page: OfflinePage, map_file: Path, tmp_path: Path
) -> None:
    page = _open(offline_page, map_file)
    assert not any(e["rel"] == "CO_OCCURS_WITH" for e in _edges(page))
    assert page.locator("#pkg-show-cooccur").count() == 0
    path = export_map(build_view(co_occurrence=True), tmp_path / "co.html")
    page = _open(offline_page, path)
    co = [e for e in _edges(page) if e["rel"] == "CO_OCCURS_WITH"]
    assert len(co) == 5 and not any(e["hidden"] for e in co)
    page.locator("#pkg-show-cooccur").uncheck()
    assert all(e["hidden"] for e in _edges(page) if e["rel"] == "CO_OCCURS_WITH")
    page.locator("#pkg-show-cooccur").check()
    assert not any(e["hidden"] for e in _edges(page) if e["rel"] == "CO_OCCURS_WITH")
    offline_page.assert_clean()


@pytest.mark.browser
def test_opened_concepts_get_co_occurrence_edges_from_the_index(
    offline_page: OfflinePage, tmp_path: Path
) -> None:
    """With co-occurrence on, a concept opened later is linked to the drawn concepts it shares
    papers with, computed in the page from the index (the view's rows are only for the
    overview): QM9 shares one paper with graph neural network."""
    path = export_map(build_view(co_occurrence=True), tmp_path / "co.html", max_nodes=2)
    page = _open(offline_page, path)
    gnn, qm9 = _id(page, "concept", "graph neural network"), _id(page, "concept", "QM9")
    assert page.evaluate("id => window.paperkgMap.isDrawn(id)", gnn)
    assert not page.evaluate("id => window.paperkgMap.isDrawn(id)", qm9)
    page.evaluate("id => window.paperkgMap.open(id)", qm9)
    co = {frozenset((e["from"], e["to"])) for e in _edges(page) if e["rel"] == "CO_OCCURS_WITH"}
    assert frozenset((gnn, qm9)) in co
    offline_page.assert_clean()


@pytest.mark.browser
def test_type_filter_hides_and_restores_nodes(offline_page: OfflinePage, map_file: Path) -> None:
    page = _open(offline_page, map_file)
    visible = "() => window.paperkgMap.visibleNodeCount()"
    total = page.evaluate(visible)
    page.locator("input.pkg-type-filter[value=METHOD]").uncheck()
    assert page.evaluate(visible) == total - 3
    hidden = [n["ptype"] for n in _drawn(page) if n["hidden"]]
    assert hidden == ["METHOD"] * 3
    page.locator("input.pkg-type-filter[value=Paper]").uncheck()
    assert page.evaluate(visible) == total - 6
    page.locator("input.pkg-type-filter[value=METHOD]").check()
    page.locator("input.pkg-type-filter[value=Paper]").check()
    assert page.evaluate(visible) == total
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
    view = build_view()
    gone = {c.key for c in view.concepts if c.type in ("METRIC", "BENCHMARK")}
    view = GraphView(
        papers=view.papers,
        concepts=[c for c in view.concepts if c.key not in gone],
        paper_concepts=[r for r in view.paper_concepts if r.concept_key not in gone],
        links=[r for r in view.links if r.source not in gone and r.target not in gone],
    )
    page = _open(offline_page, export_map(view, tmp_path / "few.html"))
    names = page.locator("#pkg-legend-types .pkg-legend-name").all_text_contents()
    assert names == ["Paper", "METHOD", "DATASET", "TASK"]
    offline_page.assert_clean()
