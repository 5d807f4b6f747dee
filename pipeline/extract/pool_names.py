"""Names the annotated pools list: candidates where neither the NER nor the rules proposed one.

A fifth of the gold concepts the hybrid missed in the modern filter pools (1,939 2025 abstracts
annotated per the guide) were never proposed at all, and many of them are names readers list
in other papers too: "test-time scaling", "KL divergence", "ReAct", "optical flow estimation".
The model folder ships the gold names and aliases of those pools (``NAMES_FILE``, built by
``paperkg train``; ``pipeline.quality.training.pool_names``) with, per concept, how many pool
papers list it (by type) and how many pool papers' text has it. Where one of these names
appears in a paper and no candidate overlaps it, ``PoolNames.candidates`` proposes it, typed
as the pools mostly typed it, with a doubt (``Candidate.doubt``) that says how often the
pools list it and how often a paper that has it lists it ("lexicon 4+ >=0.5"); the concept
filter, trained on these doubts, judges it ("training data" is in many texts and listed by
few; "GSM8K" is listed wherever it appears).

Matching is on lower-cased tokens; the case must fit one of the pools' surfaces (exactly, or
with a capital first letter, or any case for a surface the pools wrote in lower case), so
that "Iris" the dataset is not proposed for "iris". While the filter is trained on the pools,
each pool paper is read as an unseen paper: its own listing and text are taken off the counts
(``leave_out``).

A model folder without the file, or a filter not trained on these doubts, switches it off.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from pipeline.extract.spans import Candidate, token_table
from schemas.model import ConceptType

__all__ = ["DOUBT_PREFIX", "NAMES_FILE", "PoolConcept", "PoolNames", "doubt_for"]

NAMES_FILE = "pool_names.json.gz"
DOUBT_PREFIX = "lexicon"
# the scoring labels (DATASET stands for BENCHMARK too) in the order a tie is broken
_LABELS = ("METHOD", "DATASET", "TASK", "METRIC")
_BATCH = 1000


@dataclass(frozen=True)
class PoolConcept:
    """One gold concept key of the pools: papers listing it per label, papers whose text has it."""

    listed: Mapping[str, int]
    in_text: int


def doubt_for(listed: int, in_text: int) -> str:
    """The doubt a pool name's candidate carries: how many pool papers list it (1, 2-3, 4+) and
    what share of the papers whose text has it list it (<0.2, <0.5, >=0.5)."""
    share = listed / max(in_text, 1)
    support = "1" if listed == 1 else "2-3" if listed <= 3 else "4+"
    part = "<0.2" if share < 0.2 else "<0.5" if share < 0.5 else ">=0.5"
    return f"{DOUBT_PREFIX} {support} {part}"


def _case_fits(text: str, forms: Sequence[str]) -> bool:
    return any(text == f or f == f.lower() or text == f[:1].upper() + f[1:] for f in forms)


class PoolNames:
    """The pools' names (lower-cased surface -> its written forms and concept key) and their
    concepts (key -> ``PoolConcept``), matched in a paper by a ``PhraseMatcher``."""

    def __init__(self, nlp: Language, forms: Mapping[str, Sequence[str]],
                 keys: Mapping[str, str], concepts: Mapping[str, PoolConcept]) -> None:
        self.forms, self.keys, self.concepts = forms, keys, concepts
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        surfaces = sorted(forms)
        for i in range(0, len(surfaces), _BATCH):
            self.matcher.add("POOL_NAME", list(nlp.tokenizer.pipe(surfaces[i : i + _BATCH])))

    def matches(self, docs: tuple[Doc, Doc]) -> list[tuple[int, int, int, str]]:
        """(doc index, start, end, concept key) of each pool name in the paper whose case fits,
        longest first."""
        found = []
        for di, doc in enumerate(docs):
            table = token_table(doc)
            for _, start, end in self.matcher(doc):
                text = table.span_text(start, end)
                lower = text.lower()
                if lower in self.forms and _case_fits(text, self.forms[lower]):
                    found.append((di, start, end, self.keys[lower]))
        return sorted(found, key=lambda m: (m[1] - m[2], m[0], m[1]))

    def candidates(self, docs: tuple[Doc, Doc], taken: Sequence[Candidate],
                   leave_out: Mapping[str, str] | None = None) -> list[Candidate]:
        """A doubted candidate for each pool name in the paper that no candidate of ``taken``
        (nor a longer pool name) overlaps. ``leave_out``: the paper is a pool paper, listing
        these concept keys with these labels; its own listing and text are taken off."""
        spans = [(c.doc_index, c.start, c.end) for c in taken]
        out = []
        for di, start, end, key in self.matches(docs):
            concept = self.concepts[key]
            listed = dict(concept.listed)
            in_text = concept.in_text
            if leave_out is not None:
                in_text -= 1  # a pool paper's text was counted for every name it has
                if key in leave_out:
                    listed[leave_out[key]] -= 1
            if sum(listed.values()) < 1 or any(
                    d == di and s < end and start < e for d, s, e in spans):
                continue
            label = max(_LABELS, key=lambda t: (listed.get(t, 0), -_LABELS.index(t)))
            out.append(Candidate(di, start, end, ConceptType(label), tier=1,
                                 doubt=doubt_for(sum(listed.values()), in_text)))
            spans.append((di, start, end))
        return out

    def to_json(self) -> dict:
        return {
            "names": {lower: {"forms": sorted(self.forms[lower]), "key": self.keys[lower]}
                      for lower in sorted(self.forms)},
            "concepts": {key: {"listed": dict(sorted(c.listed.items())), "in_text": c.in_text}
                         for key, c in sorted(self.concepts.items())},
        }

    def write(self, model_dir: Path) -> Path:
        """Write ``NAMES_FILE`` (sorted, with a fixed gzip mtime: a rebuild is byte-identical)."""
        path = Path(model_dir) / NAMES_FILE
        data = json.dumps(self.to_json(), ensure_ascii=False, indent=0).encode("utf-8")
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
            handle.write(data)
        return path

    @classmethod
    def load(cls, nlp: Language, model_dir: Path) -> PoolNames | None:
        """The model folder's pool names, or None when it ships none."""
        path = Path(model_dir) / NAMES_FILE
        if not path.is_file():
            return None
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        names = data["names"]
        return cls(nlp, {lower: tuple(n["forms"]) for lower, n in names.items()},
                   {lower: n["key"] for lower, n in names.items()},
                   {key: PoolConcept(c["listed"], int(c["in_text"]))
                    for key, c in data["concepts"].items()})
