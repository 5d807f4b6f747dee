"""Shared test data: the bundled sample as the extraction tests read it (ids s0, s1, ...), the
named datasets and benchmarks a reader sees in it, and a two-entry arXiv Atom feed."""

from __future__ import annotations

from pathlib import Path

from schemas.model import ConceptType, Paper, PaperExtraction

SAMPLE = Path(__file__).resolve().parents[2] / "pipeline" / "samples" / "trending-papers.txt"


def sample_papers() -> list[Paper]:
    """Title paragraph then abstract paragraph, after the page header (short lines)."""
    paras = [p.strip() for p in SAMPLE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    papers, i = [], 0
    while i + 1 < len(paras):
        if len(paras[i]) < 300 and len(paras[i + 1]) >= 300:
            papers.append(Paper(id=f"s{len(papers)}", title=paras[i], abstract=paras[i + 1]))
            i += 2
        else:
            i += 1
    return papers


def types_of(extraction: PaperExtraction, text: str) -> set[ConceptType]:
    return {m.type for m in extraction.mentions if m.text == text}


def by_title(sample: list[PaperExtraction], prefix: str) -> PaperExtraction:
    return next(e for e in sample if e.paper.title.startswith(prefix))


# Named datasets and benchmarks a reader sees in the sample, by the start of their paper's title.
SAMPLE_DATA_NAMES = {
    "Beyond the Imitation Game": ["BIG-bench"],
    "MASTER:": ["HotpotQA", "WebShop"],
    "WebArena:": ["WebArena"],
    "Meta-World:": ["Meta-World"],
    "The Lottery Ticket Hypothesis": ["MNIST", "CIFAR10"],
    "Cross-Task Generalization": ["NATURAL INSTRUCTIONS"],  # whole, though all capitals
    "ALPINE:": ["Blocksworld"],
    "Evaluating Cognitive Maps": ["CogEval"],
    "MyoDex:": ["MyoHand", "Adroit Hand"],
    "Large Language Models are Fixated": ["Only Connect Wall"],
    "Dynamic Slate Recommendation": ["FINN.no"],  # the marketplace's public dataset
}
# Names only the trained NER finds (two plain capitalised words): the rules alone miss them.
NER_ONLY_NAMES = {"Adroit Hand"}
# Generic phrases, fragments and split names that are no concept (issue 13): none is a mention
SAMPLE_JUNK = [
    "sampling", "generalization", "pre-trained model", "AI system", "model size",
    "sized model", "eleven task", "expanding", "ImageNet dataset", "ImageNet test set",
    "downstream task", "robustness", "efficiency", "generation", "quantify SFC",
    "N=120", "Symbolic Knowledge Distillation of West et",
]


ATOM_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query=all:agents" rel="self"/>
  <title type="html">ArXiv Query: search_query=all:agents</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2024-03-11T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">2</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/2303.11366v2</id>
    <updated>2023-06-10T04:32:30Z</updated>
    <published>2023-03-20T17:59:58Z</published>
    <title>Reflexion: Language Agents with Verbal Reinforcement
  Learning</title>
    <summary>  Large language models (LLMs) have been increasingly used to interact with
external environments as goal-driven agents.
</summary>
    <author>
      <name>Noah Shinn</name>
    </author>
    <author>
      <name>Federico Cassano</name>
    </author>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">v2 adds results</arxiv:comment>
    <link href="http://arxiv.org/abs/2303.11366v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2303.11366v2" rel="related"
          type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/1706.03762v7</id>
    <updated>2023-08-02T00:41:18Z</updated>
    <published>2017-06-12T17:57:34Z</published>
    <title>Attention Is All You Need</title>
    <summary>The dominant sequence transduction models are based on complex recurrent
networks.</summary>
    <author>
      <name>Ashish Vaswani</name>
    </author>
    <link title="pdf" href="https://arxiv.org/pdf/1706.03762v7" rel="related"/>
    <link href="https://arxiv.org/abs/1706.03762v7" rel="alternate" type="text/html"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""
