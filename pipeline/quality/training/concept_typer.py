"""Fit the learned concept typer (``pipeline.extract.concept_typer``).

- **Examples**: the concepts the hybrid keeps (the filter on, the typer off) in the papers of
  the modern filter pools (1,939 2025 abstracts annotated per the guide; see
  ``pipeline.quality.training.concept_filter``) that name a gold concept, labelled with that
  concept's type (DATASET and BENCHMARK as one; where a concept names gold concepts of two
  types, the one it already has wins). Concepts the typer does not judge are no examples.
  The pool's papers are in the phrase table's corpus, so their phrase counts are read with
  the paper itself taken off, as for the filter.
- **Vocabulary**: the lexical features (``lexical_features``) of at least ``MIN_COUNT``
  examples; rarer ones would only memorise the pools.
- **Fit**: multinomial logistic regression with an L2 penalty, full-batch Adam for a fixed
  number of steps (numpy; with four labels' weights, Newton's Hessian would be sixteen times
  the filter's).
  Five-fold cross-validation over the pools' papers (both learned steps fitted on four
  fifths, the fifth scored) chose the step: typed P / R 0.722 / 0.634 -> 0.735 / 0.645 on
  papers neither step saw; see ``docs/extraction-quality.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline.extract.concept_filter import lexical_features
from pipeline.extract.concept_typer import (
    LABELS,
    TYPER_FILE,
    ConceptTyper,
    judged_concepts,
    label_of_type,
)
from pipeline.quality.concept_eval import ConceptDoc, fold, label_of, load_concept_gold
from pipeline.quality.training.concept_filter import MIN_COUNT, design
from pipeline.quality.training.pool_names import spans_as_unseen

if TYPE_CHECKING:
    from pipeline.extract.hybrid import HybridExtractor

__all__ = ["Example", "fit_softmax", "fit_typer", "labelled_examples", "train_concept_typer"]

L2 = 1.0
STEPS = 400
LEARNING_RATE = 0.05
_LABEL_VALUES = [t.value for t in LABELS]

Example = tuple[list[float], frozenset[str], int]  # dense vector, lexical features, gold label


def labelled_examples(extractor: HybridExtractor, docs: Sequence[ConceptDoc],
                      own_paper_counted: bool) -> tuple[list[Example], int]:
    """The examples of ``docs`` and how many of them the hybrid types wrong today."""
    counts = extractor.phrase_counts
    examples: list[Example] = []
    wrong = 0
    for doc in docs:
        pair = tuple(extractor.nlp.pipe([doc.title, doc.abstract]))
        cands = (spans_as_unseen(extractor, pair, doc) if own_paper_counted
                 else extractor._spans(pair))
        for _, group, vector in judged_concepts(pair, cands, counts, own_paper_counted):
            surfaces = {fold(pair[c.doc_index][c.start : c.end].text) for c in group}
            labels = [label_of(g.type) for g in doc.concepts if surfaces & g.keys]
            if not labels:
                continue
            current = label_of_type(group[0].type).value  # type: ignore[arg-type]
            gold = current if current in labels else labels[0]
            wrong += gold != current
            examples.append((vector, lexical_features(pair, group), _LABEL_VALUES.index(gold)))
    return examples, wrong


def fit_softmax(x: np.ndarray, y: np.ndarray, n_labels: int, l2: float = L2,
                steps: int = STEPS, learning_rate: float = LEARNING_RATE) -> np.ndarray:
    """Weights (features + 1 bias row) x labels of an L2-regularised softmax regression."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    onehot = np.eye(n_labels)[y]
    w = np.zeros((d + 1, n_labels))
    penalty = np.full((d + 1, 1), l2)
    penalty[-1] = 0.0  # the bias is not regularised
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t in range(1, steps + 1):
        z = design @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        gradient = (design.T @ (p - onehot) + penalty * w) / n
        m = 0.9 * m + 0.1 * gradient
        v = 0.999 * v + 0.001 * gradient * gradient
        w -= learning_rate * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def fit_typer(examples: Sequence[Example], min_count: int = MIN_COUNT) -> ConceptTyper:
    """A typer fitted on ``examples``, its vocabulary the lexical features of ``min_count``+."""
    x, vocabulary = design([vector for vector, _, _ in examples],
                           [lexical for _, lexical, _ in examples], min_count)
    y = np.asarray([label for _, _, label in examples])
    w = np.round(fit_softmax(x, y, len(LABELS)), 5)
    dense = x.shape[1] - len(vocabulary)
    return ConceptTyper(
        tuple(tuple(float(a) for a in row) for row in w[:dense]),
        {name: tuple(float(a) for a in w[dense + j]) for j, name in enumerate(vocabulary)},
        tuple(float(a) for a in w[-1]),
    )


def train_concept_typer(extractor: HybridExtractor, model_dir: Path,
                        pools: Sequence[Path] | None = None,
                        log: Callable[[str], object] = print) -> ConceptTyper:
    """Fit on the pools (default: the two filter pools) with the extractor's filter on; write
    ``TYPER_FILE`` and switch the extractor's typer on."""
    from pipeline.quality.modern_set import FILTER_POOL2_PATH, FILTER_POOL_PATH

    pools = pools or (FILTER_POOL_PATH, FILTER_POOL2_PATH)
    extractor.concept_typer = None
    docs = [doc for pool in pools for doc in load_concept_gold(pool, "all")]
    examples, wrong = labelled_examples(extractor, docs, own_paper_counted=True)
    if not examples:
        raise ValueError("no concept of the pools names a gold concept: nothing to fit")
    typer = fit_typer(examples)
    log(f"concept typer: {len(examples)} examples from {len(docs)} papers ({wrong} typed "
        f"otherwise by the NER and rules), {len(typer.lexical)} lexical features")
    (Path(model_dir) / TYPER_FILE).write_text(typer.to_json(), encoding="utf-8")
    extractor.concept_typer = typer
    return typer
