"""Build a model's phrase table (``pipeline.extract.phrases``) from a reference corpus.

The hybrid extractor of the model, with every precision step but the table itself, runs over
the corpus (the arXiv 2025 abstracts, ``pipeline.quality.modern_set.corpus_path``); each
lower-case phrase it keeps counts once per paper, and every key with its count is written to
the model folder (the extractor keeps those named by ``MIN_PAPERS`` papers or more). The
modern evaluation set's papers are left out, so that its scores say how the table does on
papers it has not seen.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.extract.phrases import MIN_PAPERS, is_descriptive, write_phrases
from schemas.keys import concept_key
from schemas.model import Paper

__all__ = ["PhraseStats", "build_phrases", "evaluation_ids"]

MODERN_SET = Path(__file__).parents[1] / "data" / "modern-2025.jsonl"


@dataclass
class PhraseStats:
    papers: int = 0
    left_out: int = 0
    phrases: int = 0
    kept: int = 0


def evaluation_ids(path: Path = MODERN_SET) -> set[str]:
    """The ids of the modern evaluation set's papers (both halves)."""
    with path.open(encoding="utf-8") as handle:
        return {json.loads(line)["id"] for line in handle if line.strip()}


def build_phrases(
    model_dir: Path,
    corpus: Path,
    progress: Callable[[int], None] | None = None,
    min_papers: int = MIN_PAPERS,
) -> PhraseStats:
    """Count the model's lower-case phrases per paper over ``corpus``; write the table."""
    from pipeline.extract.hybrid import HybridExtractor
    from pipeline.ingest.read import iter_papers

    left_out = evaluation_ids()
    stats = PhraseStats()
    extractor = HybridExtractor(model=model_dir)
    extractor.phrases = None  # what every other step keeps, judged by the table afterwards
    # the learned steps read the table: they are fitted after the table is built
    extractor.concept_filter = None
    extractor.concept_typer = None
    counts: Counter[str] = Counter()

    def papers() -> Iterator[Paper]:
        for chunk in iter_papers([corpus]):
            for paper in chunk.papers:
                if paper.id in left_out:
                    stats.left_out += 1
                    continue
                yield paper

    for extraction in extractor.extract(papers()):
        stats.papers += 1
        counts.update({concept_key(m.text) for m in extraction.mentions
                       if is_descriptive(m.text)})
        if progress is not None and stats.papers % 1000 == 0:
            progress(stats.papers)
    stats.phrases = len(counts)
    stats.kept = sum(1 for n in counts.values() if n >= min_papers)
    write_phrases(model_dir, counts)
    return stats
