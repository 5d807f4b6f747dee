"""Measure extraction against annotated abstracts (SciREX, SciERC): ``paperkg evaluate``.

Gold files are JSON Lines in the formats of ``../shared/data`` (see its README):

- SciREX records (``id``, ``title``, ``abstract``, ``mentions``): gold mentions lie in the
  abstract only, so every extractor reads title and abstract (as in a real run; the title
  helps decide types) and only its abstract mentions are scored.
- SciERC records (``id``, ``text``, ``mentions``): one sentence each, read as an abstract with
  no title.
- concept-list records (``id``, ``split``, ``concepts``, ``acceptable``; the modern set
  ``pipeline/quality/data/modern-2025.jsonl``): scored at concept level per the annotation
  guide by ``pipeline.quality.concept_eval`` (splits ``dev``, ``test``, ``all``). The format is
  told by the first record.

Types are mapped to four scoring labels: DATASET and BENCHMARK both score as ``DATASET``
(SciREX ``Dataset``, SciERC ``Material``); METHOD, TASK and METRIC as themselves. SciERC's
``OtherScientificTerm`` and ``Generic`` mentions are ignored (paperkg has no such types), so
a prediction overlapping only such a mention counts as a false positive.

Scores, per label and overall (micro-averaged):

- mention ``exact``: a prediction is right when its span and label equal a gold mention's;
- mention ``overlap``: a prediction and a gold mention of the same label whose character spans
  overlap are matched one-to-one (largest overlap first);
- ``concept`` (document level): per paper, the set of (label, ``concept_key(text)``) of the
  predicted mentions versus the same set built from the gold mention texts.

The held-out dev split of the SciREX abstracts is ``scirex_split(id) == "dev"``: 20% of the
records by a hash of their id. It is never used for training (``pipeline/quality/training``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline.quality.concept_eval import ConceptReport, format_concept_table
from schemas.keys import concept_key
from schemas.model import ConceptType, Paper

__all__ = [
    "LABELS",
    "PRF",
    "EvalReport",
    "GoldDoc",
    "GoldMention",
    "Pred",
    "data_dir",
    "evaluate",
    "format_table",
    "gold_format",
    "load_gold",
    "predictions",
    "scirex_bucket",
    "scirex_split",
    "score",
]

Split = Literal["dev", "train", "test", "all"]
LABELS: tuple[str, ...] = ("METHOD", "DATASET", "TASK", "METRIC")
DATA_ENV = "PAPERKG_DATA"

# paperkg type -> scoring label
SCORE_LABEL: dict[ConceptType, str] = {
    ConceptType.METHOD: "METHOD",
    ConceptType.DATASET: "DATASET",
    ConceptType.BENCHMARK: "DATASET",
    ConceptType.TASK: "TASK",
    ConceptType.METRIC: "METRIC",
}
# gold type (SciREX or SciERC) -> scoring label; types not listed are ignored
GOLD_LABEL: dict[str, str] = {
    "Method": "METHOD",
    "Task": "TASK",
    "Metric": "METRIC",
    "Dataset": "DATASET",
    "Material": "DATASET",
}
DEV_PERCENT = 20


def scirex_bucket(doc_id: str) -> int:
    """A stable number in 0..99 for a SciREX id: the first 8 hex digits of its SHA-1, mod 100."""
    return int(hashlib.sha1(str(doc_id).encode()).hexdigest()[:8], 16) % 100


def scirex_split(doc_id: str) -> Literal["dev", "train"]:
    """The held-out split of a SciREX record: ``dev`` when ``scirex_bucket(id) < 20``."""
    return "dev" if scirex_bucket(doc_id) < DEV_PERCENT else "train"


def data_dir(override: str | Path | None = None) -> Path:
    """The shared annotated data: ``override``, else ``$PAPERKG_DATA``, else ``../shared/data``
    next to the repository."""
    if override:
        return Path(override)
    if env := os.environ.get(DATA_ENV):
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


@dataclass(frozen=True)
class GoldMention:
    start: int
    end: int
    text: str
    label: str


@dataclass(frozen=True)
class GoldDoc:
    id: str
    title: str
    text: str  # the scored field: SciREX abstract or SciERC sentence
    mentions: tuple[GoldMention, ...]
    source: Literal["scirex", "scierc"]


def _gold_doc(record: dict[str, Any]) -> GoldDoc:
    if "abstract" in record:
        text, title, source = record["abstract"], record.get("title") or "", "scirex"
    elif "text" in record:
        text, title, source = record["text"], "", "scierc"
    else:
        raise ValueError("a gold record needs 'abstract' (SciREX) or 'text' (SciERC)")
    mentions = []
    for m in record.get("mentions", []):
        label = GOLD_LABEL.get(m["type"])
        if label is None:
            continue
        if text[m["start"] : m["end"]] != m["text"]:
            raise ValueError(f"record {record.get('id')}: offsets do not match {m['text']!r}")
        mentions.append(GoldMention(m["start"], m["end"], m["text"], label))
    mentions.sort(key=lambda m: (m.start, m.end))
    return GoldDoc(str(record["id"]), title, text, tuple(mentions), source)  # type: ignore[arg-type]


def gold_format(path: str | Path) -> Literal["mentions", "concepts"]:
    """``concepts`` for a concept-list file (the modern set), else ``mentions`` (SciREX/SciERC),
    told by the first record."""
    from pipeline.quality.concept_eval import is_concept_gold

    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                return "concepts" if is_concept_gold(json.loads(line)) else "mentions"
    return "mentions"


def load_gold(path: str | Path, split: Split = "all") -> list[GoldDoc]:
    """Gold records from a JSON Lines file; ``split`` selects SciREX records by ``scirex_split``
    (SciERC files are already one split and are read whole)."""
    if split == "test":
        raise ValueError("SciREX and SciERC files have no test split (use dev, train or all)")
    docs = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            doc = _gold_doc(json.loads(line))
            if doc.source == "scirex" and split != "all" and scirex_split(doc.id) != split:
                continue
            docs.append(doc)
    return docs


# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pred:
    start: int
    end: int
    text: str
    label: str


@dataclass
class PRF:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "pred": self.n_pred,
            "gold": self.n_gold,
        }


MEASURES = ("exact", "overlap", "concept")


@dataclass
class EvalReport:
    extractor: str
    gold: str
    split: str
    docs: int
    scores: dict[str, dict[str, PRF]] = field(default_factory=dict)  # measure -> label -> PRF
    type_errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, pred)
    boundary_errors: Counter[str] = field(default_factory=Counter)  # label
    missed: Counter[str] = field(default_factory=Counter)  # label: gold with no overlap
    spurious: Counter[str] = field(default_factory=Counter)  # label: pred with no overlap
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def by_label(self, kind: str) -> Counter[str]:
        """The per-label error counter of ``kind``: boundary, missed or spurious."""
        return {"boundary": self.boundary_errors, "missed": self.missed,
                "spurious": self.spurious}[kind]

    def f1(self, measure: str = "exact", label: str = "ALL") -> float:
        return self.scores[measure][label].f1

    def as_dict(self, max_examples: int = 5) -> dict[str, Any]:
        return {
            "extractor": self.extractor,
            "gold": self.gold,
            "split": self.split,
            "docs": self.docs,
            "scores": {
                m: {label: prf.as_dict() for label, prf in by_label.items()}
                for m, by_label in self.scores.items()
            },
            "type_errors": [
                {"gold": g, "pred": p, "count": n,
                 "examples": self.examples[f"type:{g}->{p}"][:max_examples]}
                for (g, p), n in self.type_errors.most_common()
            ],
            **{
                field: [
                    {"label": label, "count": n,
                     "examples": self.examples[f"{kind}:{label}"][:max_examples]}
                    for label, n in self.by_label(kind).most_common()
                ]
                for field, kind in (("boundary_errors", "boundary"), ("missed", "missed"),
                                    ("spurious", "spurious"))
            },
        }


def _overlaps(a: Pred | GoldMention, b: Pred | GoldMention) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _match_overlap(preds: Sequence[Pred], golds: Sequence[GoldMention]) -> set[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index) of the same label, largest overlap first."""
    pairs = sorted(
        (
            (-_overlaps(p, g), i, j)
            for i, p in enumerate(preds)
            for j, g in enumerate(golds)
            if p.label == g.label and _overlaps(p, g) > 0
        ),
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = set()
    for _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.add((i, j))
    return out


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    return f"...{left}[{text[start:end]}]{right}...".replace("\n", " ")


def score(docs: Sequence[GoldDoc], predictions: Sequence[Sequence[Pred]], report: EvalReport
          ) -> EvalReport:
    """Fill ``report`` with the scores of ``predictions`` (one list per gold doc)."""
    scores = {m: {label: PRF() for label in (*LABELS, "ALL")} for m in MEASURES}
    for doc, preds in zip(docs, predictions, strict=True):
        golds = doc.mentions
        gold_spans = {(g.start, g.end): g for g in golds}
        for label in (*LABELS, "ALL"):
            ps = [p for p in preds if label in ("ALL", p.label)]
            gs = [g for g in golds if label in ("ALL", g.label)]
            exact = {(p.start, p.end, p.label) for p in ps} & {
                (g.start, g.end, g.label) for g in gs
            }
            scores["exact"][label].tp += len(exact)
            scores["overlap"][label].tp += len(_match_overlap(ps, gs))
            pc = {(p.label, concept_key(p.text)) for p in ps}
            gc = {(g.label, concept_key(g.text)) for g in gs}
            scores["concept"][label].tp += len(pc & gc)
            for m in ("exact", "overlap"):
                scores[m][label].n_pred += len(ps)
                scores[m][label].n_gold += len(gs)
            scores["concept"][label].n_pred += len(pc)
            scores["concept"][label].n_gold += len(gc)
        # errors, read one prediction at a time
        for p in preds:
            g = gold_spans.get((p.start, p.end))
            if g is not None:
                if g.label != p.label:
                    report.type_errors[(g.label, p.label)] += 1
                    report.examples[f"type:{g.label}->{p.label}"].append(
                        _context(doc.text, p.start, p.end)
                    )
                continue
            over = [g for g in golds if _overlaps(p, g)]
            same = [g for g in over if g.label == p.label]
            if same:
                report.boundary_errors[p.label] += 1
                report.examples[f"boundary:{p.label}"].append(
                    f"gold {same[0].text!r} / predicted {p.text!r}"
                )
            elif not over:
                report.spurious[p.label] += 1
                report.examples[f"spurious:{p.label}"].append(_context(doc.text, p.start, p.end))
        for g in golds:
            if not any(_overlaps(p, g) for p in preds):
                report.missed[g.label] += 1
                report.examples[f"missed:{g.label}"].append(_context(doc.text, g.start, g.end))
    report.scores = scores
    return report


def predictions(extractor: Any, docs: Sequence[GoldDoc]) -> list[list[Pred]]:
    """Run ``extractor`` (a ``pipeline.extract.Extractor``) over the gold docs' title + text and
    keep the mentions in the scored field."""
    papers = [Paper(id=f"g{i}", title=d.title, abstract=d.text) for i, d in enumerate(docs)]
    out = []
    for extraction in extractor.extract(papers):
        out.append(
            [
                Pred(m.start, m.end, m.text, SCORE_LABEL[m.type])
                for m in extraction.mentions
                if m.field == "abstract"
            ]
        )
    return out


def evaluate(
    gold: str | Path,
    extractor_name: str = "rules",
    split: Split = "all",
    extractor: Any | None = None,
) -> EvalReport | ConceptReport:
    """Score the extractor registered as ``extractor_name`` (or ``extractor``) on a gold file:
    mention and concept scores for SciREX/SciERC, guide concept scores for a concept list."""
    from pipeline.extract import load_extractor

    if gold_format(gold) == "concepts":
        from pipeline.quality.concept_eval import (
            load_concept_gold,
            predicted_concepts,
            score_concepts,
        )

        if split == "train":
            raise ValueError("a concept gold file has dev, test or all (no train split)")
        concept_docs = load_concept_gold(gold, split)
        ex = extractor if extractor is not None else load_extractor(extractor_name)
        return score_concepts(concept_docs, predicted_concepts(ex, concept_docs),
                              ConceptReport(extractor_name, str(gold), split, len(concept_docs)))
    docs = load_gold(gold, split)
    ex = extractor if extractor is not None else load_extractor(extractor_name)
    if not any(d.source == "scirex" for d in docs):
        split = "all"  # a SciERC file is one split already
    report = EvalReport(extractor=extractor_name, gold=str(gold), split=split, docs=len(docs))
    return score(docs, predictions(ex, docs), report)


def format_table(report: EvalReport | ConceptReport, max_examples: int = 3, top: int = 6) -> str:
    """The scores as a plain-text table, then the most frequent errors with examples (for a
    concept list: every false positive and miss)."""
    if isinstance(report, ConceptReport):
        return format_concept_table(report)
    lines = [
        f"extractor {report.extractor} on {report.gold} (split {report.split}, "
        f"{report.docs} docs); DATASET includes BENCHMARK",
        "",
        f"{'label':<8} | {'exact P':>7} {'R':>5} {'F1':>5} | {'overlap P':>9} {'R':>5} "
        f"{'F1':>5} | {'concept P':>9} {'R':>5} {'F1':>5} | {'gold':>5} {'pred':>5}",
        "-" * 92,
    ]
    for label in (*LABELS, "ALL"):
        e, o, c = (report.scores[m][label] for m in MEASURES)
        lines.append(
            f"{label:<8} | {e.precision:7.3f} {e.recall:5.3f} {e.f1:5.3f} | "
            f"{o.precision:9.3f} {o.recall:5.3f} {o.f1:5.3f} | "
            f"{c.precision:9.3f} {c.recall:5.3f} {c.f1:5.3f} | {e.n_gold:5d} {e.n_pred:5d}"
        )
    lines += ["", "type errors (same span, other label; gold -> predicted):"]
    for (g, p), n in report.type_errors.most_common(top):
        lines.append(f"  {g} -> {p}: {n}")
        lines += [f"      {x}" for x in report.examples[f"type:{g}->{p}"][:max_examples]]
    for kind, heading in (
        ("boundary", "boundary errors (same label, overlapping span):"),
        ("missed", "missed (gold overlapped by no prediction):"),
        ("spurious", "spurious (prediction overlapping no gold mention):"),
    ):
        lines.append(heading)
        for label, n in report.by_label(kind).most_common(top):
            lines.append(f"  {label}: {n}")
            lines += [f"      {x}" for x in report.examples[f"{kind}:{label}"][:max_examples]]
    return "\n".join(lines) + "\n"

