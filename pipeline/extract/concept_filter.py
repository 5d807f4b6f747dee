"""The learned concept filter: the hybrid's last step, a logistic regression over a paper's
concepts that drops the ones a reader would not list.

The precision filter (``precision.py``) applies word lists; what it keeps still holds
descriptive phrases a reader would not pick ("iterative denoising", "data retrieval") and
names of the wrong kind. Whether a span is a concept depends on many weak signals at once —
how many other papers name the phrase, whether it is a name, whether the NER, the rules or
both found it, how often and where the paper uses it, its head word, the words around it —
so a linear model weighs them, learnt from abstracts annotated per
``../shared/docs/annotation-guide.md`` (the filter pools ``pipeline/quality/data/
modern-2025-filter*.jsonl``, fitted by ``paperkg train``; see
``pipeline.quality.training.concept_filter``).

The unit is a concept of one paper: the candidates with one concept key. ``features`` gives
each its feature vector (``FEATURES`` names the columns) and ``lexical_features`` its sparse
word features (the first and last word, the last word's ending, the words before and after
each mention, the surface shape), weighted only when the training pools had them often
enough to learn from; ``ConceptFilter.keep`` drops every
candidate of a concept whose probability of being a gold concept of its type is below the
threshold chosen on the modern dev half and tuning pool. The weights ship in the model folder
(``concept_filter.json``); a folder without the file switches the step off.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from spacy.tokens import Doc

from pipeline.extract.lexicon import (
    KNOWN,
    METHOD_GENERIC_HEADS,
    METHOD_STRONG_HEADS,
    METRIC_HEADS,
    TASK_HEADS,
)
from pipeline.extract.phrases import is_descriptive
from pipeline.extract.pool_names import DOUBT_PREFIX
from pipeline.extract.rules import KNOWN_NAME_STRENGTH, name_shaped
from pipeline.extract.spans import Candidate, is_cued_data_name, token_table
from schemas.keys import concept_key
from schemas.model import ConceptType

__all__ = ["FEATURES", "FILTER_FILE", "ConceptFilter", "Row", "features", "lexical_features",
           "not_judged", "with_bracketed_partners"]

FILTER_FILE = "concept_filter.json"
_TYPES = (ConceptType.METHOD, ConceptType.DATASET, ConceptType.BENCHMARK, ConceptType.TASK,
          ConceptType.METRIC)
FEATURES: tuple[str, ...] = (
    *(f"type={t.value}" for t in _TYPES),
    "found by the NER", "found by the rules as a name", "an acronym's long form",
    "type evidence strength", "on the short lists", "has a name-shaped token",
    "descriptive (no capital or digit inside)", "Title Case words", "one token", "two tokens",
    "three or more tokens", "other papers naming it (log)",
    "mentions in the paper (log)", "in the title", "first mention's position",
    "beside an acronym in brackets", "head: task word", "head: strong method word",
    "head: generic method word", "head: metric word", "last word ends in -ing",
    "an acronym (capitals, six letters at most)", "has a digit",
)


# one concept of a paper: its key, its candidates and its ``features`` vector
Row = tuple[str, list[Candidate], list[float]]


def _head_flags(last: str) -> list[float]:
    return [float(last in TASK_HEADS), float(last in METHOD_STRONG_HEADS),
            float(last in METHOD_GENERIC_HEADS), float(last in METRIC_HEADS)]


def features(docs: tuple[Doc, Doc], cands: Sequence[Candidate], counts: Mapping[str, int],
             own_paper_counted: bool = False) -> list[Row]:
    """(concept key, its candidates, its feature vector) per concept of one paper.

    ``own_paper_counted``: the paper is itself in the phrase table's corpus (training), so a
    phrase's count includes this paper; one is taken off to read "other papers".
    """
    groups: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.type is None:
            continue
        key = concept_key(token_table(docs[c.doc_index]).span_text(c.start, c.end))
        groups.setdefault(key, []).append(c)
    n_abstract = max(1, len(docs[1]))
    out = []
    for key, group in groups.items():
        tables = [token_table(docs[c.doc_index]) for c in group]
        surfaces = [t.span_text(c.start, c.end) for t, c in zip(tables, group, strict=True)]
        words = [w for c, t in zip(group, tables, strict=True) for w in t.text[c.start : c.end]]
        first = group[0]
        ctype = first.type
        n_tokens = first.end - first.start
        descriptive = all(is_descriptive(s) for s in surfaces)
        papers = counts.get(key, 0) - (1 if own_paper_counted and key in counts else 0)
        last = tables[0].lower[first.end - 1]
        bracketed = False
        for c, t in zip(group, tables, strict=True):
            before = t.text[c.start - 1] if c.start > 0 else ""
            after = t.text[c.end] if c.end < len(t.text) else ""
            bracketed = bracketed or before == "(" or after == "("
        abstract_starts = [c.start for c in group if c.doc_index == 1]
        surface = surfaces[0]
        vector = [
            *(float(ctype is t) for t in _TYPES),
            float(any(c.tier == 0 for c in group)),
            float(any(c.is_name and c.tier >= 2 for c in group)),
            float(any(c.tier == 3 for c in group)),
            max(c.strength for c in group) / 7,
            float(key in KNOWN),
            float(any(name_shaped(w) for w in words)),
            float(descriptive),
            float(n_tokens > 1 and all(w[:1].isupper() for w in surface.split())),
            float(n_tokens == 1), float(n_tokens == 2), float(n_tokens >= 3),
            math.log1p(max(papers, 0)) / 5 if descriptive else 0.0,
            math.log1p(len(group)),
            float(any(c.doc_index == 0 for c in group)),
            min(abstract_starts) / n_abstract if abstract_starts else 0.0,
            float(bracketed),
            *_head_flags(last),
            float(last.endswith("ing")),
            float(surface.isupper() and len(surface) <= 6),
            float(any(ch.isdigit() for ch in surface)),
        ]
        out.append((key, group, vector))
    return out


def _shape(text: str) -> str:
    """"Qwen2.5-VL" -> "Xxd.d-X": character classes, runs collapsed, eight at most."""
    classes = ["X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
               for ch in text]
    return "".join(ch for i, ch in enumerate(classes) if i == 0 or ch != classes[i - 1])[:8]


def lexical_features(docs: tuple[Doc, Doc], group: Sequence[Candidate]) -> frozenset[str]:
    """The sparse features of one concept (its candidates ``group``, first mention first)."""
    first = group[0]
    table = token_table(docs[first.doc_index])
    words = table.lower[first.start : first.end]
    found = {f"last={words[-1]}", f"ending={words[-1][-3:]}",
             f"shape={_shape(table.span_text(first.start, first.end))}"}
    if len(words) > 1:
        found.add(f"first={words[0]}")
    for c in group:
        lower = token_table(docs[c.doc_index]).lower
        found.add(f"before={lower[c.start - 1] if c.start > 0 else '<start>'}")
        found.add(f"after={lower[c.end] if c.end < len(lower) else '<end>'}")
        found.add(f"two before={' '.join(lower[max(0, c.start - 2) : c.start])}")
    if all(c.doubt for c in group):
        # what the precision filter would have dropped it for ("doubt=generic word")
        found.update(f"doubt={c.doubt}" for c in group)
    return frozenset(found)


def not_judged(c: Candidate) -> bool:
    """A candidate whose concept the learned steps leave alone: a name the paper's words call
    data, a name the short lists know, a phrase of the metric list."""
    return not c.doubt and (
        is_cued_data_name(c) or (c.is_name and c.strength >= KNOWN_NAME_STRENGTH)
        or (c.type is ConceptType.METRIC and c.tier >= 2 and not c.is_name))


def with_bracketed_partners(docs: tuple[Doc, Doc], cands: Sequence[Candidate],
                            rows: Sequence[tuple[str, list[Candidate], list[float]]],
                            keys: set[str]) -> set[str]:
    """``keys`` (concept keys of ``rows``, the ``features`` of ``cands``) with the partner of each
    "long form (ACR)" pair one of them is in: the two name one concept, so a step that leaves
    one alone leaves both ("Real-World Affective Faces (RAF) Database": RAF is cued data)."""
    key_of = {id(c): key for key, group, _ in rows for c in group}
    starts = {(c.doc_index, c.start): c for c in cands if id(c) in key_of}
    out = set(keys)
    for c in cands:
        after = starts.get((c.doc_index, c.end + 1))
        if (after is None or id(c) not in key_of
                or token_table(docs[c.doc_index]).text[c.end] != "("):
            continue
        pair = {key_of[id(c)], key_of[id(after)]}
        if pair & out:
            out |= pair
    return out


@dataclass(frozen=True)
class ConceptFilter:
    """Logistic-regression weights over ``FEATURES`` and the lexical features, and the keep
    threshold."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    lexical: Mapping[str, float] = field(default_factory=dict)

    @cached_property
    def judges_doubts(self) -> bool:
        """Trained on the spans the precision filter doubts (``precision.DOUBTFUL``): the hybrid
        hands them over only to a filter that has learnt what the doubt is worth."""
        return any(name.startswith("doubt=") for name in self.lexical)

    @cached_property
    def judges_pool_names(self) -> bool:
        """Trained on the pool names' candidates (``pool_names``): the hybrid proposes them only
        to a filter that has learnt what their doubts are worth."""
        return any(name.startswith(f"doubt={DOUBT_PREFIX} ") for name in self.lexical)

    def probability(self, vector: Sequence[float], lexical: Iterable[str] = ()) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, vector, strict=True))
        z += sum(self.lexical.get(name, 0.0) for name in lexical)
        return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))

    def keep(self, docs: tuple[Doc, Doc], cands: Sequence[Candidate],
             counts: Mapping[str, int]) -> list[Candidate]:
        """The candidates of the concepts scored at or above the threshold, in input order.
        The filter judges descriptions: a name the paper's words call data, a name the short
        lists know and a phrase of the metric list ("area under the curve") are kept, and so
        is the long form or acronym beside one of them in a "long form (ACR)" pair."""
        return self.judge(docs, cands, counts)[0]

    def judge(self, docs: tuple[Doc, Doc], cands: Sequence[Candidate], counts: Mapping[str, int]
              ) -> tuple[list[Candidate], list[Row]]:
        """``keep``, and the ``features`` rows of the concepts kept (the typer reads them)."""
        dropped: set[int] = set()
        rows = features(docs, cands, counts)
        spared = with_bracketed_partners(
            docs, cands, rows, {key for key, group, _ in rows if any(not_judged(c) for c in group)})
        kept_rows = []
        for key, group, vector in rows:
            if key not in spared and (
                    self.probability(vector, lexical_features(docs, group)) < self.threshold):
                dropped.update(id(c) for c in group)
            else:
                kept_rows.append((key, group, vector))
        return [c for c in cands if id(c) not in dropped], kept_rows

    def to_json(self) -> str:
        return json.dumps({"features": list(FEATURES), "weights": list(self.weights),
                           "bias": self.bias, "threshold": self.threshold,
                           "lexical": dict(sorted(self.lexical.items()))}, indent=1) + "\n"

    @classmethod
    def load(cls, model_dir: Path) -> ConceptFilter | None:
        """The model folder's filter, or None when it has none (or one for other features)."""
        path = Path(model_dir) / FILTER_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != FEATURES:
            return None  # weights for another feature list would score nonsense
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]),
                   float(data["threshold"]),
                   {name: float(w) for name, w in data.get("lexical", {}).items()})
