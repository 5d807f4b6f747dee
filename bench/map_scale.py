"""The map at scale: file size, time to ready in headless Chromium, build time and memory.

    .venv/bin/python bench/map_scale.py [--papers 40000 [10000 ...]] [--source synthetic|real]
                                        [--co-occurrence] [--keep DIR]

For each ``--papers`` N (default 40,000), in a fresh subprocess (so peak memory is its own):
builds a ``GraphView`` of N papers, writes map.html with ``export_map`` and reports

- ``MB``: the size of map.html (10^6 bytes);
- ``build s``: ``export_map`` wall time in Python (view given, file written);
- ``RSS MB``: the process's peak resident memory, and how much of it came during the build;
- ``ready s``: headless Chromium (``/usr/bin/chromium`` through Playwright, as the browser
  tests run it) from ``page.goto`` until ``window.paperkgReady`` is set by map.js: the overview
  is drawn and search works; ``page s`` is the same moment as the page measures it
  (``performance.now()``, from navigation start);
- ``search ms``: one search for a paper that is not drawn (all of its words), as
  ``paperkgMap.search`` runs it, and ``open ms``: opening that paper's neighbourhood.

Sources:

- ``synthetic`` (default): sized from the real distributions. Titles, authors, dates and ids
  are real arXiv records from ``/work/shared/corpora/arxiv-2025.jsonl.gz`` (cycled, ids
  suffixed past its end); concept names are made of words (~21 characters, as extracted names
  are). Per paper 1 + Poisson(16) concept draws, ~15 distinct once repeats are dropped (~600k
  edges at 40k papers, the hybrid extractor's figure): 15% of them a concept of that paper
  alone, the rest from a Zipf(1.1) vocabulary of N * 0.75 concepts. At 40k papers that gives
  ~115k concepts, ~80% of them in one paper, as the rule extractor finds on the real corpus
  (below). 26% of concepts have an alias (13 characters); 0.8 stated links per paper, 99% of
  them stated by one paper (real: 33k links, 96% by one paper).
- ``real``: the real corpus through the rule extractor (``load_extractor("rules")``), the
  normalizer and the assembler: 40,717 papers give 114,604 concepts (94,256 in one paper),
  302,854 paper-concept edges and 36,577 stated links; takes ~5 minutes at 40k on 2 cores.

Figures are noisy on a shared machine; see docs/benchmarks.md ("Map at scale").
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.stores.base import (  # noqa: E402
    ConceptRow,
    GraphView,
    LinkRow,
    PaperConceptRow,
    PaperRow,
)
from schemas.model import GraphBatch  # noqa: E402

CORPUS = Path("/work/shared/corpora/arxiv-2025.jsonl.gz")
TYPES = ("METHOD", "TASK", "DATASET", "BENCHMARK", "METRIC")
TYPE_WEIGHTS = (0.61, 0.28, 0.045, 0.045, 0.02)  # as the rule extractor found them at 40k
ROLES = ("USES", "ADDRESSES", "EVALUATES_ON", "PROPOSES")
ROLE_WEIGHTS = (0.6, 0.2, 0.12, 0.08)
WORDS = (
    "neural", "graph", "attention", "diffusion", "language", "vision", "transformer",
    "learning", "model", "network", "adaptive", "sparse", "contrastive", "federated",
    "robust", "efficient", "multimodal", "generative", "latent", "reinforcement", "policy",
    "reward", "token", "embedding", "retrieval", "segmentation", "detection",
    "classification", "reasoning", "alignment", "quantization", "pruning", "distillation",
    "kernel", "spectral", "bayesian", "causal", "temporal", "spatial", "semantic",
    "hierarchical", "recurrent", "convolutional", "variational", "adversarial",
    "self-supervised", "few-shot", "zero-shot", "benchmark", "dataset", "metric", "accuracy",
    "estimation", "inference", "optimization", "gradient", "descent", "encoder", "decoder",
    "memory",
)


def _records(corpus: Path, n: int) -> list[dict]:
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        base = [json.loads(line) for line in islice(handle, n)]
    if not base:
        raise SystemExit(f"{corpus}: no records")
    out = []
    for i, record in enumerate(islice(cycle(base), n)):
        lap = i // len(base)
        record = dict(record)
        if lap:
            record["id"] = f"{record['id']}v{lap}"
        out.append(record)
    return out


def _paper(record: dict, source: str) -> PaperRow:
    authors = record.get("authors") or ()
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.split(",") if a.strip()]
    return PaperRow(
        id=str(record["id"]), title=record.get("title") or "",
        abstract=record.get("abstract") or "",
        authors=tuple(authors), date=str(record.get("date") or record.get("published") or "")[:10],
        url=record.get("url") or f"https://arxiv.org/abs/{record['id']}",
        categories=tuple(record.get("categories") or ()), content_hash="", source=source,
    )


def synthetic_view(n: int, corpus: Path = CORPUS, seed: int = 12) -> GraphView:
    """A view of ``n`` papers sized from the real distributions (module doc)."""
    rng = random.Random(seed)
    papers = [_paper(r, f"synthetic:{i}") for i, r in enumerate(_records(corpus, n))]
    vocabulary = max(50, int(n * 0.75))
    weights = [1 / (k + 1) ** 1.1 for k in range(vocabulary)]
    shared = rng.choices(range(vocabulary), weights=weights, k=n * 14)
    draw = iter(shared)

    def name(k: int) -> str:  # ~21 characters, as extracted concept names average
        return " ".join(rng.sample(WORDS, 1 + k % 2)) + f" {_base36(k)}"

    concepts: dict[str, ConceptRow] = {}
    edges: list[PaperConceptRow] = []
    papers_of: dict[str, set[str]] = defaultdict(set)
    links: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for i, paper in enumerate(papers):
        mentions = 1 + _poisson(rng, 16)  # ~15 distinct once repeats are dropped
        keys: list[str] = []
        for _ in range(mentions):
            if rng.random() < 0.15:
                key = f"own-{i}-{len(keys)}"
            else:
                key = f"c{next(draw, rng.randrange(vocabulary))}"
            if key in keys:
                continue
            keys.append(key)
            if key not in concepts:
                k = len(concepts)
                aliases = (f"{name(k)[:10].upper()}-{k}",) if rng.random() < 0.26 else ()
                concepts[key] = ConceptRow(
                    key=key, name=name(k), type=rng.choices(TYPES, TYPE_WEIGHTS)[0],
                    aliases=aliases, paper_count=0, first_seen="2025-01-01",
                )
            role = rng.choices(ROLES, ROLE_WEIGHTS)[0]
            edges.append(PaperConceptRow(paper.id, key, role, 1 + _poisson(rng, 0.5),
                                         f"... {concepts[key].name} in {paper.title[:60]} ..."))
            papers_of[key].add(paper.id)
        if len(keys) > 1 and rng.random() < 0.8:
            # a stated link mostly names one of the paper's rarer concepts, as on real papers
            # (96% of real links are stated by one paper only)
            rarest = sorted(keys, key=lambda k: (k.startswith("c"), -int(k[1:]) if
                                                 k.startswith("c") else 0))
            a = rng.choice(rarest[: max(1, len(rarest) // 3)])
            b = rng.choice([k for k in keys if k != a])
            links[(a, b, rng.choice(("APPLIED_TO", "EVALUATED_ON")))].append(paper.id)
    return GraphView(
        papers=sorted(papers),
        concepts=sorted(c._replace(paper_count=len(papers_of[c.key])) for c in concepts.values()),
        paper_concepts=sorted(edges, key=lambda r: (r.paper_id, r.concept_key, r.role)),
        links=sorted(
            LinkRow(s, t, k, len(ps), tuple(sorted(ps)), f"{s} {k} {t}")
            for (s, t, k), ps in links.items()
        ),
    )


def _base36(k: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        k, d = divmod(k, 36)
        out = digits[d] + out
        if not k:
            return out


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def real_view(n: int, corpus: Path = CORPUS) -> GraphView:
    """The first ``n`` papers of the corpus through the rule extractor (slow: ~180 papers/s)."""
    from pipeline.assemble import assemble
    from pipeline.extract import load_extractor
    from pipeline.ingest import read_papers
    from pipeline.normalize import Normalizer

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "papers.jsonl"
        with gzip.open(corpus, "rt", encoding="utf-8") as src, plain.open("w") as dst:
            dst.writelines(islice(src, n))
        papers = read_papers([plain], None).papers
    return view_from_batch(
        assemble(Normalizer().normalize(load_extractor("rules").extract(papers))))


def view_from_batch(batch: GraphBatch) -> GraphView:
    """The view a store would give after writing ``batch`` into an empty graph."""
    papers_of: dict[str, set[str]] = defaultdict(set)
    for edge in batch.paper_concepts:
        papers_of[edge.concept_key].add(edge.paper_id)
    stated: dict[tuple[str, str, str], dict[str, str]] = defaultdict(dict)
    for link in batch.links:
        stated[(link.source, link.target, link.type.value)].setdefault(link.paper_id, link.snippet)
    return GraphView(
        papers=sorted(
            PaperRow(p.id, p.title, p.abstract, p.authors, p.date.isoformat() if p.date else "",
                     p.url or "", p.categories, p.content_hash, p.source)
            for p in batch.papers
        ),
        concepts=sorted(
            ConceptRow(c.key, c.name, c.type.value, c.aliases, len(papers_of[c.key]), "")
            for c in batch.concepts
        ),
        paper_concepts=sorted(
            PaperConceptRow(e.paper_id, e.concept_key, e.role.value, e.count, e.snippet)
            for e in batch.paper_concepts
        ),
        links=sorted(
            LinkRow(s, t, k, len(ps), tuple(sorted(ps)), ps[min(ps)])
            for (s, t, k), ps in stated.items()
        ),
    )


def _with_co_occurrence(view: GraphView) -> GraphView:
    by_paper: dict[str, list[str]] = defaultdict(list)
    for row in view.paper_concepts:
        by_paper[row.paper_id].append(row.concept_key)
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for keys in by_paper.values():
        unique = sorted(set(keys))
        for i, a in enumerate(unique):
            for b in unique[i + 1 :]:
                weights[(a, b)] += 1
    from pipeline.stores.base import CoOccurrenceRow

    return view.model_copy(update={
        "co_occurrence": [CoOccurrenceRow(a, b, w) for (a, b), w in sorted(weights.items())]
    })


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_build(n: int, source: str, co_occurrence: bool, out: Path) -> dict:
    """In this process: the view, then export_map; sizes, times and memory."""
    from pipeline.visualize import export_map

    started = time.perf_counter()
    view = real_view(n) if source == "real" else synthetic_view(n)
    if co_occurrence:
        view = _with_co_occurrence(view)
    view_s = time.perf_counter() - started
    before = peak_mb()
    started = time.perf_counter()
    export_map(view, out, title=f"paperkg map ({n} papers)")
    build_s = time.perf_counter() - started
    hidden = _undrawn_paper(out)
    return {
        "papers": len(view.papers), "concepts": len(view.concepts),
        "mentions": len(view.paper_concepts), "links": len(view.links),
        "view_s": view_s, "build_s": build_s, "rss_mb": peak_mb(),
        "build_rss_mb": peak_mb() - before, "mb": out.stat().st_size / 1e6, "probe": hidden,
    }


def _undrawn_paper(path: Path) -> str:
    """The title of a paper the overview does not draw (the last one), to search for."""
    html = path.read_text(encoding="utf-8")
    block = html.split('<script type="application/json" id="paperkg-data">', 1)[1]
    data = json.loads(block.split("</script>", 1)[0])
    index = json.loads(gzip.decompress(base64.b64decode(data["index"]["gzip"])))
    titles = index["papers"]["titles"].split("\n")
    drawn = set(data["overview"]["papers"])
    for i in range(len(titles) - 1, -1, -1):
        if i not in drawn and titles[i]:
            return titles[i]
    return ""


def measure_browser(path: Path, probe: str) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            started = time.perf_counter()
            page.goto(path.resolve().as_uri(), timeout=120_000)
            page.wait_for_function("() => window.paperkgReady === true", timeout=120_000,
                                   polling=20)
            ready_s = time.perf_counter() - started
            page_s = page.evaluate("() => window.paperkgMap.readyAt") / 1000
            timing = page.evaluate(
                """q => { const m = window.paperkgMap; let t = performance.now();
                const hits = m.search(q); const search = performance.now() - t;
                t = performance.now(); if (hits.length) m.open(hits[0]);
                return {search: search, open: performance.now() - t, hits: hits.length,
                        nodes: m.nodes.length}; }""",
                probe,
            )
            if errors:
                raise SystemExit(f"page errors: {errors}")
        finally:
            browser.close()
    return {"ready_s": ready_s, "page_s": page_s, "search_ms": timing["search"],
            "open_ms": timing["open"], "hits": timing["hits"]}


def child(args: argparse.Namespace) -> None:
    out = Path(args.out)
    figures = measure_build(args.child, args.source, args.co_occurrence, out)
    figures.update(measure_browser(out, figures.pop("probe")))
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[40_000])
    parser.add_argument("--source", choices=("synthetic", "real"), default="synthetic")
    parser.add_argument("--co-occurrence", action="store_true",
                        help="give the map co-occurrence rows (drawn among the overview)")
    parser.add_argument("--keep", type=Path, help="keep each map.html in this folder")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    header = (f"{'papers':>7} {'concepts':>8} {'mentions':>8} {'MB':>6} {'build s':>7} "
              f"{'RSS MB':>6} {'+build':>6} {'ready s':>7} {'page s':>6} {'search ms':>9} "
              f"{'open ms':>7}")
    print(f"source: {args.source}; co-occurrence: {'yes' if args.co_occurrence else 'no'}")
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.papers:
            folder = args.keep or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / f"map-{args.source}-{n}.html"
            command = [sys.executable, __file__, "--child", str(n), "--out", str(out),
                       "--source", args.source] + (["--co-occurrence"] if args.co_occurrence
                                                   else [])
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode:
                print(result.stdout + result.stderr, file=sys.stderr)
                raise SystemExit(result.returncode)
            f = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"{f['papers']:>7} {f['concepts']:>8} {f['mentions']:>8} {f['mb']:>6.2f} "
                  f"{f['build_s']:>7.2f} {f['rss_mb']:>6.0f} {f['build_rss_mb']:>6.0f} "
                  f"{f['ready_s']:>7.2f} {f['page_s']:>6.2f} {f['search_ms']:>9.1f} "
                  f"{f['open_ms']:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
