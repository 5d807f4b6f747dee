"""Export the paperkg graph as one self-contained, offline, interactive HTML map.

``export_map(graph, path)`` turns the store's ``networkx.MultiDiGraph`` (see
``schemas/model.py``) into a single HTML file drawn by vis-network through pyvis.

Design decisions
----------------
* **pyvis builds the data, our template renders the page.** Nodes, edges and vis options are
  assembled with a real ``pyvis.network.Network``; its stock template is not used because
  (measured on pyvis 0.3.2) it links Bootstrap from a public CDN on *every* page, even with
  ``cdn_resources='in_line'``; ``select_menu``/``filter_menu`` add tom-select and more CDN use;
  it writes the heading without HTML escaping; and as soon as any tooltip string contains
  ``"href"`` it switches to a popup filled with ``innerHTML`` -- an XSS hole for abstract text.
  ``pipeline/assets/map.html.j2`` (autoescaping Jinja) inlines pyvis's bundled vis-network 9.1.2
  JS and CSS plus ``pipeline/assets/map.js`` and ``map.css``, so the file needs nothing else.
* **Tooltips are DOM elements built with ``textContent``.** vis-network 9.1.2's popup
  (``Popup.setText``) shows a string ``title`` via ``innerText`` (literal text, so
  ``html.escape`` would display ``&lt;`` verbatim) and appends an ``Element`` ``title`` as is.
  We ship the tooltip fields as JSON and ``map.js`` builds an element per node/edge, putting all
  user text in with ``textContent``; links are only made for ``http(s)`` URLs.
* **Script-safe JSON.** All data sits in one ``<script type="application/json">`` block;
  ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\\uXXXX`` escapes so user text can never
  close the script element.
* **Offline by construction.** No ``src``/``href`` to any host is emitted, and a Content Security
  Policy meta tag allows only the page's own inline scripts (by SHA-256 hash), inline styles and
  ``data:``/``blob:`` images; ``connect-src``/``default-src`` are ``'none'``. Even injected markup
  could neither run (inline handlers are not in the hash list) nor contact a host.
* **Layout.** forceAtlas2 physics with a bounded number of stabilization iterations and a fixed
  random seed; ``map.js`` switches physics off once stabilization ends, so ~500 nodes stay smooth.

``max_nodes``: when the graph has more nodes than that, concepts are ranked by degree (distinct
neighbours in the full graph, ties broken by node id). The top ``max_nodes // 2`` concepts are
kept, then the papers linked to them, best first (most links to kept concepts, then degree,
then id), as many as fit. Budget left over (few papers) goes to the next concepts in rank order,
each followed by its papers; papers linked to no concept only fill what is still free at the end.
So the kept concepts are exactly the top of the degree ranking, their papers come with them as
far as the budget allows, and one hub concept linked to thousands of papers cannot crowd every
other concept out of the map. All edges among kept nodes stay. The same graph always gives the
same file: nodes and edges are emitted in sorted order and the layout seed is fixed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from pipeline.output import atomic_write_text
from schemas.text import display_safe

__all__ = ["LEGEND", "export_map", "map_data", "select_subgraph"]

ASSETS = Path(__file__).with_name("assets")

PAPER = "Paper"
OTHER = "OTHER"

# type -> (vis shape, colour); also the legend, in this order.
LEGEND: dict[str, tuple[str, str]] = {
    PAPER: ("square", "#5b6b7f"),
    "METHOD": ("dot", "#f28e2b"),
    "DATASET": ("diamond", "#59a14f"),
    "BENCHMARK": ("triangle", "#e15759"),
    "TASK": ("star", "#b07aa1"),
    "METRIC": ("triangleDown", "#4e9fd1"),
    OTHER: ("hexagon", "#9c9c9c"),
}

EDGE_STYLE: dict[str, dict[str, Any]] = {
    "PROPOSES": {"color": "#d1495b", "dashes": False},
    "USES": {"color": "#8d99ae", "dashes": False},
    "EVALUATES_ON": {"color": "#2a9d8f", "dashes": False},
    "ADDRESSES": {"color": "#9b72cf", "dashes": False},
    "APPLIED_TO": {"color": "#6a4c93", "dashes": [6, 4]},
    "EVALUATED_ON": {"color": "#1d7874", "dashes": [6, 4]},
}
CO_OCCURS = "CO_OCCURS_WITH"
CO_OCCURS_COLOR = "rgba(150,150,150,0.35)"
ROLE_ORDER = ("PROPOSES", "EVALUATES_ON", "ADDRESSES", "USES")

LABEL_CHARS = 32
ABSTRACT_CHARS = 320
SNIPPET_CHARS = 240
MAX_ALIASES = 8
MAX_AUTHORS = 4

_VIS_DIR = Path(resources.files("pyvis")) / "templates" / "lib" / "vis-9.1.2"  # type: ignore[arg-type]

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


# ---------------------------------------------------------------------------
# Small helpers


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` appear raw."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JSON_ESCAPES)


def _text(value: Any) -> str:
    """A value as shown on the map: no bidi controls or invisible characters, even in a graph
    written before paperkg cleaned text at ingest (``gnp.exe`` never shows as ``exe.png``)."""
    if value is None:
        return ""
    return display_safe(value if isinstance(value, str) else str(value))


def _str_list(value: Any) -> list[str]:
    """A list of strings from a JSON string list (as stored), a real list, or a bare string."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        value = parsed
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return [_text(v) for v in value if _text(v)]
    return [_text(value)]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "\u2026"


def _http_url(value: Any) -> str:
    """The URL when it is an absolute http(s) URL, else "" (no javascript:, data:, ...)."""
    url = _text(value).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    return ""


def _is_paper(attrs: Mapping[str, Any], node: Any) -> bool:
    kind = attrs.get("kind")
    if kind:
        return kind == PAPER
    return str(node).startswith("paper:")


def node_type(graph: nx.MultiDiGraph, node: Any) -> str:
    """``Paper`` or the concept's type (``OTHER`` when missing or unknown)."""
    attrs = graph.nodes[node]
    if _is_paper(attrs, node):
        return PAPER
    ctype = _text(attrs.get("type")).upper()
    return ctype if ctype in LEGEND else OTHER


def _degree(graph: nx.MultiDiGraph, node: Any) -> int:
    """Distinct neighbours, in either direction (parallel edges count once)."""
    return len(set(graph.successors(node)) | set(graph.predecessors(node)))


def _edge_type(key: Any, attrs: Mapping[str, Any]) -> str:
    return _text(attrs.get("type") or key).upper()


# ---------------------------------------------------------------------------
# Selection (max_nodes)


def select_subgraph(graph: nx.MultiDiGraph, max_nodes: int | None) -> nx.MultiDiGraph:
    """The part of ``graph`` that :func:`export_map` draws for ``max_nodes`` (see module doc)."""
    if max_nodes is None or graph.number_of_nodes() <= max_nodes:
        return graph
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be positive, got {max_nodes}")

    neighbours = {n: set(graph.successors(n)) | set(graph.predecessors(n)) for n in graph}
    papers = {n for n in graph if node_type(graph, n) == PAPER}

    def rank(n: Any) -> tuple[int, str]:
        return (-len(neighbours[n]), str(n))

    concepts = sorted((n for n in graph if n not in papers), key=rank)
    kept: set[Any] = set()
    kept_concepts: set[Any] = set()

    def add_papers(candidates: set[Any]) -> None:
        room = max_nodes - len(kept)
        if room <= 0:
            return
        order = sorted(
            candidates - kept, key=lambda p: (-len(neighbours[p] & kept_concepts), *rank(p))
        )
        kept.update(order[:room])

    head = min(len(concepts), max(1, max_nodes // 2))
    kept_concepts.update(concepts[:head])
    kept.update(kept_concepts)
    add_papers(set().union(*(neighbours[c] & papers for c in concepts[:head])))
    for concept in concepts[head:]:
        if len(kept) >= max_nodes:
            break
        kept_concepts.add(concept)
        kept.add(concept)
        add_papers(neighbours[concept] & papers)
    if len(kept) < max_nodes:  # papers linked to no concept at all, best-connected first
        add_papers(papers)
    return graph.subgraph(kept)


# ---------------------------------------------------------------------------
# Node and edge data


def _paper_info(attrs: Mapping[str, Any], node: Any) -> dict[str, Any]:
    title = _text(attrs.get("title")) or _text(attrs.get("id")) or str(node)
    authors = _str_list(attrs.get("authors"))
    more = len(authors) - MAX_AUTHORS
    return {
        "kind": PAPER,
        "name": title,
        "authors": authors[:MAX_AUTHORS] + ([f"+{more} more"] if more > 0 else []),
        "date": _text(attrs.get("date")),
        "categories": _str_list(attrs.get("categories")),
        "abstract": _shorten(_text(attrs.get("abstract")), ABSTRACT_CHARS),
        "url": _text(attrs.get("url")).strip(),
        "href": _http_url(attrs.get("url")),
        "id": _text(attrs.get("id")) or str(node).removeprefix("paper:"),
    }


def _concept_evidence(graph: nx.MultiDiGraph, node: Any) -> dict[str, str] | None:
    """One snippet for a concept: from the most specific, most frequent paper mention."""
    best: tuple[Any, ...] | None = None
    for paper, _, key, attrs in graph.in_edges(node, keys=True, data=True):
        snippet = _text(attrs.get("snippet")).strip()
        if not snippet or node_type(graph, paper) != PAPER:
            continue
        role = _edge_type(key, attrs)
        order = ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
        candidate = (order, -_int(attrs.get("count"), 1), str(paper), snippet, role)
        if best is None or candidate < best:
            best = candidate
    if best is None:
        return None
    paper = best[2]
    return {
        "snippet": _shorten(best[3], SNIPPET_CHARS),
        "role": best[4],
        "paper": _text(graph.nodes[paper].get("title")) or paper,
    }


def _concept_info(graph: nx.MultiDiGraph, node: Any, ntype: str) -> dict[str, Any]:
    attrs = graph.nodes[node]
    name = _text(attrs.get("name")) or _text(attrs.get("key")) or str(node)
    aliases = [a for a in _str_list(attrs.get("aliases")) if a != name]
    more = len(aliases) - MAX_ALIASES
    papers = attrs.get("paper_count")
    if papers is None:
        papers = sum(1 for p in graph.predecessors(node) if node_type(graph, p) == PAPER)
    return {
        "kind": "Concept",
        "name": name,
        "type": ntype,
        "aliases": aliases[:MAX_ALIASES] + ([f"+{more} more"] if more > 0 else []),
        "papers": _int(papers),
        "evidence": _concept_evidence(graph, node),
    }


def _node_size(degree: int) -> float:
    return round(min(12 + 5 * math.sqrt(degree), 48), 2)


def _add_nodes(net: Network, graph: nx.MultiDiGraph, full: nx.MultiDiGraph) -> None:
    for node in sorted(graph.nodes, key=str):
        ntype = node_type(graph, node)
        shape, color = LEGEND[ntype]
        if ntype == PAPER:
            info = _paper_info(graph.nodes[node], node)
            label = _shorten(info["name"], LABEL_CHARS)
        else:
            info = _concept_info(full, node, ntype)
            label = _shorten(info["name"], LABEL_CHARS)
        net.add_node(
            str(node),
            label=label or str(node),
            shape=shape,
            color=color,
            size=_node_size(_degree(graph, node)),
            ptype=ntype,
            info=info,
        )


def _edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, str, Mapping[str, Any]]]:
    """(source, target, type, attrs), sorted; CO_OCCURS_WITH kept once per unordered pair."""
    seen_pairs: set[tuple[str, str]] = set()
    out = []
    rows = sorted(
        (
            (str(u), str(v), _edge_type(k, d), str(k), _text(d.get("snippet")), d)
            for u, v, k, d in graph.edges(keys=True, data=True)
        ),
        key=lambda row: row[:5],
    )
    for u, v, etype, _key, _snippet, attrs in rows:
        if etype == CO_OCCURS:
            pair = (min(u, v), max(u, v))
            if pair in seen_pairs or u == v:
                continue
            seen_pairs.add(pair)
        out.append((u, v, etype, attrs))
    return out


def _add_edges(net: Network, graph: nx.MultiDiGraph) -> None:
    ids: dict[str, int] = {}
    for u, v, etype, attrs in _edges(graph):
        eid = f"{u}|{etype}|{v}"
        ids[eid] = ids.get(eid, 0) + 1
        if ids[eid] > 1:  # parallel edges of one type (keys other than the type)
            eid = f"{eid}|{ids[eid]}"
        if etype == CO_OCCURS:
            weight = max(_int(attrs.get("weight"), 1), 1)
            net.add_edge(
                u,
                v,
                id=eid,
                rel=etype,
                color={"color": CO_OCCURS_COLOR, "highlight": "#888888", "hover": "#888888"},
                width=round(min(1 + math.log2(weight), 6), 2),
                arrows={"to": {"enabled": False}},
                smooth=False,
                info={"rel": etype, "weight": weight},
            )
            continue
        style = EDGE_STYLE.get(etype, {"color": "#777777", "dashes": False})
        weight = _int(attrs.get("weight") or attrs.get("count"), 1)
        info: dict[str, Any] = {"rel": etype, "snippet": _shorten(_text(attrs.get("snippet")), 300)}
        if "count" in attrs:
            info["count"] = _int(attrs.get("count"), 1)
        if "weight" in attrs:
            info["weight"] = weight
        net.add_edge(
            u,
            v,
            id=eid,
            rel=etype,
            label=etype,
            color={"color": style["color"], "highlight": style["color"], "hover": style["color"]},
            dashes=style["dashes"],
            width=round(min(1 + math.log2(max(weight, 1)), 5), 2),
            arrows="to",
            info=info,
        )


def _vis_options(n_nodes: int) -> dict[str, Any]:
    iterations = 400 if n_nodes <= 150 else 250 if n_nodes <= 400 else 180
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 150},
        "nodes": {
            "borderWidth": 1,
            "font": {"size": 13, "color": "#222222", "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "font": {"size": 9, "align": "middle", "color": "#555555", "strokeWidth": 2},
            "selectionWidth": 2,
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.3},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "navigationButtons": False,
            "keyboard": False,
            "hideEdgesOnDrag": n_nodes > 200,
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -70,
                "centralGravity": 0.012,
                "springLength": 110,
                "springConstant": 0.06,
                "damping": 0.5,
                "avoidOverlap": 0.3,
            },
            "maxVelocity": 60,
            "minVelocity": 1.0,
            "timestep": 0.5,
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 20,
                "fit": True,
            },
        },
    }


def map_data(graph: nx.MultiDiGraph, *, max_nodes: int | None = None) -> dict[str, Any]:
    """Everything the page needs: vis nodes, edges, options and the legend, built by pyvis."""
    shown = select_subgraph(graph, max_nodes)
    net = Network(directed=True, cdn_resources="in_line")
    _add_nodes(net, shown, graph)
    _add_edges(net, shown)
    options = _vis_options(len(net.nodes))
    net.options = options
    nodes, edges, _heading, _height, _width, options_json = net.get_network_data()
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node["ptype"]] = counts.get(node["ptype"], 0) + 1
    legend = [
        {"type": t, "shape": shape, "color": color, "count": counts[t]}
        for t, (shape, color) in LEGEND.items()
        if t in counts
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options_json),
        "legend": legend,
        "stats": {
            "nodes": len(nodes),
            "edges": len(edges),
            "total_nodes": graph.number_of_nodes(),
            "total_edges": graph.number_of_edges(),
        },
    }


# ---------------------------------------------------------------------------
# HTML


_ICON_POINTS = {
    "diamond": "8,1 15,8 8,15 1,8",
    "triangle": "8,1.5 15,14.5 1,14.5",
    "triangleDown": "1,1.5 15,1.5 8,14.5",
    "star": "8,0.8 10.1,5.6 15.2,5.9 11.3,9.3 12.5,14.4 8,11.7 3.5,14.4 4.7,9.3 0.8,5.9 5.9,5.6",
    "hexagon": "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8",
}


def legend_icon(shape: str, color: str) -> str:
    """A 16x16 inline SVG of a vis node shape, as a data: URI (constants only, no user text)."""
    if shape == "dot":
        body = f'<circle cx="8" cy="8" r="6.5" fill="{color}"/>'
    elif shape == "square":
        body = f'<rect x="1.5" y="1.5" width="13" height="13" fill="{color}"/>'
    else:
        body = f'<polygon points="{_ICON_POINTS[shape]}" fill="{color}"/>'
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">{body}</svg>'
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(ASSETS)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )


def render_map(
    graph: nx.MultiDiGraph, *, title: str = "paperkg map", max_nodes: int | None = None
) -> str:
    """The HTML text that :func:`export_map` writes."""
    data = map_data(graph, max_nodes=max_nodes)
    vis_js = (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    vis_css = (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    app_js = (ASSETS / "map.js").read_text(encoding="utf-8")
    app_css = (ASSETS / "map.css").read_text(encoding="utf-8")
    for name, text in (
        ("vis-network.min.js", vis_js),
        ("map.js", app_js),
        ("vis-network.css", vis_css),
        ("map.css", app_css),
    ):
        if "</script" in text.lower() or "</style" in text.lower():
            raise RuntimeError(f"{name} cannot be inlined: it contains a closing tag")
    csp = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}",
            "style-src 'unsafe-inline'",
            "img-src data: blob:",
            "font-src data:",
            "connect-src 'none'",
            "media-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    legend = [
        dict(entry, icon=legend_icon(entry["shape"], entry["color"])) for entry in data["legend"]
    ]
    rels = {edge["rel"] for edge in data["edges"]}
    edge_legend = [
        {"rel": rel, "color": style["color"], "dashed": bool(style["dashes"])}
        for rel, style in EDGE_STYLE.items()
        if rel in rels
    ]
    return (
        _environment()
        .get_template("map.html.j2")
        .render(
            title=title,
            csp=csp,
            vis_js=vis_js,
            vis_css=vis_css,
            app_js=app_js,
            app_css=app_css,
            data_json=script_json(data),
            legend=legend,
            edge_legend=edge_legend,
            has_cooccur=CO_OCCURS in rels,
            stats=data["stats"],
            pyvis_version=pyvis.__version__,
        )
    )


def export_map(
    graph: nx.MultiDiGraph, path: Path, *, title: str = "paperkg map", max_nodes: int | None = None
) -> Path:
    """Write the interactive map of ``graph`` to ``path`` (one offline HTML file); return it.

    ``max_nodes`` caps the drawn nodes: the highest-degree concepts with all their papers are
    kept (module docstring has the exact rule). Same graph in, same bytes out.
    """
    html = render_map(graph, title=title, max_nodes=max_nodes)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, html)
    return path
