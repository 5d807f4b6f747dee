"""The phrase table (``pipeline.extract.phrases``): a lower-case phrase stays a concept only
when other papers name it; names never depend on it."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from pipeline.extract import HybridExtractor
from pipeline.extract.concept_filter import FILTER_FILE
from pipeline.extract.model import MODEL_DIR
from pipeline.extract.phrases import (
    PHRASES_FILE,
    forget_loaded_tables,
    is_descriptive,
    load_phrases,
    write_phrases,
)
from pipeline.extract.precision import keep
from pipeline.extract.tokenizer import build_nlp
from schemas.keys import concept_key
from schemas.model import Paper


@pytest.mark.parametrize(
    ("text", "descriptive"),
    [
        ("sequential task execution", True),
        ("Regularization", True),  # a capital that only starts a sentence
        ("video generation", True),
        ("GPT-4", False),
        ("Gaussian Splatting", False),
        ("3D reconstruction", False),
        ("pass@1", False),
        ("multi-view depth estimation with MVS", False),
    ],
)
def test_only_phrases_without_a_name_are_judged(text: str, descriptive: bool) -> None:
    assert is_descriptive(text) is descriptive


def test_table_round_trip_is_byte_stable_and_thresholded_on_load(tmp_path: Path) -> None:
    assert load_phrases(tmp_path) is None  # an older model: no table, no check
    papers = {concept_key("video generation"): 40, concept_key("code completion"): 2,
              concept_key("sequential task execution"): 1}
    path = write_phrases(tmp_path, papers)
    first = path.read_bytes()
    write_phrases(tmp_path, dict(reversed(list(papers.items()))))
    assert path.read_bytes() == first
    assert gzip.decompress(first).decode().splitlines() == [
        "code-completion\t2", "sequential-task-execution\t1", "video-generation\t40"]
    forget_loaded_tables()
    assert load_phrases(tmp_path) == set(papers)  # MIN_PAPERS: one paper is enough
    assert load_phrases(tmp_path, 2) == {"code-completion", "video-generation"}
    assert load_phrases(tmp_path, 3) == {"video-generation"}


def test_keep_drops_a_lower_case_phrase_no_other_paper_names() -> None:
    nlp = build_nlp()
    table = frozenset({concept_key("video generation")})
    known, unknown, name = (nlp(t) for t in ("video generation", "sequential task execution",
                                             "Shared Low-Rank Adapter"))
    for doc in (known, unknown, name):
        assert keep(doc[:], False, doc.text.lower())  # without a table, all three stay
    assert keep(known[:], False, "", table)
    assert not keep(unknown[:], False, "", table)
    assert keep(name[:], False, "", table)


def test_the_hybrid_reads_the_table_of_its_model_folder(tmp_path: Path) -> None:
    model = tmp_path / "sci_ner"
    shutil.copytree(MODEL_DIR, model)
    (model / PHRASES_FILE).unlink(missing_ok=True)
    (model / FILTER_FILE).unlink(missing_ok=True)  # it reads the table too: the table alone here
    paper = Paper(id="p", title="A study",
                  abstract="We apply sequential task execution to video generation on UCF101.")

    def concepts(extractor: HybridExtractor) -> set[str]:
        (out,) = extractor.extract([paper])
        return {m.text for m in out.mentions}

    forget_loaded_tables()
    without = concepts(HybridExtractor(model=model, n_process=1))
    write_phrases(model, {concept_key("video generation"): 2})
    forget_loaded_tables()
    with_table = concepts(HybridExtractor(model=model, n_process=1))
    assert "UCF101" in with_table
    assert without - with_table == {t for t in without if is_descriptive(t)} - {
        "video generation"}
    assert "sequential task execution" in without - with_table
