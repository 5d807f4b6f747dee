"""Small graphs for the map tests (pipeline.visualize), shaped as graph.graphml holds them
(papers, concepts of every type, every relation, and one paper whose text is hostile markup),
the same as ``GraphView``s (what the map takes), and the page's index decoded in Python."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re

import networkx as nx

from pipeline.stores.base import ConceptRow, GraphView, LinkRow, PaperConceptRow, PaperRow
from pipeline.stores.views import view_from_networkx

SCRIPT_PAYLOAD = "<script>window.__pwned=1</script>"
IMG_PAYLOAD = '<img src=x onerror="window.__pwned=2">'
EVIL_TITLE = f"Robust parsing {SCRIPT_PAYLOAD} of hostile abstracts"
EVIL_ABSTRACT = (
    f'We study {IMG_PAYLOAD} injection and </div></script> breakouts with href="x" & '
    "quotes ' \". We propose SafeNet and evaluate on ImageNet."
)
CONCEPT_TYPES = ("METHOD", "DATASET", "BENCHMARK", "TASK", "METRIC")
CONCEPT_TYPES_ALL = (*CONCEPT_TYPES, "OTHER")  # as the page numbers them


def add_paper(
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


def add_concept(
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


def add_mention(
    g: nx.MultiDiGraph, paper: str, concept: str, role: str, snippet: str, count: int = 1
) -> None:
    g.add_edge(paper, concept, key=role, type=role, count=count, snippet=snippet)


def build_graph() -> nx.MultiDiGraph:
    """Three papers, one per concept type and more, every relation, and one hostile paper."""
    g = nx.MultiDiGraph()
    p1 = add_paper(
        g,
        "2401.00001",
        "Attention Is Still All You Need for Long Documents",
        "We propose LongFormer-X, a transformer for long document classification. "
        "It improves accuracy on the LRA benchmark and on ImageNet.",
        url="https://arxiv.org/abs/2401.00001",
        authors=("Ada Lovelace", "Alan Turing"),
    )
    p2 = add_paper(
        g,
        "2401.00002",
        "Graph Neural Networks for Molecule Property Prediction",
        "We use graph neural networks for property prediction on QM9, measuring MAE.",
        url="https://arxiv.org/abs/2401.00002",
    )
    p3 = add_paper(
        g,
        "t-abc123def456",
        EVIL_TITLE,
        EVIL_ABSTRACT,
        url="javascript:window.__pwned=3",
        authors=(IMG_PAYLOAD,),
    )

    lfx = add_concept(g, "longformer-x", "LongFormer-X", "METHOD", ("LFX",))
    gnn = add_concept(g, "gnn", "graph neural network", "METHOD", ("GNN", "GNNs"), 2)
    safenet = add_concept(
        g, "safenet", f"SafeNet {IMG_PAYLOAD}", "METHOD", (SCRIPT_PAYLOAD, "</script><b>x</b>")
    )
    imagenet = add_concept(g, "imagenet", "ImageNet", "DATASET", ("ILSVRC",), 2)
    qm9 = add_concept(g, "qm9", "QM9", "DATASET")
    lra = add_concept(g, "lra", "Long Range Arena", "BENCHMARK", ("LRA",))
    doccls = add_concept(g, "document-classification", "document classification", "TASK")
    propred = add_concept(g, "property-prediction", "property prediction", "TASK")
    acc = add_concept(g, "accuracy", "accuracy", "METRIC", paper_count=1)
    mae = add_concept(g, "mae", "mean absolute error", "METRIC", ("MAE",))

    add_mention(g, p1, lfx, "PROPOSES",
                "We propose LongFormer-X, a transformer for long documents.")
    add_mention(g, p1, doccls, "ADDRESSES", "a transformer for long document classification.")
    add_mention(g, p1, lra, "EVALUATES_ON", "It improves accuracy on the LRA benchmark.")
    add_mention(g, p1, imagenet, "EVALUATES_ON", "and on ImageNet.")
    add_mention(g, p1, acc, "USES", "It improves accuracy on the LRA benchmark.")
    add_mention(g, p2, gnn, "USES", "We use graph neural networks for property prediction.", 3)
    add_mention(g, p2, qm9, "EVALUATES_ON", "property prediction on QM9, measuring MAE.")
    add_mention(g, p2, propred, "ADDRESSES", "graph neural networks for property prediction")
    add_mention(g, p2, mae, "USES", "measuring MAE.")
    add_mention(g, p3, safenet, "PROPOSES", f"We propose SafeNet {SCRIPT_PAYLOAD} {IMG_PAYLOAD}.")
    add_mention(g, p3, imagenet, "EVALUATES_ON", "and evaluate on ImageNet </script>.")
    add_mention(g, p3, gnn, "USES", "built from GNN layers.")

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


def embedded_data(html: str, *, unpack: bool = True) -> dict:
    """The page's data block; its gzip-compressed ``index`` unpacked unless ``unpack=False``."""
    match = re.search(
        r'<script type="application/json" id="paperkg-data">(.*?)</script>', html, re.S
    )
    assert match
    data = json.loads(match.group(1))
    if unpack:
        data["index"] = json.loads(gzip.decompress(base64.b64decode(data["index"]["gzip"])))
    return data


def big_graph(n_concepts: int = 60, n_papers: int = 300) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for c in range(n_concepts):
        add_concept(g, f"c{c:03d}", f"concept {c}", CONCEPT_TYPES[c % 5])
    for p in range(n_papers):
        paper = add_paper(g, f"p{p:04d}", f"Paper {p}", "An abstract.")
        # concept c is linked to papers p with p % (c + 1) == 0: low c => high degree
        for c in range(n_concepts):
            if p % (c + 1) == 0 and c < 25:
                add_mention(g, paper, f"concept:c{c:03d}", "USES", "uses it")
    return g


# ---------------------------------------------------------------------------
# GraphViews (what pipeline.visualize takes) and the page's index, decoded in Python


def build_view(*, co_occurrence: bool = False) -> GraphView:
    """``build_graph`` as a store's ``view`` gives it."""
    return view_from_networkx(build_graph(), co_occurrence=co_occurrence)


def big_view(n_concepts: int = 60, n_papers: int = 300, *, co_occurrence: bool = False
             ) -> GraphView:
    """``big_graph`` as a view: concept c is in the papers p with p % (c + 1) == 0 (c < 25)."""
    return view_from_networkx(big_graph(n_concepts, n_papers), co_occurrence=co_occurrence)


def hub_view(n_papers: int = 400, n_hubs: int = 30) -> GraphView:
    """More nodes than an overview draws: ``n_hubs`` concepts shared by many papers, and every
    paper with two concepts of its own (most concepts are in one paper, as in real graphs).
    Paper i mentions hub h when i % (h + 2) == 0; its own concepts are own-i-0 and own-i-1.
    """
    papers = [
        PaperRow(f"p{i:04d}", f"Paper number {i} on topic {i % 7}", f"Abstract {i}.",
                 (f"Author {i}", "Second Author"), f"2025-01-{1 + i % 28:02d}",
                 f"https://arxiv.org/abs/p{i:04d}", ("cs.LG",), "", "")
        for i in range(n_papers)
    ]
    edges: list[PaperConceptRow] = []
    counts: dict[str, int] = {}
    for i in range(n_papers):
        keys = [f"hub-{h:02d}" for h in range(n_hubs) if i % (h + 2) == 0]
        keys += [f"own-{i:04d}-{k}" for k in range(2)]
        for k, key in enumerate(sorted(keys)):
            role = ("USES", "PROPOSES", "ADDRESSES", "EVALUATES_ON")[k % 4]
            edges.append(PaperConceptRow(f"p{i:04d}", key, role, 1, f"about {key}"))
            counts[key] = counts.get(key, 0) + 1
    concepts = [
        ConceptRow(key, f"hub concept {key[4:]}" if key.startswith("hub") else f"own {key[4:]}",
                   CONCEPT_TYPES[int(key[-1]) % 5] if key.startswith("hub") else "METHOD",
                   (f"H{key[4:]}",) if key.startswith("hub") else (), n, "2025-01-01")
        for key, n in sorted(counts.items())
    ]
    links = [LinkRow("hub-00", "hub-01", "APPLIED_TO", 2, ("p0000", "p0002"), "hub 0 for 1")]
    return GraphView(papers=papers, concepts=concepts, paper_concepts=edges, links=links)


def _varints(b64: str) -> list[int]:
    out, value, shift = [], 0, 0
    for byte in base64.b64decode(b64):
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            out.append(value)
            value, shift = 0, 0
    return out


def _lines(text: str, count: int | None = None) -> list[str]:
    if count == 0 or (count is None and text == ""):
        return []
    return text.split("\n")


def decode_index(index: dict) -> dict:
    """The page's index (``embedded_data(html)["index"]``) as plain Python, decoded as map.js
    decodes it: papers (id, title, first author, ISO date, url), concepts (name, type,
    aliases), edges {(paper id, concept name): role} and links [(source, target, type,
    weight)] by concept name."""
    papers, concepts = index["papers"], index["concepts"]
    ids = _lines(papers["ids"], papers["count"])
    day, dates = 0, []
    for v in _varints(papers["days"]):
        day += -(v + 1) // 2 if v % 2 else v // 2
        dates.append(
            (dt.date(1970, 1, 1) + dt.timedelta(days=day - papers["dayOffset"])).isoformat()
            if day else "")
    other, p = {}, -1
    for k, delta in enumerate(_varints(papers["urlOther"])):
        p += delta + 1
        other[p] = _lines(papers["urlOtherValues"])[k]
    urls = [other.get(i, papers["urlPrefix"] + pid) for i, pid in enumerate(ids)]
    names = _lines(concepts["names"], concepts["count"])
    aliases: list[list[str]] = [[] for _ in names]
    owner = -1
    for alias, delta in zip(_lines(concepts["aliases"]), _varints(concepts["aliasOwners"]),
                            strict=True):
        owner += delta
        aliases[owner].append(alias)
    roles = ("PROPOSES", "EVALUATES_ON", "ADDRESSES", "USES")
    stream = iter(_varints(index["edges"]["data"]))
    own = concepts["nMulti"]
    edges: dict[tuple[str, str], str] = {}
    concept_of_edge: list[tuple[int, int, int]] = []
    for pi in range(len(ids)):
        previous = -1
        for _ in range(next(stream)):
            v = next(stream)
            previous += (v >> 2) + 1
            concept_of_edge.append((pi, previous, v & 3))
        for _ in range(next(stream)):
            concept_of_edge.append((pi, own, next(stream)))
            own += 1
    for pi, c, r in concept_of_edge:
        edges[(ids[pi], names[c])] = roles[r]
    assert len(concept_of_edge) == index["edges"]["count"]
    assert own == concepts["nMulti"] + concepts["nSingle"]
    link_stream = _varints(index["links"]["data"])
    links, source = [], 0
    for k in range(0, len(link_stream), 3):
        source += link_stream[k]
        v = link_stream[k + 2]
        links.append((names[source], names[link_stream[k + 1]],
                      ("APPLIED_TO", "EVALUATED_ON")[v & 1], (v >> 1) + 1))
    return {
        "papers": list(zip(ids, _lines(papers["titles"], papers["count"]),
                           _lines(papers["authors"], papers["count"]), dates, urls,
                           strict=True)),
        "concepts": [
            (name, CONCEPT_TYPES_ALL[int(code)], tuple(alias_list))
            for name, code, alias_list in zip(names, concepts["types"], aliases, strict=True)
        ],
        "edges": edges,
        "links": links,
    }
