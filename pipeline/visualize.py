"""Export the paperkg graph as one self-contained, offline, interactive HTML map, at any size.

``export_map(view, path)`` turns a store's ``GraphView`` (``pipeline/stores/base.py``: the
whole graph as plain rows) into a single HTML file drawn by vis-network (the copy bundled with
pyvis). The page opens on an *overview* and carries a compact *index* of the whole graph, so
search finds every paper and concept and a click opens any node's neighbourhood.

What the page holds
-------------------
* **The overview** (drawn when the page opens): when the graph has at most ``max_nodes`` nodes
  (default ``DEFAULT_MAX_NODES`` = 200) everything is drawn, papers included. Otherwise the
  ``max_nodes`` concepts with the most papers (ties: most stated links, then key) are drawn,
  with labels, and no papers. 200 labels is about what a 1400x900 window can show readably.
  Edges among drawn nodes: paper-concept mentions, stated APPLIED_TO/EVALUATED_ON links and,
  only when the view carries co-occurrence (``paperkg run --co-occurrence``), CO_OCCURS_WITH,
  thinned to each concept's ``CO_TOP`` strongest partners (200 top concepts nearly all co-occur:
  every pair would be ~20,000 edges of hairball).
* **The layout is computed here, once**: ``networkx.spring_layout`` with a fixed seed over the
  drawn nodes, pulled together by co-occurrence weights computed from the paper-concept rows
  (always, so the same graph gets the same layout with or without co-occurrence drawn), then
  scaled so that labels are legible when the whole overview fits the window. Positions are
  written into the data and vis physics is off: the page is drawn as soon as it is parsed.
* **The index of the whole graph** (what search and neighbourhoods read), made compact because
  at 40,000 papers there are ~600k paper-concept edges and ~100k+ concepts:

  - strings (paper ids, titles, first authors, concept names, aliases) are each one string
    joined with ``\\n`` (whitespace inside is collapsed, so ``\\n`` cannot occur), not arrays
    of objects with repeated keys;
  - integer arrays are unsigned LEB128 varints, base64 encoded (``_varints``);
  - concepts are numbered in a useful order: those in two or more papers first, by paper count
    (so a paper's frequent concepts have small, close numbers, and a lower number means a
    bigger concept), then the concepts of one paper only, *grouped by that paper*. A paper's
    edges to the former are delta-coded concept numbers with the role in the low two bits;
    its edges to the latter need only their count and roles, because those concepts follow
    each other in paper order. Most concepts are in one paper, and their edges cost one byte;
  - one role per paper-concept pair: the most specific (PROPOSES, EVALUATES_ON, ADDRESSES,
    USES), as ``schemas.model`` ranks them;
  - paper dates as zigzag-delta day numbers; URLs as one common prefix + paper id, with the
    papers whose URL is something else listed apart.

  Rich details -- abstract excerpt, all authors, categories, evidence snippets, mention counts
  -- are only embedded for what the overview draws. A paper or concept opened later shows
  what the index has: title or name, type, aliases, first author, date, link, counts, and its
  neighbours. ``docs/benchmarks.md`` ("Map at scale") has the sizes measured at 5k-40k papers.

Safety (unchanged from the first map)
-------------------------------------
* **No pyvis template.** pyvis 0.3.2's stock template links Bootstrap from a public CDN on every
  page, writes the heading unescaped and fills tooltips with ``innerHTML`` as soon as a title
  contains ``"href"``. ``pipeline/assets/map.html.j2`` (autoescaping Jinja) inlines pyvis's
  bundled vis-network 9.1.2 JS and CSS plus ``map.js`` and ``map.css``, so the file needs
  nothing else. (The pyvis ``Network`` object is no longer used: nodes are built in ``map.js``
  from the index, so drawn and opened nodes go through one code path.)
* **Tooltips are DOM elements built with ``textContent``.** vis-network 9.1.2's popup shows a
  string ``title`` via ``innerText`` and appends an ``Element`` as is; ``map.js`` builds an
  element per node/edge and puts all user text in with ``textContent``. Links are only made for
  ``http(s)`` URLs (checked here and again in ``map.js``).
* **Script-safe JSON.** All data sits in one ``<script type="application/json">`` block;
  ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\\uXXXX`` escapes.
* **Offline by construction.** No ``src``/``href`` to any host is emitted, and a Content Security
  Policy allows only the page's own inline scripts (by SHA-256 hash), inline styles and
  ``data:``/``blob:`` images; ``connect-src``/``default-src`` are ``'none'``.

Same view in, same bytes out: rows are sorted here, ties are broken by key, the layout seed is
fixed and positions are rounded.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx
import numpy as np
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pipeline.output import atomic_write_text
from pipeline.stores.base import ConceptRow, GraphView, PaperConceptRow, PaperRow
from schemas.text import display_safe

__all__ = ["DEFAULT_MAX_NODES", "LEGEND", "export_map", "map_data", "render_map"]

ASSETS = Path(__file__).with_name("assets")

PAPER = "Paper"
OTHER = "OTHER"
DEFAULT_MAX_NODES = 150

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
CONCEPT_TYPES = tuple(t for t in LEGEND if t != PAPER)

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
# Most specific first: a pair's role is the first of these any of its rows has (and the index
# stores roles as positions in this tuple).
ROLE_ORDER = ("PROPOSES", "EVALUATES_ON", "ADDRESSES", "USES")
LINK_TYPES = ("APPLIED_TO", "EVALUATED_ON")

CO_TOP = 5  # co-occurrence edges drawn: each concept's strongest partners among drawn ones
LABEL_CHARS = 32
ABSTRACT_CHARS = 320
SNIPPET_CHARS = 240
MAX_ALIASES = 8
MAX_AUTHORS = 4
LAYOUT_SEED = 7
LINKS_TOP = 3  # stated links drawn in the overview: each concept's heaviest among drawn ones
CHAR_WIDTH = 0.6  # a label character's width per font size unit (DejaVu Sans, the widest)
# The starting layout box: label boxes take LABEL_FILL of it, and it is LAYOUT_ASPECT wide per
# 1 high; spreading grows it, mostly upright. Tried on 40k papers (150 concepts): this gives the
# smallest final box, drawn fitted at ~0.65 scale in a 1400x900 window (labels 8-13 px).
LABEL_FILL = 1.0
LAYOUT_ASPECT = 1.2
LABEL_GAP = 6.0  # canvas units kept free around each label box
SPIRAL_RINGS = 60  # how far a label may move to find a free place (then it overlaps)
SPIRAL_WIDE = 1.4  # the spiral is this much wider than high: labels are wide
GZIP_LEVEL = 6  # level 9 saves under 1% on the index and takes twice as long
# Day numbers are stored as date.toordinal() - _DAY_BASE (> 0 from year 1000; 0 = no date).
_DAY_BASE = dt.date(1000, 1, 1).toordinal() - 1
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal() - _DAY_BASE

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


def _line(value: Any) -> str:
    """Display text on one line: what goes into the ``\\n``-joined index strings."""
    return " ".join(_text(value).split())


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
    if parts.scheme.lower() in ("http", "https") and parts.netloc and url == "".join(url.split()):
        return url
    return ""


def _concept_type(value: str) -> str:
    ctype = _text(value).upper()
    return ctype if ctype in CONCEPT_TYPES else OTHER


_ROLE_NUMBER = {role: i for i, role in enumerate(ROLE_ORDER)}


def _role(value: str) -> int:
    """The role's position in ROLE_ORDER (USES for anything unknown)."""
    number = _ROLE_NUMBER.get(value)  # the common case, without any string work (600k rows)
    if number is None:
        number = _ROLE_NUMBER.get(_text(value).upper(), _ROLE_NUMBER["USES"])
    return number


def _varints(values: Iterable[int]) -> str:
    """Unsigned LEB128 varints, base64: ~1-3 bytes per small integer instead of JSON's digits
    and comma, decoded in a few milliseconds by ``map.js`` (``Varints``)."""
    out = bytearray()
    for value in values:
        if value < 0:
            raise ValueError(f"varints are unsigned, got {value}")
        while value > 0x7F:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return base64.b64encode(bytes(out)).decode("ascii")


def packed_json(value: Any) -> dict[str, Any]:
    """``value`` as gzip-compressed JSON in base64 (``{"gzip": ...}``), as ``map.js`` unpacks
    it with the browser's DecompressionStream. mtime 0, so the same value gives the same text."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    packed = gzip.compress(raw.encode("utf-8"), compresslevel=GZIP_LEVEL, mtime=0)
    return {"gzip": base64.b64encode(packed).decode("ascii"), "bytes": len(raw.encode())}


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _day(value: str) -> int:
    """A date's day number (0 when it is not an ISO date from year 1000 on)."""
    try:
        day = dt.date.fromisoformat(value.strip()[:10]).toordinal() - _DAY_BASE
    except ValueError:
        return 0
    return max(day, 0)


def _joined(values: Iterable[str]) -> str:
    """Items on one line each, cleaned as ``_line`` cleans them: whitespace is collapsed per
    item (so no item holds a ``\n``) and ``display_safe`` runs once over the whole string
    (it never removes ``\n``), which is ~5x faster than per item at 150k items."""
    return _text("\n".join(" ".join(value.split()) for value in values))


# ---------------------------------------------------------------------------
# The index of the whole graph


@dataclass
class _Index:
    """The view, numbered as the page numbers it (see the module doc)."""

    papers: list[PaperRow]  # by id
    concepts: list[ConceptRow]  # in index order
    concept_types: list[str]
    n_multi: int  # concepts in >= 2 papers: numbers 0..n_multi-1
    n_single: int  # then the concepts of exactly one paper, grouped by paper
    paper_edges: list[list[tuple[int, int]]]  # per paper: (concept, role), concept ascending
    concept_papers: list[list[int]]  # per concept: papers ascending
    links: list[tuple[int, int, int, int, str]]  # (source, target, type, weight, snippet)
    link_degree: list[int]
    # (paper, concept key) -> (role, -count, row in view.paper_concepts) of the chosen row
    pairs: dict[tuple[int, str], tuple[int, int, int]]
    rows: Sequence[PaperConceptRow]

    @property
    def n_edges(self) -> int:
        return len(self.pairs)

    def pair(self, p: int, c: int) -> tuple[int, int, int]:
        """(role, count, row) of the paper-concept edge."""
        role, neg_count, row = self.pairs[(p, self.concepts[c].key)]
        return role, -neg_count, row

    def mention(self, p: int, c: int) -> tuple[str, int, str]:
        """(role, count, snippet) of the paper-concept edge, for drawing it."""
        role, count, row = self.pair(p, c)
        return ROLE_ORDER[role], count, _line(self.rows[row].snippet)


def _build_index(view: GraphView) -> _Index:
    papers: dict[str, PaperRow] = {}
    for paper in sorted(view.papers, key=lambda p: p.id):
        papers.setdefault(paper.id, paper)
    paper_rows = list(papers.values())
    paper_pos = {p.id: i for i, p in enumerate(paper_rows)}
    concept_rows: dict[str, ConceptRow] = {}
    for concept in sorted(view.concepts, key=lambda c: c.key):
        concept_rows.setdefault(concept.key, concept)

    # One edge per (paper, concept): the most specific role, and within it the most-mentioned
    # row (whose count and snippet the drawn edge shows); ties go to the earlier row.
    # (The loop runs once per row, ~600k at 40k papers: plain locals, no helper calls.)
    best: dict[tuple[int, str], tuple[int, int, int]] = {}
    role_number = _ROLE_NUMBER.get
    for number, (paper_id, concept_key, role, count, _snippet) in enumerate(view.paper_concepts):
        p = paper_pos.get(paper_id)
        if p is None or concept_key not in concept_rows:
            continue
        r = role_number(role)
        candidate = (
            _role(role) if r is None else r,
            -count if type(count) is int and count > 0 else -1,
            number,
        )
        key = (p, concept_key)
        old = best.get(key)
        if old is None or candidate < old:
            best[key] = candidate
    papers_of: dict[str, list[int]] = defaultdict(list)
    for p, key in best:
        papers_of[key].append(p)
    for found in papers_of.values():
        found.sort()

    multi = sorted((k for k, ps in papers_of.items() if len(ps) > 1),
                   key=lambda k: (-len(papers_of[k]), k))
    single = sorted((k for k, ps in papers_of.items() if len(ps) == 1),
                    key=lambda k: (papers_of[k][0], k))
    unlinked = [k for k in concept_rows if k not in papers_of]  # already in key order
    order = multi + single + unlinked
    number_of = {key: i for i, key in enumerate(order)}

    paper_edges: list[list[tuple[int, int]]] = [[] for _ in paper_rows]
    for (p, key), (role, _count, _row) in best.items():
        paper_edges[p].append((number_of[key], role))
    for edges in paper_edges:
        edges.sort()

    links: dict[tuple[int, int, int], tuple[int, str]] = {}
    for link in view.links:
        s, t = number_of.get(link.source), number_of.get(link.target)
        ltype = _text(link.type).upper()
        if s is None or t is None or s == t or ltype not in LINK_TYPES:
            continue
        weight = link.weight if isinstance(link.weight, int) and link.weight > 0 else 1
        links.setdefault((s, t, LINK_TYPES.index(ltype)), (weight, link.snippet))
    link_rows = [(s, t, k, w, snippet) for (s, t, k), (w, snippet) in sorted(links.items())]
    link_degree = [0] * len(order)
    for s, t, *_ in link_rows:
        link_degree[s] += 1
        link_degree[t] += 1
    concepts = [concept_rows[key] for key in order]
    return _Index(
        papers=paper_rows,
        concepts=concepts,
        concept_types=[_concept_type(c.type) for c in concepts],
        n_multi=len(multi),
        n_single=len(single),
        paper_edges=paper_edges,
        concept_papers=[papers_of.get(key, []) for key in order],
        links=link_rows,
        link_degree=link_degree,
        pairs=best,
        rows=view.paper_concepts,
    )


def _url_parts(papers: Sequence[PaperRow]) -> tuple[str, list[int], list[str]]:
    """The URL prefix most papers share as ``prefix + id``, and the papers that do not."""
    urls = [(p.url or "").strip() for p in papers]
    prefixes = Counter(
        url[: -len(p.id)]
        for p, url in zip(papers, urls, strict=True)
        if p.id and url.endswith(p.id) and len(url) > len(p.id)
    )
    prefix = min(prefixes.items(), key=lambda kv: (-kv[1], kv[0]))[0] if prefixes else ""
    if prefix != _line(prefix) or not _http_url(prefix + "x"):
        prefix = ""  # only a clean http(s) prefix is shared; anything else is listed as is
    other: list[int] = []
    values: list[str] = []
    for i, (p, url) in enumerate(zip(papers, urls, strict=True)):
        if not (prefix and url == prefix + p.id):
            other.append(i)
            values.append(url)
    return prefix, other, values


def _first_author(paper: PaperRow) -> str:
    authors = [a for a in paper.authors if a.strip()]
    if not authors:
        return ""
    return _shorten(authors[0], 40) + (" et al." if len(authors) > 1 else "")


def _index_data(index: _Index) -> dict[str, Any]:
    """The whole graph as the page reads it (module doc, "The index")."""
    papers = index.papers
    edge_stream: list[int] = []
    own_end = index.n_multi + index.n_single
    for edges in index.paper_edges:
        shared = [(c, r) for c, r in edges if c < index.n_multi]
        own = [r for c, r in edges if index.n_multi <= c < own_end]
        edge_stream.append(len(shared))
        previous = -1
        for c, r in shared:
            edge_stream.append((c - previous - 1) << 2 | r)
            previous = c
        edge_stream.append(len(own))
        edge_stream.extend(own)

    days: list[int] = []
    previous_day = 0
    for p in papers:
        day = _day(p.date or "")
        days.append(_zigzag(day - previous_day))
        previous_day = day
    prefix, url_other, url_values = _url_parts(papers)
    other_deltas = [b - a - 1 for a, b in zip([-1, *url_other], url_other, strict=False)]

    alias_owner: list[int] = []
    aliases: list[str] = []
    previous = -1
    for i, concept in enumerate(index.concepts):
        if not concept.aliases:
            continue
        seen = {_line(concept.name).casefold()}
        kept = 0
        for alias in concept.aliases:
            text = _line(alias)
            if not text or text.casefold() in seen or kept >= MAX_ALIASES:
                continue  # an alias the name already matches in search adds nothing
            seen.add(text.casefold())
            alias_owner.append(i - previous if kept == 0 else 0)
            previous = i
            aliases.append(text)
            kept += 1

    link_stream: list[int] = []
    previous = 0
    for s, t, ltype, weight, _snippet in index.links:
        link_stream.extend((s - previous, t, (weight - 1) << 1 | ltype))
        previous = s

    return {
        "papers": {
            "count": len(papers),
            "ids": _joined(p.id for p in papers),
            "titles": _joined(p.title for p in papers),
            "authors": _joined(_first_author(p) for p in papers),
            "days": _varints(days),
            "dayOffset": _EPOCH_DAY,
            "urlPrefix": prefix,
            "urlOther": _varints(other_deltas),
            "urlOtherValues": _joined(url_values),
        },
        "concepts": {
            "count": len(index.concepts),
            "nMulti": index.n_multi,
            "nSingle": index.n_single,
            "names": _joined(c.name or c.key for c in index.concepts),
            "types": "".join(str(CONCEPT_TYPES.index(t)) for t in index.concept_types),
            "aliasOwners": _varints(alias_owner),
            "aliases": _joined(aliases),
        },
        "edges": {"count": index.n_edges, "data": _varints(edge_stream)},
        "links": {"count": len(index.links), "data": _varints(link_stream)},
    }


# ---------------------------------------------------------------------------
# The overview: what is drawn when the page opens, and where


def _overview(index: _Index, max_nodes: int) -> tuple[list[int], list[int]]:
    """(concepts, papers) drawn at opening: everything when it fits, else the top concepts."""
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be positive, got {max_nodes}")
    n_concepts, n_papers = len(index.concepts), len(index.papers)
    if n_concepts + n_papers <= max_nodes:
        return list(range(n_concepts)), list(range(n_papers))
    ranked = sorted(
        range(n_concepts),
        key=lambda c: (-len(index.concept_papers[c]), -index.link_degree[c], index.concepts[c].key),
    )
    return sorted(ranked[:max_nodes]), []


def _co_weights(index: _Index, concepts: Sequence[int]) -> dict[tuple[int, int], int]:
    """Papers linked to both, for every pair of ``concepts`` (the CO_OCCURS_WITH weight)."""
    drawn = bytearray(len(index.concepts))
    for c in concepts:
        drawn[c] = 1
    weights: Counter[tuple[int, int]] = Counter()
    for edges in index.paper_edges:
        mine = [c for c, _ in edges if drawn[c]]
        for i, a in enumerate(mine):
            for b in mine[i + 1 :]:
                weights[(a, b)] += 1
    return dict(weights)


def _strongest(weights: dict[tuple[int, int], int], top: int) -> list[tuple[int, int, int]]:
    """(a, b, weight) for pairs where b is among a's ``top`` strongest partners or vice versa."""
    partners: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (a, b), w in weights.items():
        partners[a].append((-w, b))
        partners[b].append((-w, a))
    kept: set[tuple[int, int]] = set()
    for a, items in partners.items():
        for _neg, b in sorted(items)[:top]:
            kept.add((min(a, b), max(a, b)))
    return sorted((a, b, weights[(a, b)]) for a, b in kept)


def _look(papers: int, biggest: int) -> tuple[int, int]:
    """(node size, label font size) of a concept in canvas units, by its share of the biggest
    drawn concept's papers. map.js uses the same rule (``look``) for concepts opened later."""
    share = math.sqrt(min(papers, biggest) / max(biggest, 1))
    return round(6 + 14 * share), round(13 + 7 * share)


PAPER_LOOK = (7, 11)  # (size, font) of a paper node; map.js: paperItem


def _layout(
    index: _Index,
    concepts: Sequence[int],
    papers: Sequence[int],
    links: Sequence[int],
    looks: dict[str, tuple[int, int]],
) -> dict[str, tuple[int, int]]:
    """Node id -> (x, y): a seeded spring layout, then spread until no two labels overlap."""
    graph = nx.Graph()
    graph.add_nodes_from(f"c{c}" for c in concepts)
    graph.add_nodes_from(f"p{p}" for p in papers)
    drawn = set(concepts)
    for a, b, w in _strongest(_co_weights(index, concepts), CO_TOP):
        graph.add_edge(f"c{a}", f"c{b}", weight=1 + math.log(w))
    for link in links:
        s, t, *_ = index.links[link]
        graph.add_edge(f"c{s}", f"c{t}", weight=1.0)
    for p in papers:
        for c, _ in index.paper_edges[p]:
            if c in drawn:
                graph.add_edge(f"p{p}", f"c{c}", weight=1.0)
    nodes = list(graph.nodes)
    if not nodes:
        return {}
    start = nx.spring_layout(graph, seed=LAYOUT_SEED, iterations=100, weight="weight")
    labels = {f"c{c}": _line(index.concepts[c].name) for c in concepts}
    labels.update({f"p{p}": _line(index.papers[p].title) for p in papers})
    # Label boxes in canvas units: vis draws these shapes' labels under the node.
    width = np.array([
        max(2 * looks[n][0], CHAR_WIDTH * looks[n][1] * len(_shorten(labels[n], LABEL_CHARS)))
        for n in nodes
    ])
    height = np.array([2 * looks[n][0] + looks[n][1] + 4 for n in nodes], dtype=float)
    below = np.array([(looks[n][1] + 4) / 2 for n in nodes], dtype=float)  # box centre - node
    area = float((width * height).sum()) / LABEL_FILL
    box_w, box_h = math.sqrt(area * LAYOUT_ASPECT), math.sqrt(area / LAYOUT_ASPECT)
    xy = np.array([start[n] for n in nodes], dtype=float)
    x = xy[:, 0] * box_w / 2
    y = xy[:, 1] * box_h / 2 + below
    x, y = _spread(x, y, width + LABEL_GAP, height + LABEL_GAP)  # nodes: concepts by rank
    y -= below
    return {n: (round(float(x[i])), round(float(y[i]))) for i, n in enumerate(nodes)}


def _spread(
    x: np.ndarray, y: np.ndarray, width: np.ndarray, height: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes centred at (x, y), placed one by one in the given order (most important first):
    each at the first point of a spiral around where the layout put it that overlaps no box
    placed before. So no two boxes overlap, the first nodes stay where the layout put them and
    the rest move as little as they must. Deterministic."""
    n = len(x)
    if n == 0:
        return x, y
    step = max(float(height.min()) / 2, 1.0)
    rings = np.arange(1, SPIRAL_RINGS + 1)
    points = [(0.0, 0.0)]
    for ring in rings:
        count = math.ceil(2 * math.pi * ring)
        angles = np.arange(count) * (2 * math.pi / count)
        points.extend(zip(SPIRAL_WIDE * ring * step * np.cos(angles), ring * step * np.sin(angles),
                          strict=True))
    offsets = np.array(points)
    out_x, out_y = x.copy(), y.copy()
    for i in range(1, n):
        half_w = (width[i] + width[:i]) / 2
        half_h = (height[i] + height[:i]) / 2
        out_x[i], out_y[i] = x[i] + offsets[-1, 0], y[i] + offsets[-1, 1]  # if none is free
        # candidates in chunks, nearest first: most boxes find a place in the first rings
        for start in range(0, len(offsets), 256):
            cx = x[i] + offsets[start : start + 256, 0]
            cy = y[i] + offsets[start : start + 256, 1]
            free = ((np.abs(cx[:, None] - out_x[None, :i]) >= half_w)
                    | (np.abs(cy[:, None] - out_y[None, :i]) >= half_h)).all(axis=1)
            if free.any():
                k = int(np.argmax(free))
                out_x[i], out_y[i] = cx[k], cy[k]
                break
    return out_x, out_y


# ---------------------------------------------------------------------------
# Rich details for what is drawn


def _paper_info(paper: PaperRow) -> dict[str, Any]:
    authors = [a for a in (_line(a) for a in paper.authors) if a]
    more = len(authors) - MAX_AUTHORS
    return {
        "authors": authors[:MAX_AUTHORS] + ([f"+{more} more"] if more > 0 else []),
        "categories": [c for c in (_line(c) for c in paper.categories) if c],
        "abstract": _shorten(_text(paper.abstract), ABSTRACT_CHARS),
    }


def _concept_evidence(index: _Index, c: int) -> dict[str, str] | None:
    """One snippet for a concept: from the most specific, most frequent paper mention (ties:
    the first paper by id, which is the paper order)."""
    key = index.concepts[c].key
    pairs, rows = index.pairs, index.rows
    ranked = sorted((*pairs[(p, key)][:2], p) for p in index.concept_papers[c])
    for _role_number, _neg_count, p in ranked:
        if rows[pairs[(p, key)][2]].snippet.strip():
            role_name, _count, snippet = index.mention(p, c)
            return {
                "snippet": _shorten(snippet, SNIPPET_CHARS),
                "role": role_name,
                "paper": _line(index.papers[p].title) or index.papers[p].id,
            }
    return None


def _overview_data(
    index: _Index, view: GraphView, max_nodes: int
) -> dict[str, Any]:
    concepts, papers = _overview(index, max_nodes)
    drawn_concepts = set(concepts)
    biggest = max((len(index.concept_papers[c]) for c in concepts), default=1)
    looks = {f"c{c}": _look(len(index.concept_papers[c]), biggest) for c in concepts}
    looks.update({f"p{p}": PAPER_LOOK for p in papers})
    link_weights: dict[tuple[int, int], int] = {}
    link_number: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (s, t, _k, w, _snippet) in enumerate(index.links):
        if s in drawn_concepts and t in drawn_concepts:
            pair = (min(s, t), max(s, t))
            link_weights[pair] = link_weights.get(pair, 0) + w
            link_number[pair].append(i)
    # one link per drawn pair (the heaviest; ties: the first), each concept's LINKS_TOP pairs
    links = sorted(
        min(link_number[(a, b)], key=lambda i: (-index.links[i][3], i))
        for a, b, _w in _strongest(link_weights, LINKS_TOP)
    )
    positions = _layout(index, concepts, papers, links, looks)
    co: list[int] | None = None
    if view.co_occurrence is not None:
        # millions of rows at 40k papers: one lookup in a dict of the drawn concepts drops most
        drawn_keys = {index.concepts[c].key: c for c in concepts}
        weights: dict[tuple[int, int], int] = {}
        for key_a, key_b, weight in view.co_occurrence:
            a = drawn_keys.get(key_a)
            if a is None:
                continue
            b = drawn_keys.get(key_b)
            if b is None or a == b:
                continue
            weights[(min(a, b), max(a, b))] = max(int(weight or 1), 1)
        co = [v for edge in _strongest(weights, CO_TOP) for v in edge]
    mentions = []
    for p in papers:
        for c, _ in index.paper_edges[p]:
            if c in drawn_concepts:
                _role_name, count, snippet = index.mention(p, c)
                mentions.append([p, c, count, _shorten(snippet, SNIPPET_CHARS)])
    link_snippets = [
        [i, _shorten(_line(snippet), SNIPPET_CHARS)]
        for i, (s, t, _k, _w, snippet) in enumerate(index.links)
        if s in drawn_concepts and t in drawn_concepts and _line(snippet)
    ]  # for every link among drawn concepts: one left out is drawn when a concept is opened
    return {
        "concepts": concepts,
        "papers": papers,
        "conceptXY": [v for c in concepts for v in positions[f"c{c}"]],
        "conceptLook": [v for c in concepts for v in looks[f"c{c}"]],  # size, font
        "biggest": biggest,
        "links": links,  # the stated links drawn (LINKS_TOP per concept)
        "paperXY": [v for p in papers for v in positions[f"p{p}"]],
        "conceptInfo": [
            {"evidence": _concept_evidence(index, c)} for c in concepts
        ],
        "paperInfo": [_paper_info(index.papers[p]) for p in papers],
        "mentions": mentions,  # [paper, concept, count, snippet] for drawn mention edges
        "linkSnippets": link_snippets,
        "co": co,  # flat [a, b, weight, ...] or null when the view has no co-occurrence
    }


def _vis_options() -> dict[str, Any]:
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False},
        "nodes": {
            "borderWidth": 1,
            # vis hides a label drawn smaller than scaling.label.drawThreshold (5 px, kept)
            "font": {"size": 14, "color": "#222222", "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "font": {"size": 9, "align": "middle", "color": "#555555", "strokeWidth": 2},
            "selectionWidth": 2,
            "smooth": False,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "navigationButtons": False,
            "keyboard": False,
            "hideEdgesOnDrag": False,
        },
        # Positions come from Python: no physics, so nothing moves and nothing waits.
        "physics": {"enabled": False},
    }


def map_data(view: GraphView, *, max_nodes: int | None = None) -> dict[str, Any]:
    """Everything the page needs: the index of the whole graph, the overview and its layout,
    vis options, the legend and counts."""
    index = _build_index(view)
    overview = _overview_data(index, view, DEFAULT_MAX_NODES if max_nodes is None else max_nodes)
    type_counts = Counter(index.concept_types)
    counts = {PAPER: len(index.papers), **type_counts}
    legend = [
        {"type": t, "shape": shape, "color": color, "count": counts[t]}
        for t, (shape, color) in LEGEND.items()
        if counts.get(t)
    ]
    rels = {ROLE_ORDER[r] for edges in index.paper_edges for _, r in edges}
    rels |= {LINK_TYPES[k] for _s, _t, k, _w, _snip in index.links}
    edge_legend = [
        {"rel": rel, "color": style["color"], "dashed": bool(style["dashes"])}
        for rel, style in EDGE_STYLE.items()
        if rel in rels
    ]
    return {
        "version": 2,
        "types": list(CONCEPT_TYPES),
        "roles": list(ROLE_ORDER),
        "linkTypes": list(LINK_TYPES),
        "style": {
            "nodes": {t: {"shape": s, "color": c} for t, (s, c) in LEGEND.items()},
            "edges": EDGE_STYLE,
            "co": CO_OCCURS_COLOR,
        },
        "index": _index_data(index),
        "overview": overview,
        "options": _vis_options(),
        "legend": legend,
        "edgeLegend": edge_legend,
        "cooccurrence": overview["co"] is not None,
        "stats": {
            "papers": len(index.papers),
            "concepts": len(index.concepts),
            "mentions": index.n_edges,
            "links": len(index.links),
            "drawn": len(overview["concepts"]) + len(overview["papers"]),
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
    view: GraphView, *, title: str = "paperkg map", max_nodes: int | None = None
) -> str:
    """The HTML text that :func:`export_map` writes."""
    data = map_data(view, max_nodes=max_nodes)
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
            data_json=script_json(dict(data, index=packed_json(data["index"]))),
            legend=legend,
            edge_legend=data["edgeLegend"],
            has_cooccur=data["cooccurrence"],
            stats=data["stats"],
            pyvis_version=pyvis.__version__,
        )
    )


def export_map(
    view: GraphView, path: Path, *, title: str = "paperkg map", max_nodes: int | None = None
) -> Path:
    """Write the interactive map of ``view`` to ``path`` (one offline HTML file); return it.

    ``max_nodes`` (default ``DEFAULT_MAX_NODES``) is how many nodes are drawn when the page
    opens: the whole graph when it is that small, else that many concepts with the most papers.
    Search and neighbourhoods reach every paper and concept either way. Co-occurrence edges are
    drawn only when ``view.co_occurrence`` is filled in. Same view in, same bytes out.
    """
    html = render_map(view, title=title, max_nodes=max_nodes)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, html)
    return path
