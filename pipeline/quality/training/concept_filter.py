"""Train the learned concept filter (``pipeline.extract.concept_filter``) and choose its threshold.

- **Examples**: the concepts the hybrid keeps (the filter off) in the papers of the modern
  filter pools (``pipeline/quality/data/modern-2025-filter.jsonl`` and
  ``modern-2025-filter2.jsonl``: 1,939 2025 abstracts annotated per the guide, picked like the
  evaluation set with later seeds and none of its papers, nor the NER's training pool; see
  ``pipeline.quality.modern_set``).
  A concept is a positive when one of its surface forms names a gold concept of the same type
  (DATASET and BENCHMARK as one, as the scoring counts them), a negative when it names none;
  one that names only an ``acceptable`` entry is no example. The pool's papers are in the
  phrase table's corpus, so their phrase counts are read with the paper itself taken off.
- **Features**: ``FEATURES`` and the lexical features (``lexical_features``) that at least
  ``MIN_COUNT`` examples have; rarer ones would only memorise the pools.
- **Fit**: L2-regularised logistic regression by Newton's method (numpy; a few thousand
  columns).
- **Threshold**: searched over a grid on the modern set's dev half and the tuning pool together
  (199 papers; never the test half): the lowest threshold whose typed F1 is within ``F1_TIE``
  of the best. F1 is flat over a wide range of thresholds (precision bought with recall one
  for one), and on unseen papers recall has been the scarcer of the two, so a tie goes to the
  threshold that drops less. The dev half alone (40 papers) proved too small for this: with
  one NER its curve was so flat that the tie rule switched the filter off, which cost the
  tuning pool 0.11 precision for 0.05 recall.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
from spacy.tokens import Doc

from pipeline.extract.concept_filter import (
    FEATURES,
    FILTER_FILE,
    ConceptFilter,
    features,
    lexical_features,
)
from pipeline.extract.phrases import is_descriptive
from pipeline.extract.precision import ONE_PAPER
from pipeline.extract.spans import Candidate, to_mentions
from pipeline.quality.concept_eval import (
    ConceptDoc,
    ConceptReport,
    fold,
    graph_concepts,
    label_of,
    load_concept_gold,
    score_concepts,
)
from pipeline.quality.training.pool_names import spans_as_unseen
from schemas.model import Paper, PaperExtraction

if TYPE_CHECKING:
    from pipeline.extract.hybrid import HybridExtractor

__all__ = ["Examples", "design", "fit", "labelled_examples", "train_concept_filter"]

L2 = 1.0
MIN_COUNT = 3
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 15))
F1_TIE = 0.005


@dataclass
class Examples:
    """Labelled concepts: their ``FEATURES`` vectors, lexical features and labels."""

    vectors: list[list[float]] = field(default_factory=list)
    lexical: list[frozenset[str]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)


def design(vectors: Sequence[Sequence[float]], lexical: Sequence[frozenset[str]],
           min_count: int = MIN_COUNT) -> tuple[np.ndarray, list[str]]:
    """The design matrix (the vectors, then one 0/1 column per lexical feature that at least
    ``min_count`` examples have) and the names of those columns."""
    seen = Counter(name for names in lexical for name in names)
    vocabulary = sorted(name for name, n in seen.items() if n >= min_count)
    column = {name: j for j, name in enumerate(vocabulary)}
    dense = len(vectors[0]) if len(vectors) else len(FEATURES)
    x = np.zeros((len(vectors), dense + len(vocabulary)))
    for i, (vector, names) in enumerate(zip(vectors, lexical, strict=True)):
        x[i, :dense] = vector
        for name in names:
            if (j := column.get(name)) is not None:
                x[i, dense + j] = 1.0
    return x, vocabulary


def labelled_examples(extractor: HybridExtractor, docs: Sequence[ConceptDoc],
                      own_paper_counted: bool) -> Examples:
    """The concepts the hybrid (filter off) keeps in ``docs``, labelled 1 when gold."""
    counts = extractor.phrase_counts
    doubts = bool(extractor.doubts)
    examples = Examples()
    for doc in docs:
        pair = tuple(extractor.nlp.pipe([doc.title, doc.abstract]))
        cands = (spans_as_unseen(extractor, pair, doc) if own_paper_counted
                 else extractor._spans(pair))
        acceptable = {fold(a) for a in doc.acceptable}
        for key, group, vector in features(pair, cands, counts, own_paper_counted):
            texts = [pair[c.doc_index][c.start : c.end].text for c in group]
            if (own_paper_counted and all(is_descriptive(t) for t in texts)
                    and counts.get(key, 0) <= 1 and not any(c.doubt for c in group)):
                # only this paper names it: the precision filter drops it elsewhere, or, when
                # it hands such phrases to the filter, doubts it
                if not doubts:
                    continue
                for c in group:
                    c.doubt = ONE_PAPER
            surfaces = {fold(t) for t in texts}
            hits = [g for g in doc.concepts if surfaces & g.keys]
            if not hits and surfaces & acceptable:
                continue
            label = label_of(group[0].type.value)  # type: ignore[union-attr]
            examples.vectors.append(vector)
            examples.lexical.append(lexical_features(pair, group))
            examples.labels.append(int(any(label_of(g.type) == label for g in hits)))
    return examples


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (the bias not regularised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + penalty * w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


class _FilterOff:
    """The hybrid's output with the filter off for a set of papers, made once, so that each
    threshold only re-runs the filter's keep step (what ``HybridExtractor._spans`` does last)."""

    def __init__(self, extractor: HybridExtractor, docs: Sequence[ConceptDoc]) -> None:
        self.docs = docs
        self.counts = extractor.phrase_counts
        self.papers: list[tuple[Paper, tuple[Doc, Doc], list[Candidate]]] = []
        for doc in docs:
            pair = cast("tuple[Doc, Doc]", tuple(extractor.nlp.pipe([doc.title, doc.abstract])))
            paper = Paper(id=doc.id, title=doc.title, abstract=doc.abstract)
            self.papers.append((paper, pair, extractor._spans(pair)))

    def typed_scores(self, concept_filter: ConceptFilter) -> tuple[float, float, float]:
        extractions = [
            PaperExtraction(paper=paper, mentions=tuple(
                to_mentions(pair, concept_filter.keep(pair, cands, self.counts))))
            for paper, pair, cands in self.papers
        ]
        report = score_concepts(self.docs, graph_concepts(extractions),
                                ConceptReport("hybrid", "modern", "all", len(self.docs)))
        s = report.scores["typed"]["ALL"]
        return s.precision, s.recall, s.f1


def train_concept_filter(extractor: HybridExtractor, model_dir: Path,
                         pools: Sequence[Path] | None = None,
                         selection: Sequence[ConceptDoc] | None = None,
                         log: Callable[[str], object] = print,
                         doubts: bool = True, pool_names: bool = True) -> ConceptFilter:
    """Fit on the pools (default: the two filter pools), pick the threshold on ``selection``
    (default: the modern dev half and the tuning pool), write ``FILTER_FILE``.

    ``doubts``: the examples include the spans the precision filter doubts (``refine``), each
    with its reason as a feature, so that the filter judges them in place of the word lists.
    ``pool_names``: the examples include the candidates of the model's pool names
    (``pipeline.extract.pool_names``), each pool paper read with its own names taken off."""
    from pipeline.quality.modern_set import (
        FILTER_POOL2_PATH,
        FILTER_POOL_PATH,
        GOLD_PATH,
        TUNE_POOL_PATH,
    )

    pools = pools or (FILTER_POOL_PATH, FILTER_POOL2_PATH)
    extractor.concept_filter = None
    extractor.concept_typer = None  # fitted after the filter, on what the filter keeps
    extractor.doubts = doubts
    extractor.propose_pool_names = pool_names and extractor.pool_names is not None
    docs = [doc for pool in pools for doc in load_concept_gold(pool, "all")]
    examples = labelled_examples(extractor, docs, own_paper_counted=True)
    x, vocabulary = design(examples.vectors, examples.lexical)
    y = np.asarray(examples.labels, dtype=float)
    fitted, bias = fit(x, y)
    fitted, bias = np.round(fitted, 6), round(bias, 6)
    weights = tuple(float(w) for w in fitted[: len(FEATURES)])
    lexical = {name: float(w) for name, w in zip(vocabulary, fitted[len(FEATURES) :], strict=True)}
    log(f"concept filter: {len(y)} examples from {len(docs)} papers, {int(y.sum())} positive, "
        f"{len(lexical)} lexical features")
    label = "the given papers"
    if selection is None:
        selection = [*load_concept_gold(GOLD_PATH, "dev"), *load_concept_gold(TUNE_POOL_PATH)]
        label = "dev half + tuning pool"
    unfiltered = _FilterOff(extractor, selection)
    curve: list[tuple[float, float]] = []  # (threshold, typed F1 on the selection papers)
    for threshold in (0.0, *THRESHOLDS):
        p, r, f1 = unfiltered.typed_scores(ConceptFilter(weights, bias, threshold, lexical))
        log(f"  threshold {threshold:.2f}: {label} ({len(selection)} papers) "
            f"typed P {p:.3f} R {r:.3f} F1 {f1:.3f}")
        curve.append((threshold, f1))
    best = max(f1 for _, f1 in curve)
    threshold = min(t for t, f1 in curve if f1 >= best - F1_TIE)
    chosen = ConceptFilter(weights, bias, threshold, lexical)
    (Path(model_dir) / FILTER_FILE).write_text(chosen.to_json(), encoding="utf-8")
    extractor.concept_filter = chosen
    extractor.doubts = None  # as the chosen filter was trained
    extractor.propose_pool_names = None
    return chosen
