"""Keys, names, aliases and acronym linking."""

from __future__ import annotations

import pytest

from pipeline.extract import load_extractor
from pipeline.normalize import Normalizer, is_acronym_of
from schemas.keys import concept_key, singular_surface
from schemas.model import ConceptType, Mention, Paper, PaperExtraction
from tests.support.samples import sample_papers


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (["GPT4", "GPT-4", "gpt 4", "Gpt_4", "\uff27\uff30\uff34\uff14"], "gpt-4"),
        (["LLM", "LLMs", "llm", "the LLMs"], "llm"),
        (["large language models", "Large-Language Model", "large_language_model"],
         "large-language-model"),
        (["CIFAR10", "CIFAR-10", "cifar 10"], "cifar-10"),
        (["GPT-3.5", "gpt 3.5"], "gpt-3.5"),
        (["Meta-World", "meta world", "The Meta World"], "meta-world"),
        (["graph neural networks", "Graph Neural Network"], "graph-neural-network"),
        (["strategies", "strategy"], "strategy"),
    ],
)
def test_concept_key_merges_variants(variants: list[str], key: str) -> None:
    assert {concept_key(v) for v in variants} == {key}


@pytest.mark.parametrize("word", ["analysis", "process", "corpus", "robotics", "series", "data"])
def test_concept_key_keeps_words_that_only_look_plural(word: str) -> None:
    assert concept_key(word) == word


def test_singular_surface_keeps_case() -> None:
    assert singular_surface("Large Language Models") == "Large Language Model"
    assert singular_surface("LLMs") == "LLM"
    assert singular_surface("GPT-4") == "GPT-4"


def test_schwartz_hearst_matching() -> None:
    assert is_acronym_of("MCTS", "Monte Carlo Tree Search")
    assert is_acronym_of("LLMs", "large language models")
    assert is_acronym_of("BIG-bench", "Beyond the Imitation Game benchmark")
    assert not is_acronym_of("MCTS", "tree search methods")


def _mention(paper: Paper, text: str, ctype: ConceptType, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = paper.abstract.index(text, start + 1)
    return Mention(text=text, type=ctype, start=start, end=start + len(text),
                   field="abstract", sentence=paper.abstract)


def _batch() -> list[PaperExtraction]:
    a = Paper(id="a", title="", abstract="We use Monte Carlo Tree Search (MCTS). MCTS helps.")
    b = Paper(id="b", title="", abstract="MCTS and XYZ are combined. MCTS again.")
    c = Paper(id="c", title="", abstract="Large language models (LLMs) and large language "
              "models again; LLMs are large language models.")
    m = ConceptType.METHOD
    return [
        PaperExtraction(paper=a, mentions=(
            _mention(a, "Monte Carlo Tree Search", m), _mention(a, "MCTS", m),
            _mention(a, "MCTS", m, 1),
        )),
        PaperExtraction(paper=b, mentions=(
            _mention(b, "MCTS", m), _mention(b, "XYZ", m), _mention(b, "MCTS", m, 1),
        )),
        PaperExtraction(paper=c, mentions=(
            _mention(c, "Large language models", m), _mention(c, "LLMs", m),
            _mention(c, "large language models", m), _mention(c, "LLMs", m, 1),
            _mention(c, "large language models", m, 1),
        )),
    ]


def test_acronyms_link_within_paper_and_across_batch() -> None:
    normalizer = Normalizer()
    a, b, c = normalizer.normalize(_batch())
    assert {m.key for m in a.mentions} == {"monte-carlo-tree-search"}
    mcts_b = [m for m in b.mentions if m.text == "MCTS"]
    assert {m.key for m in mcts_b} == {"monte-carlo-tree-search"}
    assert {m.name for m in mcts_b} == {"Monte Carlo Tree Search"}
    xyz = next(m for m in b.mentions if m.text == "XYZ")
    assert (xyz.key, xyz.name) == ("xyz", "XYZ")
    assert {m.key for m in c.mentions} == {"large-language-model"}
    assert {m.name for m in c.mentions} == {"large language model"}
    assert "MCTS" in normalizer.aliases["monte-carlo-tree-search"]
    assert normalizer.aliases["large-language-model"] >= {"LLM", "Large language model"}
    assert "large language model" not in normalizer.aliases["large-language-model"]
    assert normalizer.names["xyz"] == "XYZ"


def test_one_normalizer_carries_definitions_and_names_over_a_runs_batches() -> None:
    a, b, c = _batch()
    run = Normalizer()
    run.normalize([a, c])
    (later,) = run.normalize([b])  # "MCTS" alone: defined by an earlier chunk of the run
    assert {m.key for m in later.mentions if m.text == "MCTS"} == {"monte-carlo-tree-search"}
    assert {m.name for m in later.mentions if m.text == "MCTS"} == {"Monte Carlo Tree Search"}
    assert set(run.names) == {"monte-carlo-tree-search", "xyz"}  # this batch's concepts
    (alone,) = Normalizer().normalize([b])  # a fresh one knows only its batch
    assert {m.key for m in alone.mentions if m.text == "MCTS"} == {concept_key("MCTS")}


def test_acronym_only_concept_is_named_by_the_acronym() -> None:
    p = Paper(id="p", title="", abstract="LLMs are used. An LLM is used.")
    e = PaperExtraction(paper=p, mentions=(
        _mention(p, "LLMs", ConceptType.METHOD), _mention(p, "LLM", ConceptType.METHOD),
    ))
    out = Normalizer().normalize([e])[0]
    assert {(m.key, m.name) for m in out.mentions} == {("llm", "LLM")}


def test_normalize_is_deterministic_on_the_sample() -> None:
    extracted = list(load_extractor().extract(sample_papers()))
    first = Normalizer().normalize(extracted)
    second = Normalizer().normalize(list(extracted))
    flipped = Normalizer().normalize(extracted[::-1])[::-1]
    assert first == second
    assert [[(m.key, m.name) for m in e.mentions] for e in first] == [
        [(m.key, m.name) for m in e.mentions] for e in flipped
    ]
    assert all(m.key and m.name for e in first for m in e.mentions)
    # a defined acronym used in another paper links to its long form there too
    names = {m.text: m.name for e in first for m in e.mentions if m.text in ("LLM", "LLMs")}
    assert names == {"LLM": "large language model", "LLMs": "large language model"}


def test_name_ties_break_alphabetically() -> None:
    p = Paper(id="p", title="", abstract="Graph Networks and graph networks.")
    e = PaperExtraction(paper=p, mentions=(
        _mention(p, "Graph Networks", ConceptType.METHOD),
        _mention(p, "graph networks", ConceptType.METHOD),
    ))
    out = Normalizer().normalize([e])[0]
    assert {m.name for m in out.mentions} == {"Graph Network"}


def test_acronym_before_its_long_form_and_title_definitions_link() -> None:
    m = ConceptType.METHOD
    p = Paper(id="p", title="GATE: Geometry-Aware Trained Encoding",
              abstract="We add MoL (Mixture-of-Losses) training. MoL helps GATE.")
    title = Mention(text="GATE", type=m, start=0, end=4, field="title", sentence=p.title)
    long = Mention(text="Geometry-Aware Trained Encoding", type=m, start=6, end=37,
                   field="title", sentence=p.title)
    e = PaperExtraction(paper=p, mentions=(
        title, long, _mention(p, "MoL", m), _mention(p, "Mixture-of-Losses", m),
        _mention(p, "MoL", m, 1), _mention(p, "GATE", m),
    ))
    (out,) = Normalizer().normalize([e])
    keys = {x.text: x.key for x in out.mentions}
    assert keys["MoL"] == keys["Mixture-of-Losses"] == "mixture-of-loss"
    assert keys["GATE"] == keys["Geometry-Aware Trained Encoding"]


def test_a_title_colon_without_an_acronym_links_nothing() -> None:
    m = ConceptType.METHOD
    p = Paper(id="p", title="WebArena: A Realistic Web Environment", abstract="WebArena is new.")
    e = PaperExtraction(paper=p, mentions=(
        Mention(text="WebArena", type=m, start=0, end=8, field="title", sentence=p.title),
        Mention(text="Realistic Web Environment", type=m, start=12, end=37, field="title",
                sentence=p.title),
    ))
    (out,) = Normalizer().normalize([e])
    assert [x.key for x in out.mentions] == ["webarena", "realistic-web-environment"]


def test_a_paper_defining_an_acronym_its_own_way_keeps_it_from_another_papers_definition(
) -> None:
    """"TTS" is text-to-speech in one paper and test-time scaling in another; the second
    paper's long form was not extracted, but its text defines TTS, so the first paper's
    definition must not be applied to it (a wrong merge across the graph)."""
    speech = Paper(id="a", title="", abstract="We study text-to-speech (TTS). TTS is hard.")
    scaling = Paper(id="b", title="", abstract="We scale compute at test time by "
                    "test-time scaling (TTS) of agents. TTS helps.")
    plain = Paper(id="c", title="", abstract="A TTS system reads text aloud.")
    t = ConceptType.TASK
    a, b, c = Normalizer().normalize([
        PaperExtraction(paper=speech, mentions=(
            _mention(speech, "text-to-speech", t), _mention(speech, "TTS", t),
            _mention(speech, "TTS", t, 1))),
        PaperExtraction(paper=scaling, mentions=(
            _mention(scaling, "TTS", ConceptType.METHOD),
            _mention(scaling, "TTS", ConceptType.METHOD, 1))),
        PaperExtraction(paper=plain, mentions=(_mention(plain, "TTS", t),)),
    ])
    assert {m.key for m in a.mentions} == {"text-to-speech"}
    assert {m.key for m in b.mentions} == {"tts"}
    assert {m.key for m in c.mentions} == {"text-to-speech"}  # no definition of its own


def test_a_text_definition_links_an_acronym_to_the_papers_own_long_form_mention() -> None:
    """The long form was extracted elsewhere in the paper (the title), or as a longer mention
    than Schwartz-Hearst's shortest long form; either way the paper defines the acronym."""
    m, metric = ConceptType.METHOD, ConceptType.METRIC
    p = Paper(id="p", title="A Survey of Spoken Language Models",
              abstract="We review spoken language models (SLMs). SLMs are scored by their "
              "Concordance Correlation Coefficient (CCC). CCC rises.")
    title_long = Mention(text="Spoken Language Models", type=m, start=12, end=34,
                         field="title", sentence=p.title)
    e = PaperExtraction(paper=p, mentions=(
        title_long, _mention(p, "SLMs", m), _mention(p, "SLMs", m, 1),
        _mention(p, "Concordance Correlation Coefficient", metric), _mention(p, "CCC", m),
        _mention(p, "CCC", m, 1),
    ))
    (out,) = Normalizer().normalize([e])
    keys = {x.text: x.key for x in out.mentions}
    assert keys["SLMs"] == keys["Spoken Language Models"] == "spoken-language-model"
    assert keys["CCC"] == keys["Concordance Correlation Coefficient"]


def test_a_text_definition_does_not_link_an_acronym_to_a_mention_that_is_only_part_of_it() -> None:
    """"multilingual text-to-speech (TTS)" defines TTS as text-to-speech, not as the longer
    task; "CNNs with a Kolmogorov-Arnold Network (CNN-KAN)" does not make CNN-KAN a KAN."""
    m, t = ConceptType.METHOD, ConceptType.TASK
    p = Paper(id="p", title="", abstract="We study multilingual text-to-speech (TTS) with "
              "CNNs augmented with a Kolmogorov-Arnold Network (CNN-KAN). TTS and CNN-KAN win.")
    e = PaperExtraction(paper=p, mentions=(
        _mention(p, "multilingual text-to-speech", t), _mention(p, "TTS", t),
        _mention(p, "CNNs", m), _mention(p, "Kolmogorov-Arnold Network", m),
        _mention(p, "CNN-KAN", m), _mention(p, "TTS", t, 1), _mention(p, "CNN-KAN", m, 1),
    ))
    (out,) = Normalizer().normalize([e])
    keys = {x.text: x.key for x in out.mentions}
    assert keys["TTS"] == "tts"
    assert keys["CNN-KAN"] == "cnn-kan"
