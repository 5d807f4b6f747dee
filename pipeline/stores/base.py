"""What every graph store shares: the write summary, the one error type, node ids and rows."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from schemas import CONCEPT, PAPER, Role, node_id

Row = dict[str, Any]
PAPER_ROLES = frozenset(r.value for r in Role)


class WriteSummary(BaseModel):
    papers_added: int = 0
    papers_updated: int = 0
    papers_unchanged: int = 0
    concepts_removed: int = 0


class StoreError(Exception):
    """The store cannot be used (an unreadable file, a Neo4j that fails); the message is one
    line for the user."""


def paper_node(paper_id: str) -> str:
    return node_id(PAPER.label, paper_id)


def concept_node(key: str) -> str:
    return node_id(CONCEPT.label, key)
