"""Records: what every format parser shares, from the bytes of one source to its raw records.

``Doc`` is one source decoded line by line. Bytes that are not UTF-8 become U+FFFD and are
remembered by line and column, so that only the records holding them are rejected (and the
reason says where). It maps character offsets back to 1-based lines and builds each
``Rejected`` with its excerpt. A format's parser (a ``Parser``) turns a ``Doc`` into
``Record`` s, the raw fields of one record and the lines it spans, and ``Rejected`` s;
``pipeline.ingest.fields`` then turns a record's fields into a ``Paper``, raising
``BadRecord`` with the reason when it cannot.
"""

from __future__ import annotations

import bisect
import codecs
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from schemas.model import Paper

__all__ = [
    "EXCERPT_CHARS",
    "BadRecord",
    "Doc",
    "IngestResult",
    "Parser",
    "Record",
    "Rejected",
]

EXCERPT_CHARS = 200


class Rejected(BaseModel):
    """One input record (or a whole file) that did not become a ``Paper``."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int | None
    reason: str
    excerpt: str = ""

    def message(self) -> str:
        """``file:line: reason`` on one line (``file: reason`` for file-level problems)."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


class IngestResult(BaseModel):
    """What ``read_papers`` gives back: the papers read and the records rejected, in order."""

    papers: list[Paper]
    rejected: list[Rejected]
    # for the user, not about one record: e.g. a redirect that left the credentials behind
    notes: list[str] = []


def _invalid_bytes(raw: bytes) -> list[tuple[int, int]]:
    """(1-based character column after decoding with U+FFFD, byte value) of each bad sequence."""
    found: list[tuple[int, int]] = []
    pos = chars = 0
    while True:
        try:
            raw[pos:].decode("utf-8")
            return found
        except UnicodeDecodeError as exc:
            chars += len(raw[pos : pos + exc.start].decode("utf-8"))
            found.append((chars + 1, raw[pos + exc.start]))
            chars += 1  # the "replace" handler writes one U+FFFD per bad sequence
            pos += exc.end


@dataclass
class Doc:
    """One input file decoded line by line; bad bytes become U+FFFD and are remembered."""

    file: str
    raw_lines: list[bytes]
    lines: list[str]
    bad: dict[int, list[tuple[int, int]]]  # 1-based line -> [(column, byte)]
    text: str = field(init=False)
    _starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.text = "".join(self.lines)
        starts, offset = [], 0
        for line in self.lines:
            starts.append(offset)
            offset += len(line)
        self._starts = starts

    @classmethod
    def load(cls, file: str, data: bytes) -> Doc:
        data = data.removeprefix(codecs.BOM_UTF8)
        raw_lines = data.splitlines(keepends=True)  # bytes: splits on \n, \r\n, \r only
        lines: list[str] = []
        bad: dict[int, list[tuple[int, int]]] = {}
        for number, raw in enumerate(raw_lines, start=1):
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                bad[number] = _invalid_bytes(raw)
                lines.append(raw.decode("utf-8", "replace"))
        return cls(file=file, raw_lines=raw_lines, lines=lines, bad=bad)

    def line_at(self, offset: int) -> int:
        """The 1-based line holding character ``offset`` of ``text``."""
        return max(1, bisect.bisect_right(self._starts, offset))

    def excerpt(
        self, first: int | None, last: int | None = None, span: tuple[int, int] | None = None
    ) -> str:
        if span is not None:
            text = self.text[span[0] : span[1]].strip()
        else:
            lines = self.raw_lines
            chosen = lines[:5] if first is None else lines[first - 1 : last or first]
            text = b"".join(chosen).decode("utf-8", "backslashreplace").strip()
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"

    def bad_reason(
        self, first: int, last: int, span: tuple[int, int] | None = None
    ) -> str | None:
        """Why lines ``first..last`` (or, finer, characters ``span`` of ``text``) are not UTF-8."""
        if not self.bad:
            return None
        for number in range(first, last + 1):
            for column, byte in self.bad.get(number, ()):
                if span and not span[0] <= self._starts[number - 1] + column - 1 < span[1]:
                    continue
                where = f"column {column}" if number == first else f"line {number}, column {column}"
                return f"not UTF-8: invalid byte 0x{byte:02x} at {where}"
        return None

    def reject(
        self,
        first: int | None,
        reason: str,
        last: int | None = None,
        span: tuple[int, int] | None = None,
    ) -> Rejected:
        excerpt = self.excerpt(first, last, span)
        return Rejected(file=self.file, line=first, reason=reason, excerpt=excerpt)


@dataclass(frozen=True)
class Record:
    """One raw record found in a file: its lines (and, for JSON, characters) and its fields."""

    first: int
    last: int
    fields: Mapping[str, Any]
    span: tuple[int, int] | None = None


class BadRecord(Exception):
    """A per-record problem; ``read_papers`` turns it into a ``Rejected``."""


Parser = Callable[[Doc], Iterator[Record | Rejected]]
