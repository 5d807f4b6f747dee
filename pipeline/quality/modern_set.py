"""The modern evaluation set: 80 arXiv 2025 abstracts annotated by hand (issue 13, item 2).

The gold file ``pipeline/quality/data/modern-2025.jsonl`` holds, per paper, ``id``, ``split``
(``dev``/``test``), ``concepts`` and ``acceptable`` per ``../shared/docs/annotation-guide.md``,
and no title or abstract: the corpus must not be copied into the repository, so the text is
joined from ``../shared/corpora/arxiv-2025.jsonl.gz`` (override with ``PAPERKG_ARXIV_2025``)
by id when the set is scored (``pipeline.quality.evaluate``).

**Selection** (``select``, reproducible: same corpus + ``SEED`` -> same papers).
Papers whose abstract is shorter than ``MIN_ABSTRACT_CHARS`` (withdrawn or stub records) are
left out. The rest fall in three groups by primary (first) category: ``cs.CV``, ``cs.CL`` and
``other`` (cs.AI, cs.LG, eess.IV, ... primaries cross-listed to cs.CV/cs.CL). Each group gets a
fixed quota (``QUOTAS``: 30 / 26 / 24, so that neither of the two big listings swamps the
set while cs.CV, half the corpus, still gets the most). Within a group the papers are ordered
by listing day, ties in a seeded random order, and a seeded systematic sample takes ``quota``
evenly spaced papers: every month is represented in proportion to its volume (implicit
stratification by month).

**Split** (``split_of``, decided before any system output was looked at). Within each group
the picked papers are shuffled with ``random.Random(f"{SEED}-split-{group}")``; the first half
is ``dev``, the rest ``test`` (15/15, 13/13, 12/12: 40 dev, 40 test).

**The test half is never used for tuning**: look at dev-half output only when deciding what to
change in extraction; run ``--split test`` only to report a figure.

**Training pools** (``pool_ids``): three more sets of 2025 abstracts, picked by ``select`` with the
next seeds and none of the evaluation papers, annotated to the same guide, used for training
only (they have ``split: train``):

- ``modern-2025-filter.jsonl`` (``FILTER_POOL_SEEDS``, 80 papers) and
  ``modern-2025-filter2.jsonl`` (``FILTER_POOL2_SEEDS``, 1,859 papers, picked after the tuning
  pool, so none of its papers either): the examples the learned concept filter and concept
  typer are fitted on (``pipeline.quality.training.concept_filter``, ``.concept_typer``);
- ``modern-2025-ner.jsonl`` (``NER_POOL_SEEDS``, 158 papers): NER training sentences in the
  guide's style (``pipeline.quality.training``); kept apart from the filter's pools so that the
  filter learns from NER output on papers the NER never saw.

and a **tuning pool**, ``modern-2025-tune.jsonl`` (``TUNE_POOL_SEEDS``, 159 papers, ``split:
tune``), that nothing is trained on: the unseen 2025 papers the rules are checked against, so
that the dev half is not the only place a change is judged and the test half stays untouched.

    .venv/bin/python -m pipeline.quality.modern_set --list     # id, split, group, month
    .venv/bin/python -m pipeline.quality.modern_set --show dev # the texts to annotate
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CORPUS_ENV",
    "FILTER_POOL2_PATH",
    "FILTER_POOL2_SEEDS",
    "FILTER_POOL_PATH",
    "FILTER_POOL_SEEDS",
    "GOLD_PATH",
    "NER_POOL_PATH",
    "NER_POOL_SEEDS",
    "QUOTAS",
    "SEED",
    "TUNE_POOL_PATH",
    "TUNE_POOL_SEEDS",
    "CorpusMissing",
    "Picked",
    "corpus_path",
    "group_of",
    "load_texts",
    "pool_ids",
    "select",
]

SEED = 20250318  # the first listing day of the corpus
QUOTAS: dict[str, int] = {"cs.CV": 30, "cs.CL": 26, "other": 24}
MIN_ABSTRACT_CHARS = 400
CORPUS_ENV = "PAPERKG_ARXIV_2025"
GOLD_PATH = Path(__file__).resolve().parent / "data" / "modern-2025.jsonl"
FILTER_POOL_PATH = GOLD_PATH.with_name("modern-2025-filter.jsonl")
NER_POOL_PATH = GOLD_PATH.with_name("modern-2025-ner.jsonl")
FILTER_POOL_SEEDS: tuple[int, ...] = (SEED + 1,)
NER_POOL_SEEDS: tuple[int, ...] = (SEED + 2, SEED + 3)
TUNE_POOL_PATH = GOLD_PATH.with_name("modern-2025-tune.jsonl")
TUNE_POOL_SEEDS: tuple[int, ...] = (SEED + 4, SEED + 5)
FILTER_POOL2_PATH = GOLD_PATH.with_name("modern-2025-filter2.jsonl")
FILTER_POOL2_SEEDS: tuple[int, ...] = tuple(SEED + i for i in range(6, 30))


class CorpusMissing(FileNotFoundError):
    """The arXiv 2025 corpus is not where it should be (the text of the set lives only there)."""


def corpus_path() -> Path:
    """``$PAPERKG_ARXIV_2025``, else ``../shared/corpora/arxiv-2025.jsonl.gz`` beside the repo."""
    if env := os.environ.get(CORPUS_ENV):
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "corpora" / "arxiv-2025.jsonl.gz"


def _records(path: Path | None = None) -> Iterator[dict[str, Any]]:
    path = path or corpus_path()
    if not path.is_file():
        raise CorpusMissing(
            f"{path}: arXiv 2025 corpus not found (the modern set's text is read from it; "
            f"set {CORPUS_ENV})"
        )
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_texts(ids: Iterable[str], path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Corpus records (``title``, ``abstract``, ...) of ``ids``; raises ``CorpusMissing``."""
    wanted = set(ids)
    return {r["id"]: r for r in _records(path) if r["id"] in wanted}


def group_of(record: dict[str, Any]) -> str:
    primary = record["categories"][0] if record.get("categories") else ""
    return primary if primary in ("cs.CV", "cs.CL") else "other"


@dataclass(frozen=True)
class Picked:
    id: str
    split: str
    group: str
    published: str


def _systematic(items: list[dict[str, Any]], n: int, rng: random.Random) -> list[dict[str, Any]]:
    """``n`` evenly spaced items from a random start: a sample spread over the order."""
    step = len(items) / n
    start = rng.random() * step
    return [items[int(start + i * step)] for i in range(n)]


def select(path: Path | None = None, seed: int = SEED) -> list[Picked]:
    """The picked papers with their split, ordered by group then id."""
    groups: dict[str, list[dict[str, Any]]] = {g: [] for g in QUOTAS}
    for r in _records(path):
        if len((r.get("abstract") or "").strip()) < MIN_ABSTRACT_CHARS:
            continue
        groups[group_of(r)].append(
            {"id": r["id"], "published": r["published"], "group": group_of(r)}
        )
    picked: list[Picked] = []
    for group, quota in QUOTAS.items():
        rng = random.Random(f"{seed}-{group}")
        members = sorted(groups[group], key=lambda r: r["id"])  # corpus order must not matter
        rng.shuffle(members)
        members.sort(key=lambda r: r["published"])  # stable: ties keep the seeded order
        chosen = sorted(_systematic(members, quota, rng), key=lambda r: r["id"])
        order = [r["id"] for r in chosen]
        random.Random(f"{seed}-split-{group}").shuffle(order)
        dev = set(order[: quota // 2])
        picked += [
            Picked(r["id"], "dev" if r["id"] in dev else "test", group, r["published"][:7])
            for r in chosen
        ]
    return picked


def pool_ids(seeds: Iterable[int], exclude: Iterable[str] = (), path: Path | None = None
             ) -> list[str]:
    """The papers ``select`` picks with each of ``seeds``, in that order, without ``exclude``
    and without repeats: a training pool disjoint from the evaluation set."""
    taken = set(exclude)
    out = []
    for seed in seeds:
        for p in select(path, seed):
            if p.id not in taken:
                taken.add(p.id)
                out.append(p.id)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="id, split, group, month per paper")
    parser.add_argument("--show", choices=("dev", "test", "all"), help="print the texts")
    args = parser.parse_args(argv)
    picked = select()
    if args.show:
        rows = [p for p in picked if args.show in ("all", p.split)]
        texts = load_texts(p.id for p in rows)
        for p in rows:
            r = texts[p.id]
            sys.stdout.write(f"## {p.id} [{p.split}, {p.group}, {p.published}]\n"
                             f"{r['title']}\n\n{r['abstract']}\n\n")
    else:
        for p in picked:
            sys.stdout.write(f"{p.id}\t{p.split}\t{p.group}\t{p.published}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
