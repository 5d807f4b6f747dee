"""The ``atom`` format: the arXiv API Atom feed (``.xml``, ``.atom``).

Each ``<entry>`` is one record at the lines it spans: ``<id>``, ``<title>``, ``<summary>`` (the
abstract), each ``<author><name>``, ``<published>`` (else ``<updated>``), the ``term`` of each
``<category>`` and the alternate ``<link>`` (else an ``http`` ``<id>``) as the url. An arXiv
API error entry is rejected with the API's message. The feed is parsed by expat with entity
declarations and external entities refused, so that no entity can expand without bound or make
paperkg read a file or the network; a feed whose XML declaration names an encoding other than
UTF-8 is decoded by expat. A feed that stops parsing (a mismatched tag, a download cut off) is
one rejection at the line of the error; the whole entries before it still go through, as the
good lines of a JSON Lines file do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree as ET
from xml.parsers import expat

from pipeline.ingest.fields import collapse
from pipeline.ingest.records import BadRecord, Doc, Record, Rejected

__all__ = ["parse_atom"]

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
        self.root = ""  # the root element's local name, known before the document ends
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
        if not self.root:
            self.root = _local(tag)
        if _local(tag) == "entry":
            self._entry_start = self.parser.CurrentLineNumber
        self.builder.start(tag, {self._name(k): v for k, v in attributes.items()})

    def _end(self, name: str) -> None:
        element = self.builder.end(self._name(name))
        if _local(element.tag) == "entry":
            self.entries.append((element, self._entry_start, self.parser.CurrentLineNumber))

    def _forbid_entity(self, *_: object) -> None:
        raise BadRecord("XML entity declarations are not allowed")

    def _forbid_external(self, *_: object) -> int:
        raise BadRecord("external XML entities are not allowed")

    def parse(self, data: str | bytes) -> ET.Element:
        self.parser.Parse(data, True)
        return self.builder.close()


def parse_atom(doc: Doc) -> Iterator[Record | Rejected]:
    builder = _AtomBuilder()
    declared = _XML_ENCODING.match(b"".join(doc.raw_lines[:2]))
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    foreign = encoding.replace("_", "-") not in ("utf-8", "utf8")
    if foreign:  # expat decodes the declared encoding itself; UTF-8 checks do not apply
        doc.bad.clear()
    try:
        root = builder.parse(b"".join(doc.raw_lines) if foreign else doc.text)
    except expat.ExpatError as exc:
        if builder.root == "feed":
            yield from _records(doc, builder.entries)  # whole entries before the error
        reason = f"malformed XML: {expat.ErrorString(exc.code)} (col {exc.offset + 1})"
        yield doc.reject(exc.lineno, reason)
        return
    except BadRecord as exc:
        yield doc.reject(builder.parser.CurrentLineNumber, str(exc))
        return
    if _local(root.tag) != "feed":
        yield doc.reject(1, f"not an Atom feed: the root element is <{_local(root.tag)}>")
        return
    yield from _records(doc, builder.entries)


def _records(doc: Doc, entries: list[tuple[ET.Element, int, int]]
             ) -> Iterator[Record | Rejected]:
    for entry, first, last in entries:
        entry_id = collapse(_child_text(entry, "id") or "")
        summary = _child_text(entry, "summary")
        if "arxiv.org/api/errors" in entry_id:
            yield doc.reject(first, f"arXiv API error: {collapse(summary or '')}", last)
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
        yield Record(first, last, fields)
