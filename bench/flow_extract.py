"""The build flow's read-extract-assemble path without the store, timed, per task runner.

    .venv/bin/python bench/flow_extract.py INPUT.jsonl[.gz] --runner process   # or local
    .venv/bin/python bench/flow_extract.py INPUT --command extract            # paperkg extract

Runs the chunks of ``flows.build`` (``iter_papers``, extract-batch tasks on the run's task
runner, normalize-and-assemble) in a Prefect flow on a local Prefect server, but stores
nothing: the embedded store's write time is measured apart (it is being replaced). Prints the
wall time of the flow and the peak RSS of this process plus its children (sampled every
0.1 s), so the process pool's workers count. ``--command extract`` measures ``paperkg
extract`` (the extractor's own 2-process mode over the whole input) the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class PeakRss:
    """Peak RSS of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def run_flow(source: str, runner: str, chunk_size: int, batch_size: int) -> tuple[int, float]:
    os.environ["PAPERKG_TASK_RUNNER"] = runner
    from flows.local_server import local_prefect

    with local_prefect() as api:
        api.wait()
        from prefect import flow
        from prefect.futures import PrefectFuture
        from prefect.utilities.annotations import quote

        from flows.build import extract_batch, normalize_and_assemble
        from flows.runners import task_runner, uses_pool
        from pipeline.extract import DEFAULT_EXTRACTOR
        from pipeline.ingest import iter_papers

        @flow(name="bench-flow-extract", task_runner=task_runner())
        def bench() -> int:
            from prefect.context import FlowRunContext

            context = FlowRunContext.get()
            pool = context is not None and uses_pool(context.task_runner, 10**9)
            done = 0
            pending: list = []

            def finish(batches: list) -> int:
                extractions = []
                for b in batches:
                    extracted, _ = b.result() if isinstance(b, PrefectFuture) else b
                    extractions.extend(extracted)
                normalize_and_assemble(quote(extractions))
                return len(extractions)

            for chunk in iter_papers([source], chunk_size=chunk_size):
                batches = [
                    extract_batch.submit(chunk.papers[i : i + batch_size], DEFAULT_EXTRACTOR)
                    if pool else extract_batch(quote(chunk.papers[i : i + batch_size]),
                                               DEFAULT_EXTRACTOR)
                    for i in range(0, len(chunk.papers), batch_size)
                ]
                if pending:
                    done += finish(pending)
                pending = batches
            return done + (finish(pending) if pending else 0)

        started = time.monotonic()
        papers = bench()
        return papers, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--runner", choices=("process", "local"), default="process")
    parser.add_argument("--command", choices=("flow", "extract"), default="flow")
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        papers, seconds = run_flow(args.source, args.runner, args.chunk_size, args.batch_size)
        print(f"{papers} papers through the flow in {seconds:.1f} s")
        return
    if args.command == "extract":
        out = Path(tempfile.mkdtemp()) / "extractions.jsonl"
        command = [sys.executable, "-c", "from pipeline.cli import main; main()", "extract",
                   args.source, "--output", str(out)]
    else:
        command = [sys.executable, __file__, args.source, "--runner", args.runner,
                   "--chunk-size", str(args.chunk_size), "--batch-size", str(args.batch_size),
                   "--child"]
    started = time.monotonic()
    process = subprocess.Popen(command)
    with PeakRss(process.pid) as rss:
        process.wait()
    wall = time.monotonic() - started
    label = "paperkg extract" if args.command == "extract" else f"flow, runner {args.runner}"
    print(f"{label}: exit {process.returncode}, wall {wall:.1f} s (with start-up), "
          f"peak RSS (process + children) {rss.peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
