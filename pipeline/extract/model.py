"""The trained extractor alone (registered as ``"model"``): the shipped spaCy NER, no rules.

``ModelExtractor`` runs the shipped model ``pipeline/models/sci_ner`` (the rules' tokenizer and
sentencizer plus an NER trained by ``pipeline.quality.training``) over titles and abstracts with
``nlp.pipe``. Its entities (METHOD, DATASET, TASK, METRIC; DATASET only, never BENCHMARK) are
trimmed of a dangling bracket, edge punctuation, articles, citation keys and a leading
third-person verb, and "long form (ACR)" becomes two spans, as in SciREX; one-word spans of
``GENERIC_TERMS`` are dropped. It is there to measure what the rules add; ``hybrid.py`` builds
paperkg's default extractor on top of it.

The model loads with plain ``spacy.load``: its tokenizer, ``paperkg.tokenizer.v1`` in its
``config.cfg``, is ``tokenizer.py``'s, which spaCy finds through paperkg's entry point.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.blas import use_blas_ops
from pipeline.extract.lexicon import VERBISH
from pipeline.extract.spans import Candidate, to_mentions, token_table
from schemas.model import ConceptType, Paper, PaperExtraction

__all__ = ["DEFAULT_PROCESSES", "GENERIC_TERMS", "MODEL_DIR", "ModelExtractor", "load_model"]

# pipeline/models/, the package data `paperkg train --output pipeline/models/sci_ner` writes
MODEL_DIR = Path(__file__).parents[1] / "models" / "sci_ner"

_METHODS = multiprocessing.get_all_start_methods()
# Both cores of the target machine; one process where fork is not available. Workers are
# forked only for inputs longer than one batch (``paperkg extract`` on a big file), never for
# the 64-paper batches of ``paperkg run``'s Prefect tasks.
DEFAULT_PROCESSES = min(2, os.cpu_count() or 1) if "fork" in _METHODS else 1
_WORKER: ModelExtractor | None = None  # the extractor a forked worker inherits


def _work(chunk: list[Paper]) -> list[PaperExtraction]:
    assert _WORKER is not None
    return list(_WORKER._extract(chunk))


def load_model(path: str | Path = MODEL_DIR) -> Language:
    """The shipped pipeline (tokenizer, sentencizer, NER), loaded from disk only, its matrix
    products on NumPy's BLAS (``blas.py``)."""
    if not (Path(path) / "config.cfg").exists():
        raise FileNotFoundError(
            f"{path}: no trained model; build it with `paperkg train --output {path}`"
        )
    return use_blas_ops(spacy.load(path))


class ModelExtractor:
    """The trained NER alone."""

    name = "model"

    def __init__(
        self,
        model: str | Path = MODEL_DIR,
        batch_size: int = 128,
        n_process: int = DEFAULT_PROCESSES,
    ) -> None:
        self.nlp = load_model(model)
        self.batch_size = batch_size
        self.n_process = n_process

    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        """Papers in order. Up to ``batch_size`` papers run in this process; a longer input is
        split into chunks of ``batch_size`` papers that ``n_process`` forked workers extract
        whole (NER and rules), so both stages use every core."""
        it = iter(papers)
        first = list(islice(it, self.batch_size))
        if self.n_process <= 1 or len(first) < self.batch_size or "fork" not in _METHODS:
            yield from self._extract(first)
            yield from self._extract(it)
            return
        yield from self._parallel(chain([first], iter(lambda: list(islice(it, self.batch_size)),
                                                      [])))

    def _extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        pending: deque[Paper] = deque()

        def texts() -> Iterator[str]:
            for paper in papers:
                pending.append(paper)
                yield paper.title
                yield paper.abstract

        docs = self.nlp.pipe(texts(), batch_size=self.batch_size)
        for title in docs:
            pair = (title, next(docs))
            mentions = tuple(to_mentions(pair, self._spans(pair)))
            yield PaperExtraction(paper=pending.popleft(), mentions=mentions)

    def _parallel(self, chunks: Iterator[list[Paper]]) -> Iterator[PaperExtraction]:
        global _WORKER
        _WORKER = self  # inherited by the forked workers, never pickled
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(self.n_process, mp_context=context) as pool:
            window: deque[Future[list[PaperExtraction]]] = deque()
            for chunk in chunks:
                window.append(pool.submit(_work, chunk))
                if len(window) > 2 * self.n_process:
                    yield from window.popleft().result()
            while window:
                yield from window.popleft().result()

    def _spans(self, docs: tuple[Doc, Doc]) -> list[Candidate]:
        out = []
        for di, doc in enumerate(docs):
            for e in doc.ents:
                bounds = _clean(doc, e.start, e.end)
                if bounds is None:
                    continue
                label = ConceptType(e.label_)
                for start, end in _split_acronym(doc, *bounds):
                    if end - start == 1 and doc[start].lower_ in GENERIC_TERMS:
                        continue
                    out.append(Candidate(di, start, end, label, tier=0))
        return out


_EDGE_WORDS = frozenset({"the", "a", "an", "our", "this", "these", "its", "their"})
# One-word spans the NER learned from SciREX/SciERC's annotation style that name no concept a
# reader would put on a map ("training", "feedback", "quality"); dropped wherever they stand alone.
GENERIC_TERMS = frozenset({
    "approach", "approaches", "algorithm", "algorithms", "architecture", "baseline",
    "baselines", "complexity", "data", "demonstrator", "downstream", "evaluation",
    "experiment", "experiments", "feedback", "framework", "hinder", "inference", "learning",
    "method", "methods", "metric", "metrics", "mitigating", "model", "models", "module",
    "performance", "pipeline", "practicality", "procedure", "processing", "quality", "results",
    "seed", "solution", "specificity", "speed", "strategy", "system", "systems", "task",
    "tasks", "technique", "techniques", "testing", "training", "understanding",
})


# A LaTeX citation key left in the text by the PDF conversion ("BERT bert2018",
# "daume05learning"): author + year (+ title word); it names a reference, never a concept.
_CITATION_KEY = re.compile(r"[a-z]{3,}(?:(?:19|20)\d{2}[a-z]*|\d{2}[a-z]{3,})")


def _clean(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Token bounds of an NER span without a dangling bracket, edge punctuation, articles or
    citation keys: "Wild (SFEW 2.0" -> "SFEW 2.0", "BERT bert2018" -> "BERT"; None when nothing
    is left."""
    tokens = token_table(doc)
    texts = tokens.text[start:end]
    opened = [i for i, t in enumerate(texts) if t in ("(", "[")]
    closed = [i for i, t in enumerate(texts) if t in (")", "]")]
    if len(opened) != len(closed):
        if opened and (not closed or opened[-1] > closed[-1]):
            cut = start + opened[-1]
            start, end = (cut + 1, end) if cut + 1 < end else (start, cut)
        elif closed:
            end = start + closed[0]
    if ":" in tokens.text[start + 1 : end - 1]:
        return None  # "Embers of Autoregression: Understanding ..." is a title, not a term
    while start < end and (tokens.is_punct[start] or tokens.lower[start] in _EDGE_WORDS
                           or _finite_verb(tokens.lower[start])):
        start += 1
    while end > start and (
        (tokens.is_punct[end - 1] and tokens.text[end - 1] not in (")", "]"))
        or _CITATION_KEY.fullmatch(tokens.text[end - 1])
    ):
        end -= 1
    return (start, end) if end > start else None


def _finite_verb(word: str) -> bool:
    """A third-person verb of the rules' verb list: "generates", "outperforms" (a span the NER
    starts there began a clause, not a term)."""
    return any(word.endswith(suffix) and word[: -len(suffix)] in VERBISH
               for suffix in ("es", "s"))


def _split_acronym(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """"multilayer perceptron (MLP)" -> "multilayer perceptron", "MLP": SciREX, like the rules'
    acronym definitions, makes the long form and its acronym two mentions."""
    if end - start > 3 and doc[end - 1].text == ")" and doc[end - 3].text == "(":
        return [(start, end - 3), (end - 2, end - 1)]
    return [(start, end)]
