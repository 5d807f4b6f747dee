"""Candidate spans, the common currency of the rules and the trained NER, and their mentions.

The rules (``rules.py``) and the NER (``model.py``) both propose ``Candidate`` token spans over a
paper's two docs (title, abstract); ``hybrid.py`` merges the two lists; ``to_mentions`` turns
the chosen ones into the ``Mention`` records the rest of the pipeline reads.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_STOP, ORTH, SENT_START, SPACY
from spacy.tokens import Doc

from schemas.model import ConceptType, Mention

__all__ = ["Candidate", "TokenTable", "to_mentions", "token_table"]

_TABLE_KEY = "paperkg.token_table"


@dataclass(frozen=True, slots=True)
class TokenTable:
    """One doc's token attributes as plain lists, read once per doc.

    The rules and the precision filter look at each token many times, and every ``doc[i]``
    builds a new ``Token``; list lookups make their per-paper work a fraction of the NER's.
    """

    text: list[str]
    lower: list[str]
    sent_start: list[int]  # the index of the first token of the token's sentence
    is_punct: list[bool]
    is_alpha: list[bool]
    is_stop: list[bool]
    space_after: list[bool]
    idx: list[int]  # the character offset of each token in the doc's text

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text``: the tokens with the spaces between them."""
        if end <= start:
            return ""
        text, space = self.text, self.space_after
        return "".join([text[i] + " " if space[i] else text[i] for i in range(start, end - 1)]
                       + [text[end - 1]])


def token_table(doc: Doc) -> TokenTable:
    """The ``TokenTable`` of ``doc``, built on first use and kept in ``doc.user_data``."""
    table = doc.user_data.get(_TABLE_KEY)
    if table is None:
        strings = doc.vocab.strings
        text = [strings[h] for h in doc.to_array(ORTH).tolist()]
        flags = (doc.to_array([IS_PUNCT, IS_ALPHA, IS_STOP, SENT_START, SPACY, IDX]).tolist()
                 if text else [])
        sent_start, current = [], 0
        for i, row in enumerate(flags):
            if row[3] == 1:
                current = i
            sent_start.append(current)
        table = TokenTable(
            text=text,
            lower=[t.lower() for t in text],
            sent_start=sent_start,
            is_punct=[bool(row[0]) for row in flags],
            is_alpha=[bool(row[1]) for row in flags],
            is_stop=[bool(row[2]) for row in flags],
            space_after=[bool(row[4]) for row in flags],
            idx=[row[5] for row in flags],
        )
        doc.user_data[_TABLE_KEY] = table
    return table


@dataclass
class Candidate:
    """A typed token span in a paper's title or abstract, with where it came from."""

    doc_index: int  # 0 title, 1 abstract
    start: int  # token indices in the doc
    end: int
    type: ConceptType | None
    tier: int  # 3 acronym long form, 2 name, 1 phrase (the rules); 0 the NER
    strength: int = 0  # evidence for a name's type; the strongest in the paper wins
    is_name: bool = False
    # a reason the precision filter would drop it for, left for the concept filter to judge
    # (``precision.DOUBTFUL``); "" for none
    doubt: str = ""


# a cue word next to a name ("X dataset", "X, a benchmark"; ``RuleExtractor.name_type``); the
# short lists and the paper's own words are stronger
CUE_STRENGTH = 5


def is_cued_data_name(c: Candidate) -> bool:
    """A name the paper's words or the short lists call a dataset or benchmark."""
    return (c.is_name and c.type in (ConceptType.DATASET, ConceptType.BENCHMARK)
            and c.strength >= CUE_STRENGTH)


def to_mentions(docs: tuple[Doc, Doc], cands: Iterable[Candidate]) -> list[Mention]:
    """Mentions for typed candidates over (title, abstract) docs, in document order."""
    mentions: list[Mention] = []
    sentences: dict[tuple[int, int], str] = {}
    for c in sorted(cands, key=lambda c: (c.doc_index, c.start)):
        if c.type is None:
            continue
        tokens = token_table(docs[c.doc_index])
        # the sentence the span starts in, as ``Span.sent`` finds it
        first = tokens.sent_start[c.start]
        if (c.doc_index, first) not in sentences:
            sentences[c.doc_index, first] = tokens.span_text(
                first, bisect_right(tokens.sent_start, first))
        mentions.append(
            Mention(
                text=tokens.span_text(c.start, c.end),
                type=c.type,
                start=tokens.idx[c.start],
                end=tokens.idx[c.end - 1] + len(tokens.text[c.end - 1]),
                field="title" if c.doc_index == 0 else "abstract",
                sentence=sentences[c.doc_index, first],
            )
        )
    return mentions
