"""Build a model's pool names (``pipeline.extract.pool_names``) from the annotated filter pools.

Every gold name and alias of the pools (two characters or more) is a surface, and so is its
other grammatical number where the two fold together ("LLMs" for "LLM"); its concept key is the
guide's comparison form (``fold``). Per key: the pool papers listing it, by scoring label
(DATASET for BENCHMARK too), and the pool papers whose title or abstract has one of its
surfaces, matched as at extraction (the model's tokenizer, the case rule).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.pool_names import PoolConcept, PoolNames
from pipeline.extract.spans import Candidate
from pipeline.quality.concept_eval import ConceptDoc, fold, label_of, load_concept_gold

if TYPE_CHECKING:
    from pipeline.extract.hybrid import HybridExtractor

__all__ = ["build_pool_names", "listed_labels", "number_forms", "spans_as_unseen"]


def number_forms(surface: str) -> list[str]:
    """The surface and its other grammatical number where the guide's comparison form folds the
    two together: "language model" -> "language models", "LLMs" -> "LLM", "accuracies" ->
    "accuracy" (a text names a concept in either number)."""
    key = fold(surface)
    others = [surface + "s"]
    if surface.endswith("y"):
        others.append(surface[:-1] + "ies")
    if surface.endswith("ies"):
        others.append(surface[:-3] + "y")
    if surface.endswith("s"):
        others.append(surface[:-1])
    return [surface, *(o for o in others if len(o) > 1 and fold(o) == key)]


def listed_labels(doc: ConceptDoc) -> dict[str, str]:
    """The concept keys a gold paper lists, each with its scoring label."""
    return {key: label_of(g.type) for g in doc.concepts for key in g.keys}


def spans_as_unseen(extractor: HybridExtractor, pair: tuple[Doc, Doc],
                    doc: ConceptDoc) -> list[Candidate]:
    """The hybrid's candidates for a pool paper read as an unseen paper: its own listing and
    text taken off the pool names' counts."""
    extractor.leave_out = listed_labels(doc)
    try:
        return extractor._spans(pair)
    finally:
        extractor.leave_out = None


def build_pool_names(nlp: Language, model_dir: Path,
                     pools: Sequence[Path] | None = None) -> PoolNames:
    """The pools' names with their counts, written to the model folder."""
    from pipeline.quality.modern_set import FILTER_POOL2_PATH, FILTER_POOL_PATH

    pools = pools or (FILTER_POOL_PATH, FILTER_POOL2_PATH)
    docs = [doc for pool in pools for doc in load_concept_gold(pool, "all")]
    forms: dict[str, set[str]] = defaultdict(set)
    listed: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for g in doc.concepts:
            for surface in (g.name, *g.aliases):
                if len(surface) > 1 and fold(surface):
                    for form in number_forms(surface):
                        forms[form.lower()].add(form)
        for key, label in listed_labels(doc).items():
            listed[key][label] += 1
    keys = {lower: fold(lower) for lower in forms}
    names = PoolNames(nlp, {lower: tuple(sorted(f)) for lower, f in forms.items()}, keys, {})
    in_text: Counter[str] = Counter()
    for doc in docs:
        pair = (nlp.make_doc(doc.title), nlp.make_doc(doc.abstract))
        in_text.update({key for _, _, _, key in names.matches(pair)})
    names.concepts = {key: PoolConcept(dict(listed[key]), in_text[key])
                      for key in set(keys.values())}
    names.write(model_dir)
    return names
