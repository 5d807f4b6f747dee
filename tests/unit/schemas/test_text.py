"""What text may enter the graph (schemas.text), and that every Paper holds only such text."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas import Paper
from schemas.text import MAX_ABSTRACT_CHARS, UnsafeText, display_safe, safe_text

XML_ILLEGAL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("char", [*XML_ILLEGAL, "\x7f", "\x9b", "\ufffe", "\uffff"])
def test_characters_xml_cannot_hold_are_removed(char: str) -> None:
    assert safe_text(f"a{char}b") == "ab"


@pytest.mark.parametrize("char", [*BIDI, "\u200b", "\u2060", "\ufeff"])
def test_bidi_controls_and_invisible_characters_are_removed(char: str) -> None:
    assert safe_text(f"report{char}.exe") == "report.exe"


def test_whitespace_joiners_and_ordinary_text_are_kept() -> None:
    text = "tab\there\nline\r — Ünïcode 数学 \u200c\u200d 👩\u200d🔬"
    assert safe_text(text) == text


def test_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(UnsafeText, match=r"lone surrogate U\+DC80"):
        safe_text("bad \udc80 byte")
    assert display_safe("bad \udc80 byte") == "bad \ufffd byte"


def test_a_value_over_its_cap_is_refused() -> None:
    assert safe_text("x" * 10, limit=10) == "x" * 10
    with pytest.raises(UnsafeText, match="11 characters, more than the 10 allowed"):
        safe_text("x" * 11, limit=10)


def test_every_string_of_a_paper_is_made_safe() -> None:
    paper = Paper(id="p\x00", title="A\u202e title\x07", abstract="Text\x00.",
                  authors=("Ann\u200b Lee", "\x01"), url="http://x/\x1b", categories=("cs\x00",),
                  source="in\x00.jsonl:3")
    assert (paper.id, paper.title, paper.abstract) == ("p", "A title", "Text.")
    assert paper.authors == ("Ann Lee",)
    assert (paper.url, paper.categories, paper.source) == ("http://x/", ("cs",), "in.jsonl:3")


def test_a_paper_refuses_what_cannot_be_made_safe() -> None:
    with pytest.raises(ValidationError, match="lone surrogate"):
        Paper(id="p", title="t", abstract="a", authors=("\ud800",))
    with pytest.raises(ValidationError, match="more than the 100,000 allowed"):
        Paper(id="p", title="t", abstract="a" * (MAX_ABSTRACT_CHARS + 1))
