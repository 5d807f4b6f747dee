"""Records: what every format parser shares, from the bytes of one source to its raw records.

``Doc`` is one source decoded line by line. Bytes that are not UTF-8 become U+FFFD and are
remembered by line and column, so that only the records holding them are rejected (and the
reason says where). It maps character offsets back to 1-based lines and builds each
``Rejected`` with its excerpt. A format's parser (a ``Parser``) turns a ``Doc`` into
``Record`` s, the raw fields of one record and the lines it spans, and ``Rejected`` s;
``pipeline.ingest.fields`` then turns a record's fields into a ``Paper``, raising
``BadRecord`` with the reason when it cannot.

``StreamDoc`` is the same for a source read line by line (JSON Lines and CSV, which need no
more than the lines of one record at a time): it keeps only the lines of the record being
read, so a file of any size is read in bounded memory. The line-by-line parsers take either.
"""

from __future__ import annotations

import bisect
import codecs
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from schemas.model import Paper

__all__ = [
    "EXCERPT_CHARS",
    "BadRecord",
    "Doc",
    "IngestResult",
    "LineParser",
    "LineSource",
    "Parser",
    "Record",
    "Rejected",
    "StreamDoc",
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


class _Rejecting:
    """What ``Doc`` and ``StreamDoc`` share: a rejected record from their file, with an
    excerpt of its lines."""

    file: str

    def excerpt(
        self, first: int | None, last: int | None = None, span: tuple[int, int] | None = None
    ) -> str:
        raise NotImplementedError

    def reject(
        self,
        first: int | None,
        reason: str,
        last: int | None = None,
        span: tuple[int, int] | None = None,
    ) -> Rejected:
        excerpt = self.excerpt(first, last, span)
        return Rejected(file=self.file, line=first, reason=reason, excerpt=excerpt)


@dataclass
class Doc(_Rejecting):
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

    # what the line-by-line parsers and the reader also ask of a StreamDoc
    error: str | None = field(default=None, init=False)  # a whole Doc never breaks off

    def is_blank(self) -> bool:
        return not self.text.strip()

    def first_text_line(self) -> str:
        """The first line that is not blank ("" when there is none)."""
        return next((line for line in self.lines if line.strip()), "")

    def release(self) -> None:
        """Nothing to free: the whole file is held (see ``StreamDoc.release``)."""

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


# the errors a compressed stream breaks off with: truncated (EOFError), not gzip (OSError's
# BadGzipFile), corrupt data (zlib.error)
_STREAM_ERRORS = (OSError, EOFError, zlib.error)


class StreamDoc(_Rejecting):
    """One input read line by line, for the parsers that need one record's lines at a time
    (``parse_jsonl``, ``parse_csv``): lines are decoded as ``Doc`` decodes them (split on
    \\n, \\r\\n and \\r; bad bytes become U+FFFD and reject only their record), and only
    the lines not yet ``release``d are kept, with the first five for a file-level excerpt.

    A stream that breaks off (a truncated or corrupt .gz) ends the lines; ``error`` then says
    why, and the reader rejects the rest of the file at the line where it broke."""

    def __init__(self, file: str, chunks: Iterable[bytes]) -> None:
        self.file = file
        self._chunks = iter(chunks)
        self._pending: deque[bytes] = deque()  # raw lines split off a chunk, not yet read
        self._ahead: deque[str] = deque()  # decoded lines read ahead by a peek
        self._raw: dict[int, bytes] = {}  # line number -> raw line, until released
        self.bad: dict[int, list[tuple[int, int]]] = {}
        self._head: list[bytes] = []
        self.count = 0  # lines read so far
        self.error: str | None = None

    def _read(self) -> str | None:
        """The next line, decoded and remembered; None at the end (or where the stream broke)."""
        while not self._pending:
            try:
                chunk = next(self._chunks, None)
            except _STREAM_ERRORS as exc:
                self.error = f"cannot read past line {self.count}: {exc}"
                return None
            if chunk is None:
                return None
            if self.count == 0 and not self._head:
                chunk = chunk.removeprefix(codecs.BOM_UTF8)
            # a file yields lines ending in \n; a lone \r inside one also ends a line (as in Doc)
            self._pending.extend(chunk.splitlines(keepends=True))
        raw = self._pending.popleft()
        self.count += 1
        self._raw[self.count] = raw
        if len(self._head) < 5:
            self._head.append(raw)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.bad[self.count] = _invalid_bytes(raw)
            return raw.decode("utf-8", "replace")

    @property
    def lines(self) -> Iterator[str]:
        """The lines from the first not yet handed out (read once, in order)."""
        while True:
            if self._ahead:
                yield self._ahead.popleft()
                continue
            line = self._read()
            if line is None:
                return
            yield line

    def _peek_text_line(self) -> str:
        for line in self._ahead:
            if line.strip():
                return line
        while (line := self._read()) is not None:
            self._ahead.append(line)
            if line.strip():
                return line
        return ""

    def is_blank(self) -> bool:
        return not self._peek_text_line().strip()

    def first_text_line(self) -> str:
        return self._peek_text_line()

    def release(self) -> None:
        """Forget the lines handed out so far: the parser has finished with their records."""
        keep = self.count - len(self._ahead)
        for number in [n for n in self._raw if n <= keep]:
            del self._raw[number]
            self.bad.pop(number, None)

    def excerpt(
        self, first: int | None, last: int | None = None, span: tuple[int, int] | None = None
    ) -> str:
        if first is None:
            chosen = self._head
        else:
            chosen = [self._raw.get(n, b"") for n in range(first, (last or first) + 1)]
        text = b"".join(chosen).decode("utf-8", "backslashreplace").strip()
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"

    def bad_reason(
        self, first: int, last: int, span: tuple[int, int] | None = None
    ) -> str | None:
        """Why lines ``first..last`` are not UTF-8 (no ``span``: no line-by-line format
        has records within a line)."""
        for number in range(first, last + 1):
            for column, byte in self.bad.get(number, ()):
                where = f"column {column}" if number == first else f"line {number}, column {column}"
                return f"not UTF-8: invalid byte 0x{byte:02x} at {where}"
        return None


class LineSource(Protocol):
    """What the line-by-line parsers and the reader use of a ``Doc`` or a ``StreamDoc``."""

    file: str
    error: str | None

    @property
    def lines(self) -> Iterable[str]: ...

    def is_blank(self) -> bool: ...

    def first_text_line(self) -> str: ...

    def release(self) -> None: ...

    def excerpt(
        self, first: int | None, last: int | None = None, span: tuple[int, int] | None = None
    ) -> str: ...

    def bad_reason(
        self, first: int, last: int, span: tuple[int, int] | None = None
    ) -> str | None: ...

    def reject(
        self,
        first: int | None,
        reason: str,
        last: int | None = None,
        span: tuple[int, int] | None = None,
    ) -> Rejected: ...


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
# the parsers that also read a StreamDoc (PARSERS in formats.py says which)
LineParser = Callable[[LineSource], Iterator[Record | Rejected]]
