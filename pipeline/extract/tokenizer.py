"""The tokenizer shared by the rules and the trained model, and the blank pipeline around it.

``create_tokenizer`` is registered with spaCy as ``paperkg.tokenizer.v1``, the name the shipped
model's ``config.cfg`` asks for. paperkg also publishes it under spaCy's ``spacy_tokenizers``
entry point (``pyproject.toml``), so ``spacy.load("pipeline/models/sci_ner")`` finds it in a
fresh interpreter, with no paperkg import first; the decorator below still registers it where
the package is not installed (a checkout on ``PYTHONPATH``).
"""

from __future__ import annotations

from collections.abc import Callable

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

__all__ = ["TOKENIZER", "build_nlp", "create_tokenizer"]


TOKENIZER = "paperkg.tokenizer.v1"


@spacy.registry.tokenizers(TOKENIZER)
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's English tokenizer, but hyphenated words stay whole (registered so the trained
    model's config, ``pipeline/quality/training/config.cfg``, tokenizes exactly like the rules)."""
    make_default = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp: Language) -> Tokenizer:
        tokenizer = make_default(nlp)
        dashes = "\u2013|\u2014|--|---|\u2014\u2014|~"  # en dash, em dash, ...: still split
        infixes = [
            # keep "Qwen3-8B", "Llama-3-70B" whole: no hyphen split between digits
            p.replace(f"(?:-|{dashes})", f"(?:{dashes})").replace("[+\\-\\*^]", "[+\\*^]")
            for p in nlp.Defaults.infixes
            # keep "TaskMatrix.AI" whole: drop the split of a period between letters
            if "\\.(?=" not in p
        ]
        tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
        # keep "GSM8K", "100K" whole: no unit suffix split after digits
        suffixes = [p for p in nlp.Defaults.suffixes if "(?:km|" not in p]
        tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
        return tokenizer

    return make


def build_nlp() -> Language:
    """A blank English pipeline whose tokenizer keeps hyphenated words whole, plus a sentencizer."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    nlp.add_pipe("sentencizer")
    return nlp
