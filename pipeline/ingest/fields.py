"""Fields -> ``Paper``: the coercion every format's records go through.

Field names are matched without regard to case. Titles and abstracts are checked by
``schemas.text`` and whitespace-collapsed (``collapse``); authors come as text
(``"A, B and C"``, affiliations in parentheses dropped), a list of names, arXiv
``authors_parsed`` lists or ``{"name": ...}`` objects; categories as a list, or text split on
spaces, commas and semicolons; the date is the first of ``date``, ``published``,
``update_date`` given, in ISO 8601 or RFC 2822, and not before ``MIN_YEAR``. A value that
cannot be coerced raises ``BadRecord`` with the reason its record is rejected for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import re
from collections.abc import Mapping
from typing import Any

from pipeline.ingest.records import BadRecord
from schemas.keys import paper_id_for
from schemas.model import Paper
from schemas.text import (
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    UnsafeText,
    safe_text,
)

__all__ = ["MIN_YEAR", "collapse", "paper_from_fields"]

_DATE_KEYS = ("date", "published", "update_date")


def collapse(text: str) -> str:
    """Each run of whitespace (line breaks included) as one space, the ends stripped."""
    return " ".join(text.split())


def _text_field(fields: Mapping[str, Any], *names: str) -> str:
    """The first of ``names`` that is present, whitespace-collapsed; "" when absent or blank."""
    for name in names:
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise BadRecord(f"{name} is not text (got {type(value).__name__})")
        limit = MAX_TITLE_CHARS if name == "title" else MAX_ABSTRACT_CHARS
        try:
            text = collapse(safe_text(value, limit))
        except UnsafeText as exc:
            raise BadRecord(f"invalid {name}: {exc}") from None
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
            name = collapse(re.sub(r"\([^()]*\)", " ", piece))
            if name:
                names.append(name)
    return names


def _authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(_split_names(value))
    if not isinstance(value, list | tuple):
        raise BadRecord(f"authors is not a list or text (got {type(value).__name__})")
    names: list[str] = []
    for item in value:
        if isinstance(item, str):
            name = collapse(item)
        elif isinstance(item, list | tuple):  # arXiv authors_parsed: [last, first, suffix]
            parts = [collapse(str(p)) for p in item if p is not None]
            ordered = parts[1:2] + parts[:1] + parts[2:]
            name = " ".join(p for p in ordered if p)
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
            name = collapse(item["name"])
        else:
            raise BadRecord(f"author entry is not a name (got {type(item).__name__})")
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
        raise BadRecord(f"categories is not a list or text (got {type(value).__name__})")
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
        raise BadRecord(f"invalid {name}: {value!r}")
    text = value.strip()
    if not text:
        return None
    date = _date_of(text)
    if date is None:
        raise BadRecord(f"invalid {name}: {text[:40]!r}")
    if date.year < MIN_YEAR:
        raise BadRecord(f"invalid {name}: {text[:40]!r} (a year before {MIN_YEAR})")
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


def paper_from_fields(raw: Mapping[str, Any], source: str) -> Paper:
    fields = {str(k).strip().lower(): v for k, v in raw.items()}
    title = _text_field(fields, "title")
    abstract = _text_field(fields, "abstract", "summary")
    if not title:
        raise BadRecord("missing title")
    if not abstract:
        raise BadRecord("missing abstract")
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
