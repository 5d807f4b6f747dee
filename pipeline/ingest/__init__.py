"""Ingest: read paper records from files and live addresses into ``Paper`` s, and say which
records were rejected.

Formats (``FORMATS``), chosen by ``detect_format`` from the extension, else by sniffing the
content, or forced for every path with ``read_papers(..., fmt=...)``. A gzip-compressed file
(``papers.jsonl.gz``, or any file starting with gzip's magic bytes) is read through the
decompressor. ``iter_papers`` gives the papers in chunks, reading JSON Lines and CSV record by
record (bounded memory for any size); ``read_papers`` gives them all at once. Each format is
read by its own module, whose docstring gives the details:

``trending``  a "trending papers" page saved as text (``.txt``): per paper a title paragraph
              followed by an abstract paragraph (module ``trending``). This format has no
              ids, dates or urls.
``jsonl``     one JSON object per line (``.jsonl``, ``.ndjson``; module ``json_formats``).
``json``      a list of objects, or an object holding that list under ``papers``, ``records``
              or ``items`` (``.json``; module ``json_formats``).
``csv``       a header row naming the columns, one paper per row (``.csv``, ``.tsv``; module
              ``csv_format``).
``atom``      the arXiv API Atom feed (``.xml``, ``.atom``; module ``atom``).

Record fields (json, jsonl, csv): ``id``, ``title``, ``abstract`` (or ``summary``), optional
``authors``, ``date`` / ``published`` / ``update_date``, ``url`` and ``categories``. The field
names of the public arXiv metadata snapshot are read as they are: ``authors`` as the string
``"A, B and C"`` or ``authors_parsed`` lists ``[last, first, suffix]``, space-separated
``categories``, ``update_date``. The paper id is ``schemas.keys.paper_id_for``: the
record's own ``id`` (for Atom, ``<id>``), with an arXiv id in any form reduced to the bare id
without version; without an ``id``, the arXiv id in ``url`` (for Atom, the alternate link),
else a hash of the normalized title, so the same id-less title gets the same id in every
format.

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
prints.

Network: ``http(s)://`` addresses are fetched by ``pipeline.ingest.fetch``, paperkg's only
network use (its notes, such as a redirect that dropped the credentials, come back in
``IngestResult.notes``); everything else here works on bytes already read.

The modules, in reading order: ``read`` (``read_papers``, ``detect_format``,
``write_rejects``), ``formats`` (names, extensions, media types, sniffing and each format's
parser), ``records`` (bytes -> lines and raw records, ``Rejected``), ``fields`` (a record's
fields -> ``Paper``), the format modules, and ``fetch``.
"""

from __future__ import annotations

from pipeline.ingest.fetch import is_url
from pipeline.ingest.formats import FORMATS
from pipeline.ingest.read import (
    DEFAULT_CHUNK_SIZE,
    IngestError,
    PaperStream,
    detect_format,
    iter_papers,
    read_papers,
    write_rejects,
)
from pipeline.ingest.records import IngestResult, Rejected

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FORMATS",
    "IngestError",
    "IngestResult",
    "PaperStream",
    "Rejected",
    "detect_format",
    "is_url",
    "iter_papers",
    "read_papers",
    "write_rejects",
]
