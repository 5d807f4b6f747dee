"""The learned concept typer: after the concept filter, one type per concept of a paper, chosen
by a multinomial logistic regression over the filter's features and the words in and around
the concept.

The NER and the rules type each span from its own evidence; a concept whose mentions the NER
calls a TASK may be named "X-Bench" or sit in "evaluated on X", and one the rules call a METHOD
may end in "detection". The typer reads the same per-concept signals as the filter (the NER's
and the rules' types, head-word lists, name shape, the phrase table; ``FEATURES``) plus sparse
lexical ones (``concept_filter.lexical_features``: the first and last word, the last word's
ending, the words just before and after each mention, the surface shape), and picks METHOD,
DATASET, TASK or METRIC. It is fitted by ``paperkg train`` on the concepts the hybrid keeps in
the annotated 2025 pools that name a gold concept, labelled with the gold concept's type
(``pipeline.quality.training.concept_typer``).

A DATASET pick keeps a data concept's own type (DATASET or BENCHMARK); a concept newly typed
as data is a BENCHMARK when "bench" is in its name or the word after it, a DATASET otherwise.
Concepts the filter does not judge either (names the short lists know, names the paper's words
call data, metric-list phrases), concepts the short lists or the paper's data cues typed, and
the long forms of such acronyms (and the reverse) keep their types (``judged_concepts``). The
weights ship in the model folder (``concept_typer.json``); a folder without the file switches
the step off.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc

from pipeline.extract.concept_filter import (
    FEATURES,
    Row,
    features,
    lexical_features,
    not_judged,
    with_bracketed_partners,
)
from pipeline.extract.rules import KNOWN_NAME_STRENGTH
from pipeline.extract.spans import CUE_STRENGTH, Candidate, token_table
from schemas.model import ConceptType

__all__ = ["LABELS", "TYPER_FILE", "ConceptTyper", "judged_concepts", "label_of_type"]

TYPER_FILE = "concept_typer.json"
LABELS: tuple[ConceptType, ...] = (ConceptType.METHOD, ConceptType.DATASET, ConceptType.TASK,
                                   ConceptType.METRIC)
_DATA = (ConceptType.DATASET, ConceptType.BENCHMARK)


def label_of_type(concept_type: ConceptType) -> ConceptType:
    """The typer's label of a type: BENCHMARK is data, as DATASET is."""
    return ConceptType.DATASET if concept_type in _DATA else concept_type


def _typed_by_evidence(group: Sequence[Candidate]) -> bool:
    return any(not_judged(c) or c.strength >= KNOWN_NAME_STRENGTH
               or (c.type in _DATA and c.strength >= CUE_STRENGTH) for c in group)


def judged_concepts(docs: tuple[Doc, Doc], cands: Sequence[Candidate], counts: Mapping[str, int],
                    own_paper_counted: bool = False, rows: Sequence[Row] | None = None
                    ) -> list[Row]:
    """``features`` of the concepts the typer judges. It leaves alone a concept the filter does
    not judge either, one whose type the short lists gave ("WebArena" is a benchmark even in
    the paper that proposes it), one the paper's words call data ("the benchmarks: X, Y and
    Z"), and a long form whose bracketed acronym it leaves alone, or the reverse: "Real-World
    Affective Faces (RAF) Database" is one concept, typed by its cue."""
    # ``rows``: the concept filter's, for these same candidates (computed once per paper)
    rows = features(docs, cands, counts, own_paper_counted) if rows is None else list(rows)
    left_alone = with_bracketed_partners(
        docs, cands, rows, {key for key, group, _ in rows if _typed_by_evidence(group)})
    return [row for row in rows if row[0] not in left_alone]


def _data_type(docs: tuple[Doc, Doc], c: Candidate) -> ConceptType:
    lower = token_table(docs[c.doc_index]).lower
    words = lower[c.start : min(c.end + 1, len(lower))]
    return ConceptType.BENCHMARK if any("bench" in w for w in words) else ConceptType.DATASET


@dataclass(frozen=True)
class ConceptTyper:
    """Per-label weights over ``FEATURES`` and the lexical features, and per-label biases."""

    weights: tuple[tuple[float, ...], ...]  # one row per feature of FEATURES, one column per label
    lexical: Mapping[str, tuple[float, ...]]  # lexical feature -> one weight per label
    bias: tuple[float, ...]

    def scores(self, vector: Sequence[float], lexical: Iterable[str]) -> list[float]:
        """The probability of each of ``LABELS``."""
        z = list(self.bias)
        for x, row in zip(vector, self.weights, strict=True):
            if x:
                z = [a + x * w for a, w in zip(z, row, strict=True)]
        for name in lexical:
            if (row := self.lexical.get(name)) is not None:
                z = [a + w for a, w in zip(z, row, strict=True)]
        top = max(z)
        exp = [math.exp(a - top) for a in z]
        total = sum(exp)
        return [e / total for e in exp]

    def label(self, vector: Sequence[float], lexical: Iterable[str]) -> ConceptType:
        scores = self.scores(vector, lexical)
        return LABELS[scores.index(max(scores))]

    def retype(self, docs: tuple[Doc, Doc], cands: Sequence[Candidate],
               counts: Mapping[str, int], rows: Sequence[Row] | None = None) -> list[Candidate]:
        """``cands`` with each judged concept's candidates set to the type the model picks;
        ``rows``, the ``features`` of ``cands`` when the filter has them already."""
        for _, group, vector in judged_concepts(docs, cands, counts, rows=rows):
            label = self.label(vector, lexical_features(docs, group))
            for c in group:
                if c.type is None or label_of_type(c.type) is label:
                    continue
                c.type = _data_type(docs, c) if label is ConceptType.DATASET else label
        return list(cands)

    def to_json(self) -> str:
        return json.dumps({
            "labels": [t.value for t in LABELS], "features": list(FEATURES),
            "weights": [list(row) for row in self.weights], "bias": list(self.bias),
            "lexical": {name: list(row) for name, row in sorted(self.lexical.items())},
        }, indent=0) + "\n"

    @classmethod
    def load(cls, model_dir: Path) -> ConceptTyper | None:
        """The model folder's typer, or None when it has none (or one for other features)."""
        path = Path(model_dir) / TYPER_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if (tuple(data.get("features", ())) != FEATURES
                or tuple(data.get("labels", ())) != tuple(t.value for t in LABELS)):
            return None  # weights for other columns would score nonsense
        return cls(tuple(tuple(float(w) for w in row) for row in data["weights"]),
                   {name: tuple(float(w) for w in row) for name, row in data["lexical"].items()},
                   tuple(float(b) for b in data["bias"]))
