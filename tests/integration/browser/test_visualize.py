"""The interactive map in headless Chromium: drawn offline without errors, hostile text kept
literal, and its filters, legend and search working."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import pytest

from pipeline.visualize import export_map
from tests.support.maps import (
    CONCEPT_TYPES,
    EVIL_TITLE,
    IMG_PAYLOAD,
    SCRIPT_PAYLOAD,
    big_graph,
    build_graph,
    drawn_counts,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.browser import OfflinePage


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return build_graph()


@pytest.fixture
def map_file(graph: nx.MultiDiGraph, tmp_path: Path) -> Path:
    return export_map(graph, tmp_path / "out" / "map.html", title="Test <map> & 'co'")


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
    g = big_graph(n_concepts=120, n_papers=420)
    path = export_map(g, tmp_path / "big.html", max_nodes=500)
    page = _open(offline_page, path)
    state = page.evaluate(
        "() => [window.paperkgMap.nodes.length, window.paperkgMap.network.physics.options.enabled]"
    )
    assert 0 < state[0] <= 500 and state[1] is False
    offline_page.assert_clean()
