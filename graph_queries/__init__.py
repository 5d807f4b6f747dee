"""The named Cypher queries: one ``NAME.cypher`` file each, documented by its header.

Header lines start with ``//``:

    // name: related-work
    // purpose: one or more lines ...
    //   (indented lines continue the previous field)
    // param paper: str (required) - what it is
    // param limit: int = 10 - what it is
    // example: paperkg query related-work --param paper=t-2e1fd646a0e1

Parameter kinds: ``str``, ``int``, ``float`` and ``concept`` (a concept name the caller
normalizes to a concept key). ``= null`` makes a parameter optional with no value.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from pydantic import BaseModel

PARAM_KINDS = ("str", "int", "float", "concept")
_PARAM = re.compile(
    r"^(?P<name>\w+):\s*(?P<kind>\w+)\s*(?:(?P<required>\(required\))|=\s*(?P<default>\S+))?"
    r"\s*(?:-\s*(?P<help>.*))?$"
)


class QueryParam(BaseModel):
    name: str
    kind: str
    required: bool
    default: str | int | float | None
    help: str = ""

    def convert(self, raw: str) -> str | int | float:
        if self.kind == "int":
            return int(raw)
        if self.kind == "float":
            return float(raw)
        return raw


class NamedQuery(BaseModel):
    name: str
    purpose: str
    params: tuple[QueryParam, ...]
    example: str
    cypher: str


def _default(kind: str, text: str | None) -> str | int | float | None:
    if text is None or text == "null":
        return None
    return QueryParam(name="_", kind=kind, required=False, default=None).convert(text)


def parse_query(name: str, text: str) -> NamedQuery:
    fields: dict[str, list[str]] = {}
    params: list[QueryParam] = []
    last: str | None = None
    body: list[str] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            body.append(line)
            continue
        content = line[2:]
        if content.startswith("   ") and last is not None:
            fields[last].append(content.strip())
            continue
        label, _, value = content.strip().partition(":")
        if label.startswith("param "):
            match = _PARAM.match(f"{label[6:].strip()}:{value}")
            if not match or match["kind"] not in PARAM_KINDS:
                raise ValueError(f"{name}.cypher: bad parameter line {line!r}")
            params.append(
                QueryParam(
                    name=match["name"],
                    kind=match["kind"],
                    required=bool(match["required"]),
                    default=_default(match["kind"], match["default"]),
                    help=(match["help"] or "").strip(),
                )
            )
            last = None
        else:
            last = label.strip()
            fields[last] = [value.strip()]
    for required in ("name", "purpose", "example"):
        if required not in fields:
            raise ValueError(f"{name}.cypher: header has no '{required}:' line")
    if fields["name"][0] != name:
        raise ValueError(f"{name}.cypher: header names it {fields['name'][0]!r}")
    return NamedQuery(
        name=name,
        purpose=" ".join(fields["purpose"]),
        params=tuple(params),
        example=" ".join(fields["example"]),
        cypher="\n".join(body).strip() + "\n",
    )


@cache
def load_queries() -> dict[str, NamedQuery]:
    """Every named query shipped in this package, by name."""
    folder = resources.files(__name__)
    queries = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            name = entry.name.removesuffix(".cypher")
            queries[name] = parse_query(name, entry.read_text(encoding="utf-8"))
    return queries
