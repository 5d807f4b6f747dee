"""Phrases other papers also name: the evidence that a lower-case phrase is a concept.

The annotation guide defines a concept as "a specific thing of research that other papers could
also name". For a name (GPT-4, WebArena, Cupid) the shape is evidence enough; for a lower-case
phrase it is not: "video generation" and "code completion" are concepts, "sequential
environmental feedback" and "discrete nature of EF interaction" are one paper's description.
The difference shows across papers, so the model folder ships a table of the concept keys of
lower-case phrases that the mention extractor found in at least ``MIN_PAPERS`` papers of a
reference corpus (the 40,717 arXiv abstracts of 2025, the modern evaluation set's papers left
out), built by ``paperkg train`` (``pipeline.quality.training.phrases``). The precision filter
drops a lower-case phrase whose key is not in it.

The table is a gzipped text file, one key per line, loaded from disk only. A model folder without
one (an older model) switches the check off.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

__all__ = ["MIN_PAPERS", "PHRASES_FILE", "is_descriptive", "load_phrases", "write_phrases"]

PHRASES_FILE = "phrases.txt.gz"
MIN_PAPERS = 2


def is_descriptive(text: str) -> bool:
    """A phrase with no capital letter or digit after its first character: what the table
    judges ("sequential task execution"); names ("GPT-4", "Gaussian Splatting") never are."""
    return not any(ch.isupper() or ch.isdigit() for ch in text[1:]) and not text[:1].isdigit()


@cache
def load_phrases(model_dir: Path) -> frozenset[str] | None:
    """The model folder's phrase keys, or None when it ships no table."""
    path = Path(model_dir) / PHRASES_FILE
    if not path.is_file():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.rstrip("\n") for line in handle if line.strip())


def write_phrases(model_dir: Path, keys: set[str]) -> Path:
    """Write the table (sorted, and with a fixed gzip mtime, so a rebuild is byte-identical)."""
    path = Path(model_dir) / PHRASES_FILE
    data = "".join(f"{key}\n" for key in sorted(keys)).encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(data)
    return path
