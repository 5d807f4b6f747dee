"""The rule extractor (registered as ``"rules"``): typed mentions from token rules alone.

``RuleExtractor`` runs a blank English spaCy pipeline (tokenizer that keeps hyphenated words
whole, plus the rule sentencizer) with ``nlp.pipe`` and applies token rules:

1. Acronym definitions "long form (ACR)": the long form is found with the Schwartz-Hearst
   rule (the acronym's letters in order in the preceding words, the first one starting a
   word); both the long form and every bare use of the acronym in the paper are mentions,
   typed by the short lists, the acronym's or long form's own form ("OKBench"), what the
   paper calls it ("(KDH-MLTC), a framework", "(CVR) problem", "open scenario HAD (OHAD)"
   after HAD was defined a task), else the long form's head word.
2. Named artifacts: tokens shaped like names (CamelCase, mixed case, capitals, letters with
   digits: GPT-4, LLaMA, WebArena, HotpotQA, BIG-bench, CIFAR10), with a version number or a
   capitalised neighbour attached, plus a few well-known capitalised names (Llama, Claude).
   Their type is decided per paper by the strongest evidence, see ``RuleExtractor.name_type``.
3. Noun phrases ending in a task, method or metric head word ("question answering",
   "graph neural network", "success rate") with one to three content-word modifiers; phrases
   with only generic modifiers ("our method", "the proposed model", "a new framework") are
   rejected.

Overlaps are resolved per sentence: acronym long forms first, then names, then phrases,
longer spans before shorter ones. Mentions get no ``name``/``key``; see ``normalize``.

DATASET vs BENCHMARK. A name is a DATASET when it is a collection of examples: the text
calls it a "dataset", "corpus", "treebank" or "data set", or it is on the short list of
well-known datasets (MNIST, CIFAR-10, ImageNet, COCO, SQuAD, HotpotQA, ...). It is a
BENCHMARK when it is an evaluation instrument: the text calls it a "benchmark", "suite",
"leaderboard", "environment", "arena", "testbed" or "gym", it is on the short list of
benchmark suites and evaluation environments (BIG-bench, MMLU, GSM8K, HumanEval, WebArena,
WebShop, ALFWorld, Meta-World, ...), or it only appears as the thing results are reported on
("evaluate on X", "experiments on X and Y", "results on X") with no dataset cue. The short
lists are applied first, so a well-known name keeps one type across papers; then explicit
cues, then a paper title "X: A Dataset/Benchmark ...", then the evaluation context. A name
with none of these is a METHOD (a named model or system).

The word lists the rules read are in ``lexicon.py``; the tokenizer in ``tokenizer.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from pipeline.extract.lexicon import (
    BENCHMARK_CUES,
    BENCHMARK_SUFFIXES,
    COST_MEASURES,
    CUT_WORDS,
    DATASET_CUES,
    DATASET_SUFFIXES,
    ED_OK,
    EVAL_WORDS,
    EXAM_HEADS,
    GENERIC_MODIFIERS,
    ING_OK,
    KNOWN,
    KNOWN_DATA_PHRASES,
    LIST_GLUE,
    METHOD_CUES,
    METHOD_GENERIC_HEADS,
    METHOD_STANDALONE,
    METHOD_STRONG_HEADS,
    METRIC_HEADS,
    METRIC_PHRASES,
    NAME_SUFFIX_WORDS,
    NOT_AFTER_HEAD,
    PROPOSE,
    RESTRICTED_HEADS,
    TASK_HEADS,
    TASK_STANDALONE,
    TITLE_NAMES,
    VERBISH,
    WEAK_MODIFIERS,
    B,
    D,
    M,
    R,
    T,
    is_not_a_name,
)
from pipeline.extract.spans import Candidate, TokenTable, to_mentions, token_table
from pipeline.extract.tokenizer import build_nlp
from pipeline.normalize import acronym_long_form_start
from schemas.keys import concept_key, singular_surface
from schemas.model import ConceptType, Mention, Paper, PaperExtraction

__all__ = ["KNOWN_NAME_STRENGTH", "RuleExtractor", "head_type_word", "name_shaped", "suffix_type"]

KNOWN_NAME_STRENGTH = 7  # a name's type from the short lists
OWN_WORDS_STRENGTH = 8  # the paper calls the name a technique: stronger than the short lists


# ---------------------------------------------------------------------------
# Token shape helpers

_NAME_CHARS = re.compile(r"^[A-Za-z][A-Za-z0-9\-\.]*[A-Za-z0-9+]$")
_UNIT = re.compile(r"^\d+(?:\.\d+)?(?:[kKmMbBxX%]|[dD]|st|nd|rd|th|s|B|T)$")
_VERSION = re.compile(r"^(?:v?\d+(?:\.\d+)*[a-z]?|v\d+(?:\.\d+)*)$")
_WORDISH = re.compile(r"^[A-Za-z][A-Za-z\-]*[A-Za-z]$")
_ACRONYM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-\.]{0,11}$")
_DATA_CUES = DATASET_CUES | BENCHMARK_CUES
_PLURAL_DATA_CUES = frozenset({"datasets", "corpora", "benchmarks", "databases", "suites"})
# "Real-World Affective Faces (RAF) Database"; not a cue before a name ("MWE database")
_DATA_AFTER_ACRONYM = DATASET_CUES | {"database"}
# "the validation set of X" calls X a dataset
_EVAL_SPLITS = frozenset({"validation", "test", "training", "train", "dev", "evaluation"})
# lower-case words inside a Title Case name: "Labeled Faces in the Wild", "Objects of Daily Life"
_NAME_INNER_WORDS = frozenset({"in", "of", "the"})


# a name that begins with digits: "300W", "3DPW", "2WikiMultiHopQA" (not a unit: "3D", "7B")
_DIGIT_NAME = re.compile(r"^(?:\d{2,}[A-Z]|\d[A-Z]{2,}|\d[A-Z][a-z]{2,})[A-Za-z0-9\-]*$")
# the words that end a list item: the name is an item, not a clause's subject ("benchmarks
# ZorpNet scores ...")
_ITEM_ENDS = frozenset({".", ",", ";", ":", "(", ")", "and", "or"})
# a verb after a name makes it a clause's subject: "On these benchmarks ZorpNet scores 40%"
_CLAUSE_VERBS = frozenset({"is", "was", "are", "were", "has", "have", "had", "scores", "shows",
                           "gets", "attains", "beats", "ranks", "sets", "wins"})
# a reference to the paper's own layout, no name: "datasets (Table 2)"
_LAYOUT_WORDS = frozenset({"table", "tables", "figure", "figures", "fig", "fig.", "section",
                           "sec", "sec.", "appendix", "eq", "eq.", "equation"})
# a measured value: "64.2%", "+37.69%", "0.542", "27.7" (not a count: "3 LLMs", "7B")
_MEASURED_VALUE = re.compile(r"^[+\-\u2212]?(?:\d+(?:[.,]\d+)?\\?%|\d*\.\d+)$")
# a value right after a name, no version ("SMT 2.0"): "METEOR 0.542", "45.23", "64.2%"
_VALUE_AFTER_NAME = re.compile(r"^[+\-\u2212]?(?:0?\.\d+|\d+\.\d{2,}|\d+(?:[.,]\d+)?\\?%)$")
# an acronym that may name a metric: capitals, a hyphen inside ("SR", "SPL", "CLIP-T")
_METRIC_ACRONYM = re.compile(r"^[A-Z][A-Z\-]*[A-Z]$")
# before a value: "CLIP-T: 0.2588", "PCC > 0.7", "AUC = 0.91", "an SR of 45.2%"
_BEFORE_VALUE = frozenset({":", "=", ">", "<", "\u2265", "\u2264", "of"})
# units in capitals are no metric ("2.5 PB"); GB, MB and the like are not-a-name words already
_UNITS = frozenset({"PB", "KM", "CM", "MM", "NM", "KW", "MW", "GW", "MS", "USD", "EUR"})
# words between a left data cue and the name: "benchmarks such as X", "the two datasets X"
_BEFORE_NAME_WORDS = frozenset({
    "such", "as", "like", "including", "e.g.", "e.g.,", ",", ":", "(", "namely", "the",
    "popular", "standard", "challenging", "two", "three", "several", "four", "five", "of", "new",
    "called", "named", "dubbed", "termed"})


def _digit_name(text: str) -> bool:
    return bool(_DIGIT_NAME.match(text)) and not _UNIT.match(text)


def _is_clause_verb(word: str) -> bool:
    return word in _CLAUSE_VERBS or (word.endswith("s") and (
        word[:-1] in VERBISH or (word.endswith("es") and word[:-2] in VERBISH)))


def _left_data_cue(back: list[str]) -> ConceptType | None:
    """DATASET or BENCHMARK when the words before a name (lower-cased) end in a data cue:
    "benchmarks such as", "the dataset", "the validation set of"."""
    for i, w in enumerate(reversed(back)):
        if w in DATASET_CUES or (w in ("set", "sets", "split") and 0 < i < len(back) - 1
                                 and back[-i] == "of" and back[-i - 2] in _EVAL_SPLITS):
            return D
        if w in BENCHMARK_CUES:
            return B
        if w not in _BEFORE_NAME_WORDS:
            return None
    return None


def _data_cue_type(word: str) -> ConceptType | None:
    return D if word in _DATA_AFTER_ACRONYM else B if word in BENCHMARK_CUES else None


def _is_titled_name(words: list[str]) -> bool:
    """Every word capitalised but the small ones: "Real-World Affective Faces", "Labeled Faces
    in the Wild" (a name), not "fine-grained visual classification" (a task)."""
    content = [w for w in words if w.lower() not in _NAME_INNER_WORDS and w.isalpha()]
    return bool(content) and all(w[:1].isupper() for w in content)


def _is_titlecase(text: str) -> bool:
    return all(p[:1].isupper() and p[1:].islower() for p in text.split("-") if p)


@lru_cache(maxsize=65536)
def _name_shaped(text: str) -> bool:
    """CamelCase, mixed case, capitals or letters+digits: GPT-4, LLaMA, WebArena, CIFAR10.

    Not: units and sizes (3D, 7B), Roman numerals, lower-case-initial tokens (fMRI, sim7B),
    Title-Case hyphen compounds (Multi-Agent, Open-Ended), "-based"/"-specific" compounds
    (LLM-based), web addresses, and one or two character tokens (KL, L2) unless well known.
    """
    key = concept_key(text)
    inner_upper = any(c.isupper() for c in text[1:])
    has_digit = any(c.isdigit() for c in text)
    if key in KNOWN and (inner_upper or has_digit):
        return True  # GloVe, MATH, T5; not the words "map", "opt", "math"
    if len(text) < 3 or not text[0].isalpha() or not text[0].isupper() or _UNIT.match(text):
        return False
    if not _NAME_CHARS.match(text) or re.fullmatch(r"[IVXLC]+", text):
        return False
    if is_not_a_name(text):
        return False
    parts = text.split("-")
    if len(parts) > 1 and all(_is_titlecase(p) or p.islower() for p in parts if p.isalpha()) and (
        all(p.isalpha() for p in parts)
    ):
        return False  # Multi-Agent, Task-Agnostic, Mixture-of-Experts
    last = parts[-1]
    if len(parts) > 1 and last.isalpha() and last[1:].islower() and (
        last.lower().endswith(("ed", "ing")) or last.lower() in NAME_SUFFIX_WORDS
    ):
        return False  # LLM-based, GPT-4-based, FM-specific
    if "." in text and re.search(r"[A-Za-z]\.[a-z]", text):
        return False  # FINN.no, a domain
    if _head_type_word(text.lower()) is not None:
        return False  # NEtworks
    return inner_upper or has_digit


def name_shaped(text: str) -> bool:
    """A token shaped like a name (``_name_shaped``): GPT-4, LLaMA, WebArena, CIFAR10."""
    return _name_shaped(text)


def _is_name_token(tokens: TokenTable, i: int, in_title: bool) -> bool:
    text = tokens.text[i]
    if _name_shaped(text):
        # a capitalised English word (NOT, THE) is emphasis, not a name
        return not (text.isupper() and tokens.is_stop[i])
    return (
        not in_title and text[:1].isupper() and text[1:].islower() and text.lower() in TITLE_NAMES
    )


def _is_acronym_token(text: str) -> bool:
    if not _ACRONYM_RE.match(text) or text.lower() in ("i.e", "e.g"):
        return False
    if not any(c.isalpha() for c in text):
        return False
    return sum(c.isupper() for c in text) >= 2 or (text[0].isupper() and len(text) <= 6)


def _valid_modifier(tok: Token) -> bool:
    text = tok.text
    low = tok.lower_
    if not _WORDISH.match(text) or tok.is_stop or low in GENERIC_MODIFIERS or low in VERBISH:
        return False
    if not (text.islower() or _is_titlecase(text)):
        return False
    parts = low.split("-")
    if any(p in ("the", "a", "an") for p in parts[:1]):
        return False
    last = parts[-1]
    hyphenated = len(parts) > 1
    if last in GENERIC_MODIFIERS or low in DATASET_CUES or low in BENCHMARK_CUES:
        return False
    if (
        low.endswith(("ent", "ant"))
        and not low.endswith("ment")
        and not hyphenated
        and low not in ("latent", "gradient", "agent", "component", "student", "constant",
                        "parent", "assistant", "variant", "participant", "descendant")
    ):
        return False
    if low.endswith("ly") and low not in ("family", "anomaly", "assembly", "supply", "poly"):
        return False
    if last.endswith("ing") and low not in ING_OK and last not in ING_OK:
        return False
    if last.endswith("ed") and low not in ED_OK and not hyphenated:
        return False
    if (
        low.endswith("s")
        and not low.endswith(("ss", "us", "is", "ics", "ous"))
        and low not in ("series",)
    ):
        return False
    return not low.endswith(("ful", "less", "ible", "able"))


def _head_type(tok: Token) -> tuple[ConceptType, str] | None:
    """(type, kind) when the token can end a concept phrase; kind: standalone/strong/generic."""
    if not (tok.text.islower() or _is_titlecase(tok.text)):
        return None
    return _head_type_word(tok.lower_)


@lru_cache(maxsize=65536)
def _head_type_word(low: str) -> tuple[ConceptType, str] | None:
    last = low.rsplit("-", 1)[-1]
    singular = singular_surface(low)
    if low in METRIC_HEADS:
        return R, "standalone"
    for word in (low, last):
        if word in TASK_HEADS:  # tasks: singular only ("predictions" are outputs)
            return T, "standalone" if low in TASK_STANDALONE else "strong"
    for word in (low, singular, last, singular_surface(last)):
        if word in METHOD_STRONG_HEADS:
            standalone = low in METHOD_STANDALONE or singular in METHOD_STANDALONE
            return M, "standalone" if standalone else "strong"
        if word in METHOD_GENERIC_HEADS:
            return M, "generic"
    return None


def head_type_word(low: str) -> tuple[ConceptType, str] | None:
    """(type, kind) of a lower-case word that can end a concept phrase, else None."""
    return _head_type_word(low)


def suffix_type(text: str) -> ConceptType | None:
    """The type a name's own form gives it: an ending ("NoveltyBench", "CodeAgent-Test" are
    benchmarks, "ChipKG" a dataset), else a known model or dataset family as one of its
    hyphen parts ("OMG-LLaVA", "Qwen3-8B", "PEGASUS-X" are models, "FS-COCO" a dataset)."""
    low = text.lower()
    if len(text) > 4 and low.endswith(BENCHMARK_SUFFIXES):
        return B
    if len(text) > 3 and ((low.endswith(DATASET_SUFFIXES) and text[-2:].isupper())
                          or low.endswith(("corpus", "-data"))):
        return D
    parts = [re.sub(r"\d+(?:\.\d+)?[bBmMkK]?$", "", p) for p in re.split(r"[-\s]", text)]
    for part in parts:
        key = concept_key(part) if len(part) > 2 else ""
        if KNOWN.get(key) is M:
            return M
        if KNOWN.get(key) in (D, B) and len(parts) > 1:
            return KNOWN[key]
    return None


# ---------------------------------------------------------------------------


_TASK_WORDS = frozenset({"task", "tasks", "problem", "problems"})
_METRIC_LIST_CUES = frozenset({"metrics", "measures", "criteria"})
_LIST_OPENERS = ((":",), ("such", "as"), ("including",), ("like",), ("(",), ("namely",))
_LIST_GLUE = frozenset({",", "and", "or"})


def _titled_word(tokens: TokenTable, i: int) -> bool:
    text = tokens.text[i]
    if _is_titlecase(text):
        return text.replace("-", "").isalpha() and not tokens.is_stop[i]
    return _name_shaped(text) or _digit_name(text)


def _titled_run_start(tokens: TokenTable, end: int, floor: int) -> int:
    """The start of the Title Case words ending at ``end`` (exclusive), at or after ``floor``
    (no run: ``end``). "in", "of" and "of the"/"in the" join a run only between Title Case
    words."""
    lower = tokens.lower
    k = end
    while k - 1 >= floor:
        if _titled_word(tokens, k - 1):
            k -= 1
            continue
        inner = k - 1
        while inner >= floor and lower[inner] in _NAME_INNER_WORDS and k - inner <= 2:
            inner -= 1
        if (k < end and inner < k - 1 and inner >= floor and lower[inner + 1] in ("in", "of")
                and _titled_word(tokens, inner)):
            k = inner
            continue
        break
    return k


def _named_before_data_cues(tokens: TokenTable) -> list[tuple[int, int]]:
    """Names a dataset or benchmark cue follows: "the Cityscapes dataset", "the Stanford Question
    Answering Dataset", "the Labeled Faces in the Wild dataset", and each name of a list before
    a plural cue: "the T-LESS and LineMOD datasets", and before its modifiers too: "the Cora,
    Citeseer and Pubmed citation network datasets".

    The first word of a sentence never starts a run: it is capitalised anyway.
    """
    texts, lower, sent_starts = tokens.text, tokens.lower, tokens.sent_start
    n = len(texts)
    runs: list[tuple[int, int]] = []
    for j in range(1, n):
        if lower[j] not in _DATA_CUES:
            continue
        titled_cue = _is_titlecase(texts[j])
        if titled_cue and j + 1 < n and _titled_word(tokens, j + 1):
            continue  # the cue is inside a name: "Graph-Guided Environment Reasoning"
        floor = sent_starts[j] + 1
        k = _titled_run_start(tokens, j, floor)
        # a name ends in a Title Case word: "HOI datasets", "USAR environment" describe data;
        # a lone hyphen compound mostly does too ("Vision-Language datasets")
        direct = k < j and (
            (_is_titlecase(texts[j - 1]) and (j - k > 1 or "-" not in texts[j - 1]))
            or (j - k == 1 and _digit_name(texts[j - 1])))  # "the 300W benchmark"
        if direct:
            runs.append((k, j + 1 if titled_cue else j))
        if lower[j] not in _PLURAL_DATA_CUES:
            continue
        if k < j:
            start = k
        else:
            last = j  # the last name of a list may stand before lower-case modifiers
            while (last - 1 >= floor and j - last < 3 and tokens.is_alpha[last - 1]
                   and texts[last - 1].islower() and not tokens.is_stop[last - 1]):
                last -= 1
            start = _titled_run_start(tokens, last, floor) if last < j else last
            if start == last:
                continue
        items = [(start, j if k < j else last)]
        while True:
            glue = start
            while glue - 1 >= floor and lower[glue - 1] in _LIST_GLUE and start - glue < 2:
                glue -= 1
            if glue == start:
                break
            previous = _titled_run_start(tokens, glue, floor)
            if previous == glue:
                break
            items.append((previous, glue))
            start = previous
        if len(items) > 1:  # one name before modifiers: "GPT-4o generated datasets" is no list
            runs.extend(items[1:] if direct else items)
    return runs


def _named_after_data_cues(tokens: TokenTable) -> list[tuple[int, int]]:
    """The names a data cue introduces: "two datasets Market 1501 and Duke MTMC", "the
    benchmarks: X, Y and Z", "datasets such as X and Y", "the benchmark ZorpArena".

    Without an opener (":", "such as", ...) the list must end where a list can ("benchmarks
    ZorpNet scores ..." names no benchmark), and a singular cue needs a name-shaped word
    right after it ("the dataset Using ..." is no name).
    """
    texts, lower, sent_starts = tokens.text, tokens.lower, tokens.sent_start
    n = len(texts)
    runs: list[tuple[int, int]] = []
    for j in range(n - 1):
        if lower[j] not in _DATA_CUES or _is_titlecase(texts[j]):
            continue  # a Title Case cue ends a name: "the Stanford Question Answering Dataset"
        sent = sent_starts[j]
        k = j + 1
        opened = False
        for opener in _LIST_OPENERS:
            if tuple(lower[k : k + len(opener)]) == opener:
                k, opened = k + len(opener), True
                break
        if k >= n or (not opened and lower[j] not in _PLURAL_DATA_CUES
                      and not _name_shaped(texts[k])):
            continue
        items: list[tuple[int, int]] = []
        start = k
        while start < n and sent_starts[start] == sent and lower[start] not in _LAYOUT_WORDS:
            end = start
            while end < n and sent_starts[end] == sent and (
                    _titled_word(tokens, end) or (end > start and _VERSION.match(texts[end]))):
                end += 1
            if end == start:
                break
            items.append((start, end))
            glue = end
            while glue < n and lower[glue] in _LIST_GLUE and glue - end < 2:
                glue += 1
            if glue == end:
                break
            start = glue
        if not items:
            continue
        after = items[-1][1]
        at_boundary = after == n or sent_starts[after] != sent or lower[after] in _ITEM_ENDS
        if opened or at_boundary:
            runs.extend(items)
    return runs


def _metric_list(doc: Doc) -> list[tuple[int, int]]:
    """The items a paper lists as its metrics: "generation metrics: faithfulness, answer
    relevance, context relevance, and factual correctness", "metrics such as BLEU and
    chrF", "in terms of accuracy and F1" (one to four words each; the list ends at the
    sentence's end, a bracket or a longer item)."""
    tokens = token_table(doc)
    lowers, n = tokens.lower, len(tokens.lower)
    out: list[tuple[int, int]] = []
    for i in range(n - 1):
        j = None
        if lowers[i] in _METRIC_LIST_CUES:
            for opener in _LIST_OPENERS:
                if tuple(lowers[i + 1 : i + 1 + len(opener)]) == opener:
                    j = i + 1 + len(opener)
                    break
        elif lowers[i] == "in" and lowers[i + 1 : i + 3] == ["terms", "of"]:
            j = i + 3
        if j is None:
            continue
        sent = tokens.sent_start[i]
        start = j
        for k in range(j, n + 1):
            ends_item = (k == n or tokens.sent_start[k] != sent or lowers[k] in _LIST_GLUE
                         or lowers[k] in (".", ";", ")", "(", ":"))
            ends_list = not ends_item and k > start and (
                lowers[k] in CUT_WORDS or lowers[k] in VERBISH)
            if not (ends_item or ends_list):
                continue
            if 0 < k - start <= 4:
                out.append((start, k))
            elif k - start > 4:
                break  # a clause, not a list item
            if ends_list or k == n or tokens.sent_start[k] != sent or (
                    lowers[k] not in _LIST_GLUE):
                break  # "accuracy and F1 over baselines": the list ends at "over"
            start = k + 1
    return out


def _long_form_type(span: Span, proposed: bool) -> ConceptType | None:
    """Type of an acronym long form from its head word, or None to reject the definition."""
    key = concept_key(span.text)
    if key in KNOWN:
        return KNOWN[key]
    words = [t for t in span if t.is_alpha or "-" in t.text]
    if not words:
        return None
    preps = {"of", "from", "with", "for", "in", "on", "using", "via", "by", "to"}
    candidates = [words[-1]]
    for i, t in enumerate(span):
        if t.lower_ in preps and i > 0:
            candidates.append(span[i - 1])
            break
    for head in candidates:
        low = singular_surface(head.lower_)
        last = low.rsplit("-", 1)[-1]
        if low in DATASET_CUES or last in ("dataset", "corpus", "data", "treebank"):
            return D
        if low in BENCHMARK_CUES or last in EXAM_HEADS or last in (
            "benchmark", "test", "challenge", "suite", "competition"
        ):
            return B
        if low in ("problem", "task") or last in ("problem", "task"):
            return T
        if low in ("intelligence", "distribution", "interference", "regret", "scale"):
            return None
        if low in ("rate", "score", "error") or last in ("rate", "score", "error"):
            return R
        typed = _head_type_word(low)
        if typed:
            return typed[0]
    if len(span) == 1 and _name_shaped(span.text):
        return M  # "FacePoseNet (FPN)"
    titled = all(
        _is_titlecase(t.text) or t.is_stop for t in span if t.is_alpha or "-" in t.text
    )
    return M if (titled or proposed) else None


def _apposition_type(doc: Doc, end: int, sent_end: int) -> ConceptType | None:
    """What the words right after a name call it: "X, a new dataset of ...", "X is a benchmark
    for ...", "X, a unified post-training framework" (the first cue word decides)."""
    window = [t.lower_ for t in doc[end : min(end + 7, sent_end)]]
    if not window[:3] or not (
        window[:2] in ([",", "a"], [",", "an"], ["is", "a"], ["is", "an"], [",", "the"],
                       ["(", "a"])
        or window[:1] == [":"]
    ):
        return None
    for w in window[2:]:
        if w in DATASET_CUES:
            return D
        if w in BENCHMARK_CUES:
            return B
        if w in METHOD_CUES:
            return M
    return None


class RuleExtractor:
    """Token rules over a blank spaCy pipeline; see the module docstring."""

    name = "rules"

    def __init__(
        self, batch_size: int = 256, n_process: int = 1, nlp: Language | None = None
    ) -> None:
        self.nlp = nlp if nlp is not None else build_nlp()
        self.metric_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.metric_matcher.add(
            "METRIC", [self.nlp.make_doc(p) for p in METRIC_PHRASES.split("|")]
        )
        self.cost_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.cost_matcher.add("METRIC", [self.nlp.make_doc(p) for p in COST_MEASURES.split("|")])
        # multi-word data names as written ("Adroit Hand"), case-sensitive
        self.data_matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for name, ctype in KNOWN_DATA_PHRASES.items():
            self.data_matcher.add(ctype.value, [self.nlp.make_doc(name)])
        self.batch_size = batch_size
        self.n_process = n_process

    # -- public ------------------------------------------------------------

    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        it = iter(papers)
        while chunk := list(islice(it, self.batch_size)):
            texts = [text for p in chunk for text in (p.title, p.abstract)]
            docs = list(
                self.nlp.pipe(texts, batch_size=self.batch_size, n_process=self.n_process)
            )
            for i, paper in enumerate(chunk):
                yield PaperExtraction(
                    paper=paper, mentions=tuple(self._paper(docs[2 * i], docs[2 * i + 1]))
                )

    # -- per paper ---------------------------------------------------------

    def _paper(self, title: Doc, abstract: Doc) -> list[Mention]:
        return to_mentions((title, abstract), self.candidates(title, abstract))

    def measures(self, title: Doc, abstract: Doc) -> list[Candidate]:
        """Metric phrases and cost measures as written ("success rate", "training time",
        "memory footprint"): METRICs whatever their context, the longest match kept; and the
        items of a list of metrics (``_metric_list``)."""
        out = []
        for di, doc in enumerate((title, abstract)):
            spans = [doc[s:e] for _, s, e in self.metric_matcher(doc)]
            spans += [doc[s:e] for _, s, e in self.cost_matcher(doc)]
            out += [Candidate(di, sp.start, sp.end, R, tier=2, strength=5)
                    for sp in filter_spans(spans)]
            taken = {(c.start, c.end) for c in out if c.doc_index == di}
            out += [Candidate(di, s, e, R, tier=2, strength=5)
                    for s, e in _metric_list(doc) if (s, e) not in taken]
        return out

    def measured_names(self, title: Doc, abstract: Doc) -> list[Candidate]:
        """Acronyms the paper reports a value of: METRICs, whatever the NER says ("+37.69% SR",
        "64.2% SR", "CLIP-T: 0.2588", "PCC > 0.7", "METEOR 0.542"). Not a name the short lists
        know as something else, a unit ("2.5 GB"), or a modifier ("85.3% ZQA accuracy")."""
        out = []
        for di, doc in enumerate((title, abstract)):
            tokens = token_table(doc)
            texts, n = tokens.text, len(tokens.text)
            for i, text in enumerate(texts):
                if not _METRIC_ACRONYM.match(text) or text in _UNITS:
                    continue
                known = KNOWN.get(concept_key(text))
                if (known is not None and known is not R) or is_not_a_name(text):
                    continue
                after = texts[i + 1] if i + 1 < n else ""
                value_before = i > 0 and bool(_MEASURED_VALUE.match(texts[i - 1])) and not (
                    after.isalpha() and after.islower() and not tokens.is_stop[i + 1])
                value_after = (after in _BEFORE_VALUE and i + 2 < n
                               and _MEASURED_VALUE.match(texts[i + 2]) is not None) or (
                    bool(_VALUE_AFTER_NAME.match(after)))
                if value_before or value_after:
                    out.append(Candidate(di, i, i + 1, R, tier=2, strength=5, is_name=True))
        return out

    def candidates(self, title: Doc, abstract: Doc, phrases: bool = True) -> list[Candidate]:
        """The chosen, non-overlapping rule spans of a paper, with their tier and evidence.

        A name's ``strength`` is the strongest evidence for its type anywhere in the paper.
        ``phrases=False`` skips the phrase rules (tier 1), which never change the names chosen.
        """
        docs = (title, abstract)
        cands: list[Candidate] = []
        acronyms: dict[str, ConceptType | None] = {}  # acronym text -> type (None: rejected)
        for di, doc in enumerate(docs):
            cands.extend(self._acronym_definitions(di, doc, acronyms))
        introduced = self._introduced_names(title, abstract)
        for di, doc in enumerate(docs):
            cands.extend(self._names(di, doc, acronyms, introduced))
            cands.extend(
                Candidate(di, s, e, ConceptType(self.nlp.vocab.strings[label]), tier=2,
                          strength=KNOWN_NAME_STRENGTH, is_name=True)
                for label, s, e in self.data_matcher(doc)
            )
            if phrases:
                cands.extend(self._phrases(di, doc))
                cands.extend(
                    Candidate(di, s, e, R, tier=1) for _, s, e in self.metric_matcher(doc)
                )

        # one type per name in the paper: the strongest evidence wins
        best: dict[str, tuple[int, str]] = {}
        for c in cands:
            if c.is_name and c.type is not None:
                key = concept_key(token_table(docs[c.doc_index]).span_text(c.start, c.end))
                prev = best.get(key)
                if prev is None or c.strength > prev[0]:
                    best[key] = (c.strength, c.type)
        for c in cands:
            if c.is_name:
                key = concept_key(token_table(docs[c.doc_index]).span_text(c.start, c.end))
                if key in best:
                    c.type = ConceptType(best[key][1])
                    c.strength = best[key][0]

        chosen: list[Candidate] = []
        for di, doc in enumerate(docs):
            taken = [False] * len(doc)
            own = [c for c in cands if c.doc_index == di and c.type is not None]
            for c in sorted(own, key=lambda c: (-c.tier, -(c.end - c.start), c.start)):
                if any(taken[c.start : c.end]):
                    continue
                for k in range(c.start, c.end):
                    taken[k] = True
                chosen.append(c)
        return sorted(chosen, key=lambda c: (c.doc_index, c.start))

    # -- rules -------------------------------------------------------------

    def _acronym_definitions(
        self, di: int, doc: Doc, acronyms: dict[str, ConceptType | None]
    ) -> list[Candidate]:
        out = []
        tokens = token_table(doc)
        texts = tokens.text
        for i in range(1, len(doc) - 2):
            if texts[i] != "(" or texts[i + 2] != ")":
                continue
            acr = doc[i + 1]
            if not _is_acronym_token(acr.text):
                continue
            sent_start = tokens.sent_start[i + 1]
            n_letters = sum(c.isalnum() for c in acr.text)
            window = min(n_letters + 5, 2 * n_letters)
            lo = max(sent_start, i - window)
            # stop the window at punctuation other than hyphens
            for k in range(i - 1, lo - 1, -1):
                if tokens.is_punct[k] and texts[k] not in ("-", "/"):
                    lo = k + 1
                    break
            if lo >= i:
                continue
            region = doc[lo:i]
            offset = acronym_long_form_start(acr.text, region.text)
            if offset is None:
                continue
            start_char = region.start_char + offset
            first = next((t.i for t in region if t.idx >= start_char), None)
            if first is None:
                continue
            while first < i and tokens.lower[first] in ("the", "a", "an", "our", "this"):
                first += 1
            # a one-word long form is only believable when hyphenated or long
            if first >= i or (
                i - first == 1
                and "-" not in doc[first].text
                and n_letters > 2
                and len(doc[first].text) < 2 * n_letters
            ):
                acronyms.setdefault(acr.text, None)
                continue
            long_span = doc[first:i]
            # what the paper calls it beats its long form's head: an apposition ("...
            # Classification (KDH-MLTC), a framework"), its head an acronym defined before
            # ("open scenario HAD (OHAD)"), the word after it ("(CVR) problem", "(RAF)
            # Database")
            after = tokens.lower[i + 3] if i + 3 < len(doc) else ""
            by_context = (_apposition_type(doc, i + 3, doc[i + 1].sent.end)
                          or acronyms.get(texts[i - 1])
                          or (T if after in _TASK_WORDS else None)
                          or (_data_cue_type(after) if _is_titled_name(texts[first:i])
                              else None))
            if len(long_span) > 1 and any(_name_shaped(t.text) for t in long_span):
                # "... using LLM Specialized MCTS (MASTER)": keep the acronym, not the phrase
                acronyms[acr.text] = by_context or M
                out.append(Candidate(di, i + 1, i + 2, acronyms[acr.text], tier=2, strength=4,
                                     is_name=True))
                continue
            before = set(tokens.lower[max(sent_start, first - 4) : first])
            ctype = (KNOWN.get(concept_key(acr.text)) or suffix_type(acr.text)
                     or suffix_type(long_span.text) or by_context
                     or _long_form_type(long_span, proposed=bool(before & PROPOSE)))
            acronyms[acr.text] = ctype if ctype is not None else acronyms.get(acr.text)
            if ctype is None:
                continue
            out.append(Candidate(di, first, i, ctype, tier=3))
            out.append(Candidate(di, i + 1, i + 2, ctype, tier=2, strength=6, is_name=True))
        return out

    @staticmethod
    def _introduced_names(title: Doc, abstract: Doc) -> set[str]:
        """Single words a paper introduces as names: "Tryage: ..." titles, "we propose Quad,".

        Any later use of the word in the paper is a name mention.
        """
        found: set[str] = set()
        colon = next((t.i for t in title if t.text == ":"), None)
        if colon == 1:
            word = title[0]
            if (
                word.is_alpha
                and word.text[0].isupper()
                and not word.is_stop
                and not word.lower_.endswith(("ing", "ed"))
                and _head_type(word) is None
            ):
                found.add(word.text)
        lowers = token_table(abstract).lower
        for i in range(len(abstract) - 2):
            if lowers[i] not in PROPOSE:
                continue
            j = i + 1
            if lowers[j] in ("the", "a", "an"):
                j += 1
            if j + 1 >= len(abstract):
                continue
            word, after = abstract[j], abstract[j + 1]
            if (
                word.is_alpha
                and _is_titlecase(word.text)
                and not word.is_stop
                and after.text in (",", ":", "(", ".", "which", "that", "to")
                and _head_type(word) is None
            ):
                found.add(word.text)
        return found

    def _names(
        self, di: int, doc: Doc, acronyms: dict[str, ConceptType | None], introduced: set[str]
    ) -> list[Candidate]:
        in_title = di == 0
        defined = {a: t for a, t in acronyms.items() if t is not None}
        plural_defined = {a + "s": t for a, t in defined.items()}
        plural_defined.update({a[:-1]: t for a, t in defined.items() if a.endswith("s")})
        tokens = token_table(doc)
        texts, sent_starts = tokens.text, tokens.sent_start
        spans: list[tuple[int, int]] = []
        i = 0
        n = len(doc)
        while i < n:
            text = texts[i]
            is_acr_use = text in defined or text in plural_defined
            if acronyms.get(text, "") is None and not is_acr_use:
                i += 1
                continue  # an acronym whose definition was rejected
            if not (is_acr_use or text in introduced or _is_name_token(tokens, i, in_title)):
                i += 1
                continue
            start, end = i, i + 1
            # capitals in a row are one name: "NATURAL INSTRUCTIONS"
            while (
                end < n
                and text.isupper()
                and text.isalpha()
                and texts[end].isupper()
                and tokens.is_alpha[end]
                and len(texts[end]) > 2
                and _is_name_token(tokens, end, in_title)
            ):
                end += 1
            # attach version numbers and following name tokens: "Llama 2", "GPT-3.5 Turbo"
            while (
                end < n
                and _VERSION.match(texts[end])
                and doc[end - 1].whitespace_
                and sent_starts[end] == sent_starts[i]
            ):
                end += 1
            # a capitalised word right before: "Mask R-CNN", "Penn Treebank"
            if (
                not in_title
                and start > sent_starts[i] + 1
                    and _is_titlecase(texts[start - 1])
                    and tokens.is_alpha[start - 1]
                    and not tokens.is_stop[start - 1]
                    and texts[start - 2] not in (".", ":", "(")
                    and concept_key(texts[start - 1] + " " + tokens.span_text(start, end))
                    in KNOWN
                ):
                    start -= 1
            spans.append((start, end))
            i = end
        if not in_title:
            for run in _named_before_data_cues(tokens) + _named_after_data_cues(tokens):
                k, end = run
                # a cue run takes in the names it spans ("UNBC-McMaster Shoulder-Pain")
                inside = [sp for sp in spans if k <= sp[0] and sp[1] <= end]
                if any(s < end and k < e for s, e in spans if (s, e) not in inside):
                    continue
                for sp in inside:
                    spans.remove(sp)
                spans.append(run)
        spans.sort()

        out = []
        groups = self._coordinated(doc, spans)
        for group in groups:
            for s, e in group:
                text = tokens.span_text(s, e)
                if text in defined or text in plural_defined:
                    ctype = defined.get(text) or plural_defined[text]
                    out.append(Candidate(di, s, e, ctype, tier=2, strength=6, is_name=True))
                    continue
                ctype, strength = self.name_type(doc, di, text, group, s, e)
                out.append(Candidate(di, s, e, ctype, tier=2, strength=strength, is_name=True))
        return out

    @staticmethod
    def _coordinated(doc: Doc, spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
        """Group name spans joined only by commas/and/or: "X, Y, and Z"."""
        groups: list[list[tuple[int, int]]] = []
        for s, e in spans:
            if groups:
                pe = groups[-1][-1][1]
                between = doc[pe:s]
                if (
                    len(between) <= 3
                    and all(t.lower_ in LIST_GLUE for t in between)
                    and doc[pe].sent.start == doc[s].sent.start
                ):
                    groups[-1].append((s, e))
                    continue
            groups.append([(s, e)])
        return groups

    def name_type(
        self, doc: Doc, di: int, text: str, group: list[tuple[int, int]], s: int, e: int
    ) -> tuple[ConceptType, int]:
        """The type of a named artifact and the strength of that evidence.

        ``text`` is the name, tokens ``s:e`` of ``doc`` (``di``: 0 title, 1 abstract); ``group``
        holds the token spans of the names listed with it ("X, Y and Z"), else just ``[(s, e)]``.
        The hybrid extractor asks it about the spans its NER calls DATASET.

        Order: an apposition calling it a technique ("X, a computer agent", 8), the short
        lists (7), an explicit cue next to the name or its list (5: "X dataset", "X, a new
        benchmark", "a novel framework, X", "the X (ACR) framework"), a title "X: A
        Dataset/Benchmark/..." (4; with no data word, METHOD 4), an evaluation context "on X"
        (2), else METHOD (1).
        """
        key = concept_key(text)
        base = concept_key(" ".join(t.text for t in doc[s:e] if not _VERSION.match(t.text)))
        sent = doc[s].sent
        appositive = _apposition_type(doc, e, sent.end)
        if appositive is M:
            # the paper's own words beat the short lists: "we introduce Synapse, a computer
            # agent" (Synapse is also a segmentation dataset), in every mention of the paper
            return M, OWN_WORDS_STRENGTH
        for k in (key, base):
            if k in KNOWN:
                return KNOWN[k], KNOWN_NAME_STRENGTH
        if any(key.startswith(p) for p in ("gpt-", "llama-", "claude-", "gemini-", "qwen-")):
            return M, KNOWN_NAME_STRENGTH
        # the name's own form: "-Bench"/"-Test" endings, "...KG", a known family in it
        by_form = suffix_type(text)
        if by_form is not None:
            return by_form, 6
        g_start, g_end = group[0][0], group[-1][1]
        # right cue: "X dataset", "X and Y benchmarks", "the X (EGS) framework"
        if g_end + 3 < len(doc) and doc[g_end].text == "(" and doc[g_end + 2].text == ")":
            g_end += 3
        if g_end < len(doc):
            nxt = doc[g_end].lower_
            if len(group) > 1:
                # a list before a plural cue's modifiers: "Cora, Citeseer and Pubmed citation
                # network datasets"
                cue = g_end
                while (cue < min(len(doc) - 1, g_end + 3) and doc[cue].is_alpha
                       and doc[cue].is_lower and not doc[cue].is_stop
                       and doc[cue].lower_ not in _PLURAL_DATA_CUES):
                    cue += 1
                if doc[cue].lower_ in _PLURAL_DATA_CUES:
                    nxt = doc[cue].lower_
            if nxt in DATASET_CUES:
                return D, 5
            if nxt in BENCHMARK_CUES:
                return B, 5
            if nxt in METHOD_CUES and len(group) == 1:
                return M, 5
        # the name itself ends in a cue: "Stanford Question Answering Dataset"
        last = doc[e - 1].lower_
        if last in DATASET_CUES:
            return D, 5
        if last in BENCHMARK_CUES or last.endswith(("-bench", "bench")):
            return B, 5
        # apposition: "X, a new dataset of ...", "X is a benchmark for ..."
        if appositive is not None:
            return appositive, 5
        # left cue: "benchmarks such as X", "datasets (X, Y)", "the benchmark X"
        back = [t.lower_ for t in doc[max(sent.start, g_start - 4) : g_start]]
        if (back and back[-1] in _PLURAL_DATA_CUES and g_end < len(doc)
                and _is_clause_verb(doc[g_end].lower_)):
            back = back[:-1]  # "On these benchmarks ZorpNet scores 40%": a clause's subject
        if len(back) >= 2 and back[-1] == "," and back[-2] in DATASET_CUES | BENCHMARK_CUES:
            back = []  # "Evaluated on a ... benchmark, ChipMind outperforms": a clause ends
        if (len(back) >= 2 and back[-1] in (",", "called", "named", "dubbed", "termed")
                and back[-2] in METHOD_CUES):
            return M, 5  # "a novel dehazing framework, WDMamba", "a method called X"
        left_cue = _left_data_cue(back)
        if left_cue is None and g_start - 1 > sent.start and doc[g_start - 1].text == "(":
            # an acronym: the cue before its long form, "the validation set of Static Facial
            # Expressions in the Wild (SFEW 2.0)"
            long_start = _titled_run_start(token_table(doc), g_start - 1, sent.start)
            if long_start < g_start - 2 and _is_acronym_token(doc[g_start].text):
                left_cue = _left_data_cue(
                    [t.lower_ for t in doc[max(sent.start, long_start - 4) : long_start]])
        if left_cue is not None:
            return left_cue, 5
        # title "X: A Benchmark ..."
        if di == 0 and s == 0 and e < len(doc) and doc[e].text == ":":
            for t in doc[e + 1 : e + 9]:
                if t.lower_ in DATASET_CUES:
                    return D, 4
                if t.lower_ in BENCHMARK_CUES:
                    return B, 4
            return M, 4
        # evaluation context: "experiments on X and Y", "results on X"
        prev = g_start - 1
        while prev > sent.start and doc[prev].lower_ in ("the", "both", "two", "three"):
            prev -= 1
        if prev >= sent.start and doc[prev].lower_ in ("on", "across"):
            earlier = doc[sent.start : prev].text.lower()
            if any(w in earlier for w in EVAL_WORDS):
                return B, 2
        return M, 1

    def _phrases(self, di: int, doc: Doc) -> list[Candidate]:
        out = []
        n = len(doc)
        for i, tok in enumerate(doc):
            typed = _head_type(tok)
            if typed is None:
                continue
            ctype, kind = typed
            if ctype is R:
                out.extend(self._metric(di, doc, i))
                continue
            if i + 1 < n and doc[i + 1].lower_ in NOT_AFTER_HEAD:
                continue
            if tok.is_stop or (i + 1 < n and doc[i + 1].text == "-"):
                continue
            low_head = singular_surface(tok.lower_)
            sent_start = tok.sent.start
            mods: list[int] = []
            k = i - 1
            while k >= sent_start and len(mods) < 3 and _valid_modifier(doc[k]):
                mods.append(k)
                k -= 1
            # a generic head right after a strong head drops: "reinforcement learning algorithm"
            if kind == "generic" and mods:
                inner = _head_type(doc[mods[0]])
                if inner and doc[mods[0]].lower_ not in ("diffusion", "attention"):
                    continue
            mod_words = [doc[m].lower_ for m in mods]
            hyphen_mod = "-" in tok.text and tok.lower_.rsplit("-", 1)[0] not in ("pre", "re")
            if not mods and not (kind == "standalone" or (hyphen_mod and kind == "strong")):
                continue
            if kind == "generic" and all(w in WEAK_MODIFIERS for w in mod_words):
                continue
            if kind == "generic" and any(
                "-" in w and w.rsplit("-", 1)[1] in NAME_SUFFIX_WORDS for w in mod_words
            ):
                continue  # "task-agnostic method", "inference-time framework"
            if low_head in RESTRICTED_HEADS and not set(mod_words) & RESTRICTED_HEADS[low_head]:
                continue
            # in running text, a Title-Cased phrase must be all Title-Case (a name), else
            # lower-case after a sentence-initial capital
            start = mods[-1] if mods else i
            if di == 1:
                words = [doc[m] for m in range(start, i + 1)]
                cased = [w for w in words if w.i != sent_start]
                if cased and any(_is_titlecase(w.text) for w in cased) and not all(
                    _is_titlecase(w.text) for w in cased
                ):
                    # drop the lower-case part before a Title-Cased head, or skip
                    continue
            ctype = KNOWN.get(concept_key(doc[start : i + 1].text), ctype)
            out.append(Candidate(di, start, i + 1, ctype, tier=1))
        return out

    @staticmethod
    def _metric(di: int, doc: Doc, i: int) -> list[Candidate]:
        k = i - 1
        mods = 0
        while k >= doc[i].sent.start and mods < 2:
            t = doc[k]
            if t.lower_ in ("top-1", "top-5", "top1", "top5") or (
                _valid_modifier(t) and t.text.islower() and t.lower_ not in WEAK_MODIFIERS
            ):
                mods += 1
                k -= 1
            else:
                break
        return [Candidate(di, k + 1, i + 1, R, tier=1)]
