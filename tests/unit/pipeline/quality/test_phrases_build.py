"""pipeline.quality.training.phrases: the table counts papers, not mentions, and never the
modern evaluation set's papers."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from pipeline.extract.model import MODEL_DIR
from pipeline.extract.phrases import PHRASES_FILE
from pipeline.quality.training.phrases import build_phrases, evaluation_ids
from schemas.keys import concept_key


def test_table_holds_phrases_of_two_papers_and_leaves_the_evaluation_set_out(
    tmp_path: Path,
) -> None:
    model = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model)
    held_out = sorted(evaluation_ids())[0]
    abstracts = {
        "a1": "We study video generation. A new loss helps video generation.",
        "a2": "Video generation is hard; we propose FlowGen for video generation.",
        "a3": "We apply sequential task execution to robot planning.",
        held_out: "Sequential task execution again, now for robot planning.",
    }
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        for paper_id, abstract in abstracts.items():
            handle.write(json.dumps({"id": paper_id, "title": f"Paper {paper_id}",
                                     "abstract": abstract}) + "\n")

    stats = build_phrases(model, corpus)
    assert (stats.papers, stats.left_out) == (3, 1)
    lines = gzip.decompress((model / PHRASES_FILE).read_bytes()).decode().splitlines()
    papers = {key: int(n) for key, n in (line.split("\t") for line in lines)}
    once = set(papers)
    twice = {key for key, n in papers.items() if n >= 2}
    assert stats.kept == len(once)  # MIN_PAPERS: one paper
    assert {concept_key("video generation"), concept_key("sequential task execution")} <= once
    assert concept_key("video generation") in twice  # two papers, three mentions
    # two papers name it, but one of them is an evaluation paper
    assert concept_key("sequential task execution") not in twice
    assert not any(ch.isupper() for key in once for ch in key)
