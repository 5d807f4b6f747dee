"""What text may enter the graph: the one rule every stage, store and output relies on.

Every string of a ``Paper`` passes through here, so whatever a record holds, the graph file
(XML 1.0), the map (HTML) and Neo4j can hold it, and what a reader sees is what is there:

- characters XML 1.0 cannot hold (C0 controls other than tab, line feed and carriage return,
  U+FFFE, U+FFFF) and the C1 controls and DEL are removed;
- bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), which make
  ``gnp.exe`` display as ``exe.png``, and invisible zero-width characters (U+200B, U+2060,
  U+FEFF, U+180E) are removed. The zero-width joiner and non-joiner (U+200C, U+200D) stay:
  Persian, Indic scripts and emoji need them to spell words;
- a lone surrogate (``"\\ud800"`` in JSON) is not text: the value is refused;
- a field longer than its cap is refused. The caps sit far above real records (arXiv caps
  abstracts at 1,920 characters) and far below spaCy's ``max_length`` of 1,000,000.
"""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 100_000
MAX_FIELD_CHARS = 10_000  # ids, urls, one author, one category, the source label

_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff"  # XML-illegal, C1 (NEL is space)
    "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"  # bidirectional controls
    "\u200b\u2060\ufeff\u180e]"  # zero-width, invisible
)
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnsafeText(ValueError):
    """A value that cannot be made into text the graph can hold; the message is the reason."""


def safe_text(value: str, limit: int = MAX_FIELD_CHARS) -> str:
    """``value`` without the removed characters; ``UnsafeText`` for a lone surrogate or a value
    longer than ``limit`` characters."""
    surrogate = _SURROGATE.search(value)
    if surrogate:
        raise UnsafeText(f"lone surrogate U+{ord(surrogate.group()):04X} (not valid Unicode)")
    if len(value) > limit:
        raise UnsafeText(f"{len(value):,} characters, more than the {limit:,} allowed")
    return _UNSAFE.sub("", value)


def display_safe(value: str) -> str:
    """``value`` with the removed characters gone and lone surrogates replaced (never raises):
    for text from anywhere that is about to be shown, such as a message or a file name."""
    return _UNSAFE.sub("", _SURROGATE.sub("\ufffd", value))


def safe_paragraph(value: str, limit: int) -> str:
    """``safe_text`` with runs of whitespace collapsed to one space, the ends stripped."""
    return " ".join(safe_text(value, limit).split())
