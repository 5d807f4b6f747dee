"""The keys that make one node of one thing: a paper's id, a concept's key, a node's id.

Every stage and store derives identity from these functions only, so the same paper read from
two formats, or the same concept written two ways, is one node in every backend.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "ACRONYM_PLURAL",
    "arxiv_id",
    "concept_key",
    "key_variants",
    "node_id",
    "normalized_title",
    "paper_id_for",
    "singular_surface",
]

# ---------------------------------------------------------------------------
# Papers

_ARXIV_BARE = r"(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?"
_ARXIV_ID = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)?" + _ARXIV_BARE + "$", re.IGNORECASE)
# an id that is wholly an arXiv id, in any of the forms records carry it
_WHOLE_ARXIV_ID = re.compile(
    r"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:\s*|oai:arxiv\.org:)?"
    + _ARXIV_BARE,
    re.IGNORECASE,
)


def arxiv_id(value: str | None) -> str | None:
    """The bare arXiv id (no version) in an id or URL, or None."""
    if not value:
        return None
    match = _ARXIV_ID.search(value.strip())
    return match.group("id") if match else None


def _whole_arxiv_id(value: str) -> str | None:
    match = _WHOLE_ARXIV_ID.fullmatch(value)
    return match.group("id") if match else None


def normalized_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.findall(r"\w+", text))


def paper_id_for(title: str, given_id: str | None = None, url: str | None = None) -> str:
    """The paper's key: the record's own id (an arXiv id in any form becomes the bare id, so
    "arXiv:2303.11366v3" and "2303.11366" are one paper); without one, the arXiv id in its URL;
    else a hash of the normalized title."""
    own = (given_id or "").strip()
    if own:
        return _whole_arxiv_id(own) or own
    found = arxiv_id(url)
    if found:
        return found
    digest = hashlib.sha1(normalized_title(title).encode()).hexdigest()[:12]
    return f"t-{digest}"


def node_id(label: str, key: str) -> str:
    """The node identifier used by graph-file backends: label-prefixed so keys never collide."""
    return f"{label.lower()}:{key}"


# ---------------------------------------------------------------------------
# Concepts: "Graph Neural Networks", "graph neural network" and "the GNNs' graph neural
# network" share a key (see pipeline.normalize for how surface forms are chosen)

_WORD = re.compile(r"[^\W_]+(?:\.\d+)*")
_LETTER_DIGIT = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+")
# "LLMs", "GNNs": an acronym's plural
ACRONYM_PLURAL = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Z][A-Za-z0-9]*[A-Z0-9]s$")
_INVARIANT = frozenset(
    {"series", "species", "news", "data", "means", "lens", "bias", "gas", "chaos", "ethos",
     "thesis", "basis", "alias", "canvas", "atlas", "physics", "mathematics", "robotics"}
)
_KEEP_ENDINGS = ("ss", "us", "is", "ics", "ous", "ps")
_IRREGULAR = {
    "corpora": "corpus", "indices": "index", "matrices": "matrix", "criteria": "criterion",
    "phenomena": "phenomenon", "hypotheses": "hypothesis", "analyses": "analysis",
}


def _singular_word(word: str) -> str:
    """The singular of one word, case preserved; unchanged when not a known plural shape."""
    if ACRONYM_PLURAL.match(word):
        return word[:-1]
    if not word.isalpha() or len(word) < 4:
        return word
    if not (word.islower() or (word[0].isupper() and word[1:].islower())):
        return word  # mixed case: a name, leave it
    low = word.lower()
    if low in _IRREGULAR:
        single = _IRREGULAR[low]
        return single.capitalize() if word[0].isupper() else single
    if low in _INVARIANT or low.endswith(_KEEP_ENDINGS) or not low.endswith("s"):
        return word
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + ("Y" if word[-3].isupper() else "y")
    if low.endswith(("ches", "shes", "xes", "sses", "zzes")):
        return word[:-2]
    return word[:-1]


# pure functions of a short string, called for every mention of every paper, and a field's
# surface forms repeat: a bounded cache halves normalization time on a large run
@lru_cache(maxsize=1 << 17)
def singular_surface(text: str) -> str:
    """``text`` with its last word made singular, otherwise exactly as written."""
    matches = list(re.finditer(r"[A-Za-z][A-Za-z0-9]*", text))
    match = matches[-1] if matches else None
    if match is None or match.end() != len(text.rstrip()):
        return text
    return text[: match.start()] + _singular_word(match.group()) + text[match.end():]


@lru_cache(maxsize=1 << 17)
def concept_key(text: str) -> str:
    """The canonical key of a surface form; the rules are in ``pipeline.normalize``'s docstring."""
    norm = unicodedata.normalize("NFKC", text).strip()
    norm = re.sub(r"^the\s+", "", norm, flags=re.IGNORECASE)
    words = _WORD.findall(norm)
    if not words:
        return norm.casefold()
    words[-1] = _singular_word(words[-1])
    parts: list[str] = []
    for word in words:
        parts.extend(_LETTER_DIGIT.findall(word) or [word])
    return "-".join(p.casefold() for p in parts)


# Head words a user may add after a name that the extractor drops ("ImageNet dataset", "the
# WebArena benchmark", "GPT-4 model": pipeline.extract.precision trims them the same way).
_NAME_HEADS = frozenset({
    "dataset", "datasets", "corpus", "benchmark", "benchmarks", "suite", "environment",
    "leaderboard", "model", "models", "method", "framework", "system", "architecture",
    "algorithm", "set", "split", "data", "test", "train", "training", "validation", "val", "dev",
})


def key_variants(key: str) -> list[str]:
    """The keys a user may mean by a concept key, most literal first: the key, then the key
    without each trailing head word in turn ("imagenet-test-set", "imagenet-test",
    "imagenet"). A store takes the first it holds, so "diffusion model" stays itself when
    the graph has it."""
    variants = [key]
    parts = key.split("-")
    while len(parts) > 1 and parts[-1] in _NAME_HEADS:
        parts.pop()
        variants.append("-".join(parts))
    return variants
