"""Assemble: turn normalized mentions into graph records.

A paper's role towards a concept is read off the sentences that mention it:
"we propose X" makes X proposed, "evaluate on X" makes a benchmark evaluated on, a
task is addressed, anything else is used. Sentence-stated concept links (a method
applied to a task, a method evaluated on a benchmark) need both concepts in one
sentence with a connecting word between them, so mere co-listing does not count.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from schemas import (
    ROLE_PRECEDENCE,
    Concept,
    ConceptLink,
    ConceptType,
    GraphBatch,
    LinkType,
    Mention,
    PaperConcept,
    PaperExtraction,
    Role,
)

_PROPOSE_VERB = re.compile(
    r"\b(?:we|this (?:paper|work|study)|our (?:work|paper))\b[^.;]{0,60}?\b"
    r"(?:propose|introduce|present|develop|design|release|contribute|construct|"
    r"create|curate|build|call|name|dub)(?:s|d|ed)?\b",
    re.IGNORECASE,
)
_NAMING = re.compile(r"\b(?:called|named|dubbed|termed|coined)\s*$", re.IGNORECASE)
# Between "we propose" and the proposed thing, these words mean the mention is
# something the new work builds on, not the new work itself.
_NOT_THE_OBJECT = re.compile(
    r"\b(?:using|uses|use|with|on|based|that|which|by|via|from|leverag\w*|"
    r"built|trained|than|over|against|like|such|including|to|for|in|into|at|as)\b",
    re.IGNORECASE,
)
_EVALUATION_CUE = re.compile(
    r"\b(?:evaluat\w*|experiment\w*|benchmark\w*|outperform\w*|achiev\w*|result\w*|"
    r"test\w*|accurac\w*|state-of-the-art|sota|perform\w*|score\w*|surpass\w*|"
    r"improv\w*|empirical\w*|demonstrat\w*|show\w*)\b",
    re.IGNORECASE,
)
_APPLIED_CONNECTOR = re.compile(
    r"\b(?:for|to|on|in|towards?|solv\w*|tackl\w*|address\w*|applied|appl\w+)\b",
    re.IGNORECASE,
)
_EVALUATED_CONNECTOR = re.compile(
    r"\b(?:on|across|in|over|against|using)\b", re.IGNORECASE
)
_DATA_TYPES = frozenset({ConceptType.DATASET, ConceptType.BENCHMARK})

# Ties in the per-concept type vote go to the more specific type.
_TYPE_TIE_ORDER = (
    ConceptType.BENCHMARK,
    ConceptType.DATASET,
    ConceptType.METHOD,
    ConceptType.TASK,
    ConceptType.METRIC,
)


def role_in_sentence(mention: Mention) -> Role:
    """The role one mention gives its concept, judged from its own sentence."""
    if mention.field == "title":
        return _title_role(mention)
    before = _sentence_prefix(mention)
    if mention.type is not ConceptType.METRIC and _is_proposed(before):
        return Role.PROPOSES
    if mention.type in _DATA_TYPES:
        return Role.EVALUATES_ON if _EVALUATION_CUE.search(mention.sentence) else Role.USES
    if mention.type is ConceptType.TASK:
        return Role.ADDRESSES
    return Role.USES


def _title_role(mention: Mention) -> Role:
    # "WebArena: A Realistic Web Environment ..." names the paper's own contribution.
    title = mention.sentence
    if mention.start == 0 and title[mention.end : mention.end + 1] == ":":
        return Role.PROPOSES
    if mention.type is ConceptType.TASK:
        return Role.ADDRESSES
    if mention.type in _DATA_TYPES:
        return Role.EVALUATES_ON
    return Role.USES


def _sentence_prefix(mention: Mention) -> str:
    """The sentence text before the mention (sentence offsets are found by search)."""
    position = mention.sentence.find(mention.text)
    return mention.sentence[: max(position, 0)]


def _is_proposed(before: str) -> bool:
    if _NAMING.search(before):
        return True
    verbs = list(_PROPOSE_VERB.finditer(before))
    if not verbs:
        return False
    between = before[verbs[-1].end() :]
    return len(between) <= 80 and not _NOT_THE_OBJECT.search(between)


def strongest_role(roles: Iterable[Role]) -> Role:
    present = set(roles)
    return next(role for role in ROLE_PRECEDENCE if role in present)


def _concept_type(types: Counter[ConceptType]) -> ConceptType:
    top = max(types.values())
    return next(t for t in _TYPE_TIE_ORDER if types.get(t, 0) == top)


def _sentence_links(extraction: PaperExtraction) -> list[ConceptLink]:
    by_sentence: dict[str, list[Mention]] = defaultdict(list)
    for mention in extraction.mentions:
        by_sentence[mention.sentence].append(mention)
    links: dict[tuple[str, str, LinkType], ConceptLink] = {}
    for sentence, mentions in by_sentence.items():
        ordered = sorted(mentions, key=lambda m: sentence.find(m.text))
        for i, method in enumerate(ordered):
            if method.type is not ConceptType.METHOD:
                continue
            for target in ordered[i + 1 :]:
                if target.key == method.key:
                    continue
                gap = sentence[sentence.find(method.text) + len(method.text) : sentence.find(
                    target.text
                )]
                if len(gap) > 120:
                    continue
                if target.type is ConceptType.TASK and _APPLIED_CONNECTOR.search(gap):
                    link_type = LinkType.APPLIED_TO
                elif target.type in _DATA_TYPES and _EVALUATED_CONNECTOR.search(gap) and (
                    _EVALUATION_CUE.search(sentence)
                ):
                    link_type = LinkType.EVALUATED_ON
                else:
                    continue
                key = (method.key, target.key, link_type)
                links.setdefault(
                    key,
                    ConceptLink(
                        source=method.key,
                        target=target.key,
                        type=link_type,
                        paper_id=extraction.paper.id,
                        snippet=sentence,
                    ),
                )
    return list(links.values())


def assemble(extractions: Sequence[PaperExtraction]) -> GraphBatch:
    """Build one batch of graph records from normalized extractions."""
    type_votes: dict[str, Counter[ConceptType]] = defaultdict(Counter)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    surfaces: dict[str, set[str]] = defaultdict(set)
    paper_concepts: list[PaperConcept] = []
    links: list[ConceptLink] = []

    for extraction in extractions:
        per_concept: dict[str, list[Mention]] = defaultdict(list)
        for mention in extraction.mentions:
            if not mention.key:
                raise ValueError(f"mention {mention.text!r} was not normalized")
            per_concept[mention.key].append(mention)
            type_votes[mention.key][mention.type] += 1
            names[mention.key][mention.name] += 1
            surfaces[mention.key].add(mention.text)
        for key in sorted(per_concept):
            mentions = per_concept[key]
            roles = [role_in_sentence(m) for m in mentions]
            role = strongest_role(roles)
            evidence = mentions[roles.index(role)]
            paper_concepts.append(
                PaperConcept(
                    paper_id=extraction.paper.id,
                    concept_key=key,
                    role=role,
                    count=len(mentions),
                    snippet=evidence.sentence,
                )
            )
        links.extend(_sentence_links(extraction))

    concepts = []
    for key in sorted(type_votes):
        name = min(names[key].items(), key=lambda item: (-item[1], item[0]))[0]
        # one alias per spelling: case variants of the same surface are not news to a reader
        spellings: dict[str, str] = {}
        for surface in sorted(surfaces[key]):
            spellings.setdefault(surface.casefold(), surface)
        spellings.pop(name.casefold(), None)
        aliases = [spellings[folded] for folded in sorted(spellings)][:10]
        concepts.append(
            Concept(key=key, name=name, type=_concept_type(type_votes[key]), aliases=tuple(aliases))
        )
    return GraphBatch(
        papers=tuple(e.paper for e in extractions),
        concepts=tuple(concepts),
        paper_concepts=tuple(paper_concepts),
        links=tuple(links),
    )
