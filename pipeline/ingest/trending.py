"""The ``trending`` format: a "trending papers" page saved as text (``.txt``).

A few header lines, then for each paper a title paragraph followed by an abstract paragraph,
paragraphs separated by blank lines. A title is a one-line paragraph of at most 300 characters
not ending with "."; any other paragraph (longer, wrapped over several lines, or ending like a
sentence) is an abstract. Title-like header lines before the first title-abstract pair are
skipped, and so are known page chrome ("Subscribe", ...) and date lines ("Mar 11") wherever
they are. A title followed by another title (or by the end of the file) is rejected as
"missing abstract", an abstract with no title before it as "abstract without a title". This
format has no ids, dates or urls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.ingest.fields import collapse
from pipeline.ingest.records import Doc, Record, Rejected

__all__ = ["parse_trending"]

_MAX_TITLE_CHARS = 300
_PAGE_CHROME = frozenset({
    "new",
    "subscribe",
    "get trending papers in your email inbox!",
    "byak and the research community",
    "by ak and the research community",
    "trending papers",
    "daily papers",
})
_DATE_LINE = re.compile(
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Paragraph:
    first: int
    last: int
    text: str
    line_count: int

    @property
    def is_chrome(self) -> bool:
        return self.line_count == 1 and (
            self.text.lower() in _PAGE_CHROME or bool(_DATE_LINE.fullmatch(self.text))
        )

    @property
    def is_title(self) -> bool:
        return (
            self.line_count == 1
            and len(self.text) <= _MAX_TITLE_CHARS
            and not self.text.endswith(".")
        )


def _paragraphs(doc: Doc) -> list[_Paragraph]:
    out: list[_Paragraph] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*doc.lines, ""], start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            text = collapse(" ".join(text for _, text in block))
            out.append(_Paragraph(block[0][0], block[-1][0], text, len(block)))
            block = []
    return out


def parse_trending(doc: Doc) -> Iterator[Record | Rejected]:
    paragraphs = [p for p in _paragraphs(doc) if not p.is_chrome]
    # The header is whatever title-like lines come before the first title-abstract pair.
    start = next(
        (
            i
            for i in range(len(paragraphs) - 1)
            if paragraphs[i].is_title and not paragraphs[i + 1].is_title
        ),
        0,
    )
    for paragraph in paragraphs[:start]:
        if not paragraph.is_title:
            yield doc.reject(paragraph.first, "abstract without a title", paragraph.last)
    i = start
    while i < len(paragraphs):
        here = paragraphs[i]
        after = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        if not here.is_title:
            yield doc.reject(here.first, "abstract without a title", here.last)
            i += 1
        elif after is None or after.is_title:
            yield doc.reject(here.first, "missing abstract", here.last)
            i += 1
        else:
            yield Record(here.first, after.last, {"title": here.text, "abstract": after.text})
            i += 2
