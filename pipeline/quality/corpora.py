"""A scale corpus built from real abstracts, with a concept distribution like a real feed's.

Sources, read at run time (nothing is copied into the repo): the bundled 71-paper sample and
``../shared/data/scirex/abstracts.jsonl`` (override with ``PAPERKG_SCIREX``). The same
``seed`` gives the same corpus, and the first n papers of a larger corpus are the corpus of n.

**Text.** Synthetic paper i takes the title and the sentences of a random source paper (its
*base*) and swaps one sentence (papers of 3+ sentences) for a random sentence of another
source paper. Papers stay coherent, so a concept is in about as many synthetic papers as it
is in real ones (recombining random sentences instead spread a concept mentioned in three
sentences of one abstract over three papers: "large language model" was in 21% of the papers
where it is in 10% of the real ones).

**Concepts.** Copying ~300 real abstracts 100,000 times would leave ~1,100 distinct concepts,
while in a real feed new concepts keep coming (Heaps' law: distinct concepts V(N) = K N^beta).
``real_growth`` measures it on every real abstract at hand (sample + SciREX + SciERC,
extracted with the rule extractor); ``concept_batch`` then reproduces it: the concepts in at
least ``HUB_SHARE`` of the real papers (the community-wide ones: "neural network",
"large language model", "accuracy", ...) keep their identity and their real frequency; every
other concept's occurrences, paper after paper, are seated by a Pitman-Yor process
(discount ``DISCOUNT``, concentration ``THETA``): an occurrence either joins one of the concept's
variants already in use, in proportion to its papers minus the discount, or opens a new
variant ("Graph Attention Network v3", key ``graph-attention-network-v3``), a different method,
dataset or task of the same type standing in the same sentences. The number of variants of
a concept with n occurrences grows as n^DISCOUNT, so V(N) grows as a power of N like the
real data; the two constants are set so that the synthetic V(N) follows the real fit.
A paper's stated links (APPLIED_TO, EVALUATED_ON) connect the variants that paper uses.

For loading benchmarks, ``concept_batch`` turns the corpus into ``GraphBatch`` es without
running spaCy 100k times: every source abstract goes through the real pipeline once
(extract -> normalize -> assemble's per-sentence roles and links), and a synthetic paper gets
the concepts, roles and stated links of the sentences it is made of (then the variants).

    .venv/bin/python -m pipeline.quality.corpora 1000 --seed 7 > /tmp/corpus.jsonl  # JSON Lines
    .venv/bin/python -m pipeline.quality.corpora --stats 10000 100000  # real vs synthetic
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from schemas import (
    ROLE_PRECEDENCE,
    Concept,
    ConceptLink,
    GraphBatch,
    Paper,
    PaperConcept,
    Role,
)

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
SCIREX = Path(os.environ.get("PAPERKG_SCIREX", SHARED / "scirex" / "abstracts.jsonl"))
SCIERC = Path(os.environ.get("PAPERKG_SCIERC", SHARED / "scierc"))
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")

# Measured by real_growth() (``python -m pipeline.quality.corpora --stats``) on the sample +
# SciREX + SciERC abstracts (716 papers) with the rule extractor: V(N) = 6.73 N^0.865 (sample +
# SciREX alone: 9.26 N^0.843, V(288) = 1,093). DISCOUNT and THETA were chosen (not fitted to any
# benchmark figure) so that the synthetic V(N) follows V(288) * (N / 288)^0.865 within ~10% from
# 1k to 30k papers: 3.6k / 9.1k / 24.8k / 61.8k against 3.2k / 8.3k / 23.6k / 60.9k.
DISCOUNT = 0.83
THETA = 0.0
HUB_SHARE = 0.02  # concepts in >= 2% of the real papers keep their identity
SCIERC_SENTENCES_PER_ABSTRACT = 5  # SciERC is sentence-level and in order: ~5.3 per abstract


def source_papers() -> list[Paper]:
    from pipeline.ingest import read_papers
    from pipeline.samples import sample_path

    paths = [sample_path()]
    if SCIREX.exists():
        paths.append(SCIREX)
    else:
        print(f"note: {SCIREX} not found; using the bundled sample only", file=sys.stderr)
    return list(read_papers(paths).papers)


def scierc_papers() -> list[Paper]:
    """SciERC's sentences (train + dev, in order) grouped 5 by 5 into pseudo-abstracts."""
    papers = []
    for split in ("train", "dev"):
        path = SCIERC / f"{split}.jsonl"
        if not path.exists():
            continue
        texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
        step = SCIERC_SENTENCES_PER_ABSTRACT
        for i in range(0, len(texts), step):
            group = texts[i : i + step]
            papers.append(Paper(id=f"scierc-{split}-{i}", title=group[0][:80],
                                abstract=" ".join(group)))
    return papers


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def generate(n: int, seed: int = 0, sources: list[Paper] | None = None) -> Iterator[Paper]:
    """``n`` synthetic papers with ids ``bench-000000``... (deterministic for a seed)."""
    sources = sources or source_papers()
    split = [sentences(p.abstract) for p in sources]
    pool = [s for ss in split for s in ss]
    rng = random.Random(seed)
    for i in range(n):
        base = rng.randrange(len(sources))
        picked = list(split[base])
        if len(picked) >= 3:
            picked[rng.randrange(len(picked))] = rng.choice(pool)
        yield Paper(id=f"bench-{i:06d}", title=f"{sources[base].title} ({i})",
                    abstract=" ".join(picked), source=f"bench:{seed}:{i}")


@dataclass
class SentenceFacts:
    roles: dict[str, Role] = field(default_factory=dict)
    links: list[ConceptLink] = field(default_factory=list)


@dataclass
class ConceptIndex:
    """What the real pipeline found in each source sentence, and the variant state."""

    facts: dict[str, SentenceFacts]
    concepts: dict[str, Concept]
    hubs: frozenset[str] = frozenset()
    variants: Variants | None = None


class Variants:
    """Per concept, a Pitman-Yor seating of its occurrences over variants (see the module
    docstring). Stateful: feed the papers in order, once (``concept_batch`` does)."""

    def __init__(self, seed: int, beta: float = DISCOUNT, theta: float = THETA) -> None:
        self.rng = random.Random(f"variants:{seed}")
        self.beta, self.theta = beta, theta
        self.tables: dict[str, int] = {}  # concept -> variants opened
        self.repeats: dict[str, list[int]] = defaultdict(list)  # variant of each re-use

    def pick(self, key: str) -> int:
        """The variant (0 = the concept itself) of the next occurrence of ``key``."""
        t = self.tables.get(key, 0)
        repeats = self.repeats[key]
        n = t + len(repeats)
        u = self.rng.random() * (n + self.theta)
        if t == 0 or u < self.theta + self.beta * t:  # a new variant (always, the first time)
            self.tables[key] = t + 1
            return t
        # an existing variant j, with probability (papers_j - beta) / (n + theta):
        # (papers_j - 1) by a random earlier re-use, plus (1 - beta) uniformly
        j = repeats[self.rng.randrange(len(repeats))] if u < self.theta + self.beta * t + len(
            repeats) else self.rng.randrange(t)
        repeats.append(j)
        return j


def variant_concept(concept: Concept, variant: int) -> Concept:
    if variant == 0:
        return concept
    return Concept(key=f"{concept.key}-v{variant}", name=f"{concept.name} v{variant}",
                   type=concept.type)


def extract_sources(sources: list[Paper]) -> list:  # list[PaperExtraction]
    from pipeline.extract import load_extractor
    from pipeline.normalize import Normalizer

    return Normalizer().normalize(list(load_extractor("rules").extract(sources)))


def index_sources(sources: list[Paper], seed: int = 1, variants: bool = True) -> ConceptIndex:
    """The per-sentence facts of the sources; ``variants=False``: no variants (the old,
    ~1,100-concept corpus)."""
    from pipeline.assemble import assemble, role_in_sentence

    extractions = extract_sources(sources)
    batch = assemble(extractions)
    facts: dict[str, SentenceFacts] = defaultdict(SentenceFacts)
    for extraction in extractions:
        for mention in extraction.mentions:
            if mention.field != "abstract":
                continue
            roles = facts[mention.sentence].roles
            role = role_in_sentence(mention)
            old = roles.get(mention.key)
            if old is None or ROLE_PRECEDENCE.index(role) < ROLE_PRECEDENCE.index(old):
                roles[mention.key] = role
    for link in batch.links:
        if link.snippet in facts:
            facts[link.snippet].links.append(link)
    df = Counter(k for e in extractions for k in {m.key for m in e.mentions})
    hubs = frozenset(k for k, d in df.items() if d >= HUB_SHARE * len(sources))
    return ConceptIndex(facts=dict(facts), concepts={c.key: c for c in batch.concepts},
                        hubs=hubs, variants=Variants(seed) if variants else None)


def concept_batch(papers: list[Paper], index: ConceptIndex) -> GraphBatch:
    """The GraphBatch the pipeline would assemble, from the per-sentence facts. With
    variants, call it on the papers in corpus order, each paper once."""
    edges: list[PaperConcept] = []
    links: list[ConceptLink] = []
    used: dict[str, Concept] = {}
    for paper in papers:
        roles: dict[str, list[tuple[Role, str]]] = defaultdict(list)
        stated: list[tuple[ConceptLink, str]] = []
        seen_links: set[tuple[str, str, str]] = set()
        for sentence in sentences(paper.abstract):
            facts = index.facts.get(sentence)
            if facts is None:
                continue
            for key, role in facts.roles.items():
                roles[key].append((role, sentence))
            for link in facts.links:
                k = (link.source, link.target, link.type.value)
                if k not in seen_links:
                    seen_links.add(k)
                    stated.append((link, sentence))
        chosen: dict[str, Concept] = {}
        for key in sorted(roles):
            base = index.concepts[key]
            variant = 0
            if index.variants is not None and key not in index.hubs:
                variant = index.variants.pick(key)
            chosen[key] = concept = variant_concept(base, variant)
            used[concept.key] = concept
        for key in sorted(roles, key=lambda k: chosen[k].key):
            found = roles[key]
            role, snippet = min(found, key=lambda r: ROLE_PRECEDENCE.index(r[0]))
            edges.append(PaperConcept(paper_id=paper.id, concept_key=chosen[key].key,
                                      role=role, count=len(found), snippet=snippet))
        for link, sentence in stated:
            source = chosen.get(link.source, index.concepts[link.source]).key
            target = chosen.get(link.target, index.concepts[link.target]).key
            links.append(link.model_copy(update={"paper_id": paper.id, "snippet": sentence,
                                                 "source": source, "target": target}))
            for key in (link.source, link.target):
                if key not in chosen:
                    used[key] = index.concepts[key]
    return GraphBatch(
        papers=tuple(papers),
        concepts=tuple(used[k] for k in sorted(used)),
        paper_concepts=tuple(edges),
        links=tuple(links),
    )


# -- statistics ------------------------------------------------------------------------------


@dataclass
class Growth:
    """Distinct concepts vs papers of a set of concept sets (mean of 50 random orders)."""

    papers: int
    curve: dict[int, float]
    beta: float
    k: float
    top: list[tuple[str, float]]  # the 10 most frequent concepts and their paper shares

    def describe(self, name: str) -> str:
        curve = ", ".join(f"V({n:,})={v:,.0f}" for n, v in self.curve.items())
        top = ", ".join(f"{k} {s:.1%}" for k, s in self.top)
        return (f"{name}: {self.papers:,} papers, {curve}; Heaps fit V = {self.k:.2f} "
                f"N^{self.beta:.3f}; top-10 paper shares: {top}")


def growth(docs: Sequence[set[str]], points: Sequence[int] = (), orders: int = 50,
           seed: int = 0) -> Growth:
    n = len(docs)
    points = sorted({p for p in (*points, n) if 1 <= p <= n})
    if not points[:-1]:
        points = sorted({*(int(n * f) for f in (0.07, 0.14, 0.28, 0.56)), n} - {0})
    sums: Counter[int] = Counter()
    rng = random.Random(seed)
    for _ in range(orders):
        order = list(docs)
        rng.shuffle(order)
        seen: set[str] = set()
        for i, d in enumerate(order, 1):
            seen |= d
            if i in points:
                sums[i] += len(seen)
    curve = {p: sums[p] / orders for p in points}
    xs = [(math.log(p), math.log(v)) for p, v in curve.items() if p >= 50 and v > 0]
    mx = sum(x for x, _ in xs) / len(xs)
    my = sum(y for _, y in xs) / len(xs)
    beta = sum((x - mx) * (y - my) for x, y in xs) / sum((x - mx) ** 2 for x, _ in xs)
    df = Counter(k for d in docs for k in d)
    return Growth(papers=n, curve=curve, beta=beta, k=math.exp(my - beta * mx),
                  top=[(k, c / n) for k, c in df.most_common(10)])


def real_growth(sources: list[Paper] | None = None) -> dict[str, Growth]:
    """Heaps' law on the real abstracts: the sources alone, and with SciERC."""
    sources = sources or source_papers()
    extra = scierc_papers()
    extractions = extract_sources([*sources, *extra])
    docs = [{m.key for m in e.mentions if m.field == "abstract"} for e in extractions]
    result = {"sample+SciREX": growth(docs[: len(sources)], (25, 50, 100, 200))}
    if extra:
        result["sample+SciREX+SciERC"] = growth(docs, (25, 50, 100, 200, 400))
    return result


def synthetic_stats(batch_docs: Sequence[set[str]]) -> tuple[int, list[tuple[str, float]]]:
    """Distinct concepts and the top-10 paper shares of a synthetic corpus (in order)."""
    df = Counter(k for d in batch_docs for k in d)
    n = max(1, len(batch_docs))
    return len(df), [(k, c / n) for k, c in df.most_common(10)]


def synthetic_docs(n: int, seed: int, sources: list[Paper], index: ConceptIndex,
                   batch: int = 10_000) -> Iterator[set[str]]:
    papers = list(generate(n, seed, sources))
    for start in range(0, n, batch):
        built = concept_batch(papers[start : start + batch], index)
        per: dict[str, set[str]] = defaultdict(set)
        for edge in built.paper_concepts:
            per[edge.paper_id].add(edge.concept_key)
        for paper in papers[start : start + batch]:
            yield per.get(paper.id, set())


def describe_synthetic(n: int, distinct: int, top: list[tuple[str, float]]) -> str:
    shares = ", ".join(f"{k} {s:.1%}" for k, s in top)
    return (f"synthetic corpus, {n:,} papers: {distinct:,} distinct concepts; "
            f"top-10 paper shares: {shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="*")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", action="store_true",
                        help="print real and synthetic concept statistics for each n")
    parser.add_argument("--no-variants", action="store_true")
    args = parser.parse_args()
    if not args.stats:
        for n in args.n:
            for paper in generate(n, args.seed):
                record = {"id": paper.id, "title": paper.title, "abstract": paper.abstract}
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    sources = source_papers()
    for name, found in real_growth(sources).items():
        print(found.describe(f"real, {name}"))
    index = index_sources(sources, args.seed, variants=not args.no_variants)
    sizes = sorted(args.n) or [len(sources), 10_000, 100_000]
    docs = list(synthetic_docs(max(sizes), args.seed, sources, index))
    for n in sizes:
        print(describe_synthetic(n, *synthetic_stats(docs[:n])))
    fit = growth(docs[: min(len(docs), 20_000)], (300, 1000, 3000, 10_000), orders=3)
    print(f"synthetic Heaps fit (first {fit.papers:,} papers, shuffled): V = {fit.k:.2f} "
          f"N^{fit.beta:.3f}")


if __name__ == "__main__":
    main()
