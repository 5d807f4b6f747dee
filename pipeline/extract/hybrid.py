"""The trained extractor: a small spaCy NER proposes spans, the rules add and type them.

``HybridExtractor`` (registered as ``"hybrid"``, paperkg's default) runs one pipeline, the
shipped model ``pipeline/models/sci_ner`` (the rules' tokenizer and sentencizer plus an NER
trained by ``pipeline.quality.training``), over titles and abstracts with ``nlp.pipe``, then
per paper:

1. the NER's entities (METHOD, DATASET, TASK, METRIC) are the base spans, trimmed of a
   dangling bracket, edge punctuation, articles and citation keys ("Wild (SFEW 2.0" ->
   "SFEW 2.0", "BERT bert2018" -> "BERT") and of a leading third-person verb ("generates
   hand motion"); a span across a colon (a title's "X: Understanding Y") is dropped; "long
   form (ACR)" becomes two spans, as in SciREX (all as ``ModelExtractor``, ``model.py``);
2. the rule layer (``RuleExtractor.candidates`` on the same docs) adds its acronym long forms
   and named artifacts (tiers 3 and 2: names, every use of an acronym the paper defines), and
   metric phrases, cost measures ("success rate", "training time") and the items of a list
   of metrics ("metrics: faithfulness, answer relevance, ..."), where no NER span overlaps
   them; a long form the NER split ("Semi-supervised Aggregation" | "Globally-Enhanced
   Ensemble" of "... for Globally-Enhanced Ensemble (SAGE)") is one span again, typed as the
   NER typed its longest piece;
3. where a name the rules type from strong evidence (the short lists of well-known names or
   an explicit "dataset"/"benchmark" cue, strength >= 5) overlaps an NER span of another
   type, the rules' type wins ("WebArena" is a BENCHMARK even when the NER says METHOD); an
   NER span that merely contains such a name gives way to it ("GSM8K accuracy" -> "GSM8K"),
   and one that is only part of it grows to it ("NATURAL" -> "NATURAL INSTRUCTIONS"), as does
   a data span that begins inside a data name ("Wild dataset" of "the Labeled Faces in the
   Wild dataset");
4. DATASET vs BENCHMARK (the NER only knows DATASET): the rules' decision for the name
   (short lists, cue words next to it, "X: A Benchmark" titles, "results on X" contexts; see
   ``pipeline.extract.rules``), one type per name in the paper. A span the NER calls DATASET
   with no such evidence stays a DATASET when it looks like a name (CIFAR10, HotpotQA, Penn
   Treebank) and is dropped otherwise: the NER learnt SciERC's broad "Material" ("natural
   language", "reward"), which is not a dataset node in the graph. One the paper's words call
   a technique ("a novel dehazing framework, WDMamba", a title "PLAN-TUNING: ...") is a
   METHOD. In a Title Case title,
   capitalised words are no evidence of a name ("... at Inference Time"); a plural data head
   with no name before it ("multi-task datasets") is dropped unless the short lists know it;
   a known model family with a parameter count ("Falcon-7b") is a METHOD, and so is a coined
   name the NER calls a TASK when the paper's words call it a technique (a title "WGRAMMAR:
   ...", "X, a ... framework");
5. organisations and tools on the rules' not-a-name list ("OpenAI", "MATLAB") are never
   concepts, whatever type the NER gave them;
6. the precision filter (``pipeline.extract.precision``) splits, trims, drops and types what
   is left so that it reads as concepts a reader would list: no generic phrases ("our
   model", "computational efficiency", "generation"), verb or title fragments, or head
   words after a name ("ImageNet dataset" -> "ImageNet");
7. the names the annotated pools list (``pipeline.extract.pool_names``) are proposed where
   nothing else was, each with a doubt for the filter to judge; the learned concept filter
   (``pipeline.extract.concept_filter``) drops the concepts a reader would not list;
8. the learned concept typer (``pipeline.extract.concept_typer``) gives each concept left the
   type its words and the NER's and rules' evidence point to.
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.tokens import Doc, Span

from pipeline.extract.concept_filter import ConceptFilter
from pipeline.extract.concept_typer import ConceptTyper
from pipeline.extract.lexicon import (
    BENCHMARK_CUES,
    DATASET_CUES,
    KNOWN,
    LANGUAGES,
    is_not_a_name,
    word_set,
)
from pipeline.extract.model import DEFAULT_PROCESSES, MODEL_DIR, ModelExtractor
from pipeline.extract.phrases import load_phrase_counts, load_phrases
from pipeline.extract.pool_names import PoolNames
from pipeline.extract.precision import refine
from pipeline.extract.rules import (
    KNOWN_NAME_STRENGTH,
    RuleExtractor,
    head_type_word,
    name_shaped,
)
from pipeline.extract.spans import CUE_STRENGTH, Candidate, token_table
from schemas.keys import concept_key
from schemas.model import ConceptType

__all__ = ["HybridExtractor"]

_STRONG = CUE_STRENGTH  # rule evidence that overrides the NER's type (cue words, short lists)
D, B, M, R = ConceptType.DATASET, ConceptType.BENCHMARK, ConceptType.METHOD, ConceptType.METRIC
T = ConceptType.TASK
# a parameter count after a model name: "Falcon-7b", "Llama-2-70B", "Cohere-xlarge-52.4B"
_MODEL_SIZE = re.compile(r"[-\s]?\d+(?:\.\d+)?[bBmM]$")
# the rules' evidence for METHOD that overrides an NER DATASET: an apposition or a left cue
# (5), a title "X: ..." with no data word (4); not the weak default (1)
_METHOD_EVIDENCE = 4
_DATA_CUE_WORDS = DATASET_CUES | BENCHMARK_CUES
_DASHES = frozenset({"-", "\u2013", "\u2014"})
_GENERIC_DATA_HEADS = word_set("datasets corpora benchmarks suites environments")
# words a title capitalises that are no evidence of a name
_TITLE_SMALL = word_set("a an and as at by for from in of on or the to via vs with")


def _overlap(a: Candidate, b: Candidate) -> bool:
    return a.doc_index == b.doc_index and a.start < b.end and b.start < a.end


class HybridExtractor(ModelExtractor):
    """The trained NER plus the rule layer; see the module docstring."""

    name = "hybrid"
    add_tier = 2  # rule spans of this tier and up are added where the NER found nothing
    filter_datasets = True  # drop NER "DATASET"s with no cue and no name shape
    precision_filter = True  # the last step, ``precision.refine``: concepts a reader lists

    def __init__(
        self,
        model: str | Path = MODEL_DIR,
        batch_size: int = 128,
        n_process: int = DEFAULT_PROCESSES,
    ) -> None:
        super().__init__(model, batch_size, n_process)
        self.model_dir = Path(model)
        self.rules = RuleExtractor(nlp=self.nlp)
        # lower-case phrases other papers name; None (no check) for a model without the table
        self.phrases = load_phrases(self.model_dir) if self.precision_filter else None
        # phrase key -> papers naming it, read by the concept filter's features
        self.phrase_counts = load_phrase_counts(self.model_dir) or {}
        # the learned last step; None for a model folder without its weights
        self.concept_filter = ConceptFilter.load(self.model_dir) if self.precision_filter else None
        self.concept_typer = ConceptTyper.load(self.model_dir) if self.precision_filter else None
        # the precision filter's doubtful drops go to the concept filter instead (``refine``'s
        # ``doubts``): None follows the filter (on when it was trained on them)
        self.doubts: bool | None = None
        # the annotated pools' names, proposed where nothing else was (``pool_names``): None
        # follows the filter (on when it was trained on them)
        self.pool_names = (PoolNames.load(self.nlp, self.model_dir) if self.precision_filter
                           else None)
        self.propose_pool_names: bool | None = None
        # while the learned steps are fitted on a pool paper: the keys it lists, with their labels
        self.leave_out: dict[str, str] | None = None

    def _spans(self, docs: tuple[Doc, Doc]) -> list[Candidate]:
        model = super()._spans(docs)
        rules = self.rules.candidates(*docs, phrases=self.add_tier <= 1)
        # acronyms beside a measured value are metrics ("64.2% SR"), over the rules' own type
        measured = self.rules.measured_names(*docs)
        rules = [r for r in rules if not any(_overlap(r, m) for m in measured)] + measured
        names = [r for r in rules if r.tier >= 2]
        out = list(model)
        # metric phrases and cost measures ("training time") where the NER found nothing or
        # only part of them, or cut across them ("win rate exceeding": "rate exceeding")
        for r in self.rules.measures(*docs):
            over = [m for m in model if _overlap(r, m)]
            held = [m for m in over if m.start <= r.start and r.end <= m.end]
            if any(_overlap(r, o) for o in rules) or not all(
                    _runs_past_metric(docs, m, r) for m in held):
                continue
            out = [m for m in out if m not in over] + [r]
        for r in [r for r in rules if r.tier >= self.add_tier]:
            over = [m for m in model if _overlap(m, r)]
            if not over:
                out.append(r)
                continue
            if r.tier == 3 and all(r.start <= m.start and m.end <= r.end
                                   and (m.start, m.end) != (r.start, r.end) for m in over):
                # the NER split a defined long form ("Semi-supervised Aggregation" | "for
                # Globally-Enhanced Ensemble (SAGE)"): the whole long form, typed as the NER
                # typed most of it
                for m in over:
                    if m in out:
                        out.remove(m)
                longest = max(over, key=lambda m: m.end - m.start)
                out.append(Candidate(r.doc_index, r.start, r.end, longest.type, r.tier))
                continue
            if r.strength >= _STRONG and r.type is not None:
                for m in over:
                    if m not in out:
                        continue
                    if r.start <= m.start and m.end <= r.end and (m.start, m.end) != (
                        r.start, r.end
                    ):
                        # the NER cut a name short ("NATURAL" of "NATURAL INSTRUCTIONS, a
                        # dataset of ..."): the rules' whole name, as they type it
                        out.remove(m)
                        if r not in out:
                            out.append(r)
                        continue
                    if (r.start < m.start < r.end <= m.end and _label(m.type) is D
                            and _label(r.type) is D):
                        # the NER began a name late ("Wild dataset" of "the Labeled Faces in
                        # the Wild dataset"): the rules' whole name
                        out.remove(m)
                        if r not in out:
                            out.append(r)
                        continue
                    if _label(m.type) == _label(r.type):
                        continue
                    if m.start <= r.start and r.end <= m.end and (m.start, m.end) != (
                        r.start, r.end
                    ):
                        # "GSM8K accuracy" as a METRIC: keep the name, as the rules type it
                        out.remove(m)
                        out.append(r)
                        break
                    m.type, m.strength = r.type, max(m.strength, r.strength)
        # DATASET vs BENCHMARK, one type per name in the paper
        evidence: dict[str, tuple[int, ConceptType]] = {}
        for c in out:
            if c.type not in (D, B):
                continue
            key = concept_key(token_table(docs[c.doc_index]).span_text(c.start, c.end))
            found = (c.strength, c.type) if c.tier >= 2 else self._dataset_type(docs, c, names)
            if key not in evidence or found[0] > evidence[key][0]:
                evidence[key] = found
        title_case = _is_title_case(docs[0])
        kept = []
        tables = [token_table(doc) for doc in docs]
        for c in out:
            span = docs[c.doc_index][c.start : c.end]
            text = tables[c.doc_index].span_text(c.start, c.end)
            if is_not_a_name(text):
                continue  # "OpenAI", "MATLAB": organisations and tools, whatever the NER says
            if _model_checkpoint(text):
                c.type = M  # "Falcon-7b" in a list of LLMs is a model, not data or a metric
            elif (c.type is T and c.tier == 0 and c.strength < _STRONG
                  and self._proposed_name(docs, c, span)):
                c.type = M  # a title "OMGSR: You Only Need ...": the paper's system, not a task
            elif c.type in (M, R) and self.filter_datasets and _generic_data(
                    span, title_case and c.doc_index == 0):
                # "Evaluation Benchmarks" of a title as a METRIC; a TASK keeps its words
                # ("mathematical reasoning benchmarks": the filter strips the head)
                continue
            elif c.type in (D, B):
                strength, c.type = evidence[concept_key(text)]
                in_title_case = title_case and c.doc_index == 0
                if (self.filter_datasets and strength < KNOWN_NAME_STRENGTH
                      and _generic_data(span, in_title_case)):
                    continue  # "multi-task datasets", "Evaluation Benchmarks": no name in it
                elif (strength == 0 and self.filter_datasets
                      and not _name_like(span, in_title_case)):
                    continue  # "natural language", "reward": SciERC-style material, not data
                c.strength = max(c.strength, strength)
            kept.append(c)
        kept = _with_language_pairs(docs, kept)
        if not self.precision_filter:
            return _with_data_cues(docs, kept)
        doubts = self.doubts if self.doubts is not None else (
            self.concept_filter is not None and self.concept_filter.judges_doubts)
        refined = refine(docs, kept, title_case, self.phrases, doubts)
        propose = self.propose_pool_names if self.propose_pool_names is not None else (
            self.concept_filter is not None and self.concept_filter.judges_pool_names)
        if propose and self.pool_names is not None:
            refined += self.pool_names.candidates(docs, refined, self.leave_out)
        rows = None
        if self.concept_filter is not None:
            refined, rows = self.concept_filter.judge(docs, refined, self.phrase_counts)
        if self.concept_typer is not None:
            refined = self.concept_typer.retype(docs, refined, self.phrase_counts, rows)
        return refined

    def _proposed_name(self, docs: tuple[Doc, Doc], c: Candidate, span: Span) -> bool:
        """An NER TASK that is a coined name the paper's words call a technique: a title
        "WGRAMMAR: ...", "SAGE, a ... framework" (not "VQA", which the short lists know)."""
        if len(span) > 3 or not any(name_shaped(t.text) for t in span):
            return False
        ctype, strength = self.rules.name_type(docs[c.doc_index], c.doc_index, span.text,
                                                [(c.start, c.end)], c.start, c.end)
        return ctype is M and strength >= _METHOD_EVIDENCE

    def _dataset_type(
        self, docs: tuple[Doc, Doc], c: Candidate, names: list[Candidate]
    ) -> tuple[int, ConceptType]:
        """DATASET or BENCHMARK for an NER span, with the strength of the evidence."""
        inside = [r for r in names if _overlap(r, c) and r.type in (D, B)]
        if inside:
            best = max(inside, key=lambda r: r.strength)
            return best.strength, best.type  # type: ignore[return-value]
        doc = docs[c.doc_index]
        text = doc[c.start : c.end].text
        ctype, strength = self.rules.name_type(doc, c.doc_index, text, [(c.start, c.end)],
                                                c.start, c.end)
        if ctype in (D, B):
            return strength, ctype
        if strength >= _METHOD_EVIDENCE:
            # "we propose a novel dehazing framework, WDMamba"; a title "PLAN-TUNING: ...":
            # the paper's own words say technique, whatever the NER says
            return strength, M
        return 0, D


def _runs_past_metric(docs: tuple[Doc, Doc], m: Candidate, metric: Candidate) -> bool:
    """An NER span of another type holding a metric's name and words that end no concept:
    "average win rate exceeding" (not "GSM8K accuracy", "error rate reduction")."""
    if m.type is R or m.end == metric.end:
        return False
    return head_type_word(token_table(docs[m.doc_index]).lower[m.end - 1]) is None


def _is_language_pair(words: list[str]) -> bool:
    """"English-German", or "English - Romanian" with a spaced dash or en dash."""
    if len(words) == 3:
        return words[0] in LANGUAGES and words[1] in _DASHES and words[2] in LANGUAGES
    if len(words) == 1:
        parts = re.split("[-\u2013\u2014]", words[0])
        return len(parts) == 2 and all(p in LANGUAGES for p in parts)
    return False


def _with_language_pairs(docs: tuple[Doc, Doc], cands: list[Candidate]) -> list[Candidate]:
    """A translation dataset takes its language pair: "WMT 2016 English - Romanian" (an en
    dash in SciREX), where the NER stops at the dash ("WMT 2016 English") or before the pair
    ("WMT 2016")."""
    for c in cands:
        if c.type not in (D, B):
            continue
        lower = token_table(docs[c.doc_index]).lower
        for back, ahead in ((1, 2), (0, 3), (0, 1)):
            end = c.end + ahead
            if (end <= len(lower) and c.end - back > c.start
                    and _is_language_pair(lower[c.end - back : end])
                    and not any(o is not c and o.doc_index == c.doc_index
                                and c.end <= o.start < end for o in cands)):
                c.end = end
                break
    return cands


def _with_data_cues(docs: tuple[Doc, Doc], cands: list[Candidate]) -> list[Candidate]:
    """SciREX-style mentions: a data word right after a dataset or benchmark is part of its
    mention ("the CIFAR-10 dataset", "the IJB-A and IJB-B benchmarks"), as SciREX marks it
    four times in five; the NER learnt it, the rules' names and some NER spans lack it."""
    for c in cands:
        if c.type not in (D, B):
            continue
        lower = token_table(docs[c.doc_index]).lower
        if c.end < len(lower) and lower[c.end] in _DATA_CUE_WORDS and not any(
            o.doc_index == c.doc_index and o.start <= c.end < o.end for o in cands
        ):
            c.end += 1
    return cands


def _name_like(span: Span, in_title_case: bool = False) -> bool:
    """A proper name: a capital after the first letter or a digit in a word (CIFAR10, HotpotQA),
    or several words all capitalised (Penn Treebank) unless the text capitalises every word
    anyway (a Title Case title: "... at Inference Time"); not a web address."""
    if "/" in span.text or "www" in span.text:
        return False
    words = [t.text for t in span if any(ch.isalpha() for ch in t.text)]
    if any(any(ch.isupper() for ch in w[1:]) or any(ch.isdigit() for ch in w) for w in words):
        return True
    return not in_title_case and len(words) > 1 and all(w[:1].isupper() for w in words)


def _is_title_case(doc: Doc) -> bool:
    """Most content words of ``doc`` capitalised, as in "Quantifying Variance in Evaluation
    Benchmarks" (three content words at least)."""
    words = [t.text for t in doc if t.is_alpha and t.lower_ not in _TITLE_SMALL]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _model_checkpoint(text: str) -> bool:
    """A model with a parameter count: a known model family with any count ("Falcon-7b",
    "Llama-70B"), or any name with a count in billions ("Cohere-xlarge-52.4B"), unless the
    name or its family is known data ("LAION-5B", "SA-1B")."""
    base = _MODEL_SIZE.sub("", text)
    if base == text or KNOWN.get(concept_key(text)) in (D, B):
        return False
    family = KNOWN.get(concept_key(base))
    return family is M or (family is None and text[-1] in "bB")


def _generic_data(span: Span, in_title_case: bool) -> bool:
    """A plural data head with no name before it: "multi-task datasets", "Evaluation
    Benchmarks" in a Title Case title (not "SciTail datasets", "Atari environments")."""
    if len(span) < 2 or span[-1].lower_ not in _GENERIC_DATA_HEADS:
        return False
    before = span[:-1]
    if any(concept_key(t.text) in KNOWN for t in before):
        return False
    one_capitalised = len(before) == 1 and before.text[:1].isupper() and not in_title_case
    return not (one_capitalised or _name_like(before, in_title_case))


def _label(t: ConceptType | None) -> ConceptType | None:
    return D if t is B else t
