"""Candidate spans, the common currency of the rules and the trained NER, and their mentions.

The rules (``rules.py``) and the NER (``model.py``) both propose ``Candidate`` token spans over a
paper's two docs (title, abstract); ``hybrid.py`` merges the two lists; ``to_mentions`` turns
the chosen ones into the ``Mention`` records the rest of the pipeline reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc

from schemas.model import ConceptType, Mention

__all__ = ["Candidate", "to_mentions"]


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


def to_mentions(docs: tuple[Doc, Doc], cands: Iterable[Candidate]) -> list[Mention]:
    """Mentions for typed candidates over (title, abstract) docs, in document order."""
    mentions: list[Mention] = []
    for c in sorted(cands, key=lambda c: (c.doc_index, c.start)):
        if c.type is None:
            continue
        span = docs[c.doc_index][c.start : c.end]
        mentions.append(
            Mention(
                text=span.text,
                type=c.type,
                start=span.start_char,
                end=span.end_char,
                field="title" if c.doc_index == 0 else "abstract",
                sentence=span.sent.text,
            )
        )
    return mentions
