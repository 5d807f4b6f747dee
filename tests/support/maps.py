"""Small graphs for the map tests (pipeline.visualize), shaped as graph.graphml holds them:
papers, concepts of every type, every relation, and one paper whose text is hostile markup."""

from __future__ import annotations

import json
import re

import networkx as nx

SCRIPT_PAYLOAD = "<script>window.__pwned=1</script>"
IMG_PAYLOAD = '<img src=x onerror="window.__pwned=2">'
EVIL_TITLE = f"Robust parsing {SCRIPT_PAYLOAD} of hostile abstracts"
EVIL_ABSTRACT = (
    f'We study {IMG_PAYLOAD} injection and </div></script> breakouts with href="x" & '
    "quotes ' \". We propose SafeNet and evaluate on ImageNet."
)
CONCEPT_TYPES = ("METHOD", "DATASET", "BENCHMARK", "TASK", "METRIC")


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


def embedded_data(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="paperkg-data">(.*?)</script>', html, re.S
    )
    assert match
    return json.loads(match.group(1))


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
