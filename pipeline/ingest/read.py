"""Reading sources: files and ``http(s)://`` addresses -> ``IngestResult``; ``rejects.jsonl``.

Every source is checked and read (an address fetched) before any is parsed, so a missing file
or an address that cannot be fetched stops the run with nothing read (``IngestError``). Then
each source is parsed by its format's parser, each record's fields become a ``Paper`` and the
first record of a paper id wins over later ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from pipeline.ingest.fetch import FetchError, fetch, is_url
from pipeline.ingest.fields import paper_from_fields
from pipeline.ingest.formats import (
    CONTENT_TYPES,
    EXTENSIONS,
    FORMATS,
    PARSERS,
    SNIFF_BYTES,
    sniff,
)
from pipeline.ingest.records import BadRecord, Doc, IngestResult, Rejected
from pipeline.output import atomic_writer
from schemas.model import Paper
from schemas.text import display_safe

__all__ = ["REJECTS_FILE", "IngestError", "detect_format", "read_papers", "write_rejects"]

REJECTS_FILE = "rejects.jsonl"


class IngestError(Exception):
    """A problem with the request itself rather than with one record; the message is one line."""


def detect_format(path: Path) -> str:
    """The format of ``path``: from its extension, else by sniffing the start of its content."""
    path = Path(path)
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    _check_file(path, str(path))
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return sniff(head)


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
        sources.append((label, data, EXTENSIONS.get(path.suffix.lower())))

    papers: list[Paper] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}  # paper id -> source of the first record with it
    for label, data, known in sources:
        kind = fmt or known or sniff(data[:SNIFF_BYTES])
        _read_file(label, data, kind, seen, papers, rejected)
    return IngestResult(papers=papers, rejected=rejected, notes=notes)


def _fetch(url: str, notes: list[str]) -> tuple[str, bytes, str | None]:
    """GET ``url`` (``pipeline.ingest.fetch``): (label, body, format from the address or the
    Content-Type, else None); its notes are added to ``notes``. The label, shown in messages
    and record sources, is the address without its user name and password."""
    try:
        fetched = fetch(url)
    except FetchError as exc:
        raise IngestError(str(exc)) from None
    notes.extend(fetched.notes)
    by_address = EXTENSIONS.get(Path(urlsplit(fetched.label).path).suffix.lower())
    return fetched.label, fetched.data, by_address or CONTENT_TYPES.get(fetched.content_type)


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


def _read_file(
    label: str,
    data: bytes,
    kind: str,
    seen: dict[str, str],
    papers: list[Paper],
    rejected: list[Rejected],
) -> None:
    """Parse one source as ``kind``, adding to ``papers`` and ``rejected``; ``seen`` holds the
    paper ids of all sources so far."""
    doc = Doc.load(label, data)
    if not doc.text.strip():
        rejected.append(Rejected(file=label, line=None, reason="empty file"))
        return
    parser = PARSERS[kind]
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
            paper = paper_from_fields(item.fields, source)
        except BadRecord as exc:
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
