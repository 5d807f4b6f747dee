"""The main job: abstracts in, a knowledge graph and an interactive map out.

Tasks are batch-level on purpose: a Prefect task run costs ~16 ms of orchestration, so one
task per abstract would cost more than extracting it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel

import flows  # noqa: F401  (applies paperkg's Prefect settings before prefect is imported)
from pipeline.assemble import assemble
from pipeline.extract import Extractor, load_extractor
from pipeline.ingest import IngestResult, read_papers, write_rejects
from pipeline.normalize import Normalizer
from pipeline.store import NetworkxStore, WriteSummary
from pipeline.visualize import export_map
from schemas import GraphBatch, Paper, PaperExtraction

MAP_FILE = "map.html"
SUMMARY_FILE = "summary.json"


class RunSummary(BaseModel):
    papers_read: int
    rejected: int
    reject_messages: list[str]
    write: WriteSummary
    graph_papers: int
    concepts_by_type: dict[str, int]
    edges_by_relation: dict[str, int]
    graph_file: str
    map_file: str | None
    rejects_file: str | None


@cache
def _extractor(name: str) -> Extractor:
    return load_extractor(name)


@task(name="ingest", cache_policy=NO_CACHE)
def ingest(inputs: Sequence[str], fmt: str | None, out_dir: str) -> IngestResult:
    result = read_papers([Path(p) for p in inputs], fmt)
    write_rejects(result.rejected, Path(out_dir))
    return result


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(papers: Sequence[Paper], extractor: str) -> list[PaperExtraction]:
    return list(_extractor(extractor).extract(papers))


@task(name="normalize-and-assemble", cache_policy=NO_CACHE)
def normalize_and_assemble(extractions: Sequence[PaperExtraction]) -> GraphBatch:
    return assemble(Normalizer().normalize(extractions))


@task(name="store", cache_policy=NO_CACHE)
def store(batch: GraphBatch, out_dir: str) -> WriteSummary:
    return NetworkxStore(Path(out_dir)).write(batch)


@task(name="export-map", cache_policy=NO_CACHE)
def export(out_dir: str, max_nodes: int | None) -> str:
    graph = NetworkxStore(Path(out_dir)).graph
    return str(export_map(graph, Path(out_dir) / MAP_FILE, title="paperkg map",
                          max_nodes=max_nodes))


def graph_counts(out_dir: Path) -> tuple[int, dict[str, int], dict[str, int]]:
    graph = NetworkxStore(out_dir).graph
    papers = sum(1 for _, kind in graph.nodes(data="kind") if kind == "Paper")
    concepts = Counter(t for _, t in graph.nodes(data="type") if t)
    relations = Counter(k for _, _, k in graph.edges(keys=True))
    return papers, dict(sorted(concepts.items())), dict(sorted(relations.items()))


@flow(name="paperkg-build", log_prints=False, validate_parameters=False)
def build_graph(
    inputs: list[str],
    out_dir: str,
    fmt: str | None = None,
    batch_size: int = 64,
    extractor: str = "rules",
    make_map: bool = True,
    max_nodes: int | None = None,
) -> RunSummary:
    """Ingest, extract in batches, assemble, merge into the embedded store, export the map."""
    read = ingest(inputs, fmt, out_dir)
    batches = [read.papers[i : i + batch_size] for i in range(0, len(read.papers), batch_size)]
    extractions = [e for batch in batches for e in extract_batch(batch, extractor)]
    written = store(normalize_and_assemble(extractions), out_dir)
    map_file = export(out_dir, max_nodes) if make_map else None
    papers, concepts, relations = graph_counts(Path(out_dir))
    rejects = Path(out_dir) / "rejects.jsonl"
    summary = RunSummary(
        papers_read=len(read.papers),
        rejected=len(read.rejected),
        reject_messages=[r.message() for r in read.rejected],
        write=written,
        graph_papers=papers,
        concepts_by_type=concepts,
        edges_by_relation=relations,
        graph_file=str(Path(out_dir) / "graph.graphml"),
        map_file=map_file,
        rejects_file=str(rejects) if read.rejected else None,
    )
    (Path(out_dir) / SUMMARY_FILE).write_text(
        json.dumps(summary.model_dump(), indent=2) + "\n", encoding="utf-8"
    )
    return summary
