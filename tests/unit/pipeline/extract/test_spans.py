"""The per-doc token table (``pipeline.extract.spans.token_table``) says what spaCy's own
``Token`` and ``Span`` objects say, and mentions built from it keep exact offsets and sentences."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from pipeline.extract.model import load_model
from pipeline.extract.spans import Candidate, to_mentions, token_table
from schemas.model import ConceptType
from tests.support.samples import sample_papers


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    nlp = load_model()
    texts = [t for p in sample_papers()[:12] for t in (p.title, p.abstract)]
    texts += ["", "One.  Two\nthree (GPT-4o) x.", "Ends with a space "]
    return list(nlp.pipe(texts))


def test_table_matches_spacy_token_attributes(docs: list[Doc]) -> None:
    checked = 0
    for doc in docs:
        table = token_table(doc)
        assert len(table.text) == len(doc)
        for tok in doc:
            i = tok.i
            assert (table.text[i], table.lower[i], table.sent_start[i], table.is_punct[i],
                    table.is_alpha[i], table.is_stop[i], table.idx[i],
                    table.space_after[i]) == (
                tok.text, tok.lower_, tok.sent.start, tok.is_punct, tok.is_alpha, tok.is_stop,
                tok.idx, bool(tok.whitespace_))
            checked += 1
    assert checked > 2000
    assert token_table(docs[0]) is token_table(docs[0])  # built once per doc


def test_span_text_is_the_span_text(docs: list[Doc]) -> None:
    for doc in docs:
        table = token_table(doc)
        for start in range(0, len(doc), 7):
            for end in (start + 1, start + 3, start + 11):
                if end <= len(doc):
                    assert table.span_text(start, end) == doc[start:end].text
        assert table.span_text(3, 3) == ""


def test_mentions_carry_offsets_and_the_sentence_of_their_span(docs: list[Doc]) -> None:
    title, abstract = docs[0], docs[1]
    sents = list(abstract.sents)
    assert len(sents) >= 3
    second = sents[1]
    across = (sents[0].end - 1, sents[0].end + 1)  # a span over a sentence boundary
    cands = [Candidate(1, second.start, second.start + 2, ConceptType.METHOD, tier=0),
             Candidate(1, *across, ConceptType.TASK, tier=0),
             Candidate(0, 0, 1, ConceptType.METHOD, tier=0),
             Candidate(1, 0, 1, None, tier=0)]
    mentions = to_mentions((title, abstract), cands)
    assert [m.field for m in mentions] == ["title", "abstract", "abstract"]
    for m, (doc, (s, e)) in zip(mentions, [(title, (0, 1)), (abstract, across),
                                            (abstract, (second.start, second.start + 2))],
                                strict=True):
        span = doc[s:e]
        assert (m.text, m.start, m.end, m.sentence) == (
            span.text, span.start_char, span.end_char, span.sent.text)
        assert doc.text[m.start : m.end] == m.text
    assert mentions[1].sentence == sents[0].text  # the sentence the span starts in
