"""pipeline.quality.training: the corpus it builds (labels, alignment, the held-out split left
out)."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from pipeline.extract import build_nlp
from pipeline.quality.evaluate import scirex_bucket
from pipeline.quality.training import (
    CONFIG,
    SCIERC_MISSING,
    STOP_BUCKETS,
    CorpusStats,
    concept_mentions,
    prepare_corpus,
    to_doc,
)


def test_to_doc_labels_aligned_mentions_and_marks_misaligned_as_missing() -> None:
    nlp = build_nlp()
    text = "A ResNet-like model beats BERT on SQuAD for question answering."
    mentions = [
        {"start": 2, "end": 8, "text": "ResNet", "type": "Method"},  # inside "ResNet-like"
        {"start": 26, "end": 30, "text": "BERT", "type": "Method"},
        {"start": 34, "end": 39, "text": "SQuAD", "type": "Material"},
        {"start": 44, "end": 62, "text": "question answering", "type": "Task"},
        {"start": 53, "end": 62, "text": "answering", "type": "Task"},  # nested: dropped
        {"start": 20, "end": 25, "text": "beats", "type": "OtherScientificTerm"},  # ignored
    ]
    stats = CorpusStats()
    doc = to_doc(nlp, text, mentions, stats)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("BERT", "METHOD"), ("SQuAD", "DATASET"), ("question answering", "TASK")
    ]
    assert doc[1].text == "ResNet-like" and doc[1].ent_iob_ == ""  # missing, not "outside"
    assert doc[0].ent_iob_ == "O"
    assert (stats.mentions, stats.misaligned, stats.nested_dropped) == (3, 1, 1)

    unknown = to_doc(nlp, text, mentions, CorpusStats(), frozenset({"OtherScientificTerm"}))
    beats = next(t for t in unknown if t.text == "beats")
    assert beats.ent_iob_ == "" and unknown[0].ent_iob_ == "O"

    # SciERC Material, broader than a dataset, is left missing rather than taught as DATASET
    no_material = to_doc(nlp, text, mentions, CorpusStats(), SCIERC_MISSING)
    assert "SQuAD" not in [e.text for e in no_material.ents]
    assert next(t for t in no_material if t.text == "SQuAD").ent_iob_ == ""


def test_prepare_corpus_never_uses_the_dev_split(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "scirex").mkdir(parents=True)
    (data / "scierc").mkdir()
    ids = [f"paper{i}" for i in range(60)]
    with (data / "scirex" / "abstracts.jsonl").open("w") as handle:
        for doc_id in ids:
            handle.write(json.dumps({"id": doc_id, "title": "", "abstract": doc_id + " uses BERT",
                                     "mentions": [{"start": len(doc_id) + 6,
                                                   "end": len(doc_id) + 10, "text": "BERT",
                                                   "type": "Method"}]}) + "\n")
    (data / "scierc" / "train.jsonl").write_text(
        json.dumps({"id": 0, "text": "We parse English .", "mentions": [
            {"start": 3, "end": 8, "text": "parse", "type": "Task"}]}) + "\n"
    )
    # a paper's body passages: those of dev and monitored papers must stay out too
    with (data / "scirex" / "fulltext.jsonl").open("w") as handle:
        for doc_id in ids:
            text = f"body of {doc_id} on ImageNet"
            handle.write(json.dumps({"id": f"{doc_id}#0", "doc_id": doc_id, "text": text,
                                     "mentions": [{"start": len(text) - 8, "end": len(text),
                                                   "text": "ImageNet", "type": "Dataset"}]})
                         + "\n")
    (data / "tdmsci").mkdir()
    tdm = "BERT scores 90 F1 on SQuAD ."
    (data / "tdmsci" / "train.jsonl").write_text(json.dumps({"id": 0, "text": tdm, "mentions": [
        {"start": 15, "end": 17, "text": "F1", "type": "Metric"}]}) + "\n")
    train, stop, stats = prepare_corpus(data, tmp_path / "work", scirex_copies=2, modern=None)
    nlp = spacy.blank("en")
    train_docs = list(DocBin().from_disk(train).get_docs(nlp.vocab))
    train_texts = [d.text for d in train_docs]
    stop_texts = [d.text for d in DocBin().from_disk(stop).get_docs(nlp.vocab)]
    expected_train = [i for i in ids if scirex_bucket(i) >= STOP_BUCKETS.stop]
    expected_stop = [i for i in ids if scirex_bucket(i) in STOP_BUCKETS]
    assert sorted({t.split()[0] for t in train_texts if t.startswith("paper")}) == sorted(
        expected_train
    )
    assert sorted(t.split()[2] for t in train_texts if t.startswith("body")) == sorted(
        expected_train
    )
    assert sorted(t.split()[0] for t in stop_texts) == sorted(expected_stop)
    # copies + a passage per training paper + the SciERC and the TDMSci sentence
    assert len(train_texts) == 3 * len(expected_train) + 2
    assert (stats.train_docs, stats.fulltext_docs, stats.tdmsci_docs) == (
        len(expected_train) + 1, len(expected_train), 1
    )
    assert not {t.split()[0] for t in train_texts + stop_texts} & {
        i for i in ids if scirex_bucket(i) < 20
    }
    # TDMSci marks no methods: its other tokens are unknown ("missing"), not "outside"
    (tdm_doc,) = [d for d in train_docs if d.text == tdm]
    assert [(e.text, e.label_) for e in tdm_doc.ents] == [("F1", "METRIC")]
    assert {t.ent_iob_ for t in tdm_doc if t.text != "F1"} == {""}


def test_concept_mentions_are_every_whole_word_occurrence() -> None:
    text = "GPT-4 and GPT-4o on MMLU; retrieval-augmented generation (RAG) beats GPT-4."
    concepts = [{"name": "GPT-4", "type": "METHOD", "aliases": []},
                {"name": "MMLU", "type": "BENCHMARK", "aliases": []},
                {"name": "retrieval-augmented generation", "type": "METHOD", "aliases": ["RAG"]}]
    found = sorted((text[m["start"] : m["end"]], m["type"])
                   for m in concept_mentions(text, concepts))
    assert found == [("GPT-4", "Method"), ("GPT-4", "Method"), ("MMLU", "Dataset"),
                     ("RAG", "Method"), ("retrieval-augmented generation", "Method")]


def test_prepare_corpus_adds_the_modern_pool_with_unmarked_tokens_unknown(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    (data / "scirex").mkdir(parents=True)
    (data / "scirex" / "abstracts.jsonl").write_text("")
    pool = tmp_path / "pool.jsonl"
    abstract = "We evaluate GPT-4 on WebArena with a new planner for web navigation ."
    pool.write_text(json.dumps({
        "id": "2501.00001", "split": "train", "title": "Planning on WebArena",
        "abstract": abstract,
        "concepts": [{"name": "GPT-4", "type": "METHOD", "aliases": []},
                     {"name": "WebArena", "type": "BENCHMARK", "aliases": []},
                     {"name": "web navigation", "type": "TASK", "aliases": []}],
        "acceptable": []}) + "\n")
    train, _, stats = prepare_corpus(data, tmp_path / "work", scierc=False, fulltext=False,
                                     tdmsci=False, modern=pool, modern_copies=2)
    docs = list(DocBin().from_disk(train).get_docs(spacy.blank("en").vocab))
    assert stats.modern_docs == 1 and len(docs) == 4  # title and abstract, twice each
    (first, *_) = [d for d in docs if d.text == abstract]
    assert [(e.text, e.label_) for e in first.ents] == [
        ("GPT-4", "METHOD"), ("WebArena", "DATASET"), ("web navigation", "TASK")]
    # the guide leaves generic phrases out: what it does not mark is unknown, not "outside"
    assert {t.ent_iob_ for t in first if not t.ent_type_} == {""}


def test_config_is_a_small_ner_without_vectors() -> None:
    config = spacy.util.load_config(CONFIG)
    assert config["nlp"]["pipeline"] == ["ner"]
    embed = config["components"]["ner"]["model"]["tok2vec"]["embed"]
    assert embed["include_static_vectors"] is False
    assert config["paths"]["vectors"] is None
