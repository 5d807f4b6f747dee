"""The ``paperkg`` command: a thin layer over the pipeline stages and the Prefect flow."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.ingest import FORMATS, IngestError, is_url, read_papers, write_rejects
from pipeline.ingest.fetch import FetchError, stash_credentials
from pipeline.output import atomic_writer
from pipeline.redact import for_terminal, redact
from pipeline.samples import sample_path
from pipeline.stores.base import GraphStore, StoreError
from pipeline.stores.queries import QueryError, get_query, resolve_params

if TYPE_CHECKING:
    from pipeline.stores.neo4j.settings import Neo4jSettings

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
    Path, typer.Option("--out", "-o", help="Output folder: graph.sqlite, map.html, rejects.jsonl")
]
Format = Annotated[
    str | None, typer.Option("--format", "-f", help=f"Input format: {', '.join(FORMATS)}")
]
UseNeo4j = Annotated[
    bool | None,
    typer.Option("--neo4j/--no-neo4j",
                 help="Use Neo4j too (default: when NEO4J_URI or --neo4j-uri is set)"),
]
Neo4jUri = Annotated[
    str | None, typer.Option("--neo4j-uri", help="bolt://HOST:7687 or neo4j+s://... [NEO4J_URI]")
]
Neo4jUser = Annotated[
    str | None, typer.Option("--neo4j-user", help="Neo4j user [NEO4J_USERNAME, default neo4j]")
]
Neo4jDatabase = Annotated[
    str | None,
    typer.Option("--neo4j-database", help="Neo4j database [NEO4J_DATABASE, default: the server's]"),
]
Inputs = Annotated[
    list[str] | None, typer.Argument(help="Paper files, or http(s) addresses of feeds, to read")
]
Sample = Annotated[bool, typer.Option(help="Add the bundled 71-paper sample")]
MakeMap = Annotated[bool, typer.Option("--map/--no-map", help="Export map.html")]
MaxNodes = Annotated[int | None, typer.Option(
    min=1, help="Nodes the map draws when it opens (default 150: the concepts with most papers)")]
CoOccurrence = Annotated[bool, typer.Option(
    "--co-occurrence", help="Draw CO_OCCURS_WITH edges on the map (off: they crowd it)")]
DaskAddress = Annotated[
    str | None,
    typer.Option("--dask-address", envvar="PAPERKG_DASK_ADDRESS", show_envvar=False,
                 help="Extract on the Dask cluster whose scheduler is here, e.g. "
                      "tcp://HOST:8786 [PAPERKG_DASK_ADDRESS]"),
]
Neo4jPassword = Annotated[
    str | None,
    typer.Option("--neo4j-password", show_default=False,
                 help="Neo4j password; prefer NEO4J_PASSWORD (a flag shows in the process list)"),
]


class UserError(Exception):
    """Shown as one line, exit code 2 unless given."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _inputs(inputs: list[str] | None, sample: bool) -> list[str]:
    """Input files and http(s) addresses, in order; files are checked here, addresses when
    they are fetched.

    A ``user:password@`` is taken out of each address and kept, per origin, in this process's
    environment (``pipeline.ingest.fetch.stash_credentials``), where the fetch, and the flow
    runs that ``serve`` starts as child processes, find it: the addresses returned, which become
    Prefect parameters (stored by Prefect, shown in its UI), hold no secret."""
    sources = list(inputs or [])
    if sample:
        sources.append(str(sample_path()))
    if not sources:
        raise UserError("give at least one input file or address, or --sample for the bundled "
                        "sample")
    for source in sources:
        if is_url(source):
            continue
        path = Path(source)
        if not path.exists():
            raise UserError(f"{path}: no such file")
        if not path.is_file():
            raise UserError(f"{path}: not a file")
    try:
        return stash_credentials(sources)
    except FetchError as error:
        raise UserError(str(error)) from None


def _neo4j_settings(
    use: bool | None, uri: str | None, user: str | None, database: str | None,
    password: str | None,
) -> Any:
    """Neo4jSettings when Neo4j is wanted (flag, or a URI from flag or env), else None."""
    if use is False or (use is None and not (uri or os.environ.get("NEO4J_URI"))):
        return None
    import logging

    from pipeline.stores.neo4j.settings import Neo4jSettings

    # the driver logs each retry of a failing transaction as a warning; the user gets one line
    logging.getLogger("neo4j").setLevel(logging.ERROR)

    settings = Neo4jSettings.from_env(uri=uri, username=user, password=password,
                                      database=database)
    # the flow's load task reads it from this process's environment, never from parameters
    # (Prefect stores those); it may have come from a flag or from user:password@ in the URI
    if settings.password.get_secret_value():
        os.environ["NEO4J_PASSWORD"] = settings.password.get_secret_value()
    return settings


def _flow_neo4j(settings: Any) -> dict[str, str | None]:
    """The build flow's Neo4j parameters (no password: the load task reads the environment)."""
    return {
        "neo4j_uri": settings.uri if settings else None,
        "neo4j_username": settings.username if settings else None,
        "neo4j_database": settings.database if settings else None,
    }


def _check_neo4j(settings: Any) -> None:
    """Log in before any work starts: a bad URI, password or database is one line, exit 1."""
    from pipeline.stores.neo4j.store import Neo4jStore

    with Neo4jStore(settings) as store, err.status(f"Connecting to {settings.target}..."):
        store.check()


def _check_dask(address: str | None) -> str | None:
    """The scheduler answers and has workers, before any work starts: else one line, exit 2.
    Sets PAPERKG_DASK_ADDRESS for the flow runs this process starts (served runs are child
    processes that choose their task runner from it)."""
    if not address:
        return None
    from flows.runners import ClusterError, check_dask_address

    with err.status("Connecting to the Dask cluster..."):
        try:
            check_dask_address(address)
        except ClusterError as error:
            raise UserError(str(error)) from None
    os.environ["PAPERKG_DASK_ADDRESS"] = address
    return address


@contextlib.contextmanager
def _progress(status: Any) -> Any:
    """Update the status line with the run's progress: on a terminal only (rich draws nothing
    elsewhere, and the flow's own log has the per-chunk timings)."""
    from flows.progress import RunProgress, listening

    if not err.is_terminal:
        yield
        return
    line = RunProgress()
    with listening(lambda counts: status.update(escape(line.update(counts)))):
        yield


def _report_notes(notes: list[str]) -> None:
    for note in notes:
        err.print(f"[cyan]note[/] {escape(note)}", highlight=False)


def _report_rejects(messages: list[str], rejects_file: str | None) -> None:
    for message in messages[:MAX_REJECT_LINES]:
        err.print(f"[yellow]skipped[/] {escape(for_terminal(message))}", highlight=False,
                  soft_wrap=True)
    if len(messages) > MAX_REJECT_LINES:
        err.print(f"... and {len(messages) - MAX_REJECT_LINES} more", highlight=False)
    if rejects_file:
        err.print(f"rejected records and reasons: {rejects_file}", highlight=False)


@app.command()
def run(
    inputs: Inputs = None,
    out_dir: OutDir = DEFAULT_OUT,
    fmt: Format = None,
    sample: Sample = False,
    strict: Annotated[bool, typer.Option(help="Exit non-zero if any record is rejected")] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Papers per extraction task")] = 64,
    make_map: MakeMap = True,
    max_nodes: MaxNodes = None,
    co_occurrence: CoOccurrence = False,
    reextract: Annotated[
        bool, typer.Option(help="Extract every paper again, also those stored unchanged")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect logs")] = False,
    neo4j: UseNeo4j = None,
    neo4j_uri: Neo4jUri = None,
    neo4j_user: Neo4jUser = None,
    neo4j_database: Neo4jDatabase = None,
    neo4j_password: Neo4jPassword = None,
    dask_address: DaskAddress = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Papers read, extracted and stored at a time")
    ] = 1000,
) -> None:
    """Run the main job: read papers, extract concepts, merge into the graph, export the map.

    With --neo4j (or NEO4J_URI set) the graph is also merged into Neo4j. With --dask-address
    the extraction runs on that Dask cluster; else on this machine's cores."""
    paths = _inputs(inputs, sample)
    if fmt is not None and fmt not in FORMATS:
        raise UserError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    dask_address = _check_dask(dask_address)  # before the output folder is even created
    _prepare_out_dir(out_dir)
    settings = _neo4j_settings(neo4j, neo4j_uri, neo4j_user, neo4j_database, neo4j_password)
    if settings is not None:
        _check_neo4j(settings)
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    from flows.local_server import LocalServerError, local_prefect

    # the local Prefect server starts now and loads while the flow's modules do
    with local_prefect() as prefect_api:
        from flows.build import build_graph, preload_extractor
        from flows.runners import task_runner
        from pipeline.extract import DEFAULT_EXTRACTOR
        from pipeline.stores import open_store

        if dask_address is None and _small_input(paths):
            preload_extractor(DEFAULT_EXTRACTOR)
        with open_store(out_dir) as embedded:
            embedded.check()  # a damaged graph file stops the run before anything is written
        with err.status("Building the graph...") as status, _progress(status):
            try:
                prefect_api.wait()
            except LocalServerError as error:
                raise UserError(str(error), code=1) from None
            # the runner is chosen now, not when flows.build was imported
            flow = build_graph.with_options(task_runner=task_runner(dask_address))
            summary = flow(
                paths, str(out_dir), fmt, batch_size, DEFAULT_EXTRACTOR, make_map,
                max_nodes,
                **_flow_neo4j(settings), reextract=reextract, co_occurrence=co_occurrence,
                chunk_size=chunk_size,
            )
    if summary.error:
        raise UserError(summary.error)
    _report_notes(summary.notes)
    _report_rejects(summary.reject_messages, summary.rejects_file)
    if summary.papers_read == 0:
        raise UserError("no usable papers were read", code=1)
    write = summary.write
    out.print(
        f"papers read {summary.papers_read} (added {write.papers_added}, updated "
        f"{write.papers_updated}, unchanged {write.papers_unchanged}), rejected {summary.rejected}"
    )
    if summary.papers_not_reextracted:
        out.print(f"not extracted again (stored with the same title and abstract): "
                  f"{summary.papers_not_reextracted}; --reextract extracts them anyway")
    concepts = _counts(summary.concepts_by_type)
    out.print(f"graph: {summary.graph_papers} papers; concepts {concepts}")
    out.print("edges " + _counts(summary.edges_by_relation))
    out.print(f"graph file: {summary.graph_file}")
    if summary.map_file:
        out.print(f"map: {summary.map_file}")
    if summary.neo4j is not None:
        if summary.neo4j.error:
            raise UserError(f"{summary.neo4j.error} (the embedded graph was written)", code=1)
        loaded = summary.neo4j.write
        counts = summary.neo4j.counts
        out.print(
            f"{summary.neo4j.target}: {counts.get('Paper', 0)} papers, "
            f"{counts.get('Concept', 0)} concepts"
            + (f", {loaded.concepts_removed} removed" if loaded and loaded.concepts_removed else "")
        )
    if strict and summary.rejected:
        raise UserError(f"--strict: {summary.rejected} record(s) rejected", code=1)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items()) or "none"


# inputs below this many bytes are extracted in paperkg's own process (flows.runners starts a
# pool from 1,000 papers, ~2 MB of abstracts as JSON)
SMALL_INPUT_BYTES = 1_000_000


def _small_input(paths: list[str]) -> bool:
    """Whether the run will most likely extract in this process: its files are small (an
    address is a feed, small too). Compressed files count as large."""
    size = 0
    for item in paths:
        if is_url(item):
            continue
        path = Path(item)
        if path.suffix.lower() == ".gz":
            return False
        with contextlib.suppress(OSError):
            size += path.stat().st_size
    return size < SMALL_INPUT_BYTES


def _prepare_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{out_dir}: cannot create the output folder ({error.strerror})") from None
    if not os.access(out_dir, os.W_OK):
        raise UserError(f"{out_dir}: the output folder is not writable")


@app.command()
def serve(
    inputs: Inputs = None,
    cron: Annotated[
        str | None, typer.Option(help="When to run, as cron: '0 7 * * *' is 07:00 daily (UTC)")
    ] = None,
    interval: Annotated[
        float | None, typer.Option(min=1, help="Or: run every this many seconds")
    ] = None,
    name: Annotated[str, typer.Option(help="Deployment name in Prefect")] = "scheduled",
    out_dir: OutDir = DEFAULT_OUT,
    fmt: Format = None,
    sample: Sample = False,
    make_map: MakeMap = True,
    max_nodes: MaxNodes = None,
    co_occurrence: CoOccurrence = False,
    neo4j: UseNeo4j = None,
    neo4j_uri: Neo4jUri = None,
    neo4j_user: Neo4jUser = None,
    neo4j_database: Neo4jDatabase = None,
    neo4j_password: Neo4jPassword = None,
    dask_address: DaskAddress = None,
) -> None:
    """Run the main job on a schedule (a Prefect deployment) until interrupted.

    Uses the Prefect server at PREFECT_API_URL, else starts a local one for as long as it
    serves. Each run writes the same --out folder (and Neo4j) as `paperkg run`."""
    from flows.serve import ScheduleError, check_schedule, prefect_api, serve_build
    from pipeline.extract import DEFAULT_EXTRACTOR

    sources = _inputs(inputs, sample)  # without credentials: they are deployment parameters
    if fmt is not None and fmt not in FORMATS:
        raise UserError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    try:
        check_schedule(cron, interval)
        # before the output folder is even created, as `run` does; not a parameter (Prefect
        # shows those): each run's process finds it in its environment
        _check_dask(dask_address)
        _prepare_out_dir(out_dir)
        settings = _neo4j_settings(neo4j, neo4j_uri, neo4j_user, neo4j_database, neo4j_password)
        if settings is not None:
            _check_neo4j(settings)
        parameters = {
            "inputs": [s if is_url(s) else str(Path(s).resolve()) for s in sources],
            "out_dir": str(out_dir.resolve()), "fmt": fmt, "extractor": DEFAULT_EXTRACTOR,
            "make_map": make_map, "max_nodes": max_nodes, "co_occurrence": co_occurrence,
            **_flow_neo4j(settings),
        }
        schedule = f"cron {cron!r}" if cron else f"every {interval:g} s"
        with contextlib.ExitStack() as stack:
            with err.status("Connecting to Prefect..."):
                api_url, server_log = stack.enter_context(prefect_api())
            if server_log is not None:
                err.print(f"local Prefect server {api_url} (log: {server_log})",
                          highlight=False, soft_wrap=True)
            err.print(f"serving paperkg-build/{name}: {schedule} -> {out_dir}; Ctrl-C stops",
                      highlight=False, soft_wrap=True)
            serve_build(parameters, api_url=api_url, name=name, cron=cron, interval_s=interval)
    except ScheduleError as error:
        raise UserError(str(error)) from None


@app.command()
def extract(
    inputs: Inputs = None,
    output: Annotated[Path, typer.Option("--output", help="JSON Lines file to write")] = Path(
        "extractions.jsonl"
    ),
    fmt: Format = None,
    sample: Sample = False,
) -> None:
    """Write the typed mentions of each paper as JSON Lines (no graph, no Prefect)."""
    from pipeline.extract import DEFAULT_EXTRACTOR, load_extractor
    from pipeline.normalize import Normalizer

    paths = _inputs(inputs, sample)
    result = read_papers(paths, fmt)
    if output.parent != Path(""):
        _prepare_out_dir(output.parent)
    write_rejects(result.rejected, output.parent)
    _report_notes(result.notes)
    _report_rejects([r.message() for r in result.rejected], None)
    if not result.papers:
        raise UserError("no usable papers were read", code=1)
    extractor = load_extractor(DEFAULT_EXTRACTOR)
    extractions = Normalizer().normalize(list(extractor.extract(result.papers)))
    with atomic_writer(output) as handle:
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


@app.command()
def evaluate(
    gold: Annotated[
        Path, typer.Option("--gold", help="Gold JSON Lines: SciREX abstracts, SciERC sentences "
                           "or concept lists (pipeline/quality/data/modern-2025.jsonl)")
    ],
    split: Annotated[
        str, typer.Option(help="dev (held out), train (SciREX) or test (concept lists), or all")
    ] = "dev",
    extractor: Annotated[
        str | None, typer.Option(help="Extractor to score (default: paperkg's default)")
    ] = None,
    out_format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Score extraction against annotated abstracts: mention P/R/F1 (exact, overlap), concepts."""
    from pipeline.extract import DEFAULT_EXTRACTOR, EXTRACTORS
    from pipeline.quality.evaluate import evaluate as run_evaluation
    from pipeline.quality.evaluate import format_table

    if split not in ("dev", "train", "test", "all"):
        raise UserError("--split must be dev, train, test or all")
    if out_format not in ("table", "json"):
        raise UserError("--format must be table or json")
    name = extractor or DEFAULT_EXTRACTOR
    if name not in EXTRACTORS:
        raise UserError(f"unknown --extractor {name!r}; use one of {', '.join(EXTRACTORS)}")
    if not gold.is_file():
        raise UserError(f"{gold}: no such file")
    try:
        report = run_evaluation(gold, name, split)  # type: ignore[arg-type]
    except (ValueError, KeyError) as error:
        raise UserError(f"{gold}: not a gold file ({error})") from None
    if out_format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_table(report))


@app.command()
def train(
    output: Annotated[Path, typer.Option("--output", help="Folder to write the trained model")],
    data: Annotated[
        Path | None,
        typer.Option(help="The shared annotated data (default: $PAPERKG_DATA or ../shared/data)"),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option(help="Reference abstracts for the phrase table (default: "
                     "$PAPERKG_ARXIV_2025 or ../shared/corpora/arxiv-2025.jsonl.gz)"),
    ] = None,
    work: Annotated[
        Path | None, typer.Option(help="Keep the corpus and checkpoints here (default: a temp dir)")
    ] = None,
    phrases_only: Annotated[
        bool, typer.Option("--phrases-only",
                           help="Keep --output's NER; rebuild its phrase table, concept filter "
                           "and concept typer")
    ] = False,
) -> None:
    """Train the scientific-entity NER (pipeline/quality/training/config.cfg) from SciREX,
    SciERC, TDMSci and the annotated 2025 pool, then build its phrase table from the reference
    corpus and fit its concept filter and concept typer."""
    from pipeline.extract.phrases import MIN_PAPERS, PHRASES_FILE, forget_loaded_tables
    from pipeline.quality.evaluate import data_dir
    from pipeline.quality.modern_set import corpus_path
    from pipeline.quality.training import train as run_training
    from pipeline.quality.training.phrases import build_phrases

    source = data_dir(data)
    reference = corpus or corpus_path()
    if not reference.is_file():
        raise UserError(f"{reference}: no reference corpus (give --corpus)")
    if phrases_only:
        if not (output / "config.cfg").is_file():
            raise UserError(f"{output}: no trained model to build a phrase table for")
    else:
        if not (source / "scirex" / "abstracts.jsonl").is_file():
            raise UserError(f"{source}: no scirex/abstracts.jsonl (give --data)")
        stats = run_training(source, output, work=work)
        docs = stats.train_docs + stats.fulltext_docs + stats.tdmsci_docs + 2 * stats.modern_docs
        out.print(
            f"trained on {docs} docs "
            f"({stats.train_docs} abstracts and sentences, {stats.fulltext_docs} SciREX "
            f"passages, {stats.tdmsci_docs} TDMSci sentences, {stats.modern_docs} annotated "
            f"2025 papers; {stats.mentions} mentions, "
            f"{stats.misaligned} off token boundaries, {stats.nested_dropped} nested dropped), "
            f"monitored on {stats.stop_docs} SciREX abstracts -> {output}"
        )
    def progress(papers: int) -> None:
        if out.is_terminal:
            out.print(f"phrase table: {papers} papers read", end="\r")

    phrases = build_phrases(output, reference, progress=progress)
    out.print(
        f"phrase table: {phrases.kept} of {phrases.phrases} lower-case phrases are named by "
        f"{MIN_PAPERS}+ of {phrases.papers} papers ({phrases.left_out} evaluation papers left "
        f"out) -> {output / PHRASES_FILE}"
    )
    from pipeline.extract.concept_filter import FILTER_FILE
    from pipeline.extract.concept_typer import TYPER_FILE
    from pipeline.extract.hybrid import HybridExtractor
    from pipeline.extract.pool_names import NAMES_FILE
    from pipeline.quality.training.concept_filter import train_concept_filter
    from pipeline.quality.training.concept_typer import train_concept_typer
    from pipeline.quality.training.pool_names import build_pool_names

    forget_loaded_tables()
    extractor = HybridExtractor(output, n_process=1)
    names = build_pool_names(extractor.nlp, output)
    extractor.pool_names = names
    out.print(f"pool names: {len(names.forms)} names of {len(names.concepts)} concepts -> "
              f"{output / NAMES_FILE}")
    chosen = train_concept_filter(extractor, output, log=out.print)
    out.print(f"concept filter: threshold {chosen.threshold:.2f} -> {output / FILTER_FILE}")
    train_concept_typer(extractor, output, log=out.print)
    out.print(f"concept typer: -> {output / TYPER_FILE}")


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
    neo4j: UseNeo4j = None,
    neo4j_uri: Neo4jUri = None,
    neo4j_user: Neo4jUser = None,
    neo4j_database: Neo4jDatabase = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    """Run a named query (graph_queries/NAME.cypher): on Neo4j when NEO4J_URI is set or
    --neo4j is given, else on the embedded store in --out."""
    from graph_queries import load_queries

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
    named = get_query(name)
    settings = _neo4j_settings(neo4j, neo4j_uri, neo4j_user, neo4j_database, neo4j_password)
    values = resolve_params(named, _parse_params(param or []))
    with _existing_graph(out_dir, settings) as store:
        rows = store.run_query(name, values)
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


@contextmanager
def _existing_graph(out_dir: Path, settings: Neo4jSettings | None) -> Iterator[GraphStore]:
    """The Neo4j database, or the embedded graph in ``out_dir``, checked before use."""
    from pipeline.stores import open_store
    from pipeline.stores.sqlite.store import DB_FILE, has_graph

    # a missing graph file would open as an empty graph: say what to do instead
    if settings is None and not has_graph(out_dir):
        raise UserError(f"{out_dir / DB_FILE}: no graph yet; run `paperkg run` first")
    with open_store(out_dir, settings) as store:
        store.check()  # on Neo4j: fails fast, without the retries of a managed transaction
        yield store


@app.command()
def export(
    output: Annotated[
        Path | None, typer.Option("--output", help="File to write (default: OUT/graph.graphml)")
    ] = None,
    out_dir: OutDir = DEFAULT_OUT,
    neo4j: UseNeo4j = None,
    neo4j_uri: Neo4jUri = None,
    neo4j_user: Neo4jUser = None,
    neo4j_database: Neo4jDatabase = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    """Write the whole graph as GraphML, co-occurrence included: for networkx
    (``nx.read_graphml(path, force_multigraph=True)``), Gephi, Cytoscape or yEd."""
    import networkx as nx

    from pipeline.output import atomic_writer
    from pipeline.stores.sqlite.store import LEGACY_GRAPHML

    settings = _neo4j_settings(neo4j, neo4j_uri, neo4j_user, neo4j_database, neo4j_password)
    target = output or out_dir / LEGACY_GRAPHML
    with _existing_graph(out_dir, settings) as store:
        graph = store.export()
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(target, binary=True) as handle:
        nx.write_graphml(graph, handle)
    papers = sum(1 for _, kind in graph.nodes(data="kind") if kind == "Paper")
    out.print(f"wrote {target}: {papers} papers, {graph.number_of_nodes() - papers} concepts, "
              f"{graph.number_of_edges()} relationships", highlight=False)


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
    """The ``paperkg`` entry point: every failure ends with one ``paperkg: ...`` line and a
    non-zero exit; a failure that is paperkg's own leaves its traceback in a log file."""
    try:
        code = app(standalone_mode=False)
    except UserError as error:
        _fail(str(error), error.code)
    except (IngestError, StoreError, QueryError) as error:
        _fail(str(error), 2 if isinstance(error, QueryError | IngestError) else 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except OSError as error:  # a full disk, a folder that is not ours: the user can fix it
        where = f"{error.filename}: " if error.filename else ""
        _fail(f"{where}{error.strerror or error}", 1)
    except Exception as error:
        # Typer bundles its own copy of click's exceptions: they are known by their names
        kinds = {kind.__name__ for kind in type(error).__mro__}
        if "NoArgsIsHelpError" in kinds and getattr(error, "ctx", None):
            sys.stdout.write(error.ctx.get_help() + "\n")  # type: ignore[attr-defined]
            sys.exit(0)
        if "Abort" in kinds:
            _fail("interrupted", 130)
        if "UsageError" in kinds:
            context = getattr(error, "ctx", None)
            command = context.command_path if context else "paperkg"
            _fail(f"{error.format_message()} (see {command} --help)", 2)  # type: ignore[attr-defined]
        if "ClickException" in kinds:
            _fail(error.format_message(), getattr(error, "exit_code", 1))  # type: ignore[attr-defined]
        log = _log_traceback()
        where = f"; details in {log}" if log else ""
        _fail(f"unexpected error: {type(error).__name__}: {error}{where}", 1)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"paperkg: {for_terminal(message)}", highlight=False, markup=False,
              soft_wrap=True)
    sys.exit(code)


def error_log_path() -> Path:
    """Where paperkg keeps the tracebacks of its own failures: Prefect's log file, so that one
    file holds everything behind a failed run (``paperkg.log`` in paperkg's Prefect home)."""
    from flows.settings import prefect_log_file

    return prefect_log_file()


def _log_traceback() -> Path | None:
    """Append the current exception's traceback (secrets masked) to the error log."""
    path = error_log_path()
    text = redact("".join(traceback.format_exc()))
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(f"--- {stamp} paperkg {' '.join(sys.argv[1:2])}\n{text}\n")
    except OSError:
        return None
    return path
