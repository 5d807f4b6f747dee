"""Ingest: read paper records from files into ``Paper`` s, and say which records were rejected.

Formats (``FORMATS``), chosen by ``detect_format`` from the extension, else by sniffing the
content, or forced for every path with ``read_papers(..., fmt=...)``:

``trending``  a "trending papers" page saved as text (``.txt``): a few header lines, then
              for each paper a title paragraph followed by an abstract paragraph, paragraphs
              separated by blank lines. A title is a one-line paragraph of at most 300
              characters not ending with "."; any other paragraph is an abstract. Header lines
              before the first title-abstract pair, known page chrome ("Subscribe", ...) and
              date lines ("Mar 11") are skipped. A title followed by another title (or by the
              end of the file) is rejected as "missing abstract", an abstract with no title
              before it as "abstract without a title". This format has no ids, dates or urls.
``jsonl``     one JSON object per line (``.jsonl``, ``.ndjson``).
``json``      a list of objects, or an object holding that list under ``papers``, ``records``
              or ``items`` (``.json``).
``csv``       a header row naming the columns, one paper per row (``.csv``, ``.tsv``).
``atom``      the arXiv API Atom feed (``.xml``, ``.atom``).

Record fields (json, jsonl, csv): ``id``, ``title``, ``abstract`` (or ``summary``), optional
``authors``, ``date`` / ``published`` / ``update_date``, ``url`` and ``categories``. The field
names of the public arXiv metadata snapshot are read as they are: ``authors`` as the string
``"A, B and C"`` or ``authors_parsed`` lists ``[last, first, suffix]``, space-separated
``categories``, ``update_date``. The paper id is ``schemas.model.paper_id_for``: the arXiv id
(version stripped) found in ``id`` or ``url`` (for Atom, ``<id>`` and the alternate link), else
a hash of the normalized title, so the same title gets the same id in every format.

Text: runs of whitespace (line breaks included) in titles and abstracts are collapsed to one
space and the ends are stripped. **Character offsets reported downstream (``Mention.start`` /
``Mention.end``) refer to this whitespace-collapsed text held in ``Paper.title`` and
``Paper.abstract``, not to the raw bytes of the input file.**

Bad input never raises: each record that cannot be read becomes a ``Rejected`` with its file,
1-based line and a short reason, and the good records around it still come through. Bytes that
are not UTF-8 only reject the record(s) holding them (by line; inside a JSON array, by element).
A date that does not parse rejects its record. A .json file or an XML feed that does not parse
is one file-level rejection at the line of the parse error. The first of two records with the
same paper id in one run wins; the later one is rejected as a duplicate. ``IngestError`` is
raised only for what is not about one record: an unknown format name, a path that does not
exist, is a directory or cannot be read, or an address that cannot be fetched. Nothing here
prints; ``http(s)://`` addresses are fetched by ``pipeline.fetch`` (its notes, such as a
redirect that dropped the credentials, come back in ``IngestResult.notes``).
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET
from xml.parsers import expat

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.ingest.fetch import FetchError, fetch, is_url
from pipeline.output import atomic_writer
from schemas.model import Paper, paper_id_for
from schemas.text import (
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    UnsafeText,
    display_safe,
    safe_text,
)

__all__ = [
    "FORMATS",
    "IngestError",
    "IngestResult",
    "Rejected",
    "detect_format",
    "is_url",
    "read_papers",
    "write_rejects",
]

FORMATS: tuple[str, ...] = ("trending", "jsonl", "json", "csv", "atom")

REJECTS_FILE = "rejects.jsonl"
EXCERPT_CHARS = 200

_EXTENSIONS: dict[str, str] = {
    ".txt": "trending",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "atom",
    ".atom": "atom",
}
_LIST_KEYS = ("papers", "records", "items")
_DATE_KEYS = ("date", "published", "update_date")
_SNIFF_BYTES = 8192
# the formats of live sources that an address's extension does not give
_CONTENT_TYPES = {
    "application/atom+xml": "atom",
    "application/rss+xml": "atom",
    "application/xml": "atom",
    "text/xml": "atom",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
    "text/csv": "csv",
}


class IngestError(Exception):
    """A problem with the request itself rather than with one record; the message is one line."""


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
    papers: list[Paper]
    rejected: list[Rejected]
    # for the user, not about one record: e.g. a redirect that left the credentials behind
    notes: list[str] = []


# ---------------------------------------------------------------------------
# Public API


def detect_format(path: Path) -> str:
    """The format of ``path``: from its extension, else by sniffing the start of its content."""
    path = Path(path)
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    _check_file(path, str(path))
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return _sniff(head)


def read_papers(paths: Sequence[Path | str], fmt: str | None = None) -> IngestResult:
    """Read every path or ``http(s)://`` address (in order) into papers and rejected records.

    ``fmt`` forces one of ``FORMATS`` for all paths; by default each path's format is detected.
    Raises ``IngestError`` only for an unknown ``fmt``, a path that is missing, a directory
    or unreadable, or an address that cannot be fetched, and does so before parsing any
    source. An address is a ``str`` (a ``Path`` would fold its ``//``).
    """
    if fmt is not None:
        fmt = _check_format(fmt)
    files = [(str(p), Path(p)) for p in paths if not is_url(p)]
    for label, path in files:
        _check_file(path, label)
    # every source is read before any is parsed: a failing one stops the run with nothing read
    sources: list[tuple[str, bytes, str | None]] = []
    notes: list[str] = []
    for item in paths:
        if is_url(item):
            sources.append(_fetch(str(item), notes))
            continue
        path = Path(item)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError(f"{item}: cannot read: {exc.strerror or exc}") from None
        # a file name is shown and stored: one that is not valid UTF-8 is shown with U+FFFD
        label = display_safe(str(item))
        sources.append((label, data, _EXTENSIONS.get(path.suffix.lower())))

    papers: list[Paper] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}  # paper id -> source of the first record with it
    for label, data, known in sources:
        kind = fmt or known or _sniff(data[:_SNIFF_BYTES])
        _read_file(label, data, kind, seen, papers, rejected)
    return IngestResult(papers=papers, rejected=rejected, notes=notes)


def _fetch(url: str, notes: list[str]) -> tuple[str, bytes, str | None]:
    """GET ``url`` (``pipeline.fetch``): (label, body, format from the address or the
    Content-Type, else None); its notes are added to ``notes``. The label, shown in messages
    and record sources, is the address without its user name and password."""
    try:
        fetched = fetch(url)
    except FetchError as exc:
        raise IngestError(str(exc)) from None
    notes.extend(fetched.notes)
    by_address = _EXTENSIONS.get(Path(urlsplit(fetched.label).path).suffix.lower())
    return fetched.label, fetched.data, by_address or _CONTENT_TYPES.get(fetched.content_type)


def write_rejects(rejected: Sequence[Rejected], out_dir: Path) -> Path | None:
    """Write ``out_dir/rejects.jsonl``, one JSON object per rejected record.

    With nothing rejected, no file is written and a stale one from an earlier run is removed;
    returns the path written, or None.
    """
    out_dir = Path(out_dir)
    target = out_dir / REJECTS_FILE
    if not rejected:
        target.unlink(missing_ok=True)
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_writer(target) as handle:
        for item in rejected:
            handle.write(json.dumps(item.model_dump(), ensure_ascii=False) + "\n")
    return target


# ---------------------------------------------------------------------------
# Paths, formats, sniffing


def _check_format(fmt: str) -> str:
    name = fmt.strip().lower()
    if name not in FORMATS:
        raise IngestError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return name


def _check_file(path: Path, label: str) -> None:
    if not path.exists():
        raise IngestError(f"{label}: no such file")
    if path.is_dir():
        raise IngestError(f"{label}: is a directory, not a file")
    if not path.is_file():
        raise IngestError(f"{label}: not a regular file")


def _sniff(head: bytes) -> str:
    text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace").lstrip()
    if text.startswith("<"):
        return "atom"
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        first_line = text.split("\n", 1)[0]
        try:
            value = json.loads(first_line)
        except json.JSONDecodeError:
            return "json"  # an object spread over several lines
        if isinstance(value, dict) and any(isinstance(value.get(k), list) for k in _LIST_KEYS):
            return "json"
        return "jsonl"
    first_line = text.split("\n", 1)[0].strip().lower()
    for delimiter in (",", "\t", ";"):
        names = {name.strip().strip('"') for name in first_line.split(delimiter)}
        if "title" in names and ({"abstract", "summary"} & names):
            return "csv"
    return "trending"


# ---------------------------------------------------------------------------
# Bytes -> lines, with the lines holding bytes that are not UTF-8 remembered


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
class _Doc:
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
    def load(cls, file: str, data: bytes) -> _Doc:
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
class _Record:
    """One raw record found in a file: its lines (and, for JSON, characters) and its fields."""

    first: int
    last: int
    fields: Mapping[str, Any]
    span: tuple[int, int] | None = None


class _BadRecord(Exception):
    """A per-record problem; caught here and turned into a ``Rejected``."""


# ---------------------------------------------------------------------------
# One file


def _read_file(
    label: str,
    data: bytes,
    kind: str,
    seen: dict[str, str],
    papers: list[Paper],
    rejected: list[Rejected],
) -> None:
    doc = _Doc.load(label, data)
    if not doc.text.strip():
        rejected.append(Rejected(file=label, line=None, reason="empty file"))
        return
    parser = _PARSERS[kind]
    found = 0
    for item in parser(doc):
        found += 1
        if isinstance(item, Rejected):
            rejected.append(item)
            continue
        bad = doc.bad_reason(item.first, item.last, item.span)
        if bad:
            rejected.append(doc.reject(item.first, bad, item.last, item.span))
            continue
        source = f"{label}:{item.first}"
        try:
            paper = _paper_from_fields(item.fields, source)
        except _BadRecord as exc:
            rejected.append(doc.reject(item.first, str(exc), item.last, item.span))
            continue
        except ValidationError as exc:  # a field value Paper refuses
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            reason = f"invalid {where}: {str(error['msg']).removeprefix('Value error, ')}"
            rejected.append(doc.reject(item.first, reason, item.last, item.span))
            continue
        if paper.id in seen:
            reason = f"duplicate of {paper.id} at {seen[paper.id]}"
            rejected.append(doc.reject(item.first, reason, item.last, item.span))
            continue
        seen[paper.id] = source
        papers.append(paper)
    if not found:
        rejected.append(Rejected(file=label, line=None, reason="no papers found",
                                 excerpt=doc.excerpt(None)))


# ---------------------------------------------------------------------------
# Fields -> Paper


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _text_field(fields: Mapping[str, Any], *names: str) -> str:
    """The first of ``names`` that is present, whitespace-collapsed; "" when absent or blank."""
    for name in names:
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _BadRecord(f"{name} is not text (got {type(value).__name__})")
        limit = MAX_TITLE_CHARS if name == "title" else MAX_ABSTRACT_CHARS
        try:
            text = _collapse(safe_text(value, limit))
        except UnsafeText as exc:
            raise _BadRecord(f"invalid {name}: {exc}") from None
        if text:
            return text
    return ""


def _optional_str(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return text or None
    return None


def _split_names(text: str) -> list[str]:
    """``"A. Smith, B. Jones (MIT) and C. Brown"`` -> three names, affiliations dropped."""
    parts: list[str] = []
    depth, current = 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and char in ",;":
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    names: list[str] = []
    for part in parts:
        for piece in re.split(r"(?:^|\s+)and\s+", part.strip()):
            name = _collapse(re.sub(r"\([^()]*\)", " ", piece))
            if name:
                names.append(name)
    return names


def _authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(_split_names(value))
    if not isinstance(value, list | tuple):
        raise _BadRecord(f"authors is not a list or text (got {type(value).__name__})")
    names: list[str] = []
    for item in value:
        if isinstance(item, str):
            name = _collapse(item)
        elif isinstance(item, list | tuple):  # arXiv authors_parsed: [last, first, suffix]
            parts = [_collapse(str(p)) for p in item if p is not None]
            ordered = parts[1:2] + parts[:1] + parts[2:]
            name = " ".join(p for p in ordered if p)
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
            name = _collapse(item["name"])
        else:
            raise _BadRecord(f"author entry is not a name (got {type(item).__name__})")
        if name:
            names.append(name)
    return tuple(names)


def _categories(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = re.split(r"[\s,;]+", value)
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise _BadRecord(f"categories is not a list or text (got {type(value).__name__})")
    out: list[str] = []
    for item in items:
        term = _optional_str(item)
        if term and term not in out:
            out.append(term)
    return tuple(out)


# a paper's date: older than the first journals is a wrong date, not an old paper
MIN_YEAR = 1600
_RFC2822_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,}\.?\s+(\d+)\b")


def _parse_date(value: Any, name: str) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _BadRecord(f"invalid {name}: {value!r}")
    text = value.strip()
    if not text:
        return None
    date = _date_of(text)
    if date is None:
        raise _BadRecord(f"invalid {name}: {text[:40]!r}")
    if date.year < MIN_YEAR:
        raise _BadRecord(f"invalid {name}: {text[:40]!r} (a year before {MIN_YEAR})")
    return date


def _date_of(text: str) -> dt.date | None:
    with contextlib.suppress(ValueError):
        return dt.date.fromisoformat(text)
    with contextlib.suppress(ValueError):
        return dt.datetime.fromisoformat(text).date()
    try:  # RFC 2822, as in arXiv versions
        parsed = email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError, OverflowError, UnicodeError):
        return None
    # email.utils moves a year below 100 to 19xx/20xx ("0001" -> 2001): keep it as written,
    # so that the range check refuses it instead of storing another date
    written = _RFC2822_YEAR.search(text)
    if written and int(written.group(1)) < 100:
        return parsed.replace(year=max(1, int(written.group(1))))
    return parsed


def _paper_from_fields(raw: Mapping[str, Any], source: str) -> Paper:
    fields = {str(k).strip().lower(): v for k, v in raw.items()}
    title = _text_field(fields, "title")
    abstract = _text_field(fields, "abstract", "summary")
    if not title:
        raise _BadRecord("missing title")
    if not abstract:
        raise _BadRecord("missing abstract")
    given_id = _optional_str(fields.get("id"))
    url = _optional_str(fields.get("url"))
    authors = fields.get("authors")
    if authors in (None, "", []):
        authors = fields.get("authors_parsed")
    date = None
    for name in _DATE_KEYS:
        date = _parse_date(fields.get(name), name)
        if date:
            break
    return Paper(
        id=paper_id_for(title, given_id, url),
        title=title,
        abstract=abstract,
        authors=_authors(authors),
        date=date,
        url=url,
        categories=_categories(fields.get("categories")),
        source=source,
    )


# ---------------------------------------------------------------------------
# trending: the saved "trending papers" page

# A title is a one-line paragraph of at most 300 characters that does not end with a period;
# anything else (longer, wrapped over several lines, or ending like a sentence) is an abstract.
# Page chrome ("Subscribe", ...) and date separators ("Mar 11") are skipped wherever they are.
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


def _paragraphs(doc: _Doc) -> list[_Paragraph]:
    out: list[_Paragraph] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*doc.lines, ""], start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            text = _collapse(" ".join(text for _, text in block))
            out.append(_Paragraph(block[0][0], block[-1][0], text, len(block)))
            block = []
    return out


def _parse_trending(doc: _Doc) -> Iterator[_Record | Rejected]:
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
            yield _Record(here.first, after.last, {"title": here.text, "abstract": after.text})
            i += 2


# ---------------------------------------------------------------------------
# jsonl and json


def _json_reason(exc: json.JSONDecodeError) -> str:
    return f"invalid JSON: {exc.msg} (col {exc.colno})"


def _parse_jsonl(doc: _Doc) -> Iterator[_Record | Rejected]:
    for number, line in enumerate(doc.lines, start=1):
        if not line.strip():
            continue
        bad = doc.bad_reason(number, number)
        if bad:
            yield doc.reject(number, bad)
            continue
        try:
            value = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield doc.reject(number, _json_reason(exc))
            continue
        except RecursionError:
            yield doc.reject(number, "invalid JSON: nested too deeply")
            continue
        if not isinstance(value, dict):
            yield doc.reject(number, f"not a JSON object (got {_json_type(value)})")
            continue
        yield _Record(number, number, value)


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), "number" if isinstance(value, int | float) else "null"
    )


_WHITESPACE = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _array_items(text: str, pos: int) -> list[tuple[int, int, Any]]:
    """(start, end, value) of each element of the (already valid) JSON array at ``pos``."""
    items: list[tuple[int, int, Any]] = []
    pos = _skip(text, pos + 1)
    if text[pos] == "]":
        return items
    while True:
        start = pos
        value, pos = _DECODER.raw_decode(text, pos)
        items.append((start, pos, value))
        pos = _skip(text, pos)
        if text[pos] == "]":
            return items
        pos = _skip(text, pos + 1)  # past the comma


def _object_values(text: str, pos: int) -> dict[str, int]:
    """Start offset of each member value of the (already valid) JSON object at ``pos``."""
    starts: dict[str, int] = {}
    pos = _skip(text, pos + 1)
    if text[pos] == "}":
        return starts
    while True:
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        starts[key] = pos
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == "}":
            return starts
        pos = _skip(text, pos + 1)


def _parse_json(doc: _Doc) -> Iterator[_Record | Rejected]:
    text = doc.text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            yield from _parse_jsonl(doc)  # JSON Lines saved as .json
            return
        yield doc.reject(exc.lineno, _json_reason(exc))
        return
    except RecursionError:
        yield doc.reject(None, "invalid JSON: nested too deeply")
        return
    top = _skip(text, 0)
    if isinstance(value, dict):
        key = next((k for k in _LIST_KEYS if isinstance(value.get(k), list)), None)
        if key is None:
            if "title" in value or "abstract" in value:  # a single record
                yield _Record(doc.line_at(top), doc.line_at(len(text.rstrip()) - 1), value)
            else:
                keys = "', '".join(_LIST_KEYS)
                yield doc.reject(1, f"no list of papers: expected an array or an object "
                                    f"with '{keys}'")
            return
        top = _object_values(text, top)[key]
    elif not isinstance(value, list):
        yield doc.reject(doc.line_at(top), f"expected an array of objects, got {_json_type(value)}")
        return
    for index, (start, end, item) in enumerate(_array_items(text, top)):
        first, last = doc.line_at(start), doc.line_at(end - 1)
        if not isinstance(item, dict):
            reason = f"array element [{index}] is not a JSON object (got {_json_type(item)})"
            yield doc.reject(first, reason, last)
            continue
        yield _Record(first, last, item, span=(start, end))


# ---------------------------------------------------------------------------
# csv


def _parse_csv(doc: _Doc) -> Iterator[_Record | Rejected]:
    header_line = next((line for line in doc.lines if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=header_line.count)
    reader = csv.reader(iter(doc.lines), delimiter=delimiter)
    header: list[str] | None = None
    previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield doc.reject(previous + 1, f"bad CSV row: {exc}", reader.line_num)
            if reader.line_num <= previous:
                break
            previous = reader.line_num
            continue
        first, last, previous = previous + 1, reader.line_num, reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lstrip("\ufeff").lower() for cell in row]
            missing = [c for c in ("title", "abstract") if c not in header]
            if missing and not ("abstract" in missing and "summary" in header):
                yield doc.reject(first, f"CSV header has no {' or '.join(missing)} column", last)
                return
            continue
        if len(row) != len(header):
            yield doc.reject(first, f"expected {len(header)} columns, got {len(row)}", last)
            continue
        fields: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=True):
            if cell.strip():
                fields[name] = cell
        if ";" in fields.get("authors", ""):  # "Smith, J.; Doe, A." -> split on ";" only
            fields["authors"] = [name for name in fields["authors"].split(";") if name.strip()]
        yield _Record(first, last, fields)


# ---------------------------------------------------------------------------
# atom: the arXiv API feed


_ATOM = "http://www.w3.org/2005/Atom"
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child_text(element: ET.Element, name: str) -> str | None:
    for child in _children(element, name):
        return "".join(child.itertext())
    return None


class _AtomBuilder:
    """Builds the tree with ``ElementTree.TreeBuilder`` while noting each entry's lines."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.builder = ET.TreeBuilder()
        self.entries: list[tuple[ET.Element, int, int]] = []
        self._entry_start = 0
        parser = self.parser
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self.builder.data
        parser.EntityDeclHandler = self._forbid_entity
        parser.ExternalEntityRefHandler = self._forbid_external
        parser.buffer_text = True

    @staticmethod
    def _name(name: str) -> str:
        return "{" + name if "}" in name else name

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        tag = self._name(name)
        if _local(tag) == "entry":
            self._entry_start = self.parser.CurrentLineNumber
        self.builder.start(tag, {self._name(k): v for k, v in attributes.items()})

    def _end(self, name: str) -> None:
        element = self.builder.end(self._name(name))
        if _local(element.tag) == "entry":
            self.entries.append((element, self._entry_start, self.parser.CurrentLineNumber))

    def _forbid_entity(self, *_: object) -> None:
        raise _BadRecord("XML entity declarations are not allowed")

    def _forbid_external(self, *_: object) -> int:
        raise _BadRecord("external XML entities are not allowed")

    def parse(self, data: str | bytes) -> ET.Element:
        self.parser.Parse(data, True)
        return self.builder.close()


def _parse_atom(doc: _Doc) -> Iterator[_Record | Rejected]:
    builder = _AtomBuilder()
    declared = _XML_ENCODING.match(b"".join(doc.raw_lines[:2]))
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    foreign = encoding.replace("_", "-") not in ("utf-8", "utf8")
    if foreign:  # expat decodes the declared encoding itself; UTF-8 checks do not apply
        doc.bad.clear()
    try:
        root = builder.parse(b"".join(doc.raw_lines) if foreign else doc.text)
    except expat.ExpatError as exc:
        reason = f"malformed XML: {expat.ErrorString(exc.code)} (col {exc.offset + 1})"
        yield doc.reject(exc.lineno, reason)
        return
    except _BadRecord as exc:
        yield doc.reject(builder.parser.CurrentLineNumber, str(exc))
        return
    if _local(root.tag) != "feed":
        yield doc.reject(1, f"not an Atom feed: the root element is <{_local(root.tag)}>")
        return
    for entry, first, last in builder.entries:
        entry_id = _collapse(_child_text(entry, "id") or "")
        summary = _child_text(entry, "summary")
        if "arxiv.org/api/errors" in entry_id:
            yield doc.reject(first, f"arXiv API error: {_collapse(summary or '')}", last)
            continue
        url = None
        for link in _children(entry, "link"):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                url = link.get("href")
                break
        if url is None and entry_id.startswith("http"):
            url = entry_id
        authors = [_child_text(a, "name") or "" for a in _children(entry, "author")]
        fields = {
            "id": entry_id or None,
            "title": _child_text(entry, "title"),
            "abstract": summary,
            "authors": [a for a in authors if a.strip()],
            "published": _child_text(entry, "published") or _child_text(entry, "updated"),
            "categories": [c.get("term", "") for c in _children(entry, "category")],
            "url": url,
        }
        yield _Record(first, last, fields)


_PARSERS = {
    "trending": _parse_trending,
    "jsonl": _parse_jsonl,
    "json": _parse_json,
    "csv": _parse_csv,
    "atom": _parse_atom,
}
