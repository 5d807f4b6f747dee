"""Extract typed concept mentions (METHOD, DATASET, BENCHMARK, TASK, METRIC) from papers.

The stage sits behind one small interface, ``Extractor``: ``extract(papers)`` yields one
``PaperExtraction`` per paper, in order. ``load_extractor(name)`` builds one from a registry:
``rules`` (the token rules alone, ``rules.py``), ``model`` and ``hybrid`` (the trained NER
alone, and the NER plus the rules and the precision filter: ``model.py``, ``hybrid.py``,
``precision.py``), ``hybrid-mentions`` (the hybrid before its precision filter: mentions in the
SciREX style, generic phrases included); ``DEFAULT_EXTRACTOR`` is what ``paperkg
run``/``extract`` use.

This module is the registry only; it imports the implementations, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from pipeline.extract.hybrid import HybridExtractor
from pipeline.extract.model import ModelExtractor
from pipeline.extract.rules import RuleExtractor
from pipeline.extract.tokenizer import build_nlp
from schemas.model import Paper, PaperExtraction

__all__ = [
    "DEFAULT_EXTRACTOR",
    "EXTRACTORS",
    "Extractor",
    "HybridExtractor",
    "MentionExtractor",
    "ModelExtractor",
    "RuleExtractor",
    "build_nlp",
    "load_extractor",
]


class Extractor(Protocol):
    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]: ...


class MentionExtractor(HybridExtractor):
    """The hybrid without its precision filter: every span in the SciREX annotation style,
    generic technical phrases included ("pooling", "search techniques", "CIFAR-10 dataset").
    SciREX and SciERC score mentions this way; the graph wants concepts (``hybrid``)."""

    name = "hybrid-mentions"
    precision_filter = False


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "rules": RuleExtractor,
    "model": ModelExtractor,  # the trained NER alone
    "hybrid": HybridExtractor,  # the trained NER plus the rules, then the precision filter
    "hybrid-mentions": MentionExtractor,  # the same before the precision filter
}
# What `paperkg run` and `paperkg extract` use: the one place to change it.
DEFAULT_EXTRACTOR = "hybrid"


def load_extractor(name: str = DEFAULT_EXTRACTOR) -> Extractor:
    """The extractor registered under ``name`` (``EXTRACTORS``)."""
    try:
        factory = EXTRACTORS[name]
    except KeyError:
        raise ValueError(f"unknown extractor {name!r}; known: {sorted(EXTRACTORS)}") from None
    return factory()
