"""The named queries' parameters and errors, the same on every store.

A query's parameters are resolved (``resolve_params``) and checked (``check_params``) here,
before any store runs it, so a bad call fails with the same one-line ``QueryError`` whichever
store answers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from graph_queries import NamedQuery, load_queries
from pipeline.stores.base import PAPER_ROLES
from schemas import ConceptType, Role
from schemas.keys import concept_key, key_variants


class QueryError(Exception):
    """A user error in a query call; the message is one line."""


def missing_error(kind: str, value: str) -> QueryError:
    """The error for a paper or concept parameter naming nothing in the graph (both backends)."""
    if kind == "paper":
        return QueryError(f"no paper with id {value!r} in the graph")
    return QueryError(f"no concept with key {value!r} in the graph")


def alias_match(key: str, candidates: Iterable[tuple[str, Sequence[str], int]]) -> str | None:
    """The concept a user meant by a name that is not its key: an alias ("MCTS", "BIG-bench")
    or its display name, whose key can differ (an acronym named by its long form's key).

    ``candidates`` are (key, names, paper_count), names = the display name and the aliases;
    when several concepts carry the name, the one in the most papers wins, then the smaller
    key, so every store agrees.
    """
    found = [
        (-papers, candidate)
        for candidate, aliases, papers in candidates
        # an all-lower-case spelling of an acronym normalizes differently ("mcts" -> "mct")
        if any(key in (concept_key(alias), concept_key(alias.lower())) for alias in aliases)
    ]
    return min(found)[1] if found else None


def resolve_concept(
    key: str, held: Callable[[str], bool], by_name: Callable[[str], str | None]
) -> str:
    """The key of the concept a query names, the same on every store: the first of
    ``key_variants`` (the key, then without trailing head words: "ImageNet test set" finds
    ImageNet) that is a concept's key (``held``) or one of its names (``by_name``, see
    ``alias_match``)."""
    for variant in key_variants(key):
        if held(variant):
            return variant
        if (named := by_name(variant)) is not None:
            return named
    raise missing_error("concept", key)


def check_type(type: str | None) -> None:
    if type is not None and type not in ConceptType.__members__:
        valid = ", ".join(t.value for t in ConceptType)
        raise QueryError(f"type must be one of {valid}, not {type!r}")


def check_role(role: str | None) -> None:
    if role is not None and role not in PAPER_ROLES:
        raise QueryError(f"role must be one of {', '.join(r.value for r in Role)}, not {role!r}")


def parse_today(today: str | None) -> dt.date:
    if today is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(today)
    except ValueError:
        raise QueryError(f"--param today must be a date YYYY-MM-DD, not {today!r}") from None


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def check_params(name: str, values: Mapping[str, Any]) -> None:
    """Value checks both backends apply before running a query (one-line QueryError)."""
    for key in ("limit", "days"):
        value = values.get(key)
        if isinstance(value, int) and value < 0:
            raise QueryError(f"--param {key} must be 0 or more, not {value}")
    for key, value in values.items():
        # Neo4j (and Cypher) integers are 64-bit; a larger one fails inside the driver
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            raise QueryError(f"--param {key} is too large (at most {INT64_MAX:,})")
    check_role(values.get("role"))
    check_type(values.get("type"))
    if "today" in values:
        parse_today(values["today"])


def resolve_params(query: NamedQuery, raw: Mapping[str, str]) -> dict[str, Any]:
    """Typed parameter values from ``key=value`` strings, defaults filled in."""
    known = {p.name for p in query.params}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise QueryError(
            f"{query.name} has no parameter {unknown[0]!r} (parameters: {', '.join(sorted(known))})"
        )
    values: dict[str, Any] = {}
    for param in query.params:
        if param.name not in raw:
            if param.required:
                raise QueryError(f"{query.name} needs --param {param.name}=... ({param.help})")
            values[param.name] = param.default
            continue
        try:
            value = param.convert(raw[param.name])
        except ValueError:
            raise QueryError(
                f"--param {param.name} must be {param.kind}, not {raw[param.name]!r}"
            ) from None
        values[param.name] = concept_key(str(value)) if param.kind == "concept" else value
    return values


def get_query(name: str) -> NamedQuery:
    queries = load_queries()
    if name not in queries:
        raise QueryError(f"no query named {name!r} (queries: {', '.join(sorted(queries))})")
    return queries[name]
