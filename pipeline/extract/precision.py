"""The precision filter: the last step of the hybrid extractor, keeping what a reader would list.

The NER and the rules propose spans in the SciREX/SciERC style, which marks generic technical
phrases ("segmentation method", "computational efficiency", "generation"). The annotation guide
(``../shared/docs/annotation-guide.md``) and the modern evaluation set ask for concepts: names,
and specific techniques, tasks and metrics. ``refine`` turns one paper's chosen spans into that,
with the word lists of ``lexicon.py`` (the "precision filter" section), in this order:

1. **Split** a span around an acronym it contains ("learning-based multi-view stereo (MVS)
   methods" -> "learning-based multi-view stereo", "MVS"; what follows the bracket is a head
   word) and at a coordination ("AMOS2022 and Synapse dataset" -> "AMOS2022", "Synapse
   dataset"), unless the whole is a known name ("Tanks and Temples") or a Title-Cased name
   in running text.
2. **Trim** a measured value ("71.512% Top-1 accuracy", "average cIoU"), leading evaluative
   words, articles and prepositions ("novel", "our", "around", "high-fidelity"), an
   adaptation before a name ("fine-tuned BERT"), trailing cut words ("downstream task of",
   "planning and"), then head words:
   - a data head after a name ("ImageNet dataset", "ImageNet test set", "the WebArena
     benchmark", "IoU score") goes and types the name (``DATA_HEADS``: dataset/corpus ->
     DATASET, benchmark/suite/environment/competition -> BENCHMARK, score/metric -> METRIC);
   - a generic head (``STRIP_HEADS``: model, method, framework, approach, system, task ...)
     goes when what is left is a name or ends in a concept head word ("GPT-4 model" -> GPT-4,
     "semantic segmentation task" -> semantic segmentation, "ChipKG-Augmented Reasoning
     mechanism"); with nothing but generic modifiers left ("our model", "compression
     framework", "plug-and-play solution") the span is dropped. Families whose head is part
     of the name (``HEADED_NAMES``: diffusion model, reward model) stay whole.
   A known model or data name among common words stands for the span: "the CLIP text
   encoder" -> CLIP.
3. **Drop** (``keep``): code addresses, figures, one letter, LaTeX, possessives ("LLMs'
   reasoning capability"), descriptive heads
   (``NON_CONCEPT_HEADS``: capability, robustness, efficiency, representation, application
   ...), one generic word alone (``GENERIC_WORDS``: generation, retrieval, sampling, reward),
   one lower-case word that is no known concept, verb and clause fragments (a first word that
   is a verb, an adverb or a gerund: "ensuring robust alignment", "adaptively sample depth
   hypotheses"), title fragments: in a Title Case title, a span with no name in it that
   the abstract never uses ("Local Information Matter", "Enhancing Traffic Management"), and
   lower-case phrases no other paper names (``pipeline.extract.phrases``: "sequential
   environmental feedback", "discrete nature of EF interaction").
4. **Type** (``retype``): a known name takes its type from the short lists (``KNOWN``); a
   METHOD span ending in a task head is a TASK ("mathematical reasoning", "novel-view
   synthesis"); then one type per concept key in the paper, the strongest evidence winning,
   and an acronym takes the type of the long form it is defined by.

Each step keeps a span that carries a name (a name-shaped token such as GPT-4 or WebArena, or a
known name): the filter is about generic phrases, not about names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

from spacy.tokens import Doc, Span

from pipeline.extract.lexicon import (
    AMBIGUOUS_TASK_HEADS,
    BENCHMARK_CUES,
    BROAD_FIELDS,
    CUT_WORDS,
    DATA_HEADS,
    DATASET_CUES,
    EVALUATIVE,
    EXAM_HEADS,
    GENERIC_COSTS,
    GENERIC_WORDS,
    HEADED_NAMES,
    ING_OK,
    KNOWN,
    LANGUAGES,
    LEAD_CUT_WORDS,
    LEAD_VERBS,
    METHOD_STANDALONE,
    METHOD_STRONG_HEADS,
    NON_CONCEPT_HEADS,
    SET_WORDS,
    STRIP_HEADS,
    STUDY_HEADS,
    STUDY_WORDS,
    TASK_HEADS,
    TASK_STANDALONE,
    TITLE_NAMES,
    VERBISH,
    B,
    D,
    M,
    R,
    T,
    is_not_a_name,
    word_set,
)
from pipeline.extract.phrases import is_descriptive
from pipeline.extract.rules import KNOWN_NAME_STRENGTH, head_type_word
from pipeline.extract.rules import name_shaped as _name_shaped
from pipeline.extract.spans import (
    CUE_STRENGTH,
    Candidate,
    TokenTable,
    is_cued_data_name,
    token_table,
)
from pipeline.normalize import acronym_long_form_start
from schemas.keys import concept_key, singular_surface
from schemas.model import ConceptType

__all__ = ["keep", "refine", "trim"]

_STRONG = CUE_STRENGTH  # evidence that decides a name's type for the whole paper (cue words, lists)
_COORD = frozenset({"and", "or", "&", ","})
_POSSESSIVE = ("'s", "'", "\u2019s", "\u2019")
_ACCURACY_WORDS = frozenset({"accuracy", "accuracies"})
# a name-typing data head after a name: which type it gives
_HEAD_TYPE: dict[str, ConceptType] = {
    **{w: D for w in DATASET_CUES | {"data", "collection", "split", "splits", "set", "sets"}},
    **{w: B for w in BENCHMARK_CUES | {"challenge", "competition"}},
    "score": R, "scores": R, "metric": R, "metrics": R,
}
# a cue word the NER took in before a name ("dataset Mobile app Tasks")
_LEAD_CUES = frozenset({"dataset", "corpus", "benchmark"})
# Title-Cased generic heads dropped after a Title-Cased name ("Spike Aware Mixed-Precision
# Quantization Strategy"); "Model"/"Network" are not: "Spatially-Aware Foundation Model".
_TITLE_STRIP = frozenset({"strategy", "framework", "method", "approach", "technique",
                          "mechanism", "module", "pipeline", "scheme", "methodology"})
# a measured value before its metric: "71.512% Top-1 accuracy", "0.66 transcription accuracy",
# "250x speedup", "81 percent accuracy" (the NER leaves "percent" on)
# a percent sign may be written as LaTeX ("7.9\\%"; one abstract in twenty does)
_VALUE = re.compile(r"^[<>~\u2248]?\d+(?:[.,]\d+)*(?:\\?%|x|\u00d7)?$")
_VALUE_UNITS = frozenset({"%", "\\%", "percent", "percentage", "x", "\u00d7", "fold", "times"})
_WEB = re.compile(r"://|\bwww\.|github\.com|\.(?:com|org|io|net)\b", re.IGNORECASE)
_ADAPTED = frozenset({"fine-tuned", "finetuned", "pre-trained", "pretrained", "open-source",
                      "open-sourced", "quantized", "distilled", "frozen"})
# verbs the NER runs over, split at like a coordination: "UtterTune leverages low-rank
# adaptation", "BioMed-R1 using fine-tuning"
_INNER_VERBS = frozenset({
    "using", "uses", "leverages", "leveraging", "exceeding", "exceeds", "achieves",
    "achieving", "outperforms", "outperforming", "employs", "employing", "utilizes",
    "utilizing", "enables", "enabling", "requires", "improves", "improving"})
# last parts of a hyphenated word that make it a modifier, not a concept alone
_MODIFIER_ENDS = frozenset({"shot", "label", "modal", "view", "level", "scale", "task", "domain",
                            "agent", "turn", "step", "stage", "class", "lingual", "grained"})
# the modifiers of a technique, not of a task: "retrieval-augmented reasoning"
_METHOD_MODIFIER_ENDS = ("-augmented", "-based", "-guided", "-driven", "-enhanced")


def _has_name(words: list[str], key: str) -> bool:
    """A name-shaped word (GPT-4, WebArena, MVS) or the whole span (concept key ``key``) a
    known name."""
    return key in KNOWN or key in HEADED_NAMES or any(_name_shaped(w) for w in words)


def _lower_word(span: Span, i: int) -> bool:
    """Token ``i`` of ``span`` is written as a common word (lower case, or capitalised only
    because it starts the sentence)."""
    tok = span[i]
    if tok.text.islower():
        return True
    return tok.is_sent_start and tok.text[:1].isupper() and tok.text[1:].islower() and (
        tok.lower_ not in TITLE_NAMES
    )


def _pieces(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Split around an inner acronym and at coordinations (step 1)."""
    tokens = token_table(doc)
    texts, lowers = tokens.text, tokens.lower
    for i in range(start + 1, end - 2):
        if texts[i] == "(" and texts[i + 2] == ")" and i + 3 < end:
            # "A (ACR) head": the long form and the acronym; the head after it is dropped
            return [(start, i), (i + 1, i + 2)]
    if concept_key(tokens.span_text(start, end)) in KNOWN:
        return [(start, end)]
    words = [texts[i] for i in range(start, end)
             if tokens.is_alpha[i] and lowers[i] not in CUT_WORDS]
    title_cased = all(w[:1].isupper() for w in words)
    if title_cased and len(words) > 1:
        return [(start, end)]  # "Interactive Referential Vision and Language-guided Action"
    out, s = [], start
    for i in range(start, end):
        if lowers[i] in _COORD or (start < i < end - 1 and lowers[i] in _INNER_VERBS):
            if i > s:
                out.append((s, i))
            s = i + 1
    if s < end:
        out.append((s, end))
    return out


def trim(doc: Doc, start: int, end: int) -> tuple[int, int, ConceptType | None] | None:
    """Bounds without edge words and generic heads, the type a stripped data head gives, or
    None when the span is a generic head with only generic modifiers (step 2)."""
    trimmed = _trim(doc, start, end, doubts=False)
    return None if trimmed is None else trimmed[:3]


def _trim(doc: Doc, start: int, end: int, doubts: bool
          ) -> tuple[int, int, ConceptType | None, str] | None:
    """``trim``, and the doubt it leaves: with ``doubts``, a generic head with only generic
    modifiers before it goes all the same ("budget forcing strategy" -> "budget forcing") and
    the span is returned with the doubt "generic head" for the concept filter to judge."""
    cue: ConceptType | None = None
    doubt = ""
    tokens = token_table(doc)
    texts, lowers, is_punct = tokens.text, tokens.lower, tokens.is_punct
    if start > 0 and _known_with(tokens, start - 1, end):
        start -= 1  # the NER left "novel" off "novel view synthesis"
    start = _after_value(texts, lowers, start, end)
    while start < end and not _known_with(tokens, start, end) and (
            is_punct[start] or lowers[start] in EVALUATIVE
            or lowers[start] in LEAD_CUT_WORDS
            or (lowers[start] in LEAD_VERBS and end - start > 1 and texts[start].islower())
            or lowers[start] in ("'s", "'")
            or (end - start > 1 and is_not_a_name(texts[start])
                and lowers[start] not in LANGUAGES)):
        start += 1
    if (end - start > 1 and lowers[start] in _LEAD_CUES and texts[start].islower()
            and texts[start + 1][:1].isupper()):
        cue = _HEAD_TYPE[lowers[start]]
        start += 1  # "a new dataset Mobile app Tasks ...": the name after its cue word
    if end - start > 1 and lowers[start] in _ADAPTED and _name_shaped(texts[start + 1]):
        start += 1  # "fine-tuned BERT model": BERT, as adapted by the paper
    if start < end and lowers[start] in ("average", "averaged") and (
            end - start > 2 or (end - start == 2 and not texts[start + 1].islower())):
        start += 1  # "average OOD accuracy", "average cIoU"; not "average precision"
    elif end - start > 1 and lowers[start] in ("average", "averaged", "mean") and (
            KNOWN.get(concept_key(tokens.span_text(start + 1, end))) is R
            and concept_key(tokens.span_text(start, end)) not in KNOWN):
        start += 1  # "average accuracy", "mean pixel accuracy"; not "mean average precision"
    if end - start > 2 and lowers[start].endswith("-based") and tokens.is_alpha[start + 1]:
        start += 1  # "learning-based multi-view stereo": the kind of method, not the task
    if end - start > 2 and lowers[end - 1] == "et" and texts[end - 2][:1].isupper():
        end -= 2  # a citation: "Symbolic Knowledge Distillation of West et (al.)"
    while end > start and ((is_punct[end - 1] and texts[end - 1] not in (")", "+"))
                           or lowers[end - 1] in CUT_WORDS
                           # a cut compound: "high-" (of "high- and low-frequency")
                           or texts[end - 1].endswith("-")):
        end -= 1
    if end > start and lowers[end - 1].endswith(_METHOD_MODIFIER_ENDS):
        return None  # cut before its head: "Multidimensional attention UNet-based"
    while end - start > 1:
        key = concept_key(tokens.span_text(start, end))
        if key in KNOWN or key in HEADED_NAMES:
            break
        last, low = texts[end - 1], lowers[end - 1]
        rest = range(start, end - 1)
        rest_named = (any(_name_shaped(texts[i]) for i in rest)
                      or concept_key(tokens.span_text(start, end - 1)) in KNOWN)
        if last.islower() and low in DATA_HEADS and low in _HEAD_TYPE and rest_named:
            cue = _HEAD_TYPE[low]
            end -= 1
            if low in ("set", "sets", "split", "splits"):
                while end - start > 1 and lowers[end - 1] in SET_WORDS:
                    end -= 1
            continue
        if last.islower() and low in STRIP_HEADS:
            if rest_named or _concept_head(lowers[end - 2]):
                end -= 1
                continue
            if doubts:
                end -= 1
                doubt = GENERIC_HEAD
                continue
            return None  # "our model", "compression framework", "a plug-and-play solution"
        if (low in _TITLE_STRIP and last[:1].isupper() and len(rest) >= 2
                and all(texts[i][:1].isupper() for i in rest if tokens.is_alpha[i])):
            end -= 1  # "Spike Aware Mixed-Precision Quantization Strategy"
            continue
        break
    if start >= end:
        return None
    return start, end, cue, doubt


_KNOWN_LAST_PARTS = frozenset(key.rsplit("-", 1)[-1] for key in KNOWN)


def _known_with(tokens: TokenTable, first: int, end: int) -> bool:
    """Token ``first`` is part of a known name ending at ``end``: "novel" of "novel view
    synthesis" (not "the" of "the ImageNet", which the key drops anyway)."""
    last = tokens.text[end - 1]
    if any(ch.isalnum() for ch in last) and (
            concept_key(last).rsplit("-", 1)[-1] not in _KNOWN_LAST_PARTS):
        return False  # no known name ends in this word (most spans: the key is never built)
    key = concept_key(tokens.span_text(first, end))
    return key in KNOWN and key != concept_key(tokens.span_text(first + 1, end))


def _after_value(texts: list[str], lowers: list[str], start: int, end: int) -> int:
    """``start`` past a measured value and its unit; an integer before a capitalised word
    stays ("20 Newsgroups")."""
    i = start
    if i < end - 1 and _VALUE.match(texts[i]):
        value = texts[i]
        unit_or_word = lowers[i + 1] in _VALUE_UNITS or texts[i + 1].islower()
        if not (value.isdigit() and not unit_or_word):
            i += 1
    while i < end - 1 and lowers[i] in _VALUE_UNITS:
        i += 1
    return i


def _concept_head(low: str) -> bool:
    """A word that ends a concept phrase: a task, method or metric head, or a known name."""
    return head_type_word(low) is not None or concept_key(low) in KNOWN


# why a span would be dropped: the word-list reasons (``drop_reason``'s, and step 2's generic
# head) are the ones the learned concept filter can overrule, with the reason as a feature
# ("segmentation" alone, "denoising diffusion model": a phrase no other paper's extraction
# named); the form reasons (LaTeX, figures, bracket pieces, broken case, a pronoun) are final
ONE_PAPER = "one paper's phrase"
GENERIC_HEAD = "generic head"
DOUBTFUL = frozenset({"broad field", "title words", "descriptive head", "study", "verb first",
                      "generic word", "common word", "modifier", ONE_PAPER, GENERIC_HEAD})
_PRONOUNS = word_set("we i you he she it they us them")


def keep(span: Span, in_title_case: bool, abstract_lower: str,
         phrases: frozenset[str] | None = None) -> bool:
    """Whether a trimmed span is a concept a reader would list (step 3); ``phrases`` is the
    model's table of lower-case phrases other papers name (``pipeline.extract.phrases``)."""
    return drop_reason(span, in_title_case, abstract_lower, phrases) is None


def drop_reason(span: Span, in_title_case: bool, abstract_lower: str,
                phrases: frozenset[str] | None = None) -> str | None:
    """Why step 3 drops a trimmed span (a short reason; ``DOUBTFUL`` the word-list ones), or
    None when it keeps it."""
    tokens = token_table(span.doc)
    text = tokens.span_text(span.start, span.end)
    words = tokens.text[span.start : span.end]
    if any(ch in text for ch in "\\{}$") or any(
        w.lower() in _POSSESSIVE or w.endswith(_POSSESSIVE) for w in words
    ):
        return "latex"  # LaTeX ("\\cup \\mathcal{O"), possessives ("LLMs' reasoning capability")
    if len(text) < 2 or not any(ch.isalpha() for ch in text) or _WEB.search(text) or (
            "=" in text):
        return "not a word"  # "E", "+19.05", a code address, "N=120"
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        return "bracket piece"  # a piece of a bracket: "EWO)-guided reasoning path retrieval"
    if tokens.lower[span.start] in _PRONOUNS and len(span) > 1 and _lower_word(span, 0):
        return "pronoun"  # "we show", "it outperforms": a clause the NER ran over
    key = concept_key(text)
    if key in BROAD_FIELDS or key in GENERIC_COSTS:
        return "broad field"  # "language models", "machine learning": fields; "computational cost"
    if len(span) == 1 and text[1:2].isupper() and any(ch.islower() for ch in text[2:]) and (
            text.lower() in STRIP_HEADS or text.lower() in GENERIC_WORDS
            or head_type_word(text.lower()) is not None):
        return "broken case"  # "NEtworks": a common word in a broken case, no name
    named = _has_name(words, key)
    if named:
        return None
    if (in_title_case and singular_surface(text).lower() not in abstract_lower
            and not _title_task(span)):
        return "title words"  # a Title Case title's words: "Local Information Matter", "It Matter"
    lowers = tokens.lower[span.start : span.end]
    last = lowers[-1]
    if last in NON_CONCEPT_HEADS or singular_surface(last) in NON_CONCEPT_HEADS:
        return "descriptive head"  # "computational efficiency", "natural language response"
    if last in STUDY_HEADS and all(w in STUDY_WORDS for w in lowers[:-1]):
        return "study"  # "empirical analysis", "systematic evaluation": the paper's work
    first = lowers[0]
    if _lower_word(span, 0) and (
        first in VERBISH or _finite(first) or first.endswith("ly")
        or (first.endswith("ing") and first not in ING_OK and first not in TASK_HEADS
            and len(span) > 1)
    ):
        return "verb first"  # "ensuring robust alignment", "adaptively sample", "redistribute FFN"
    if len(span) == 1:
        if first in GENERIC_WORDS or singular_surface(first) in GENERIC_WORDS or (
            first in STRIP_HEADS
        ):
            return "generic word"  # "generation", "retrieval", "sampling", a title's "Framework"
        common = _lower_word(span, 0) or (in_title_case and span[0].text[1:].islower())
        if (common and first.isalpha()
                and first not in TASK_STANDALONE | METHOD_STANDALONE):
            # "misinformation", "Regularization" starting a sentence, a Title Case title's
            # "Vision", "Discovery"
            return "common word"
        if "-" in first and (first.rsplit("-", 1)[-1].endswith(
            ("ed", "al", "ive", "ous", "ic", "ible", "able", "ful", "less", "ent", "ant")
        ) or first.rsplit("-", 1)[-1] in _MODIFIER_ENDS):
            return "modifier"  # "semi-supervised", "multi-talented", "zero-shot", "multi-label"
    # one paper's description, named by no other paper: "sequential environmental feedback";
    # a measure of accuracy is a metric all the same ("grading accuracy")
    if (phrases is None or not is_descriptive(text) or key in phrases
            or (len(span) > 1 and last in _ACCURACY_WORDS)):
        return None
    return ONE_PAPER


def _title_task(span: Span) -> bool:
    """A task a Title Case title names ("... for Medical Image Segmentation", "Language
    Modeling with ..."): words before a task head, the first no verb ("Enhancing ...")."""
    first = span[0].lower_
    return (len(span) > 1 and span[-1].lower_ in TASK_HEADS
            and first not in VERBISH and not _finite(first)
            and not (first.endswith("ing") and first not in TASK_HEADS | ING_OK))


def _finite(word: str) -> bool:
    return any(word.endswith(s) and word[: -len(s)] in VERBISH for s in ("es", "s", "ed", "d"))


# heads that name a technique, never a problem: a TASK the NER ends in one is a METHOD.
# Not "optimization": "Bayesian optimization" is a technique, "multi-objective optimization"
# a problem
_TECHNIQUE_HEADS = METHOD_STRONG_HEADS - word_set(
    "learning search optimization optimisation regression sampling decoding clustering"
)


def retype(docs: tuple[Doc, Doc], cands: list[Candidate]) -> None:
    """Known names from the short lists, task heads, one type per key and acronym (step 4)."""
    strongest: dict[str, tuple[int, ConceptType]] = {}
    tables = [token_table(doc) for doc in docs]
    keys = [concept_key(tables[c.doc_index].span_text(c.start, c.end)) for c in cands]
    for c, key in zip(cands, keys, strict=True):
        words = tables[c.doc_index].text[c.start : c.end]
        lowers = tables[c.doc_index].lower[c.start : c.end]
        if key in KNOWN:
            if c.strength < KNOWN_NAME_STRENGTH:
                # (a name the paper's own words type more strongly keeps it: "we introduce
                # Synapse, a computer agent", though the short lists know a Synapse dataset)
                c.type, c.strength = KNOWN[key], KNOWN_NAME_STRENGTH
        elif (len(words) > 1 and lowers[-1] in EXAM_HEADS and words[-1][:1].isupper()
              and words[0][:1].isupper()):
            c.type, c.strength = B, max(c.strength, _STRONG)  # "Medical Licensing Examination"
        elif c.type is M and not any(_name_shaped(w) for w in words):
            last = lowers[-1]
            mods = lowers[:-1]
            if (last in TASK_HEADS and last not in AMBIGUOUS_TASK_HEADS
                    and last not in METHOD_STRONG_HEADS and mods
                    and not (last == "reasoning" and any(m.endswith(_METHOD_MODIFIER_ENDS)
                                                         for m in mods))):
                c.type = T  # "mathematical reasoning", "multi-view depth estimation"
        elif (c.type is T and c.strength < _STRONG and lowers[-1] in _TECHNIQUE_HEADS
              and not any(_name_shaped(w) for w in words)):
            c.type = M  # "supervised finetuning", "Trajectory-as-Exemplar Prompting"
        if c.type is None:
            continue
        found = (c.strength, c.type)
        if key not in strongest or found[0] > strongest[key][0]:
            strongest[key] = found
    # an acronym defined right after its long form takes the long form's type
    ordered = sorted(cands, key=lambda c: (c.doc_index, c.start))
    for long, short in pairwise(ordered):
        doc = docs[long.doc_index]
        if (short.doc_index == long.doc_index and short.start == long.end + 1
                and doc[long.end].text == "(" and short.end < len(doc)
                and doc[short.end].text == ")" and long.type is not None
                and short.end - short.start == 1 and not doc[short.start].text.islower()
                # the span is the long form, not only its last words ("Real-ISR (OMGSR)")
                and acronym_long_form_start(doc[short.start].text,
                                            doc[long.start : long.end].text) is not None):
            skey = concept_key(doc[short.start : short.end].text)
            if skey not in KNOWN and strongest.get(skey, (0, M))[0] < _STRONG:
                strongest[skey] = (_STRONG, long.type)
    # with no strong evidence, one type per concept of the paper all the same: the most
    # mentions' type, a tie going to the abstract's first ("Point Cloud Registration" of a
    # title as a METHOD, "point cloud registration" of the abstract as a TASK)
    votes: dict[str, Counter[ConceptType]] = {}
    first_in_abstract: dict[str, ConceptType] = {}
    for c, key in sorted(zip(cands, keys, strict=True),
                         key=lambda ck: (-ck[0].doc_index, ck[0].start)):
        if c.type is not None:
            label = D if c.type is B else c.type
            votes.setdefault(key, Counter())[label] += 1
            first_in_abstract.setdefault(key, label)
    for c, key in zip(cands, keys, strict=True):
        strength, ctype = strongest.get(key, (0, c.type))
        if strength >= _STRONG or (c.type in (D, B) and ctype in (D, B)):
            c.type = ctype
        elif c.type is not None and len(votes[key]) > 1:
            ranked = votes[key].most_common()
            top = [t for t, n in ranked if n == ranked[0][1]]
            winner = first_in_abstract[key] if first_in_abstract[key] in top else top[0]
            if (D if c.type is B else c.type) is not winner:
                c.type = winner


def refine(docs: tuple[Doc, Doc], cands: Iterable[Candidate], title_case: bool,
           phrases: frozenset[str] | None = None, doubts: bool = False) -> list[Candidate]:
    """One paper's spans as concepts a reader would list (the module docstring's steps).

    ``doubts``: a span that only ``DOUBTFUL`` reasons would drop stays, its ``doubt`` set to
    the reason, for the learned concept filter to judge (``pipeline.extract.concept_filter``);
    the hybrid asks for them only when its filter was trained on them."""
    # only a Title Case title's words are checked against the abstract (``keep``)
    abstract = token_table(docs[1])
    abstract_lower = abstract.span_text(0, len(abstract.text)).lower() if title_case else ""
    out: list[Candidate] = []
    taken: set[tuple[int, int, int]] = set()
    for c in cands:
        doc = docs[c.doc_index]
        pieces = []
        for s, e in _pieces(doc, c.start, c.end):
            trimmed = _trim(doc, s, e, doubts)
            if trimmed is not None:
                pieces.append(trimmed)
        # a cue after the last name of a list types every name in it: "AMOS2022 and Synapse
        # dataset"
        list_cue = pieces[-1][2] if pieces and len(pieces) > 1 else None
        for s, e, cue, doubt in pieces:
            # a name the paper's words call data needs no other paper naming it: "Citeseer"
            # in "the Cora, Citeseer and Pubmed citation network datasets"
            cued_data = is_cued_data_name(c) and (s, e) == (c.start, c.end)
            reason = drop_reason(doc[s:e], title_case and c.doc_index == 0, abstract_lower,
                                 None if cued_data else phrases)
            if reason is not None:
                if not (doubts and reason in DOUBTFUL):
                    continue
                doubt = reason
            if (c.doc_index, s, e) in taken:
                continue
            taken.add((c.doc_index, s, e))
            whole = (s, e) == (c.start, c.end)
            ctype = cue or list_cue or c.type
            strength = c.strength if whole else (_STRONG if (cue or list_cue) else c.strength)
            if (cue or list_cue) and ctype in (D, B) and c.type in (D, B) and c.strength >= _STRONG:
                ctype = c.type  # the rules' stronger evidence already split data from benchmark
            if not doubt and (inner := _inner_names(doc, s, e, ctype)):
                # the name stands for the component a reader would list it as
                for i, itype, known in inner:
                    if (c.doc_index, i, i + 1) not in taken:
                        taken.add((c.doc_index, i, i + 1))
                        out.append(Candidate(c.doc_index, i, i + 1, itype, c.tier,
                                             _STRONG if known else strength, True))
                continue
            out.append(Candidate(c.doc_index, s, e, ctype, c.tier, strength, c.is_name, doubt))
    retype(docs, out)
    return out


def _inner_names(doc: Doc, start: int, end: int,
                 ctype: ConceptType | None) -> list[tuple[int, ConceptType, bool]]:
    """Tokens of a longer span that are a model or data name among common words, with their
    type and whether the short lists know them: a known name ("CLIP" of "CLIP text encoder"),
    or in a METHOD or data span any name ("SVM" of "post-processing SVM classifier",
    "Qwen2.5-72B" of "Qwen2.5-72B base model");
    not "Llama" of "Llama 2 chat": a name inside a longer name."""
    if end - start < 2:
        return []
    tokens = token_table(doc)
    texts, lowers = tokens.text, tokens.lower
    # "MCQ generation", "TLA estimation" name a task, whatever the NER typed them
    task_phrase = lowers[end - 1] in TASK_HEADS
    out = []
    for i in range(start, end):
        if texts[i] == texts[i].lower() or not all(
                texts[j].islower() for j in (i - 1, i + 1) if start <= j < end):
            continue
        known = KNOWN.get(concept_key(texts[i]))
        if known in (M, D, B):
            out.append((i, known, True))
        elif known is None and ctype in (M, D, B) and not task_phrase and _name_shaped(texts[i]):
            out.append((i, ctype, False))
    return out
