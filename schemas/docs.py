"""The graph model as Markdown, generated from the schema so the README cannot drift from it."""

from __future__ import annotations

from schemas.model import NODES, RELATIONSHIPS, ConceptType, Role

_ROLE_MEANING = {
    Role.PROPOSES: "the paper introduces it (\"we propose X\", \"X: ...\" as the title)",
    Role.USES: "the paper builds on or uses it",
    Role.EVALUATES_ON: "the paper reports results on it (datasets and benchmarks)",
    Role.ADDRESSES: "the paper works on it (tasks)",
}


def markdown() -> str:
    lines = ["| node label | key | properties |", "| --- | --- | --- |"]
    for node in NODES:
        lines.append(f"| `{node.label}` | `{node.key}` | {', '.join(node.properties)} |")
    lines += ["", "| relation | from | to | properties |", "| --- | --- | --- | --- |"]
    for rel in RELATIONSHIPS:
        lines.append(
            f"| `{rel.type}` | {rel.source} | {rel.target} | {', '.join(rel.properties)} |"
        )
    lines += ["", "Concept types: " + ", ".join(f"`{t.value}`" for t in ConceptType) + ".", ""]
    lines += [f"- `{role.value}`: {meaning}" for role, meaning in _ROLE_MEANING.items()]
    return "\n".join(lines) + "\n"
