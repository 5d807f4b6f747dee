"""Load throughput and related-work latency on the test Neo4j, at 10k and 100k papers.

    .venv/bin/python -m bench.neo4j_load                 # 10k and 100k (about 10 minutes)
    .venv/bin/python -m bench.neo4j_load --sizes 10000   # just 10k

Starts its own test Neo4j (tests/support/neo4j_server.py, a temporary data directory, heap 2 GB),
builds the corpus with pipeline/quality/corpora.py (the real pipeline runs once over the source
abstracts; synthetic papers get the concepts of their sentences, rare ones as variants so
that distinct concepts grow like in the real abstracts, see corpus.py; the real and synthetic
statistics are printed), and loads it
with Neo4jStore.write in batches of --batch papers, as daily runs would. Prints, per size:
relationship rows written per second (Paper->Concept edges + stated links + the
CO_OCCURS_WITH weight changes the load wrote, as counted by Neo4jStore.last_rows) and the
total time (write() only; building the GraphBatch rows is not counted), the loader's peak
RSS, and, at the largest size, related-work latency p50/p95 over 100 random papers (warm).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections import Counter

from pipeline.quality.corpora import (
    concept_batch,
    describe_synthetic,
    generate,
    index_sources,
    real_growth,
    source_papers,
)
from pipeline.stores.neo4j.settings import Neo4jSettings
from pipeline.stores.neo4j.store import Neo4jStore
from pipeline.stores.queries import get_query, resolve_params
from tests.support.neo4j_server import Neo4jTestServer


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch", type=int, default=10_000, help="papers per write()")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()

    t0 = time.perf_counter()
    sources = source_papers()
    index = index_sources(sources, args.seed)
    print(f"index: {len(sources)} source abstracts, {len(index.concepts)} concepts, "
          f"{len(index.hubs)} hubs (kept as they are), {time.perf_counter() - t0:.1f} s "
          "(spaCy runs once)")
    for name, found in real_growth(sources).items():
        print(found.describe(f"real, {name}"))
    df: Counter[str] = Counter()

    with Neo4jTestServer(heap="2g", pagecache="1g") as server:
        print(f"test Neo4j up in {server.startup_seconds:.1f} s at {server.uri}")
        settings = Neo4jSettings(uri=server.uri, username=server.user, password=server.password)
        with Neo4jStore(settings) as store:
            store.ensure_schema()
            loaded = 0
            for size in sorted(args.sizes):
                papers = list(generate(size, args.seed, sources))[loaded:]
                rows = 0
                load_seconds = 0.0
                for start in range(0, len(papers), args.batch):
                    batch = concept_batch(papers[start : start + args.batch], index)
                    df.update(k for _, k in {(e.paper_id, e.concept_key)
                                             for e in batch.paper_concepts})
                    t = time.perf_counter()
                    store.write(batch)
                    load_seconds += time.perf_counter() - t
                    rows += sum(store.last_rows.values())
                loaded = size
                counts = store.counts()
                print(f"{size:>7} papers: loaded {len(papers)} new in {load_seconds:.1f} s, "
                      f"{rows / load_seconds:,.0f} relationship rows/s ({rows:,} rows: paper "
                      f"edges, stated links, co-occurrence weight changes); "
                      f"graph {counts.papers:,} papers, {counts.concepts:,} concepts, "
                      f"{sum(counts.edges_by_relation.values()):,} "
                      f"relationships; loader peak RSS {peak_rss_mb():,.0f} MB")
                print("  " + describe_synthetic(
                    size, len(df), [(k, c / size) for k, c in df.most_common(10)]))
                sys.stdout.flush()

            ids = [p.id for p in generate(loaded, args.seed, sources)]
            rng = random.Random(args.seed)
            query = get_query("related-work")
            for pid in rng.sample(ids, 5):  # warm up
                store.run_query("related-work", resolve_params(query, {"paper": pid}))
            latencies = []
            for pid in rng.sample(ids, args.queries):
                t = time.perf_counter()
                store.run_query("related-work", resolve_params(query, {"paper": pid}))
                latencies.append((time.perf_counter() - t) * 1000)
            latencies.sort()
            p95 = latencies[int(0.95 * len(latencies)) - 1]
            print(f"related-work at {loaded:,} papers over {len(latencies)} random papers: "
                  f"p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
                  f"max {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main()
