"""Reading sources: files and ``http(s)://`` addresses -> ``Paper`` s in chunks; ``rejects.jsonl``.

``iter_papers`` checks every source and reads (fetches) every address before any is parsed, so
a missing or unreadable file, or an address that cannot be fetched, stops the run with nothing
read (``IngestError``). It then gives the papers and rejected records in chunks of at most
``chunk_size`` papers: JSON Lines and CSV files are read record by record from the disk
(``StreamDoc``), so memory holds one chunk whatever the file's size; the other formats (a
JSON array, an XML feed, a trending page) and fetched bodies are parsed whole, one source at a
time. A gzip-compressed source (``papers.jsonl.gz``; known by its magic bytes) is read through
the decompressor, streaming too. Each record's fields become a ``Paper``; the first record of a
paper id wins over later ones across the whole run (the ids seen are the one thing kept for
the run: ~100 bytes a paper). ``read_papers`` is the same, all at once.
"""

from __future__ import annotations

import gzip
import itertools
import json
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from pydantic import ValidationError

from pipeline.ingest.fetch import FetchError, fetch, is_url
from pipeline.ingest.fields import paper_from_fields
from pipeline.ingest.formats import (
    CONTENT_TYPES,
    FORMATS,
    LINE_PARSERS,
    PARSERS,
    SNIFF_BYTES,
    format_of_name,
    sniff,
)
from pipeline.ingest.records import (
    BadRecord,
    Doc,
    IngestResult,
    LineSource,
    Record,
    Rejected,
    StreamDoc,
)
from pipeline.output import atomic_writer
from schemas.model import Paper
from schemas.text import display_safe

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "REJECTS_FILE",
    "IngestError",
    "PaperStream",
    "detect_format",
    "iter_papers",
    "read_papers",
    "write_rejects",
]

REJECTS_FILE = "rejects.jsonl"
DEFAULT_CHUNK_SIZE = 1000
GZIP_MAGIC = b"\x1f\x8b"
# what a broken compressed stream raises: BadGzipFile (an OSError), a truncated file
# (EOFError), corrupt data (zlib.error)
_DECOMPRESS_ERRORS = (OSError, EOFError, zlib.error)


class IngestError(Exception):
    """A problem with the request itself rather than with one record; the message is one line."""


def detect_format(path: Path) -> str:
    """The format of ``path``: from its name (through a ``.gz``), else by sniffing the start
    of its (decompressed) content."""
    path = Path(path)
    by_name = format_of_name(path.name)
    if by_name:
        return by_name
    _check_file(path, str(path))
    try:
        with path.open("rb") as raw, _decompressed(raw) as stream:
            head = stream.read(SNIFF_BYTES)
    except _DECOMPRESS_ERRORS as exc:
        raise IngestError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return sniff(head)


@dataclass
class _Source:
    """One source of a run: a local file (read when its turn comes) or a fetched body."""

    label: str  # shown in messages and stored as each paper's source
    known: str | None  # the format its name or Content-Type gives
    size: int  # bytes on disk or fetched (compressed when compressed)
    path: Path | None = None
    data: bytes | None = None


class PaperStream:
    """A run's sources, read lazily: iterate for ``IngestResult`` chunks of at most
    ``chunk_size`` papers (each with the records rejected since the last chunk; the first
    also carries the fetch ``notes``). At least one chunk comes, even for no papers.
    ``fraction_read`` says how far through the sources' bytes reading is (for progress)."""

    def __init__(
        self, sources: list[_Source], fmt: str | None, chunk_size: int, notes: list[str]
    ) -> None:
        self._sources = sources
        self._fmt = fmt
        self.chunk_size = max(1, chunk_size)
        self.notes = notes
        self.bytes_total = sum(s.size for s in sources)
        self._bytes_done = 0  # of the sources finished
        self._current: BinaryIO | None = None  # the file being read, for its position

    def fraction_read(self) -> float | None:
        """Share of the sources' bytes read so far, None when they hold none."""
        if not self.bytes_total:
            return None
        done = self._bytes_done
        if self._current is not None and not self._current.closed:
            done += self._current.tell()
        return min(1.0, done / self.bytes_total)

    def __iter__(self) -> Iterator[IngestResult]:
        papers: list[Paper] = []
        rejected: list[Rejected] = []
        notes = self.notes
        sent = False
        for item in self._items():
            if isinstance(item, Paper):
                papers.append(item)
            else:
                rejected.append(item)
            if len(papers) >= self.chunk_size or len(rejected) >= self.chunk_size:
                yield IngestResult(papers=papers, rejected=rejected, notes=notes)
                papers, rejected, notes, sent = [], [], [], True
        if papers or rejected or not sent:
            yield IngestResult(papers=papers, rejected=rejected, notes=notes)

    def _items(self) -> Iterator[Paper | Rejected]:
        seen: dict[str, str] = {}  # paper id -> source of the first record with it
        for source in self._sources:
            if source.path is not None:
                yield from self._read_file(source, seen)
            else:
                assert source.data is not None
                yield from self._read_fetched(source, seen)
            self._bytes_done += source.size

    def _read_fetched(self, source: _Source, seen: dict[str, str]) -> Iterator[Paper | Rejected]:
        data = source.data or b""
        source.data = None  # parsed once: let it go with its papers
        if data.startswith(GZIP_MAGIC):
            try:
                data = gzip.decompress(data)
            except _DECOMPRESS_ERRORS as exc:
                yield Rejected(file=source.label, line=None, reason=f"cannot decompress: {exc}")
                return
        kind = self._fmt or source.known or sniff(data[:SNIFF_BYTES])
        yield from _parse(Doc.load(source.label, data), PARSERS[kind], seen)

    def _read_file(self, source: _Source, seen: dict[str, str]) -> Iterator[Paper | Rejected]:
        assert source.path is not None
        try:
            raw = source.path.open("rb")
        except OSError as exc:  # checked before the run, gone or locked since
            yield Rejected(file=source.label, line=None,
                           reason=f"cannot read: {exc.strerror or exc}")
            return
        self._current = raw
        try:
            with raw, _decompressed(raw) as stream:
                try:
                    head = stream.read(SNIFF_BYTES)
                    kind = self._fmt or source.known or sniff(head)
                    if kind not in LINE_PARSERS:
                        data = head + stream.read()
                except _DECOMPRESS_ERRORS as exc:
                    yield Rejected(file=source.label, line=None, reason=f"cannot read: {exc}")
                    return
                if kind not in LINE_PARSERS:
                    yield from _parse(Doc.load(source.label, data), PARSERS[kind], seen)
                    return
                # the lines from the disk as the parser asks for them, the first one completed
                # past the sniffed head
                lines = itertools.chain([head + _rest_of_line(stream, head)], stream)
                yield from _parse(StreamDoc(source.label, lines), LINE_PARSERS[kind], seen)
        finally:
            self._current = None


def _rest_of_line(stream: BinaryIO, head: bytes) -> bytes:
    if not head or head.endswith(b"\n"):
        return b""
    try:
        return stream.readline()
    except _DECOMPRESS_ERRORS:
        return b""  # the StreamDoc meets the same error on its next read and reports it


class _Plain:
    """A file read as it is (the context of ``_decompressed`` for an uncompressed one)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def __enter__(self) -> BinaryIO:
        return self.raw

    def __exit__(self, *_: object) -> None:
        """The caller closes the file."""


def _decompressed(raw: BinaryIO) -> gzip.GzipFile | _Plain:
    """``raw`` through gzip when it starts with gzip's magic bytes, else as it is; ``raw``'s
    position stays the compressed one (progress counts bytes on disk)."""
    magic = raw.read(len(GZIP_MAGIC))
    raw.seek(0)
    return gzip.GzipFile(fileobj=raw, mode="rb") if magic == GZIP_MAGIC else _Plain(raw)


def iter_papers(
    paths: Sequence[Path | str], fmt: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> PaperStream:
    """The papers and rejected records of every path or ``http(s)://`` address (in order), in
    chunks (``PaperStream``).

    ``fmt`` forces one of ``FORMATS`` for all paths; by default each path's format is detected.
    Raises ``IngestError`` here, before any source is parsed, for an unknown ``fmt``, a path
    that is missing, a directory or unreadable, or an address that cannot be fetched; after
    that, reading never raises (a file that breaks off is a rejection). An address is a
    ``str`` (a ``Path`` would fold its ``//``).
    """
    if fmt is not None:
        fmt = _check_format(fmt)
    files = [(str(p), Path(p)) for p in paths if not is_url(p)]
    for label, path in files:
        _check_file(path, label)
        try:
            path.open("rb").close()
        except OSError as exc:
            raise IngestError(f"{label}: cannot read: {exc.strerror or exc}") from None
    # every address is fetched before any source is parsed: one that fails stops the run
    # with nothing read
    sources: list[_Source] = []
    notes: list[str] = []
    for item in paths:
        if is_url(item):
            sources.append(_fetch(str(item), notes))
            continue
        path = Path(item)
        # a file name is shown and stored: one that is not valid UTF-8 is shown with U+FFFD
        sources.append(_Source(label=display_safe(str(item)), known=format_of_name(path.name),
                               size=path.stat().st_size, path=path))
    return PaperStream(sources, fmt, chunk_size, notes)


def read_papers(paths: Sequence[Path | str], fmt: str | None = None) -> IngestResult:
    """Every paper and rejected record of ``paths`` at once (``iter_papers``, in one piece):
    for callers that want them all. Raises ``IngestError`` as ``iter_papers`` does."""
    papers: list[Paper] = []
    rejected: list[Rejected] = []
    stream = iter_papers(paths, fmt)
    for chunk in stream:
        papers.extend(chunk.papers)
        rejected.extend(chunk.rejected)
    return IngestResult(papers=papers, rejected=rejected, notes=stream.notes)


def _fetch(url: str, notes: list[str]) -> _Source:
    """GET ``url`` (``pipeline.ingest.fetch``): its body, labelled, with the format from the
    address or the Content-Type, else None; its notes are added to ``notes``. The label, shown
    in messages and record sources, is the address without its user name and password."""
    try:
        fetched = fetch(url)
    except FetchError as exc:
        raise IngestError(str(exc)) from None
    notes.extend(fetched.notes)
    by_address = format_of_name(urlsplit(fetched.label).path)
    known = by_address or CONTENT_TYPES.get(fetched.content_type)
    return _Source(label=fetched.label, known=known, size=len(fetched.data), data=fetched.data)


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


def _parse(
    doc: LineSource, parser: Callable[[Any], Iterator[Record | Rejected]], seen: dict[str, str]
) -> Iterator[Paper | Rejected]:
    """Parse one source with ``parser``: its papers and rejected records, in order; ``seen``
    holds the paper ids of all sources so far."""
    if doc.is_blank():
        yield Rejected(file=doc.file, line=None, reason=doc.error or "empty file")
        return
    found = 0
    for item in parser(doc):
        found += 1
        if isinstance(item, Rejected):
            yield item
        else:
            yield _paper(doc, item, seen)
        doc.release()  # the record's lines are done with
    if doc.error:  # a compressed file that broke off: what came before it stands
        yield Rejected(file=doc.file, line=None, reason=doc.error)
    elif not found:
        yield Rejected(file=doc.file, line=None, reason="no papers found",
                       excerpt=doc.excerpt(None))


def _paper(doc: LineSource, item: Record, seen: dict[str, str]) -> Paper | Rejected:
    bad = doc.bad_reason(item.first, item.last, item.span)
    if bad:
        return doc.reject(item.first, bad, item.last, item.span)
    source = f"{doc.file}:{item.first}"
    try:
        paper = paper_from_fields(item.fields, source)
    except BadRecord as exc:
        return doc.reject(item.first, str(exc), item.last, item.span)
    except ValidationError as exc:  # a field value Paper refuses
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        reason = f"invalid {where}: {str(error['msg']).removeprefix('Value error, ')}"
        return doc.reject(item.first, reason, item.last, item.span)
    if paper.id in seen:
        return doc.reject(item.first, f"duplicate of {paper.id} at {seen[paper.id]}", item.last,
                          item.span)
    seen[paper.id] = source
    return paper
