"""The formats: their names, the extensions and media types that give them, content sniffing,
and the parser of each.

A parser (``records.Parser``) takes a ``Doc`` and yields ``Record`` s and ``Rejected`` s. A new
format is a module with its parser, a line in ``PARSERS`` and, for it to be recognised without
``--format``, entries in ``EXTENSIONS`` / ``CONTENT_TYPES`` and a rule in ``sniff``.
"""

from __future__ import annotations

import codecs
import json

from pipeline.ingest.atom import parse_atom
from pipeline.ingest.csv_format import parse_csv
from pipeline.ingest.json_formats import LIST_KEYS, parse_json, parse_jsonl
from pipeline.ingest.records import LineParser, Parser
from pipeline.ingest.trending import parse_trending

__all__ = [
    "COMPRESSED_SUFFIXES",
    "CONTENT_TYPES",
    "EXTENSIONS",
    "FORMATS",
    "LINE_PARSERS",
    "PARSERS",
    "SNIFF_BYTES",
    "format_of_name",
    "sniff",
]

PARSERS: dict[str, Parser] = {
    "trending": parse_trending,
    "jsonl": parse_jsonl,
    "json": parse_json,
    "csv": parse_csv,
    "atom": parse_atom,
}
FORMATS: tuple[str, ...] = tuple(PARSERS)
# the formats read record by record from a stream (bounded memory whatever the file's size);
# the others are parsed whole, one file at a time
LINE_PARSERS: dict[str, LineParser] = {"jsonl": parse_jsonl, "csv": parse_csv}

EXTENSIONS: dict[str, str] = {
    ".txt": "trending",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "atom",
    ".atom": "atom",
}
# the formats of live sources that an address's extension does not give
CONTENT_TYPES: dict[str, str] = {
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
SNIFF_BYTES = 8192
# gzip: known by its magic bytes wherever it is; this suffix is looked through for the format
COMPRESSED_SUFFIXES = (".gz",)


def format_of_name(name: str) -> str | None:
    """The format a file name or address path gives (``papers.jsonl.gz`` -> ``jsonl``)."""
    lower = name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        lower = lower.removesuffix(suffix)
    dot = lower.rfind(".")
    return EXTENSIONS.get(lower[dot:]) if dot > lower.rfind("/") else None


def sniff(head: bytes) -> str:
    """The format the start of a source looks like; ``trending`` when no other fits."""
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
        if isinstance(value, dict) and any(isinstance(value.get(k), list) for k in LIST_KEYS):
            return "json"
        return "jsonl"
    first_line = text.split("\n", 1)[0].strip().lower()
    for delimiter in (",", "\t", ";"):
        names = {name.strip().strip('"') for name in first_line.split(delimiter)}
        if "title" in names and ({"abstract", "summary"} & names):
            return "csv"
    return "trending"
