"""Normalize extracted mentions: one canonical ``key`` and display ``name`` per concept.

``concept_key`` folds the surface variants of one concept to the same key:

- Unicode NFKC, case-folded; a leading "the" is dropped;
- hyphens, spaces, underscores, slashes and other punctuation are separators, and a
  letter/digit boundary is a separator too, so ``GPT4`` == ``GPT-4`` == ``gpt 4`` -> ``gpt-4``
  and ``CIFAR10`` == ``CIFAR-10`` -> ``cifar-10``; decimals stay (``GPT-3.5`` -> ``gpt-3.5``);
- the last word is made singular: an acronym plural (``LLMs``, ``CNNs``, ``GPUs``: capitals
  then a lower-case ``s``) loses the ``s``; a lower-case or Title-case word follows English
  rules (``networks`` -> ``network``, ``strategies`` -> ``strategy``, ``approaches`` ->
  ``approach``) but words ending in ``ss``/``us``/``is``/``ics``/``ous`` (``process``,
  ``corpus``, ``analysis``, ``robotics``) and a short invariant list (``series``, ``data``)
  stay. Mixed-case names (``WebShop``) and lower-case ``gpus`` are left alone: only the
  capitals-then-``s`` shape marks an acronym plural.

Keys are words joined by ``-``: ``large-language-model``, ``monte-carlo-tree-search``.

``Normalizer.normalize`` fills ``key`` and ``name`` on every mention of a batch:

- acronym linking: a definition "long form (ACR)" (two adjacent mentions, the acronym
  inside parentheses right after the long form, checked with the Schwartz-Hearst rule), or
  "ACR (long form)", or a title "ACR: Long Form ..." (the acronym's letters in order in the
  long form, its first letter first)
  maps the acronym's key to the long form's key, in that paper (its own definition wins)
  and in every other paper of the batch (the most frequent definition across the batch,
  ties broken alphabetically). An acronym defined nowhere in the batch stays its own key,
  and a paper whose text defines it with another long form ("test-time scaling (TTS)" where
  the batch says text-to-speech), extracted or not, keeps it apart.
- ``name``: the most common singular surface form of the concept's non-acronym mentions
  across the batch (abstract mentions count before title ones, since titles are
  Title-Cased; a sentence-initial capital is lowered when the rest is lower-case; ties
  broken alphabetically), e.g. "Monte Carlo Tree Search", "large language model". A concept
  seen only as an acronym is named by the acronym ("LLM").
- ``aliases``: after ``normalize``, ``Normalizer.aliases[key]`` is the set of the other
  surface forms (singular, as written) seen for that key, acronyms included, and
  ``Normalizer.names[key]`` the chosen name. Both are rebuilt on each call.

The output is deterministic: the same input gives the same keys, names and aliases.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import pairwise

from schemas.keys import ACRONYM_PLURAL, concept_key, singular_surface
from schemas.model import Mention, PaperExtraction

__all__ = [
    "Normalizer",
    "acronym_long_form_start",
    "is_acronym_of",
]

def _same_long_form(a: str, b: str) -> bool:
    """Two long-form keys of one acronym name the same thing, up to a leading word the text's
    definition and the extracted mention cut differently ("pretrained-large-language-model")."""
    return a == b or a.endswith("-" + b) or b.endswith("-" + a)


# ---------------------------------------------------------------------------
# Schwartz-Hearst acronym matching


def _acronym_chars(acronym: str) -> str:
    """The characters of an acronym that the long form must supply (a plural ``s`` dropped)."""
    core = acronym[:-1] if ACRONYM_PLURAL.match(acronym) else acronym
    return "".join(c for c in core if c.isalnum()).lower()


def acronym_long_form_start(acronym: str, preceding: str) -> int | None:
    """Schwartz & Hearst (2003): where the shortest long form of ``acronym`` begins.

    Every acronym character must be found in order, scanning right to left, and the first one
    must begin a word. Returns a character offset into ``preceding`` (the start of the
    whitespace-delimited word holding the first match), or None.
    """
    chars = _acronym_chars(acronym)
    if len(chars) < 2 or not chars[0].isalnum():
        return None
    text = preceding.lower()
    pos = len(text) - 1
    for s in range(len(chars) - 1, -1, -1):
        c = chars[s]
        while pos >= 0 and (
            text[pos] != c or (s == 0 and pos > 0 and text[pos - 1].isalnum())
        ):
            pos -= 1
        if pos < 0:
            return None
        pos -= 1
    start = pos + 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return start


def is_acronym_of(acronym: str, long_form: str) -> bool:
    """True when ``long_form`` as a whole is a Schwartz-Hearst long form of ``acronym``."""
    if len(long_form) <= len(acronym):
        return False
    return acronym_long_form_start(acronym, long_form) == 0


def _title_acronym(acronym: str, long_form: str) -> bool:
    """A title's "ACR: Long Form": the acronym's characters in order in the long form, the
    first one starting it ("MM-UNet" / "Meta Mamba UNet", "Pref-GRPO" / "Pairwise Preference
    Reward-based GRPO"). Looser than ``is_acronym_of``: the title's colon says it is a
    definition, so a later word may supply the acronym's first letters again."""
    return (
        len(long_form) > len(acronym)
        and " " in long_form.strip()
        and long_form[:1].lower() == _acronym_chars(acronym)[:1]
        and acronym_long_form_start(acronym, long_form) is not None
    )


# ---------------------------------------------------------------------------


def _naming_surface(mention: Mention, field_text: str) -> str:
    """The singular surface of a mention, with a sentence-initial capital lowered if incidental."""
    surface = singular_surface(mention.text)
    words = surface.split()
    if (
        len(words) > 1
        and mention.field == "abstract"
        and words[0][:1].isupper()
        and words[0][1:].islower()
        and all(w.islower() for w in words[1:])
        and field_text[: mention.start].rstrip()[-1:] in ("", ".", "!", "?")
    ):
        surface = surface[0].lower() + surface[1:]
    return surface


class Normalizer:
    """Fills ``key`` and ``name`` on mentions; keeps ``aliases`` and ``names`` per key.

    One instance is one run: its acronym definitions and name votes add up over every batch it
    normalizes, so a run's later chunks link "LLM" as its earlier chunks defined it, and a
    concept's display name is the vote of everything read so far, not of the last chunk.
    """

    def __init__(self) -> None:
        self.aliases: dict[str, set[str]] = {}
        self.names: dict[str, str] = {}
        self._definition_votes: dict[str, Counter[str]] = defaultdict(Counter)
        self._long_votes: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self._acronym_votes: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self._surfaces: dict[str, set[str]] = defaultdict(set)

    @staticmethod
    def _definitions(extraction: PaperExtraction) -> dict[str, str]:
        """Acronym key -> long-form key for the definitions "long form (ACR)" in one paper."""
        found: dict[str, Counter[str]] = defaultdict(Counter)
        by_field: dict[str, list[Mention]] = defaultdict(list)
        for m in extraction.mentions:
            by_field[m.field].append(m)
        for field, mentions in by_field.items():
            text = getattr(extraction.paper, field)
            mentions.sort(key=lambda m: m.start)
            for first, second in pairwise(mentions):
                between = text[first.end : second.start]
                after = text[second.end : second.end + 2]
                bracketed = re.fullmatch(r"\s*\(\s*", between) and after.lstrip().startswith(")")
                if bracketed and is_acronym_of(second.text, first.text):
                    # "long form (ACR)"
                    found[concept_key(second.text)][concept_key(first.text)] += 1
                elif bracketed and is_acronym_of(first.text, second.text):
                    # "ACR (long form)": "MoL (Mixture-of-Losses) continual training"
                    found[concept_key(first.text)][concept_key(second.text)] += 1
                elif (
                    field == "title"
                    and first.start == 0
                    and re.fullmatch(r"\s*:\s*", between)
                    and _title_acronym(first.text, second.text)
                ):
                    # a title "ACR: Long Form for ...": "GATE: Geometry-Aware Trained Encoding"
                    found[concept_key(first.text)][concept_key(second.text)] += 1
        return {
            acr: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for acr, c in found.items()
        }

    @staticmethod
    def _text_definitions(extraction: PaperExtraction) -> dict[str, str]:
        """Acronym key -> long-form key for every "long form (ACR)" in the paper's text, for the
        acronyms among its mentions, whether or not the long form was extracted."""
        found: dict[str, str] = {}
        acronyms = {m.text for m in extraction.mentions if " " not in m.text
                    and any(c.isupper() for c in m.text[1:])}
        for field in ("title", "abstract"):
            text = getattr(extraction.paper, field)
            for acronym in acronyms:
                for hit in re.finditer(rf"\(\s*{re.escape(acronym)}\s*\)", text):
                    preceding = text[max(0, hit.start() - 160) : hit.start()].rstrip()
                    start = acronym_long_form_start(acronym, preceding)
                    if start is not None:
                        found.setdefault(concept_key(acronym), concept_key(preceding[start:]))
        return found

    @classmethod
    def _paper_definitions(cls, extraction: PaperExtraction, text_defs: dict[str, str]
                           ) -> dict[str, str]:
        """The paper's definitions: its adjacent mention pairs, then its text's "long form
        (ACR)" (``text_defs``, from ``_text_definitions``) when that long form is the key of
        one of its own mentions, even if another mention stands between them ("spoken
        language models (SLMs)" with the long form extracted from the title only,
        "Concordance Correlation Coefficient (CCC)" whose shortest Schwartz-Hearst long form
        is "Correlation Coefficient")."""
        defs = cls._definitions(extraction)
        keys = sorted({concept_key(m.text) for m in extraction.mentions})
        for acronym, long_form in sorted(text_defs.items()):
            if acronym in defs:
                continue
            # the exact long form, else a longer mention that ends with it and starts with
            # the acronym's letter ("concordance-correlation-coefficient" for CCC, but not
            # "multilingual-text-to-speech" for TTS)
            matches = [k for k in keys if k == long_form or (
                k.endswith("-" + long_form) and k[0] == acronym[0])]
            if matches:
                defs[acronym] = min(matches, key=lambda k: (len(k), k))
        return defs

    def normalize(self, extractions: Sequence[PaperExtraction]) -> list[PaperExtraction]:
        extractions = list(extractions)
        text_defs = [self._text_definitions(e) for e in extractions]
        per_paper = [self._paper_definitions(e, own)
                     for e, own in zip(extractions, text_defs, strict=True)]
        batch_votes = self._definition_votes
        for defs in per_paper:
            for acr, long in defs.items():
                batch_votes[acr][long] += 1
        batch_defs = {
            acr: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            for acr, c in sorted(batch_votes.items())
        }

        keyed: list[list[tuple[Mention, str, bool]]] = []  # (mention, key, via acronym)
        for extraction, defs, own in zip(extractions, per_paper, text_defs, strict=True):
            rows = []
            for m in extraction.mentions:
                base = concept_key(m.text)
                key = defs.get(base) or batch_defs.get(base)
                if not defs.get(base) and key and base in own and not _same_long_form(
                        own[base], key):
                    key = None  # "test-time scaling (TTS)" here, "text-to-speech" elsewhere
                rows.append((m, key, True) if key and key != base else (m, base, False))
            keyed.append(rows)

        # name votes: (abstract count, total count) per singular surface, long forms first
        long_votes, acr_votes = self._long_votes, self._acronym_votes
        surfaces = self._surfaces
        batch_keys: set[str] = set()
        for extraction, rows in zip(extractions, keyed, strict=True):
            for m, key, via_acronym in rows:
                text = getattr(extraction.paper, m.field)
                surface = _naming_surface(m, text)
                surfaces[key].add(singular_surface(m.text))
                batch_keys.add(key)
                votes = acr_votes if via_acronym or key in batch_votes else long_votes
                votes[key][(surface, m.field)] += 1

        names: dict[str, str] = {}
        for key in sorted(batch_keys):
            votes = long_votes.get(key) or acr_votes[key]
            tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for (surface, field), n in votes.items():
                tally[surface][0] += n if field == "abstract" else 0
                tally[surface][1] += n
            names[key] = min(tally.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[0]

        self.names = names
        self.aliases = {k: {s for s in surfaces[k] if s != names[k]} for k in sorted(batch_keys)}
        return [
            e.model_copy(
                update={
                    "mentions": tuple(
                        m.model_copy(update={"key": key, "name": names[key]})
                        for m, key, _ in rows
                    )
                }
            )
            for e, rows in zip(extractions, keyed, strict=True)
        ]
