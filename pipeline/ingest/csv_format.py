"""The ``csv`` format (``.csv``, ``.tsv``): a header row naming the columns, one paper per row.

The header needs a ``title`` and an ``abstract`` (or ``summary``) column, else the file is one
rejection. The delimiter is whichever of comma, tab and semicolon the header line holds most.
Empty cells are absent fields; an ``authors`` cell holding ";" is split on ";" only
(``"Smith, J.; Doe, A."``). A row with another number of cells than the header, or that the
``csv`` module cannot read, is rejected at its lines. (Named ``csv_format`` so that it is never
taken for the standard library's ``csv``, which it uses.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from pipeline.ingest.records import LineSource, Record, Rejected

__all__ = ["parse_csv"]


def parse_csv(doc: LineSource) -> Iterator[Record | Rejected]:
    """Row by row: reads a ``StreamDoc`` as well as a ``Doc``."""
    header_line = doc.first_text_line()  # a peek: a StreamDoc hands the line out again
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
        yield Record(first, last, fields)
