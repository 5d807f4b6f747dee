"""Concept-level scoring against hand-annotated concept lists (``paperkg evaluate`` on the
modern set, ``pipeline/quality/data/modern-2025.jsonl``), per
``../shared/docs/annotation-guide.md``.

A gold record is ``{"id", "split", "concepts": [{"name", "type", "aliases"}], "acceptable"}``;
its title and abstract are joined from the arXiv 2025 corpus by id (``modern_set.load_texts``:
the corpus must not be copied into the repository).

The predicted concepts of a paper are what paperkg would put in the graph for it: the extractor,
then ``Normalizer`` over the scored papers as one batch (as ``paperkg run`` does), then
``assemble``'s concept type (the batch-wide type vote). Each distinct concept key of the paper
is one prediction, matched by its display name and by every surface form it has in that paper.

Scoring (the guide's rule):

- names are compared after ``fold``: NFKC, case-folded, punctuation and spaces dropped, a plural
  ``s`` (or ``ies`` -> ``y``) on the last word folded;
- a prediction matches a gold concept when one of its names folds to the gold name or an alias;
- precision = predictions matching a gold concept / predictions, where a prediction matching
  only an ``acceptable`` entry is left out of both counts (neither right nor wrong);
- recall = gold concepts matched by a prediction / gold concepts; the matching is not one to
  one: two predictions naming the same gold concept (say, an acronym the normalizer did not
  link) are both right, as the guide counts predicted concepts;
- typed scores also need the type to agree, DATASET and BENCHMARK counting as one (``DATASET``);
- per label: precision over the predictions of that (predicted) type, recall over the gold
  concepts of that (gold) type.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.model import ConceptType, Paper, PaperExtraction

__all__ = [
    "LABELS",
    "ConceptDoc",
    "ConceptReport",
    "GoldConcept",
    "PredConcept",
    "SetPRF",
    "fold",
    "format_concept_table",
    "graph_concepts",
    "is_concept_gold",
    "load_concept_gold",
    "predicted_concepts",
    "score_concepts",
]

LABELS: tuple[str, ...] = ("METHOD", "DATASET", "TASK", "METRIC")
SPLITS = ("dev", "test", "all")
_TYPES = {t.value for t in ConceptType}
_WORD = re.compile(r"\w+")
# words whose final "s" is not a plural: "process", "corpus", "analysis"
_NOT_PLURAL = ("ss", "us", "is")


def label_of(concept_type: str) -> str:
    """The scoring label: BENCHMARK scores as DATASET (both are "data" for the typed score)."""
    return "DATASET" if concept_type == "BENCHMARK" else concept_type


def fold(name: str) -> str:
    """The guide's comparison form: lower-cased, punctuation gone, a plural ``s`` folded.

    Separators are dropped rather than kept as spaces so that "GPT-4", "GPT 4" and "GPT4", or
    "chain-of-thought" and "chain of thought", compare equal."""
    words = _WORD.findall(unicodedata.normalize("NFKC", name).casefold().replace("_", " "))
    if words:
        last = words[-1]
        if len(last) > 4 and last.endswith("ies"):
            words[-1] = last[:-3] + "y"
        elif len(last) > 3 and last.endswith("s") and not last.endswith(_NOT_PLURAL):
            words[-1] = last[:-1]
    return "".join(words)


@dataclass(frozen=True)
class GoldConcept:
    name: str
    type: str  # a ConceptType value
    aliases: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(k for k in (fold(n) for n in (self.name, *self.aliases)) if k)


@dataclass(frozen=True)
class PredConcept:
    name: str
    type: str
    aliases: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(k for k in (fold(n) for n in (self.name, *self.aliases)) if k)


@dataclass(frozen=True)
class ConceptDoc:
    id: str
    split: str
    concepts: tuple[GoldConcept, ...]
    acceptable: tuple[str, ...] = ()
    title: str = ""
    abstract: str = ""


def is_concept_gold(record: dict[str, Any]) -> bool:
    """A concept-list record (this module) rather than a SciREX/SciERC mention record."""
    return "concepts" in record and "mentions" not in record


def _concept_doc(record: dict[str, Any]) -> ConceptDoc:
    doc_id = str(record.get("id") or "")
    if not doc_id:
        raise ValueError("a concept record needs an 'id'")
    concepts = []
    for c in record["concepts"]:
        if c.get("type") not in _TYPES:
            raise ValueError(f"record {doc_id}: type {c.get('type')!r} of {c.get('name')!r}")
        if not str(c.get("name") or "").strip():
            raise ValueError(f"record {doc_id}: a concept without a name")
        concepts.append(GoldConcept(c["name"], c["type"], tuple(c.get("aliases") or ())))
    split = record.get("split", "test")
    if split not in ("dev", "test", "train", "tune"):
        raise ValueError(f"record {doc_id}: split {split!r} is not dev, test, train or tune")
    return ConceptDoc(doc_id, split, tuple(concepts), tuple(record.get("acceptable") or ()),
                      record.get("title") or "", record.get("abstract") or "")


def load_concept_gold(path: str | Path, split: str = "all", corpus: Path | None = None
                      ) -> list[ConceptDoc]:
    """The records of ``split`` with their title and abstract; text missing from a record is
    joined from the arXiv 2025 corpus by id (``CorpusMissing`` if the corpus is not there,
    ``ValueError`` if an id is not in it)."""
    from pipeline.quality.modern_set import load_texts

    if split not in SPLITS:
        raise ValueError(f"split {split!r}: a concept gold file has dev, test or all")
    with Path(path).open(encoding="utf-8") as handle:
        docs = [_concept_doc(json.loads(line)) for line in handle if line.strip()]
    docs = [d for d in docs if split in ("all", d.split)]
    missing = [d.id for d in docs if not d.abstract]
    if missing:
        texts = load_texts(missing, corpus)
        if absent := [i for i in missing if i not in texts]:
            raise ValueError(f"ids not in the arXiv 2025 corpus: {', '.join(absent[:5])}")
        docs = [
            d if d.abstract else ConceptDoc(d.id, d.split, d.concepts, d.acceptable,
                                            texts[d.id]["title"], texts[d.id]["abstract"])
            for d in docs
        ]
    return docs


# ---------------------------------------------------------------------------


@dataclass
class SetPRF:
    """Precision and recall counted on two sides: predictions right and gold concepts found
    (they differ because matching is not one to one)."""

    pred_ok: int = 0
    n_pred: int = 0
    gold_ok: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.pred_ok / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.gold_ok / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "pred_ok": self.pred_ok, "pred": self.n_pred,
                "gold_ok": self.gold_ok, "gold": self.n_gold}


@dataclass
class ConceptReport:
    extractor: str
    gold: str
    split: str
    docs: int
    # "typed"/"untyped" -> label ("ALL" too) -> counts
    scores: dict[str, dict[str, SetPRF]] = field(default_factory=lambda: {
        kind: {label: SetPRF() for label in (*LABELS, "ALL")} for kind in ("typed", "untyped")
    })
    false_positives: list[dict[str, str]] = field(default_factory=list)
    misses: list[dict[str, str]] = field(default_factory=list)
    acceptable_only: list[dict[str, str]] = field(default_factory=list)
    # one node per concept: a gold concept named by two or more predicted concepts (a missed
    # merge), and a predicted concept naming two or more gold concepts (a wrong merge)
    split_concepts: list[dict[str, Any]] = field(default_factory=list)
    merged_concepts: list[dict[str, Any]] = field(default_factory=list)

    def f1(self, kind: str = "typed", label: str = "ALL") -> float:
        return self.scores[kind][label].f1

    def as_dict(self) -> dict[str, Any]:
        return {
            "extractor": self.extractor,
            "gold": self.gold,
            "split": self.split,
            "docs": self.docs,
            "measure": "concept (annotation guide)",
            "scores": {kind: {label: prf.as_dict() for label, prf in by_label.items()}
                       for kind, by_label in self.scores.items()},
            "false_positives": self.false_positives,
            "misses": self.misses,
            "acceptable_only": self.acceptable_only,
            "split_concepts": self.split_concepts,
            "merged_concepts": self.merged_concepts,
        }


def score_concepts(docs: Sequence[ConceptDoc], predictions: Sequence[Iterable[PredConcept]],
                   report: ConceptReport) -> ConceptReport:
    """Fill ``report`` with the scores of ``predictions`` (one collection per doc)."""
    typed, untyped = report.scores["typed"], report.scores["untyped"]
    for doc, preds in zip(docs, predictions, strict=True):
        acceptable = {fold(a) for a in doc.acceptable}
        found_untyped: set[int] = set()  # gold indexes matched by some prediction
        found_typed: set[int] = set()
        found_by: dict[int, str] = {}  # gold index -> a predicted label that named it
        named_by: dict[int, list[str]] = {}  # gold index -> the predictions naming it
        for p in sorted(set(preds), key=lambda p: (p.name.casefold(), p.type)):
            keys, plabel = p.keys, label_of(p.type)
            hits = [i for i, g in enumerate(doc.concepts) if keys & g.keys]
            if not hits:
                if keys & acceptable:
                    report.acceptable_only.append({"paper": doc.id, "name": p.name,
                                                   "type": p.type})
                    continue
                report.false_positives.append({"paper": doc.id, "name": p.name, "type": p.type,
                                               "kind": "spurious"})
            same = [i for i in hits if label_of(doc.concepts[i].type) == plabel]
            if hits and not same:
                report.false_positives.append({
                    "paper": doc.id, "name": p.name, "type": p.type, "kind": "type",
                    "gold": doc.concepts[hits[0]].name, "gold_type": doc.concepts[hits[0]].type,
                })
            if len(hits) > 1:
                report.merged_concepts.append({"paper": doc.id, "name": p.name,
                                      "gold": [doc.concepts[i].name for i in hits]})
            for i in hits:
                named_by.setdefault(i, []).append(p.name)
            found_untyped.update(hits)
            found_typed.update(same)
            for i in hits:
                found_by.setdefault(i, p.type)
            for label in (plabel, "ALL"):
                untyped[label].n_pred += 1
                untyped[label].pred_ok += bool(hits)
                typed[label].n_pred += 1
                typed[label].pred_ok += bool(same)
        for i, g in enumerate(doc.concepts):
            for label in (label_of(g.type), "ALL"):
                untyped[label].n_gold += 1
                untyped[label].gold_ok += i in found_untyped
                typed[label].n_gold += 1
                typed[label].gold_ok += i in found_typed
            if i not in found_typed:
                miss = {"paper": doc.id, "name": g.name, "type": g.type,
                        "kind": "type" if i in found_untyped else "missed"}
                if i in found_untyped:
                    miss["pred_type"] = found_by[i]
                report.misses.append(miss)
            if len(named_by.get(i, ())) > 1:
                report.split_concepts.append({"paper": doc.id, "name": g.name,
                                              "predicted": named_by[i]})
    return report


def predicted_concepts(extractor: Any, docs: Sequence[ConceptDoc]) -> list[list[PredConcept]]:
    """What paperkg's graph would hold for each doc: extract, normalize the docs as one batch,
    take ``assemble``'s concept types; one ``PredConcept`` per concept key of a paper, named by
    the graph's name and aliased by the surface forms of its mentions in that paper."""
    papers = [Paper(id=d.id, title=d.title, abstract=d.abstract) for d in docs]
    return graph_concepts(list(extractor.extract(papers)))


def graph_concepts(extractions: Sequence[PaperExtraction]) -> list[list[PredConcept]]:
    """``predicted_concepts`` for extractions already made, one list per extraction."""
    from pipeline.assemble import assemble
    from pipeline.normalize import Normalizer

    extractions = Normalizer().normalize(list(extractions))
    graph = {c.key: c for c in assemble(extractions).concepts}
    out = []
    for extraction in extractions:
        surfaces: dict[str, set[str]] = {}
        for m in extraction.mentions:
            surfaces.setdefault(m.key, set()).update((m.text, m.name))
        out.append([
            PredConcept(graph[key].name, graph[key].type.value,
                        tuple(sorted(s - {graph[key].name})))
            for key, s in sorted(surfaces.items())
        ])
    return out


def format_concept_table(report: ConceptReport) -> str:
    """Scores per label (typed and untyped), then every false positive and miss."""
    lines = [
        f"extractor {report.extractor} on {report.gold} (split {report.split}, {report.docs} "
        f"papers); concept level per the annotation guide; DATASET includes BENCHMARK",
        "",
        f"{'label':<8} | {'typed P':>7} {'R':>5} {'F1':>5} | {'untyped P':>9} {'R':>5} "
        f"{'F1':>5} | {'gold':>5} {'pred':>5}",
        "-" * 64,
    ]
    for label in (*LABELS, "ALL"):
        t, u = report.scores["typed"][label], report.scores["untyped"][label]
        lines.append(f"{label:<8} | {t.precision:7.3f} {t.recall:5.3f} {t.f1:5.3f} | "
                     f"{u.precision:9.3f} {u.recall:5.3f} {u.f1:5.3f} | {t.n_gold:5d} "
                     f"{t.n_pred:5d}")
    lines += ["", f"predictions matching only an acceptable entry (not counted): "
              f"{len(report.acceptable_only)}", "",
              f"false positives ({len(report.false_positives)}; paper, type, name):"]
    for fp in sorted(report.false_positives, key=lambda f: (f["paper"], f["type"], f["name"])):
        note = f"  [type: gold {fp['gold_type']} {fp['gold']!r}]" if fp["kind"] == "type" else ""
        lines.append(f"  {fp['paper']:<11} {fp['type']:<9} {fp['name']}{note}")
    lines += ["", f"misses ({len(report.misses)}; paper, type, name):"]
    for m in sorted(report.misses, key=lambda m: (m["paper"], m["type"], m["name"])):
        note = f"  [found as {m['pred_type']}]" if m["kind"] == "type" else ""
        lines.append(f"  {m['paper']:<11} {m['type']:<9} {m['name']}{note}")
    split, merged = len(report.split_concepts), len(report.merged_concepts)
    lines += ["", f"one node per concept: {split} gold concepts split over two or more "
              f"predicted concepts, {merged} predicted concepts merging two or more gold concepts"]
    lines += [f"  split   {x['paper']:<11} {x['name']}: {' | '.join(x['predicted'])}"
              for x in report.split_concepts]
    lines += [f"  merged  {x['paper']:<11} {x['name']}: {' | '.join(x['gold'])}"
              for x in report.merged_concepts]
    return "\n".join(lines) + "\n"
