"""The learned concept typer (``pipeline.extract.concept_typer``): one type per concept of a
paper, from the filter's features and the words in and around it; weights loaded from the
model folder only when they were fitted for these features and labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract.concept_filter import FEATURES, lexical_features
from pipeline.extract.concept_typer import LABELS, TYPER_FILE, ConceptTyper
from pipeline.extract.model import MODEL_DIR
from pipeline.extract.spans import Candidate
from pipeline.extract.tokenizer import build_nlp
from pipeline.quality.training.concept_typer import fit_typer
from schemas.model import ConceptType

M, D, B, T, R = (ConceptType.METHOD, ConceptType.DATASET, ConceptType.BENCHMARK,
                 ConceptType.TASK, ConceptType.METRIC)
TITLE = "Orca-Bench: testing agents"
ABSTRACT = ("We evaluate Qwen2.5-VL on Orca-Bench and MiniWob. Orca-Bench measures web "
            "navigation with success rate.")


@pytest.fixture(scope="module")
def paper() -> tuple:
    nlp = build_nlp()
    docs = (nlp(TITLE), nlp(ABSTRACT))

    def span(di: int, text: str, nth: int = 0) -> tuple[int, int]:
        doc, n = docs[di], len(nlp(text))
        return [(t.i, t.i + n) for t in doc if doc[t.i : t.i + n].text == text][nth]

    cands = {
        "orca title": Candidate(0, *span(0, "Orca-Bench"), M, tier=0),
        "qwen": Candidate(1, *span(1, "Qwen2.5-VL"), M, tier=2, strength=4, is_name=True),
        "orca": Candidate(1, *span(1, "Orca-Bench"), M, tier=0),
        "miniwob": Candidate(1, *span(1, "MiniWob"), M, tier=0),
        "orca again": Candidate(1, *span(1, "Orca-Bench", 1), M, tier=0),
        "navigation": Candidate(1, *span(1, "web navigation"), M, tier=0),
        "success rate": Candidate(1, *span(1, "success rate"), R, tier=2, strength=5),
    }
    return docs, cands


def typer_with(lexical: dict[str, dict[ConceptType, float]]) -> ConceptTyper:
    """A typer that reads only the given lexical features; METHOD wins ties."""
    rows = {name: tuple(weights.get(label, 0.0) for label in LABELS)
            for name, weights in lexical.items()}
    return ConceptTyper(tuple((0.0,) * len(LABELS) for _ in FEATURES), rows,
                        (0.1, 0.0, 0.0, 0.0))


def test_lexical_features_read_the_words_in_and_around_every_mention(paper: tuple) -> None:
    docs, cands = paper
    orca = lexical_features(docs, [cands["orca title"], cands["orca"], cands["orca again"]])
    assert {"last=orca-bench", "ending=nch", "shape=Xx-Xx", "before=<start>", "before=on",
            "after=:", "after=and", "after=measures", "two before=qwen2.5-vl on"} <= orca
    assert not any(f.startswith("first=") for f in orca)  # one word: no separate first word
    navigation = lexical_features(docs, [cands["navigation"]])
    assert {"first=web", "last=navigation", "before=measures", "after=with"} <= navigation
    assert "shape=Xxd.d-X" in lexical_features(docs, [cands["qwen"]])


def test_retype_gives_every_mention_of_a_concept_the_picked_type(paper: tuple) -> None:
    docs, cands = paper
    typer = typer_with({"before=on": {D: 2.0}, "last=navigation": {T: 2.0},
                        "last=qwen2.5-vl": {D: 5.0}, "last=rate": {M: 5.0}})
    ordered = list(cands.values())
    fresh = [Candidate(c.doc_index, c.start, c.end, c.type, c.tier, c.strength, c.is_name)
             for c in ordered]
    out = typer.retype(docs, fresh, {})
    assert [(c.start, c.end) for c in out] == [(c.start, c.end) for c in ordered]
    types = dict(zip(cands, (c.type for c in out), strict=True))
    # data by its context; a benchmark by its name, a dataset otherwise
    assert types["orca title"] is types["orca"] is types["orca again"] is B
    assert types["miniwob"] is M  # "and MiniWob": nothing points away from the NER's type
    assert types["navigation"] is T
    assert types["qwen"] is D  # judged like any concept the paper's words name
    assert types["success rate"] is R  # a metric-list phrase is not judged


def test_names_the_short_lists_know_keep_their_type() -> None:
    nlp = build_nlp()
    docs = (nlp(""), nlp("We fine-tune Grok 3 on our data."))
    words = [t.text for t in docs[1]]
    grok = words.index("Grok")
    known = Candidate(1, grok, grok + 2, M, tier=2, strength=7, is_name=True)
    typer = typer_with({"before=tune": {T: 9.0}, "before=fine-tune": {T: 9.0}})
    assert typer.retype(docs, [known], {})[0].type is M
    coined = Candidate(1, grok, grok + 2, M, tier=2, strength=4, is_name=True)
    assert {"before=fine-tune", "before=tune"} & lexical_features(docs, [coined])
    assert typer.retype(docs, [coined], {})[0].type is T


def test_typer_file_round_trip_and_refusal_of_other_columns(tmp_path: Path) -> None:
    assert ConceptTyper.load(tmp_path) is None  # an older model folder: the step is off
    typer = typer_with({"last=bench": {D: 1.5}, "after=dataset": {D: 2.0, M: -1.0}})
    (tmp_path / TYPER_FILE).write_text(typer.to_json(), encoding="utf-8")
    assert ConceptTyper.load(tmp_path) == typer
    for field, other in (("features", [*FEATURES[:-1], "something else"]),
                         ("labels", ["METHOD", "BENCHMARK", "TASK", "METRIC"])):
        data = json.loads(typer.to_json())
        data[field] = other
        (tmp_path / TYPER_FILE).write_text(json.dumps(data), encoding="utf-8")
        assert ConceptTyper.load(tmp_path) is None


def test_the_shipped_model_has_a_typer_for_these_features() -> None:
    shipped = ConceptTyper.load(MODEL_DIR)
    assert shipped is not None, "retrain with `paperkg train` after changing FEATURES"
    assert len(shipped.lexical) > 1000
    benchmark = shipped.scores([0.0] * len(FEATURES), {"last=benchmark", "before=on"})
    assert LABELS[benchmark.index(max(benchmark))] is D


def test_fit_typer_learns_what_the_words_say() -> None:
    dense = [0.0] * len(FEATURES)
    examples = []
    for i in range(30):
        examples += [
            (dense, frozenset({"last=accuracy", f"before=r{i}"}), LABELS.index(R)),
            (dense, frozenset({"last=detection", f"before=t{i}"}), LABELS.index(T)),
            (dense, frozenset({"after=dataset", f"before=d{i}"}), LABELS.index(D)),
            (dense, frozenset({"last=transformer", f"before=m{i}"}), LABELS.index(M)),
        ]
    typer = fit_typer(examples, min_count=3)
    assert "before=r0" not in typer.lexical  # one example: too rare to learn from
    assert typer.label(dense, {"last=accuracy"}) is R
    assert typer.label(dense, {"last=detection"}) is T
    assert typer.label(dense, {"after=dataset"}) is D
    assert typer.label(dense, {"last=transformer"}) is M


def test_a_long_form_follows_its_acronym_left_alone_and_the_paper_words_on_data() -> None:
    nlp = build_nlp()
    docs = (nlp(""), nlp("We test on Real-World Affective Faces (RAF) Database and on the "
                         "benchmarks: Zorp-QA and Quux Reasoning."))
    words = [t.text for t in docs[1]]
    real, raf, quux = words.index("Real-World"), words.index("RAF"), words.index("Quux")
    cands = [
        Candidate(1, real, raf - 1, D, tier=3),  # the long form: no evidence of its own
        Candidate(1, raf, raf + 1, D, tier=2, strength=6, is_name=True),  # a cued data name
        Candidate(1, quux, quux + 2, B, tier=0, strength=5),  # in the list the cue opens
    ]
    method_for_all = typer_with({"before=on": {M: 9.0}, "before=of": {M: 9.0},
                                 "before=and": {M: 9.0}, "before=(": {M: 9.0}})
    assert [c.type for c in method_for_all.retype(docs, cands, {})] == [D, D, B]
    alone = Candidate(1, real, raf - 1, D, tier=3)
    assert method_for_all.retype(docs, [alone], {})[0].type is M
