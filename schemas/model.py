"""The paperkg graph model: the one definition every stage, backend and doc reads.

Records flow one way through the pipeline:
``Paper`` (ingest) -> ``PaperExtraction`` of ``Mention`` s (extract, normalize)
-> ``GraphBatch`` of ``Concept`` / ``PaperConcept`` / ``ConceptLink`` (assemble) -> a store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
)

from schemas.text import (
    MAX_ABSTRACT_CHARS,
    MAX_FIELD_CHARS,
    MAX_TITLE_CHARS,
    safe_text,
)


class ConceptType(StrEnum):
    METHOD = "METHOD"
    DATASET = "DATASET"
    BENCHMARK = "BENCHMARK"
    TASK = "TASK"
    METRIC = "METRIC"


class Role(StrEnum):
    """How a paper relates to a concept, decided from the sentences that mention it."""

    PROPOSES = "PROPOSES"
    USES = "USES"
    EVALUATES_ON = "EVALUATES_ON"
    ADDRESSES = "ADDRESSES"


# When a paper mentions a concept in several sentences with different roles, the
# edge keeps the most specific one: introducing a thing outranks evaluating on it,
# which outranks merely using it.
ROLE_PRECEDENCE: tuple[Role, ...] = (
    Role.PROPOSES,
    Role.EVALUATES_ON,
    Role.ADDRESSES,
    Role.USES,
)


class LinkType(StrEnum):
    """Concept -> concept relations."""

    CO_OCCURS_WITH = "CO_OCCURS_WITH"  # both linked to the same paper; weight = papers
    APPLIED_TO = "APPLIED_TO"  # METHOD -> TASK, stated in one sentence
    EVALUATED_ON = "EVALUATED_ON"  # METHOD -> DATASET/BENCHMARK, stated in one sentence


Field_ = Literal["title", "abstract"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Paper(_Frozen):
    """One paper as read from an input record."""

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    url: str | None = None
    categories: tuple[str, ...] = ()
    source: str = Field(default="", description="file:line the record came from")

    # Every string is made safe here (schemas.text), so no stage or store ever sees text the
    # graph file, the map or Neo4j cannot hold; a value that cannot be made safe is refused.
    # Whitespace is left as given: gold annotations hold offsets into these strings.
    @field_validator("title", "abstract")
    @classmethod
    def _paragraph(cls, value: str, info: ValidationInfo) -> str:
        return safe_text(value, MAX_TITLE_CHARS if info.field_name == "title"
                         else MAX_ABSTRACT_CHARS)

    @field_validator("id", "url", "source")
    @classmethod
    def _field(cls, value: str | None) -> str | None:
        return None if value is None else safe_text(value, MAX_FIELD_CHARS).strip()

    @field_validator("authors", "categories")
    @classmethod
    def _items(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = (" ".join(safe_text(v, MAX_FIELD_CHARS).split()) for v in values)
        return tuple(v for v in cleaned if v)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """Changes exactly when the text that extraction reads changes."""
        payload = f"{self.title}\x1f{self.abstract}".encode()
        return hashlib.sha256(payload).hexdigest()[:16]


class Mention(_Frozen):
    """One typed span in a paper's title or abstract: the evidence for a concept."""

    text: str
    type: ConceptType
    start: int = Field(ge=0, description="character offset into the field, inclusive")
    end: int = Field(gt=0, description="character offset into the field, exclusive")
    field: Field_
    sentence: str = Field(description="the sentence the mention came from")
    name: str = Field(default="", description="canonical display name, set by normalize")
    key: str = Field(default="", description="canonical concept key, set by normalize")


class PaperExtraction(_Frozen):
    paper: Paper
    mentions: tuple[Mention, ...] = ()


class Concept(_Frozen):
    key: str
    name: str
    type: ConceptType
    aliases: tuple[str, ...] = ()


class PaperConcept(_Frozen):
    """Paper -[role]-> Concept, with the evidence behind it."""

    paper_id: str
    concept_key: str
    role: Role
    count: int = Field(ge=1, description="mentions of the concept in the paper")
    snippet: str = Field(description="the sentence that decided the role")


class ConceptLink(_Frozen):
    """A sentence-stated Concept -> Concept relation from one paper."""

    source: str
    target: str
    type: LinkType
    paper_id: str
    snippet: str


class GraphBatch(_Frozen):
    """Everything one run adds for a set of papers; the input of every store."""

    papers: tuple[Paper, ...] = ()
    concepts: tuple[Concept, ...] = ()
    paper_concepts: tuple[PaperConcept, ...] = ()
    links: tuple[ConceptLink, ...] = ()


# ---------------------------------------------------------------------------
# The graph as stored: labels, keys and constraints, read by every backend.


class NodeSpec(_Frozen):
    label: str
    key: str
    properties: tuple[str, ...]
    indexes: tuple[str, ...] = ()


class RelSpec(_Frozen):
    type: str
    source: str
    target: str
    properties: tuple[str, ...]


PAPER = NodeSpec(
    label="Paper",
    key="id",
    properties=(
        "id", "title", "abstract", "authors", "date", "url", "categories",
        "content_hash", "source",
    ),
    indexes=("date",),
)
CONCEPT = NodeSpec(
    label="Concept",
    key="key",
    properties=("key", "name", "type", "aliases", "paper_count", "first_seen"),
    indexes=("type", "name", "first_seen"),
)
NODES: tuple[NodeSpec, ...] = (PAPER, CONCEPT)

PAPER_CONCEPT_PROPERTIES = ("count", "snippet")
RELATIONSHIPS: tuple[RelSpec, ...] = (
    *(RelSpec(type=r.value, source="Paper", target="Concept",
              properties=PAPER_CONCEPT_PROPERTIES) for r in Role),
    RelSpec(type=LinkType.CO_OCCURS_WITH, source="Concept", target="Concept",
            properties=("weight",)),
    RelSpec(type=LinkType.APPLIED_TO, source="Concept", target="Concept",
            properties=("weight", "papers", "snippet")),
    RelSpec(type=LinkType.EVALUATED_ON, source="Concept", target="Concept",
            properties=("weight", "papers", "snippet")),
)
