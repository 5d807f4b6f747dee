"""The ``jsonl`` and ``json`` formats. One module for both: ``json`` falls back to ``jsonl``
(JSON Lines saved as ``.json``), and both word their rejections alike.

``jsonl`` (``.jsonl``, ``.ndjson``): one JSON object per line; blank lines are skipped, and a
line that is not valid JSON, or not an object, is rejected at its number.

``json`` (``.json``): an array of objects, an object holding that array under one of
``LIST_KEYS`` (``papers``, ``records``, ``items``), or a single record object. Each element is
read or rejected on its own, at the lines it spans (bytes that are not UTF-8 reject only the
element holding them); a file that does not parse is one rejection at the line of the error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pipeline.ingest.records import Doc, LineSource, Record, Rejected

__all__ = ["LIST_KEYS", "parse_json", "parse_jsonl"]

LIST_KEYS = ("papers", "records", "items")


def _json_reason(exc: json.JSONDecodeError) -> str:
    return f"invalid JSON: {exc.msg} (col {exc.colno})"


def parse_jsonl(doc: LineSource) -> Iterator[Record | Rejected]:
    """Line by line: reads a ``StreamDoc`` as well as a ``Doc``."""
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
        yield Record(number, number, value)


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


def parse_json(doc: Doc) -> Iterator[Record | Rejected]:
    text = doc.text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            yield from parse_jsonl(doc)  # JSON Lines saved as .json
            return
        yield doc.reject(exc.lineno, _json_reason(exc))
        return
    except RecursionError:
        yield doc.reject(None, "invalid JSON: nested too deeply")
        return
    top = _skip(text, 0)
    if isinstance(value, dict):
        key = next((k for k in LIST_KEYS if isinstance(value.get(k), list)), None)
        if key is None:
            if "title" in value or "abstract" in value:  # a single record
                yield Record(doc.line_at(top), doc.line_at(len(text.rstrip()) - 1), value)
            else:
                keys = "', '".join(LIST_KEYS)
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
        yield Record(first, last, item, span=(start, end))
