"""Train paperkg's scientific-entity NER from the shared annotated data.

One command reproduces the shipped model (``pipeline/models/sci_ner``)::

    paperkg train --data ../shared/data --output pipeline/models/sci_ner

It trains the NER, then builds the folder's phrase table from the arXiv 2025 corpus
(``pipeline.quality.training.phrases``) and fits its concept filter
(``pipeline.quality.training.concept_filter``).

Data (read at run time, never copied into the repository):

- train: SciREX abstracts whose ``scirex_bucket(id)`` is 30..99 and the body passages of those
  papers (``scirex/fulltext.jsonl``), all SciERC train sentences, all TDMSci train sentences
  (Task, Dataset, Metric; it marks no methods, so its unannotated tokens are *missing*, not
  "outside"), and the titles and abstracts of the NER training pool
  (``pipeline/quality/data/modern-2025-ner.jsonl``: 158 arXiv 2025 abstracts annotated per the
  guide, texts joined from the corpus): every occurrence of a concept's name or alias is a
  mention, every other token *missing* (the guide leaves out generic phrases SciREX marks);
- monitoring (spaCy's dev corpus; training runs a fixed number of steps and ships the last
  weights): SciREX abstracts with bucket 20..29, the "stop" slice;
- never used: the held-out dev split, bucket 0..19 (``pipeline.quality.evaluate.scirex_split``).

Types are mapped as in ``pipeline.quality.evaluate``: Method -> METHOD, Task -> TASK, Metric ->
METRIC, SciREX and TDMSci Dataset -> DATASET. SciERC's Material is much broader than a SciREX
dataset (languages, "image sequence", "Lambertian object"), so its tokens are marked
*missing* (neither an entity nor "outside"): the NER learns DATASET from SciREX and TDMSci
alone and is not taught that those words are outside either. SciERC OtherScientificTerm and
Generic stay "outside" (marking them missing too was worse on the stop slice and on SciERC dev).
Nested SciERC mentions keep the longest (SciREX mentions never nest; spaCy's NER needs
non-overlapping spans, which is one reason to use NER rather than a span categorizer). Texts are
tokenized with ``pipeline.extract.build_nlp`` (the rules' tokenizer) so predicted spans line up
with the rules; a gold mention that does not fall on token boundaries there (``ResNet`` inside
``ResNet-like``) is marked as missing, not as "outside".
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from pipeline.quality.evaluate import GOLD_LABEL, data_dir, scirex_bucket
from pipeline.quality.modern_set import NER_POOL_PATH

__all__ = ["CONFIG", "CorpusStats", "prepare_corpus", "to_doc", "train"]

CONFIG = Path(__file__).with_name("config.cfg")
STOP_BUCKETS = range(20, 30)  # SciREX abstracts monitored during training, never trained on
TRAIN_BUCKETS_FROM = STOP_BUCKETS.stop
SCIREX_COPIES = 3
MODERN_COPIES = 1  # 3 copies: modern dev typed recall +0.03, but SciREX and the pool no better
# SciERC types whose tokens are left unannotated (spaCy's "missing"), not labelled or "outside"
SCIERC_MISSING: frozenset[str] = frozenset({"Material"})


@dataclass
class CorpusStats:
    train_docs: int = 0
    stop_docs: int = 0
    fulltext_docs: int = 0
    tdmsci_docs: int = 0
    modern_docs: int = 0
    mentions: int = 0
    misaligned: int = 0
    nested_dropped: int = 0


def to_doc(
    nlp: Language,
    text: str,
    mentions: Iterable[dict],
    stats: CorpusStats,
    missing_types: frozenset[str] = frozenset(),
    unknown_outside: bool = False,
) -> Doc:
    """A tokenized doc with the mapped gold mentions as entities; mentions of
    ``missing_types`` mark their tokens as unannotated (neither entity nor "outside"), and with
    ``unknown_outside`` so does every token outside the mentions (a corpus that leaves a type
    unmarked: TDMSci's methods)."""
    doc = nlp.make_doc(text)
    spans = []
    unknown = []
    for m in sorted(mentions, key=lambda m: (-(m["end"] - m["start"]), m["start"])):
        label = GOLD_LABEL.get(m["type"])
        if m["type"] in missing_types:
            unknown.append((m["start"], m["end"]))
            continue
        if label is None:
            continue
        spans.append((m["start"], m["end"], label))
    taken = [False] * len(text)
    ents, missing = [], []
    for start, end, label in spans:
        if any(taken[start:end]):
            stats.nested_dropped += 1
            continue
        for k in range(start, end):
            taken[k] = True
        span = doc.char_span(start, end, label=label)
        if span is None:
            stats.misaligned += 1
            loose = doc.char_span(start, end, alignment_mode="expand")
            if loose is not None:
                missing.append(loose)
            continue
        stats.mentions += 1
        ents.append(span)
    ents.sort(key=lambda s: s.start)
    for start, end in unknown:
        loose = doc.char_span(start, end, alignment_mode="expand")
        if loose is not None:
            missing.append(loose)
    blocked = [False] * len(doc)
    for e in ents:
        blocked[e.start : e.end] = [True] * len(e)
    free = []
    for s in sorted(missing, key=lambda s: (-len(s), s.start)):
        if not any(blocked[s.start : s.end]):
            blocked[s.start : s.end] = [True] * len(s)
            free.append(s)
    missing = free
    if unknown_outside:
        doc.set_ents(ents, default="missing")
    else:
        doc.set_ents(ents, missing=missing, default="outside")
    return doc


_MODERN_TYPE = {"METHOD": "Method", "DATASET": "Dataset", "BENCHMARK": "Dataset",
                "TASK": "Task", "METRIC": "Metric"}


def concept_mentions(text: str, concepts: Iterable[dict]) -> list[dict]:
    """Every whole-word occurrence in ``text`` of an annotated concept's name or alias, as
    SciREX-style mentions (the modern pool is annotated per paper, not per mention)."""
    mentions = []
    for c in concepts:
        for name in {c["name"], *c.get("aliases", ())}:
            if not name.strip():
                continue
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
                mentions.append({"start": match.start(), "end": match.end(),
                                 "type": _MODERN_TYPE[c["type"]]})
    return mentions


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def prepare_corpus(
    data: Path,
    work: Path,
    scierc: bool = True,
    scirex_copies: int = SCIREX_COPIES,
    scierc_missing: frozenset[str] = SCIERC_MISSING,
    fulltext: bool = True,
    tdmsci: bool = True,
    modern: Path | None = NER_POOL_PATH,
    modern_copies: int = MODERN_COPIES,
) -> tuple[Path, Path, CorpusStats]:
    """Write ``train.spacy`` and ``stop.spacy`` (monitoring) under ``work``.

    Each SciREX training abstract is added ``scirex_copies`` times: the target style (SciREX
    mention boundaries) then outweighs the SciERC sentences, which are more numerous.
    """
    from pipeline.extract.tokenizer import build_nlp

    nlp = build_nlp()
    stats = CorpusStats()
    train, stop = DocBin(), DocBin()
    for record in _read(data / "scirex" / "abstracts.jsonl"):
        bucket = scirex_bucket(record["id"])
        if bucket < STOP_BUCKETS.start:
            continue  # the held-out dev split
        doc = to_doc(nlp, record["abstract"], record["mentions"], stats)
        if bucket in STOP_BUCKETS:
            stop.add(doc)
            stats.stop_docs += 1
        else:
            for _ in range(scirex_copies):
                train.add(doc)
            stats.train_docs += 1
    if fulltext:
        for record in _read(data / "scirex" / "fulltext.jsonl"):
            # a paper's body names the same entities as its abstract: a held-out or monitored
            # abstract's passages are never trained on
            if scirex_bucket(record["doc_id"]) < TRAIN_BUCKETS_FROM:
                continue
            train.add(to_doc(nlp, record["text"], record["mentions"], stats))
            stats.fulltext_docs += 1
    if tdmsci:
        for record in _read(data / "tdmsci" / "train.jsonl"):
            train.add(to_doc(nlp, record["text"], record["mentions"], stats,
                             unknown_outside=True))
            stats.tdmsci_docs += 1
    if modern is not None:
        from pipeline.quality.concept_eval import load_concept_gold

        # concepts a reader lists; everything else is unknown, not "outside": the guide's
        # style leaves generic phrases out that SciREX marks
        for paper in load_concept_gold(modern, "all"):
            concepts = [{"name": c.name, "type": c.type, "aliases": c.aliases}
                        for c in paper.concepts]
            for text in (paper.title, paper.abstract):
                doc = to_doc(nlp, text, concept_mentions(text, concepts), stats,
                             unknown_outside=True)
                for _ in range(modern_copies):
                    train.add(doc)
            stats.modern_docs += 1
    if scierc:
        for record in _read(data / "scierc" / "train.jsonl"):
            train.add(to_doc(nlp, record["text"], record["mentions"], stats, scierc_missing))
            stats.train_docs += 1
    work.mkdir(parents=True, exist_ok=True)
    train_path, stop_path = work / "train.spacy", work / "stop.spacy"
    train.to_disk(train_path)
    stop.to_disk(stop_path)
    return train_path, stop_path, stats


def train(
    data: str | Path | None,
    output: str | Path,
    work: str | Path | None = None,
    config: Path = CONFIG,
    scierc: bool = True,
    scirex_copies: int = SCIREX_COPIES,
    overrides: dict[str, object] | None = None,
    scierc_missing: frozenset[str] = SCIERC_MISSING,
    fulltext: bool = True,
    tdmsci: bool = True,
    modern: Path | None = NER_POOL_PATH,
    modern_copies: int = MODERN_COPIES,
) -> CorpusStats:
    """Train with ``config``; write the packaged pipeline (rules tokenizer + NER) to ``output``."""
    from spacy import load as spacy_load
    from spacy.cli.train import train as spacy_train

    from pipeline.extract.tokenizer import build_nlp

    source = data_dir(data)
    temp = None
    if work is None:
        temp = tempfile.TemporaryDirectory(prefix="paperkg-train-")
        work = temp.name
    work = Path(work)
    try:
        train_path, stop_path, stats = prepare_corpus(
            source, work, scierc=scierc, scirex_copies=scirex_copies,
            scierc_missing=scierc_missing, fulltext=fulltext, tdmsci=tdmsci,
            modern=modern, modern_copies=modern_copies,
        )
        run_dir = work / "run"
        spacy_train(
            config,
            run_dir,
            overrides={"paths.train": str(train_path), "paths.dev": str(stop_path),
                       **(overrides or {})},
        )
        # the config trains a fixed number of steps: ship the last weights, not the checkpoint
        # that happened to score best on the (small, noisy) monitoring slice
        best = spacy_load(run_dir / "model-last")
        nlp = build_nlp()
        nlp.add_pipe("ner", source=best)
        nlp.meta.update(
            {
                "name": "sci_ner",
                "version": "1.0.0",
                "description": (
                    "paperkg scientific-entity NER (METHOD, DATASET, TASK, METRIC). Trained on "
                    "SciREX abstracts"
                    + (" and body passages" if fulltext else "")
                    + " (Jain et al. 2020, Apache-2.0; held-out dev split and monitored slice "
                    "excluded)"
                    + (", SciERC train (Luan et al. 2018, research use)" if scierc else "")
                    + (", TDMSci train (Hou et al. 2021, Apache-2.0; methods unmarked, so "
                       "unannotated tokens are unknown)" if tdmsci else "")
                    + (", 2025 arXiv abstracts annotated per the annotation guide "
                       f"({modern.name}; unannotated tokens are unknown)" if modern else "")
                    + " with pipeline/quality/training/config.cfg."
                ),
                "license": "Apache-2.0 (SciREX, TDMSci); SciERC data for research use",
                "performance": best.meta.get("performance", {}),
            }
        )
        output = Path(output)
        if output.exists():
            shutil.rmtree(output)
        nlp.to_disk(output)
        return stats
    finally:
        if temp is not None:
            temp.cleanup()
