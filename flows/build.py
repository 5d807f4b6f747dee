"""The main job: abstracts in, a knowledge graph and an interactive map out.

The run goes one chunk of papers at a time (``DEFAULT_CHUNK_SIZE``, 1,000), so memory does not
grow with the input: see ``build_graph``. Tasks are batch-level on purpose: a Prefect task run
costs ~16 ms of orchestration, so one task per abstract would cost more than extracting it.
Extraction batches run on the run's task runner (``flows.runners``: both local cores, or a Dask
cluster); everything that writes runs in the flow's process.

Normalization (acronyms, concept names and types by majority) looks at one chunk at a time, as
it looks at one run at a time for daily runs: a concept's name and aliases are those of the
last chunk that mentions it.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.exceptions import MissingContextError
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote
from pydantic import BaseModel

import flows  # noqa: F401  (applies paperkg's Prefect settings before prefect is imported)
from flows.progress import Counts, report
from flows.runners import task_runner, uses_pool
from pipeline.assemble import assemble
from pipeline.extract import DEFAULT_EXTRACTOR, Extractor, load_extractor
from pipeline.ingest import DEFAULT_CHUNK_SIZE, IngestError, Rejected, iter_papers, write_rejects
from pipeline.normalize import Normalizer
from pipeline.output import atomic_write_text, locked_output
from pipeline.stores import open_store
from pipeline.stores.base import GraphView, StoreError, WriteSummary
from pipeline.visualize import export_map
from schemas import GraphBatch, Paper, PaperExtraction

MAP_FILE = "map.html"
SUMMARY_FILE = "summary.json"


class Neo4jLoad(BaseModel):
    """What the load-neo4j task did: the server (no credentials), the write, or the error."""

    target: str
    write: WriteSummary | None = None
    counts: dict[str, int] = {}
    error: str | None = None


class RunSummary(BaseModel):
    """What a run did; with ``error`` set, no source could be read and nothing was written."""

    papers_read: int = 0
    papers_not_reextracted: int = 0  # stored with the same content hash: extraction skipped
    rejected: int = 0
    reject_messages: list[str] = []
    notes: list[str] = []  # for the user, e.g. a redirect that left the credentials behind
    write: WriteSummary = WriteSummary()
    graph_papers: int = 0
    concepts_by_type: dict[str, int] = {}
    edges_by_relation: dict[str, int] = {}
    graph_file: str | None = None
    map_file: str | None = None
    rejects_file: str | None = None
    neo4j: Neo4jLoad | None = None
    error: str | None = None


_EXTRACTORS: dict[str, Extractor] = {}
_LOADING = threading.Lock()


def _extractor(name: str) -> Extractor:
    """The process's extractor, loaded once (a preloading thread and the flow may ask at the
    same time: the second waits for the first's model instead of loading its own)."""
    with _LOADING:
        if name not in _EXTRACTORS:
            _EXTRACTORS[name] = load_extractor(name)
        return _EXTRACTORS[name]


def _warm_up(name: str) -> None:
    # one tiny paper through the pipeline too: its first document initializes what spaCy
    # loads lazily (~0.5 s more off the run's path)
    _extractor(name).extract([Paper(id="warm-up", title="Warm-up", abstract=_WARM_UP_TEXT)])


_WARM_UP_TEXT = "We evaluate BERT on the GLUE benchmark for text classification and report F1."


def preload_extractor(name: str) -> threading.Thread:
    """Load the extractor in a thread now: a small run extracts in this process, and loading
    the model (~1.5 s) while the local Prefect server starts takes it off the run's path."""
    thread = threading.Thread(target=_warm_up, args=(name,), name="paperkg-preload",
                              daemon=True)
    thread.start()
    return thread


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(
    papers: Sequence[Paper], extractor: str
) -> tuple[list[PaperExtraction], list[Rejected]]:
    """The batch's extractions; a paper the extractor fails on is rejected, not the run."""
    try:
        return list(_extractor(extractor).extract(papers)), []
    except Exception:
        logging.getLogger(__name__).exception("extracting a batch failed; retrying paper by paper")
    extractions: list[PaperExtraction] = []
    rejected: list[Rejected] = []
    for paper in papers:
        try:
            extractions.extend(_extractor(extractor).extract([paper]))
        except Exception as error:
            logging.getLogger(__name__).exception("extracting %s failed", paper.source)
            rejected.append(_rejected(paper, f"extraction failed ({type(error).__name__})"))
    return extractions, rejected


def _rejected(paper: Paper, reason: str) -> Rejected:
    file, _, line = paper.source.rpartition(":")
    if not line.isdigit():
        file, line = paper.source, ""
    return Rejected(file=file, line=int(line) if line else None, reason=reason,
                    excerpt=paper.title[:200])


@task(name="find-unchanged", cache_policy=NO_CACHE)
def find_unchanged(
    papers: Sequence[Paper], out_dir: str, neo4j_uri: str | None, neo4j_username: str | None,
    neo4j_database: str | None,
) -> set[str]:
    """Ids of the papers every store of the run already holds with the same content hash:
    their extraction would give what is stored, so it is skipped. A Neo4j that cannot be
    read skips nothing (the load reports the failure)."""
    wanted = {p.id: p.content_hash for p in papers}
    with open_store(Path(out_dir)) as embedded:
        stored = embedded.content_hashes(wanted)
    unchanged = {pid for pid, digest in stored.items() if wanted[pid] == digest}
    if neo4j_uri and unchanged:
        from pipeline.stores.neo4j.settings import Neo4jSettings
        from pipeline.stores.neo4j.store import Neo4jStore

        try:
            settings = Neo4jSettings.from_env(uri=neo4j_uri, username=neo4j_username,
                                              database=neo4j_database)
            with Neo4jStore(settings) as graph_db:
                in_neo4j = graph_db.content_hashes(unchanged)
        except StoreError:
            return set()
        unchanged = {pid for pid in unchanged if in_neo4j.get(pid) == wanted[pid]}
    return unchanged


@task(name="normalize-and-assemble", cache_policy=NO_CACHE)
def normalize_and_assemble(
    extractions: Sequence[PaperExtraction], normalizer: Normalizer | None = None
) -> GraphBatch:
    """``normalizer`` is the run's (it carries acronym definitions and name votes over the
    run's chunks); a fresh one normalizes the batch alone."""
    return assemble((normalizer or Normalizer()).normalize(extractions))


@task(name="store", cache_policy=NO_CACHE)
def store(batch: GraphBatch, out_dir: str) -> WriteSummary:
    """Merge one chunk's batch into the embedded store (call it holding the folder's lock)."""
    with open_store(Path(out_dir)) as embedded:
        return embedded.write(batch)


@task(name="load-neo4j", cache_policy=NO_CACHE)
def load_neo4j(
    batch: GraphBatch, uri: str, username: str | None, database: str | None
) -> Neo4jLoad:
    """Merge the batch into Neo4j. The password is read from NEO4J_PASSWORD in this process,
    never passed as a task parameter (Prefect records parameters). A Neo4j failure is
    returned, not raised, so the run ends with one clear line instead of Prefect's
    tracebacks; the CLI exits 1 on it."""
    from pipeline.stores.neo4j.settings import Neo4jSettings
    from pipeline.stores.neo4j.store import Neo4jStore

    try:
        settings = Neo4jSettings.from_env(uri=uri, username=username, database=database)
    except StoreError as error:
        return Neo4jLoad(target=safe_target(uri), error=str(error))
    try:
        with Neo4jStore(settings) as graph_db:
            written = graph_db.write(batch)
            return Neo4jLoad(target=settings.target, write=written,
                             counts=graph_db.counts().by_label_and_type())
    except StoreError as error:
        return Neo4jLoad(target=settings.target, error=str(error))


def safe_target(uri: str) -> str:
    from pipeline.stores.neo4j.settings import safe_uri

    return f"Neo4j at {safe_uri(uri)}"


@task(name="export-map", cache_policy=NO_CACHE)
def export(view: GraphView, out_dir: str, max_nodes: int | None) -> str:
    return str(export_map(view, Path(out_dir) / MAP_FILE, title="paperkg map",
                          max_nodes=max_nodes))


@flow(name="paperkg-build", log_prints=False, validate_parameters=False,
      task_runner=task_runner())
def build_graph(
    inputs: list[str],
    out_dir: str,
    fmt: str | None = None,
    batch_size: int = 64,
    extractor: str = DEFAULT_EXTRACTOR,
    make_map: bool = True,
    max_nodes: int | None = None,
    neo4j_uri: str | None = None,
    neo4j_username: str | None = None,
    neo4j_database: str | None = None,
    reextract: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    co_occurrence: bool = False,
) -> RunSummary:
    """Ingest, extract in batches, assemble, merge into the embedded store, export the map,
    one chunk of ``chunk_size`` papers at a time: memory holds a chunk or two (the one being
    extracted, the one being stored), whatever the size of the input.

    Per chunk: find-unchanged, extract-batch tasks (on the run's task runner: see
    ``flows.runners``), normalize-and-assemble, then the chunk is merged into the embedded
    store under the folder's lock (held per chunk, so two runs into one folder interleave
    chunk by chunk) and, with ``neo4j_uri``, into Neo4j (task ``load-neo4j``). The next
    chunk is read and its extraction submitted before the current one is stored, so the
    workers extract while the flow writes. At the end, under the lock: rejects.jsonl, counts,
    the map and summary.json."""
    try:
        stream = iter_papers(list(inputs), fmt, chunk_size)
    except IngestError as exc:
        # a value, not an exception, so a scheduled run ends with a clear message instead of a
        # failed task's traceback; nothing was written
        return RunSummary(error=str(exc))
    run = _Run(Path(out_dir), extractor, batch_size, neo4j_uri, neo4j_username, neo4j_database,
               reextract)
    run.notes.extend(stream.notes)
    pending: _Chunk | None = None
    waited = time.monotonic()
    for read in stream:
        read_s = time.monotonic() - waited
        run.counts.read += len(read.papers)
        run.counts.fraction = stream.fraction_read()
        run.rejected.extend(read.rejected)
        report(run.counts)
        chunk = run.submit(read.papers, read_s)
        if pending is not None:
            run.finish(pending)
        pending = chunk
        waited = time.monotonic()
    if pending is not None:
        run.finish(pending)
    return run.summarize(make_map, max_nodes, co_occurrence)


def _log() -> Any:
    """The flow run's logger: the per-chunk timings go to Prefect (its UI, paperkg.log, and the
    terminal with --verbose)."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("paperkg.flow")


class _Clock:
    def __init__(self) -> None:
        self.last = time.monotonic()

    def lap(self) -> float:
        now = time.monotonic()
        elapsed, self.last = now - self.last, now
        return elapsed


@dataclass
class _Chunk:
    """One chunk in flight: its papers to extract, the unchanged ones, the extraction (futures
    on a pool, results in process)."""

    number: int
    todo: list[Paper]
    unchanged: set[str]
    batches: list[Any] = field(default_factory=list)  # PrefectFuture or its result
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds, for the log


class _Run:
    """What a run keeps between chunks: counts, rejected records, notes, the Neo4j load."""

    def __init__(
        self, folder: Path, extractor: str, batch_size: int, neo4j_uri: str | None,
        neo4j_username: str | None, neo4j_database: str | None, reextract: bool,
    ) -> None:
        self.folder = folder
        self.extractor = extractor
        self.batch_size = max(1, batch_size)
        self.neo4j = (neo4j_uri, neo4j_username, neo4j_database)
        self.reextract = reextract
        self.counts = Counts()
        self.rejected: list[Rejected] = []
        self.notes: list[str] = []
        self.written = WriteSummary()
        self.extracted = 0
        self.unchanged = 0
        self.chunks = 0
        self.neo4j_load: Neo4jLoad | None = None
        self.normalizer = Normalizer()  # one for the run: chunks share acronyms and names
        self.parallel = False  # extraction submitted to the task runner (sticky once on)
        self.told_waiting = False
        context = FlowRunContext.get()
        self.runner = context.task_runner if context else None

    def submit(self, papers: list[Paper], read_s: float) -> _Chunk:
        """Find the chunk's unchanged papers and start extracting the others (on the pool:
        submitted; in process: done on return)."""
        self.chunks += 1
        uri, username, database = self.neo4j
        clock = _Clock()
        unchanged = set() if self.reextract or not papers else find_unchanged(
            quote(papers), str(self.folder), uri, username, database)
        chunk = _Chunk(self.chunks, [p for p in papers if p.id not in unchanged], unchanged)
        chunk.timings.update(read=read_s, unchanged=clock.lap())
        # the papers still to extract in the run: this chunk's, and the rest of the input's
        # as estimated from the share of its bytes read so far
        ahead = len(chunk.todo)
        if self.counts.fraction:
            ahead += max(0, round(self.counts.read / self.counts.fraction) - self.counts.read)
        self.parallel = self.parallel or uses_pool(self.runner, ahead)
        for i in range(0, len(chunk.todo), self.batch_size):
            batch = chunk.todo[i : i + self.batch_size]
            # quote() (calls in this process): Prefect would otherwise walk, and rebuild, every
            # model of the parameters, seconds for a chunk. Not through a runner: prefect-dask
            # rebuilds a quoted list as plain tuples; a 64-paper batch is cheap to walk anyway.
            chunk.batches.append(extract_batch.submit(batch, self.extractor) if self.parallel
                                 else extract_batch(quote(batch), self.extractor))
        chunk.timings["extract"] = clock.lap()  # in process; on a pool, only submitting
        return chunk

    def finish(self, chunk: _Chunk) -> None:
        """Gather the chunk's extractions (in order), assemble them and store the batch."""
        clock = _Clock()
        extractions: list[PaperExtraction] = []
        self.counts.extracted += len(chunk.unchanged)
        for batch in chunk.batches:
            extracted, failed = batch.result() if isinstance(batch, PrefectFuture) else batch
            extractions.extend(extracted)
            self.rejected.extend(failed)
            self.counts.extracted += len(extracted) + len(failed)
            report(self.counts)
        chunk.timings["wait"] = clock.lap()  # for the pool's results
        graph_batch = normalize_and_assemble(quote(extractions), quote(self.normalizer))
        chunk.timings["assemble"] = clock.lap()
        with locked_output(self.folder, on_wait=self._say_waiting):
            chunk.timings["lock"] = clock.lap()
            written = store(quote(graph_batch), str(self.folder))
        chunk.timings["store"] = clock.lap()
        self.written.papers_added += written.papers_added
        self.written.papers_updated += written.papers_updated
        self.written.papers_unchanged += written.papers_unchanged + len(chunk.unchanged)
        self.written.concepts_removed += written.concepts_removed
        self.extracted += len(extractions)
        self.unchanged += len(chunk.unchanged)
        uri, username, database = self.neo4j
        if uri and (self.neo4j_load is None or self.neo4j_load.error is None):
            self._add_neo4j(load_neo4j(quote(graph_batch), uri, username, database), chunk)
            chunk.timings["neo4j"] = clock.lap()
        self.counts.stored += len(extractions) + len(chunk.unchanged)
        report(self.counts)
        stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in chunk.timings.items())
        _log().info("chunk %d: %d papers, %d extracted (%s); seconds: %s", chunk.number,
                    len(chunk.todo) + len(chunk.unchanged), len(extractions),
                    "pool" if self.parallel else "in process", stages)

    def _add_neo4j(self, load: Neo4jLoad, chunk: _Chunk) -> None:
        """Add one chunk's Neo4j load to the run's; after a failure no later chunk is loaded
        (the error is the run's, the embedded store goes on)."""
        if load.write is not None:
            load.write.papers_unchanged += len(chunk.unchanged)
        if self.neo4j_load is None:
            self.neo4j_load = load
            return
        total = self.neo4j_load
        total.error, total.counts = load.error, load.counts or total.counts
        if load.write is not None and total.write is not None:
            for name in WriteSummary.model_fields:
                setattr(total.write, name, getattr(total.write, name) + getattr(load.write, name))

    def summarize(self, make_map: bool, max_nodes: int | None, co_occurrence: bool) -> RunSummary:
        """rejects.jsonl, the counts, the map and summary.json, under the folder's lock."""
        folder = self.folder
        started = time.monotonic()
        with locked_output(folder, on_wait=self._say_waiting):
            rejects_file = write_rejects(self.rejected, folder)
            with open_store(folder) as embedded:
                counts = embedded.counts()
                graph_file = embedded.path
                map_file = export(quote(embedded.view(co_occurrence=co_occurrence)), str(folder),
                                  max_nodes) if make_map else None
            summary = RunSummary(
                papers_read=self.extracted + self.unchanged,
                papers_not_reextracted=self.unchanged,
                rejected=len(self.rejected),
                reject_messages=[r.message() for r in self.rejected],
                notes=self.notes,
                write=self.written,
                graph_papers=counts.papers,
                concepts_by_type=counts.concepts_by_type,
                edges_by_relation=counts.edges_by_relation,
                graph_file=str(graph_file) if graph_file is not None else None,
                map_file=map_file,
                rejects_file=str(rejects_file) if rejects_file else None,
                neo4j=self.neo4j_load,
            )
            atomic_write_text(folder / SUMMARY_FILE, _summary_json(summary))
        _log().info("run: %d chunks, %d papers; counts, map and summary in %.1f s", self.chunks,
                  summary.papers_read, time.monotonic() - started)
        return summary

    def _say_waiting(self) -> None:
        if not self.told_waiting:  # once a run, not once a chunk
            self.told_waiting = True
            _say_waiting(self.folder)


def _summary_json(summary: RunSummary) -> str:
    return json.dumps(summary.model_dump(), indent=2) + "\n"


def _say_waiting(folder: Path) -> None:
    print(f"waiting for another paperkg run to finish writing {folder} ...", file=sys.stderr,
          flush=True)
