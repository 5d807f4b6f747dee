"""The main job: abstracts in, a knowledge graph and an interactive map out.

Tasks are batch-level on purpose: a Prefect task run costs ~16 ms of orchestration, so one
task per abstract would cost more than extracting it.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel

import flows  # noqa: F401  (applies paperkg's Prefect settings before prefect is imported)
from pipeline.assemble import assemble
from pipeline.extract import DEFAULT_EXTRACTOR, Extractor, load_extractor
from pipeline.ingest import IngestError, IngestResult, Rejected, read_papers, write_rejects
from pipeline.normalize import Normalizer
from pipeline.output import atomic_write_text, locked_output
from pipeline.stores import open_store
from pipeline.stores.base import GraphCounts, GraphView, StoreError, WriteSummary
from pipeline.stores.sqlite.store import DB_FILE
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


@cache
def _extractor(name: str) -> Extractor:
    return load_extractor(name)


@task(name="ingest", cache_policy=NO_CACHE)
def ingest(inputs: Sequence[str], fmt: str | None, out_dir: str) -> IngestResult | str:
    """The papers and rejected records, or the one-line reason the sources cannot be read (an
    address that fails to fetch): a value, not an exception, so a scheduled run ends with a
    clear message instead of a failed task's traceback."""
    try:
        return read_papers(list(inputs), fmt)
    except IngestError as exc:
        return str(exc)


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
def normalize_and_assemble(extractions: Sequence[PaperExtraction]) -> GraphBatch:
    return assemble(Normalizer().normalize(extractions))


@task(name="store", cache_policy=NO_CACHE)
def store(
    batch: GraphBatch, out_dir: str, co_occurrence: bool = False
) -> tuple[WriteSummary, GraphCounts, GraphView]:
    """Merge the batch into the graph file; what the map and the summary need comes back with
    the write, so the file is read once per run."""
    with open_store(Path(out_dir)) as embedded:
        return (embedded.write(batch), embedded.counts(),
                embedded.view(co_occurrence=co_occurrence))


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


@flow(name="paperkg-build", log_prints=False, validate_parameters=False)
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
    co_occurrence: bool = False,
) -> RunSummary:
    """Ingest, extract in batches, assemble, merge into the embedded store, export the map.

    With ``neo4j_uri``, the same batch is also merged into Neo4j (task ``load-neo4j``, after
    the embedded store, which is always written so the map has a source)."""
    read = ingest(inputs, fmt, out_dir)
    if isinstance(read, str):
        return RunSummary(error=read)
    rejected = list(read.rejected)
    unchanged = set() if reextract else find_unchanged(
        read.papers, out_dir, neo4j_uri, neo4j_username, neo4j_database)
    todo = [p for p in read.papers if p.id not in unchanged]
    extractions: list[PaperExtraction] = []
    for i in range(0, len(todo), batch_size):
        extracted, failed = extract_batch(todo[i : i + batch_size], extractor)
        extractions.extend(extracted)
        rejected.extend(failed)
    batch = normalize_and_assemble(extractions)
    folder = Path(out_dir)
    # extraction runs alongside other runs; the read-merge-write of the folder does not
    with locked_output(folder, on_wait=lambda: _say_waiting(folder)):
        rejects_file = write_rejects(rejected, folder)
        written, counts, view = store(batch, out_dir, co_occurrence)
        written.papers_unchanged += len(unchanged)
        map_file = export(view, out_dir, max_nodes) if make_map else None
        summary = RunSummary(
            papers_read=len(extractions) + len(unchanged),
            papers_not_reextracted=len(unchanged),
            rejected=len(rejected),
            reject_messages=[r.message() for r in rejected],
            notes=read.notes,
            write=written,
            graph_papers=counts.papers,
            concepts_by_type=counts.concepts_by_type,
            edges_by_relation=counts.edges_by_relation,
            graph_file=str(folder / DB_FILE),
            map_file=map_file,
            rejects_file=str(rejects_file) if rejects_file else None,
        )
        atomic_write_text(folder / SUMMARY_FILE, _summary_json(summary))
    if neo4j_uri:
        summary.neo4j = load_neo4j(batch, neo4j_uri, neo4j_username, neo4j_database)
        if summary.neo4j.write is not None:
            summary.neo4j.write.papers_unchanged += len(unchanged)
        atomic_write_text(folder / SUMMARY_FILE, _summary_json(summary))
    return summary


def _summary_json(summary: RunSummary) -> str:
    return json.dumps(summary.model_dump(), indent=2) + "\n"


def _say_waiting(folder: Path) -> None:
    print(f"waiting for another paperkg run to finish writing {folder} ...", file=sys.stderr,
          flush=True)
