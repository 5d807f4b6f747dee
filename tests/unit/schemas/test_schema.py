from pathlib import Path

import pytest

from pipeline.stores.embedded import NetworkxStore
from schemas import (
    CONCEPT,
    PAPER,
    RELATIONSHIPS,
    Concept,
    ConceptLink,
    ConceptType,
    GraphBatch,
    LinkType,
    Paper,
    PaperConcept,
    Role,
    paper_id_for,
)
from schemas.docs import markdown

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_graph_model_is_the_generated_one() -> None:
    assert markdown() in README.read_text(encoding="utf-8")


def test_store_writes_exactly_the_schema_properties(tmp_path: Path) -> None:
    batch = GraphBatch(
        papers=(Paper(id="a", title="A", abstract="x"), Paper(id="b", title="B", abstract="y")),
        concepts=(Concept(key="m", name="M", type=ConceptType.METHOD),
                  Concept(key="t", name="T", type=ConceptType.TASK)),
        paper_concepts=(
            PaperConcept(paper_id="a", concept_key="m", role=Role.USES, count=1, snippet="s"),
            PaperConcept(paper_id="a", concept_key="t", role=Role.ADDRESSES, count=1, snippet="s"),
        ),
        links=(ConceptLink(source="m", target="t", type=LinkType.APPLIED_TO, paper_id="a",
                           snippet="s"),),
    )
    NetworkxStore(tmp_path).write(batch)
    graph = NetworkxStore(tmp_path).graph
    specs = {PAPER.label: PAPER, CONCEPT.label: CONCEPT}
    for _, data in graph.nodes(data=True):
        assert set(data) - {"kind"} == set(specs[data["kind"]].properties)
    rels = {r.type: r for r in RELATIONSHIPS}
    seen = set()
    for _, _, key, data in graph.edges(keys=True, data=True):
        seen.add(key)
        assert set(data) - {"type"} == set(rels[key].properties)
    assert seen == {"USES", "ADDRESSES", "APPLIED_TO", "CO_OCCURS_WITH"}


def test_paper_ids_are_stable() -> None:
    assert paper_id_for("Any", "2303.11366v3") == "2303.11366"
    assert paper_id_for("Any", None, "https://arxiv.org/abs/2310.04406v2") == "2310.04406"
    assert paper_id_for("Any", "oai:arXiv.org:hep-th/9901001") == "hep-th/9901001"
    assert paper_id_for("Tree  Search!") == paper_id_for("tree search")
    assert paper_id_for("Tree Search") != paper_id_for("Graph Search")


@pytest.mark.parametrize(
    ("given", "url", "key"),
    [
        ("W2981", None, "W2981"),  # a record's own id is its key
        ("  pmid:31452104 ", None, "pmid:31452104"),
        ("doi:10.1145/3292500.33306", None, "doi:10.1145/3292500.33306"),  # ends like arXiv
        ("https://example.org/papers/42", "https://arxiv.org/abs/2303.11366", "https://example.org/papers/42"),
        ("arXiv:2303.11366v2", None, "2303.11366"),
        ("https://arxiv.org/abs/2303.11366v1", None, "2303.11366"),
        ("", "https://arxiv.org/abs/2303.11366", "2303.11366"),
        ("  ", None, paper_id_for("Title")),
    ],
)
def test_a_records_own_id_is_kept(given: str, url: str | None, key: str) -> None:
    assert paper_id_for("Title", given, url) == key


def test_key_variants_drop_trailing_head_words_most_literal_first() -> None:
    from schemas.keys import concept_key, key_variants

    assert key_variants(concept_key("ImageNet test set")) == [
        "imagenet-test-set", "imagenet-test", "imagenet"]
    assert key_variants(concept_key("the WebArena benchmark")) == ["webarena-benchmark",
                                                                   "webarena"]
    assert key_variants("diffusion-model") == ["diffusion-model", "diffusion"]
    assert key_variants("model") == ["model"]
