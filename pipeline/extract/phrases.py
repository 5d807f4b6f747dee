"""Phrases other papers also name: the evidence that a lower-case phrase is a concept.

The annotation guide defines a concept as "a specific thing of research that other papers could
also name". For a name (GPT-4, WebArena, Cupid) the shape is evidence enough; for a lower-case
phrase it is not: "video generation" and "code completion" are concepts, "sequential
environmental feedback" and "discrete nature of EF interaction" are one paper's description.
The difference shows across papers, so the model folder ships a table of the concept keys of
the lower-case phrases the hybrid keeps in the papers of a reference corpus (the arXiv
abstracts of 2025, the modern evaluation set's papers left out), with the number of papers
naming each, built by ``paperkg train`` (``pipeline.quality.training.phrases``). The precision
filter drops a lower-case phrase named by fewer than ``MIN_PAPERS`` of them.

The table is a gzipped text file, one ``key<TAB>papers`` line per phrase named by at least one
paper, loaded from disk only; the threshold is applied when it is loaded. A model folder without
one (an older model) switches the check off.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from functools import cache
from pathlib import Path

__all__ = ["MIN_PAPERS", "PHRASES_FILE", "forget_loaded_tables", "is_descriptive",
           "load_phrase_counts", "load_phrases", "write_phrases"]

PHRASES_FILE = "phrases.txt.gz"
MIN_PAPERS = 1  # dev: 1 -> typed P 0.741 R 0.762; 2 -> 0.742 0.740; 5 -> 0.761 0.731


def is_descriptive(text: str) -> bool:
    """A phrase with no capital letter or digit after its first character: what the table
    judges ("sequential task execution"); names ("GPT-4", "Gaussian Splatting") never are."""
    return not any(ch.isupper() or ch.isdigit() for ch in text[1:]) and not text[:1].isdigit()


@cache
def load_phrase_counts(model_dir: Path) -> Mapping[str, int] | None:
    """The model folder's table, phrase key -> papers naming it, or None when it ships none."""
    path = Path(model_dir) / PHRASES_FILE
    if not path.is_file():
        return None
    counts: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            key, _, papers = line.rstrip("\n").rpartition("\t")
            if key:
                counts[key] = int(papers)
    return counts


@cache
def load_phrases(model_dir: Path, min_papers: int = MIN_PAPERS) -> frozenset[str] | None:
    """The keys of the model folder's phrases named by ``min_papers`` papers or more, or None
    when it ships no table."""
    counts = load_phrase_counts(Path(model_dir))
    if counts is None:
        return None
    return frozenset(key for key, papers in counts.items() if papers >= min_papers)


def forget_loaded_tables() -> None:
    """Drop the tables loaded so far (a table on disk was rewritten)."""
    load_phrase_counts.cache_clear()
    load_phrases.cache_clear()


def write_phrases(model_dir: Path, papers: Mapping[str, int]) -> Path:
    """Write the table, phrase key -> papers naming it (sorted, and with a fixed gzip mtime, so
    a rebuild is byte-identical)."""
    path = Path(model_dir) / PHRASES_FILE
    data = "".join(f"{key}\t{n}\n" for key, n in sorted(papers.items())).encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(data)
    return path
