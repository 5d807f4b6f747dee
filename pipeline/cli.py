"""The ``paperkg`` command: a thin layer over the pipeline stages and the Prefect flow."""

from __future__ import annotations

import json
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.ingest import FORMATS, IngestError, read_papers, write_rejects
from pipeline.query import QueryError, get_query, run_embedded
from pipeline.store import StoreError

app = typer.Typer(
    name="paperkg",
    help="Build a knowledge graph of the methods, datasets, benchmarks and tasks in abstracts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True)

MAX_REJECT_LINES = 20
DEFAULT_OUT = Path("out")

OutDir = Annotated[
    Path, typer.Option("--out", "-o", help="Output folder: graph.graphml, map.html, rejects.jsonl")
]
Format = Annotated[
    str | None, typer.Option("--format", "-f", help=f"Input format: {', '.join(FORMATS)}")
]


class UserError(Exception):
    """Shown as one line, exit code 2 unless given."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def sample_path() -> Path:
    return Path(str(resources.files("pipeline") / "samples" / "trending-papers.txt"))


def _inputs(inputs: list[Path] | None, sample: bool) -> list[Path]:
    paths = list(inputs or [])
    if sample:
        paths.append(sample_path())
    if not paths:
        raise UserError("give at least one input file, or --sample for the bundled sample")
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file")
        if not path.is_file():
            raise UserError(f"{path}: not a file")
    return paths


def _report_rejects(messages: list[str], rejects_file: str | None) -> None:
    for message in messages[:MAX_REJECT_LINES]:
        err.print(f"[yellow]skipped[/] {escape(message)}", highlight=False)
    if len(messages) > MAX_REJECT_LINES:
        err.print(f"... and {len(messages) - MAX_REJECT_LINES} more", highlight=False)
    if rejects_file:
        err.print(f"rejected records and reasons: {rejects_file}", highlight=False)


@app.command()
def run(
    inputs: Annotated[list[Path] | None, typer.Argument(help="Paper files to read")] = None,
    out_dir: OutDir = DEFAULT_OUT,
    fmt: Format = None,
    sample: Annotated[bool, typer.Option(help="Add the bundled 71-paper sample")] = False,
    strict: Annotated[bool, typer.Option(help="Exit non-zero if any record is rejected")] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Papers per extraction task")] = 64,
    make_map: Annotated[bool, typer.Option("--map/--no-map", help="Export map.html")] = True,
    max_nodes: Annotated[int | None, typer.Option(help="Largest map to draw")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect logs")] = False,
) -> None:
    """Run the main job: read papers, extract concepts, merge into the graph, export the map."""
    paths = _inputs(inputs, sample)
    if fmt is not None and fmt not in FORMATS:
        raise UserError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    _prepare_out_dir(out_dir)
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    from flows.build import build_graph
    from pipeline.store import NetworkxStore

    NetworkxStore(out_dir)  # a damaged graph file stops the run before anything is written
    with err.status("Building the graph (the first run starts a local Prefect server)..."):
        summary = build_graph(
            [str(p) for p in paths], str(out_dir), fmt, batch_size, "rules", make_map, max_nodes
        )
    _report_rejects(summary.reject_messages, summary.rejects_file)
    if summary.papers_read == 0:
        raise UserError("no usable papers were read", code=1)
    write = summary.write
    out.print(
        f"papers read {summary.papers_read} (added {write.papers_added}, updated "
        f"{write.papers_updated}, unchanged {write.papers_unchanged}), rejected {summary.rejected}"
    )
    concepts = _counts(summary.concepts_by_type)
    out.print(f"graph: {summary.graph_papers} papers; concepts {concepts}")
    out.print("edges " + _counts(summary.edges_by_relation))
    out.print(f"graph file: {summary.graph_file}")
    if summary.map_file:
        out.print(f"map: {summary.map_file}")
    if strict and summary.rejected:
        raise UserError(f"--strict: {summary.rejected} record(s) rejected", code=1)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items()) or "none"


def _prepare_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{out_dir}: cannot create the output folder ({error.strerror})") from None
    if not os.access(out_dir, os.W_OK):
        raise UserError(f"{out_dir}: the output folder is not writable")


@app.command()
def extract(
    inputs: Annotated[list[Path] | None, typer.Argument(help="Paper files to read")] = None,
    output: Annotated[Path, typer.Option("--output", help="JSON Lines file to write")] = Path(
        "extractions.jsonl"
    ),
    fmt: Format = None,
    sample: Annotated[bool, typer.Option(help="Add the bundled 71-paper sample")] = False,
) -> None:
    """Write the typed mentions of each paper as JSON Lines (no graph, no Prefect)."""
    from pipeline.extract import load_extractor
    from pipeline.normalize import Normalizer

    paths = _inputs(inputs, sample)
    result = read_papers(paths, fmt)
    if output.parent != Path(""):
        _prepare_out_dir(output.parent)
    write_rejects(result.rejected, output.parent)
    _report_rejects([r.message() for r in result.rejected], None)
    if not result.papers:
        raise UserError("no usable papers were read", code=1)
    extractions = Normalizer().normalize(list(load_extractor("rules").extract(result.papers)))
    with output.open("w", encoding="utf-8") as handle:
        for extraction in extractions:
            entities = [
                {
                    "text": m.text,
                    "type": m.type.value,
                    "start": m.start,
                    "end": m.end,
                    "field": m.field,
                    "name": m.name,
                }
                for m in extraction.mentions
            ]
            record = {"id": extraction.paper.id, "entities": entities}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    mentions = sum(len(e.mentions) for e in extractions)
    out.print(f"{len(extractions)} papers, {mentions} mentions -> {output}")


def _parse_params(params: list[str]) -> dict[str, str]:
    parsed = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--param wants key=value, got {item!r}")
        parsed[key.strip()] = value
    return parsed


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        inner = ", ".join(str(v) for k, v in value.items() if k != "concept")
        return f"{value.get('concept', '')} ({inner})" if "concept" in value else inner
    return "" if value is None else str(value)


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="Query name; omit to list them")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value, repeatable")
    ] = None,
    out_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    out_dir: OutDir = DEFAULT_OUT,
) -> None:
    """Run a named query (graph_queries/NAME.cypher) on the embedded store."""
    from graph_queries import load_queries
    from pipeline.store import GRAPH_FILE, NetworkxStore

    if name is None:
        for q in load_queries().values():
            out.print(f"[bold]{q.name}[/]: {q.purpose}", highlight=False)
            for p in q.params:
                need = "required" if p.required else f"default {p.default}"
                out.print(f"    {p.name} ({p.kind}, {need}): {p.help}", highlight=False)
            out.print(f"    e.g. {q.example}", highlight=False)
        return
    if out_format not in ("table", "json"):
        raise UserError("--format must be table or json")
    get_query(name)
    if not (out_dir / GRAPH_FILE).exists():
        raise UserError(f"{out_dir / GRAPH_FILE}: no graph yet; run `paperkg run` first")
    rows = run_embedded(NetworkxStore(out_dir).graph, name, _parse_params(param or []))
    if out_format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        out.print("no rows")
        return
    table = Table(*rows[0].keys(), show_lines=False)
    for row in rows:
        table.add_row(*(_cell(v) for v in row.values()))
    out.print(table)


@app.command()
def schema() -> None:
    """Print the graph model (node labels, relations, properties) as Markdown."""
    from schemas.docs import markdown

    sys.stdout.write(markdown())


@app.command("sample-path")
def sample_path_command() -> None:
    """Print the path of the bundled sample."""
    sys.stdout.write(f"{sample_path()}\n")


def main() -> None:
    try:
        app()
    except UserError as error:
        err.print(f"paperkg: {error}", highlight=False, markup=False)
        sys.exit(error.code)
    except (IngestError, StoreError, QueryError) as error:
        err.print(f"paperkg: {error}", highlight=False, markup=False)
        sys.exit(2 if isinstance(error, QueryError | IngestError) else 1)
    except KeyboardInterrupt:
        err.print("paperkg: interrupted")
        sys.exit(130)
