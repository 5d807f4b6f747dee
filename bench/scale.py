"""Scale benchmark (issue 12): paperkg on the real arXiv corpus, measured through the public CLI.

    .venv/bin/python -m bench.scale                        # 5k, 10k, 20k, all 40,717 papers
    .venv/bin/python -m bench.scale --sizes 300,600        # a quick check (~5 minutes)
    .venv/bin/python -m bench.scale --work /tmp/scale --json scale.json

Reads ``--corpus`` (default ../shared/corpora/arxiv-2025.jsonl.gz) at run time and orders it
by listing date (``published``, then ``id``), so the first N papers are "the literature up to a
day". Every measured step is a subprocess of the venv's ``paperkg`` (or of this file, for the
in-process query and browser measurements) with a timeout; a failed step prints the tail of its
stderr, is marked in the table, and the steps that do not need its result still run.

Per size: ``paperkg run --no-map`` into an empty folder (wall, peak RSS of the process tree),
``paperkg extract`` of the same input (wall, peak RSS), the graph's counts and file size, and
the named queries in-process (``open_store(out).run_query``). At the largest size: a daily
run of the next ``--daily`` papers into a copy of the graph and into an empty folder, a re-run
of the unchanged input, the named queries as ``paperkg query`` commands, and the map
(map.html size, time until ready in headless Chromium). See docs/benchmarks.md, "Scale".
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "arxiv-2025.jsonl.gz"
DEFAULT_SIZES = "5k,10k,20k,all"
# the bin folder of the interpreter running this file: the venv's paperkg, not one on PATH
PAPERKG = str(Path(sys.executable).parent / "paperkg")
# RSS is sampled this often; a peak shorter than this can be missed by the tree sum (the
# largest single process's exact peak comes from wait4 and is reported beside it)
POLL_S = 0.2
# targets of issue 12
TARGET_RUN_EXTRACT = 1.5
TARGET_PEAK_MB = 2048
TARGET_DAILY_RATIO = 1.5
TARGET_RERUN_S = 60.0
TARGET_QUERY_P95_MS = 200.0
TARGET_CLI_P95_S = 3.0
# files of an output folder that are not the graph (for the graph-size fallback)
NOT_GRAPH = {"map.html", "summary.json", "rejects.jsonl", ".paperkg.lock"}
# concept types a query's concept parameter is meant for (others: any concept)
CONCEPT_TYPES_FOR = {
    "methods-on": ("DATASET", "BENCHMARK"),
    "tasks-for-method": ("METHOD",),
}
CHROMIUM = "/usr/bin/chromium"
# field-notes.md: the flags headless Chromium needs here (playwright adds --headless and a
# fresh temporary --user-data-dir itself)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# ---- the corpus -------------------------------------------------------------------------


def parse_sizes(text: str, total: int) -> list[int]:
    """``"5k,10k,all"`` -> sorted distinct paper counts, each at most ``total``."""
    sizes = set()
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part == "all":
            n = total
        elif part.endswith("k"):
            n = int(float(part[:-1]) * 1000)
        else:
            n = int(part)
        if n < 1:
            raise ValueError(f"a size must be at least 1, not {part!r}")
        sizes.add(min(n, total))
    if not sizes:
        raise ValueError("no sizes given")
    return sorted(sizes)


def listing_order(lines: Iterable[str]) -> list[str]:
    """The corpus lines sorted by listing date, then id (arXiv ids of one day are not in
    order in the file); the raw lines are kept so the subsets are the records as published."""
    keyed = []
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        keyed.append(((str(record.get("published") or ""), str(record.get("id") or "")),
                      line.rstrip("\n")))
    keyed.sort(key=lambda item: item[0])
    return [line for _, line in keyed]


def read_corpus(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return listing_order(handle)


@dataclass(frozen=True)
class DailyPlan:
    base: int  # the graph the new day is added to: the first `base` papers
    day: tuple[int, int]  # the new day: lines[start:end]
    base_is_a_size: bool  # False when the base needs its own build (largest size = corpus)


def daily_plan(largest: int, total: int, daily: int) -> DailyPlan:
    """The next ``daily`` papers after the largest size; when the largest size is the whole
    corpus, its last ``daily`` papers are the new day and the graph is built from the rest."""
    if largest + daily <= total:
        return DailyPlan(largest, (largest, largest + daily), True)
    if largest < total:  # fewer than `daily` papers left: take what there is
        return DailyPlan(largest, (largest, total), True)
    base = max(total - daily, 1)
    return DailyPlan(base, (base, total), False)


def published(line: str) -> str:
    return str(json.loads(line).get("published") or "?")


def write_lines(path: Path, lines: Sequence[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
    return path


# ---- running a step ---------------------------------------------------------------------


@dataclass
class Step:
    name: str
    status: str  # "ok", "exit N", "timeout", "error: ...", "skipped: ..."
    wall_s: float | None = None
    peak_tree_mb: float | None = None  # sampled sum of RSS over the process and descendants
    peak_proc_mb: float | None = None  # the largest single process's peak (wait4, exact)
    # user + system CPU of the step and the descendants it waited for: less sensitive than
    # wall time to other jobs on a shared machine
    cpu_s: float | None = None
    load1: float | None = None  # the machine's 1-minute load average when the step started
    stdout: str = field(default="", repr=False)
    stderr_tail: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def peak_mb(self) -> float | None:
        values = [v for v in (self.peak_tree_mb, self.peak_proc_mb) if v is not None]
        return max(values) if values else None

    def json(self) -> Any:
        """The step's last stdout line as JSON (the protocol of this file's worker modes)."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def record(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("stdout")
        data["peak_mb"] = self.peak_mb
        return data


def skipped(name: str, why: str) -> Step:
    print(f"  {name}: skipped ({why})", flush=True)
    return Step(name, f"skipped: {why}")


def tree_rss(proc: Any) -> int:
    """RSS of a psutil process plus all its descendants, in bytes (0 once it is gone).

    Forked workers share copy-on-write pages with their parent, so the sum over-counts
    somewhat: an upper bound, which is what a memory target needs."""
    import psutil

    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return 0
    for member in members:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return total


class Runner:
    """Runs steps as subprocesses in their own process group, logs kept under ``logs``."""

    def __init__(self, work: Path, env: Mapping[str, str], timeout: float) -> None:
        self.work = work
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = dict(env)
        self.timeout = timeout
        self.steps: list[Step] = []
        self._count = 0

    def run(self, name: str, argv: Sequence[str], *, timeout: float | None = None,
            quiet: bool = False, keep: bool = True) -> Step:
        import psutil

        self._count += 1
        stem = self.logs / f"{self._count:03d}-{name.replace(' ', '_').replace('/', '_')}"
        limit = timeout if timeout is not None else self.timeout
        load1 = os.getloadavg()[0]
        with open(f"{stem}.out", "wb") as out, open(f"{stem}.err", "wb") as err:
            start = time.perf_counter()
            try:
                # a session of its own: a timeout kills the whole tree (workers, Prefect's
                # local server) and nothing else
                child = subprocess.Popen(list(argv), stdout=out, stderr=err, env=self.env,
                                         cwd=self.work, start_new_session=True)
            except OSError as exc:
                step = Step(name, f"error: {exc}")
                self._finish(step, quiet, keep)
                return step
            try:
                watched: Any = psutil.Process(child.pid)
            except psutil.NoSuchProcess:  # already gone: wait4 below still has its figures
                watched = None
            peak = 0
            status: int | None = None
            usage = None
            timed_out = False
            while True:
                # wait4 rather than Popen.wait: it also gives the child's exact max RSS
                pid, wait_status, rusage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    wall = time.perf_counter() - start
                    status, usage = wait_status, rusage
                    break
                if watched is not None:
                    peak = max(peak, tree_rss(watched))
                if time.perf_counter() - start > limit:
                    timed_out = True
                    wall = time.perf_counter() - start
                    status, usage = _kill_group(child.pid)
                    break
                time.sleep(POLL_S)
            child.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        code = child.returncode
        step = Step(
            name,
            "timeout" if timed_out else ("ok" if code == 0 else f"exit {code}"),
            wall_s=wall,
            peak_tree_mb=peak / 2**20 if peak else None,
            # ru_maxrss is KiB on Linux: the child's peak, or a reaped descendant's if larger
            peak_proc_mb=usage.ru_maxrss / 1024 if usage is not None else None,
            cpu_s=usage.ru_utime + usage.ru_stime if usage is not None else None,
            load1=load1,
            stdout=Path(f"{stem}.out").read_text(encoding="utf-8", errors="replace"),
            stderr_tail=_tail(Path(f"{stem}.err").read_text(encoding="utf-8", errors="replace")),
        )
        self._finish(step, quiet, keep)
        return step

    def _finish(self, step: Step, quiet: bool, keep: bool) -> None:
        if keep:
            self.steps.append(step)
        if step.ok:
            if not quiet:
                print(f"  {step.name}: {_s(step.wall_s)} (CPU {_s(step.cpu_s)}), peak "
                      f"{_mb(step.peak_mb)}, load {step.load1:.1f}", flush=True)
            return
        print(f"  {step.name}: {step.status.upper()} after {_s(step.wall_s)}", flush=True)
        tail = step.stderr_tail or _tail(step.stdout)
        for line in tail.splitlines():
            print(f"    | {line}")
        sys.stdout.flush()


def _kill_group(pid: int) -> tuple[int, Any]:
    """SIGTERM the step's process group (paperkg then stops its local server cleanly), SIGKILL
    what is left after 10 s; the leader's wait4 status and rusage."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    reaped: tuple[int, Any] | None = None
    deadline = time.monotonic() + 10
    while reaped is None and time.monotonic() < deadline:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            reaped = (status, usage)
        else:
            time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # workers that outlived their parent, if any
    if reaped is None:
        _, status, usage = os.wait4(pid, 0)
        reaped = (status, usage)
    return reaped


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s"


def _mb(mb: float | None) -> str:
    return "-" if mb is None else f"{mb:,.0f} MB"


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100): an observed value, no interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# ---- named queries: parameters ------------------------------------------------------------


@dataclass(frozen=True)
class Pools:
    """What realistic parameters are drawn from: paper ids, and per concept type the frequent
    concepts (the most papers) and the rare ones (the fewest), as names a user would type."""

    papers: tuple[str, ...]
    frequent: Mapping[str, tuple[str, ...]]
    rare: Mapping[str, tuple[str, ...]]
    types: tuple[str, ...]


def build_pools(papers: Iterable[str], concepts: Iterable[tuple[str, str, int]],
                top: int = 50) -> Pools:
    """``concepts`` are (name, type, paper_count). Frequent = the ``top`` most-used concepts of
    a type; rare = its concepts with the smallest paper count (usually 1)."""
    by_type: dict[str, list[tuple[int, str]]] = {}
    for name, ctype, count in concepts:
        by_type.setdefault(ctype, []).append((count, name))
    frequent: dict[str, tuple[str, ...]] = {}
    rare: dict[str, tuple[str, ...]] = {}
    for ctype, rows in by_type.items():
        rows.sort(key=lambda r: (-r[0], r[1]))
        frequent[ctype] = tuple(name for _, name in rows[:top])
        least = rows[-1][0]
        rare[ctype] = tuple(name for count, name in rows if count == least)
    return Pools(tuple(sorted(papers)), frequent, rare, tuple(sorted(by_type)))


def plan_params(query: Any, pools: Pools, rng: random.Random, call: int) -> dict[str, str] | None:
    """``key=value`` strings for one call of ``query`` (a graph_queries.NamedQuery), as a user
    would pass them; None when a required parameter has no plan here (a new query kind).

    Concept parameters alternate between a frequent and a rare concept (even/odd ``call``),
    since both ends cost differently; ``type`` rotates through all types and none; other
    optional parameters keep their defaults."""
    raw: dict[str, str] = {}
    for param in query.params:
        if param.kind == "concept":
            wanted = CONCEPT_TYPES_FOR.get(query.name, pools.types)
            pool = pools.frequent if call % 2 == 0 else pools.rare
            names = [n for t in wanted for n in pool.get(t, ())]
            if not names:
                return None
            raw[param.name] = rng.choice(names)
        elif param.name == "paper":
            if not pools.papers:
                return None
            raw[param.name] = rng.choice(pools.papers)
        elif param.name == "type":
            choice = (None, *pools.types)[call % (len(pools.types) + 1)]
            if choice is not None:
                raw[param.name] = choice
        elif param.required:
            return None
    return raw


def cli_args(raw: Mapping[str, str]) -> list[str]:
    return [arg for key, value in raw.items() for arg in ("--param", f"{key}={value}")]


# ---- worker modes (run as subprocesses of this file) ---------------------------------------


def worker_queries(out_dir: Path, calls: int, warmup: int, plan_calls: int, seed: int) -> None:
    """In-process latency of every named query on the graph in ``out_dir``; prints one JSON
    line: per query p50/p95/max ms, the graph's counts, and ``plan_calls`` parameter sets per
    query for the CLI measurement (drawn from the same pools)."""
    import resource

    from graph_queries import load_queries
    from pipeline.stores import open_store
    from pipeline.stores.queries import QueryError, resolve_params

    t = time.perf_counter()
    store = open_store(out_dir)
    open_s = time.perf_counter() - t
    with store:
        counts = store.counts()
        view = store.view()
        pools = build_pools((p.id for p in view.papers),
                            ((c.name, c.type, c.paper_count) for c in view.concepts))
        del view
        rng = random.Random(seed)
        results: dict[str, Any] = {}
        plans: dict[str, list[dict[str, str]]] = {}
        for name, query in load_queries().items():
            planned = [plan_params(query, pools, rng, i) for i in range(warmup + calls)]
            if any(p is None for p in planned):
                results[name] = {"error": "no parameter plan for its required parameters"}
                continue
            latencies: list[float] = []
            rows: list[int] = []
            errors: list[str] = []
            for i, raw in enumerate(planned):
                assert raw is not None
                t = time.perf_counter()
                try:
                    found = store.run_query(name, resolve_params(query, raw))
                except QueryError as exc:  # e.g. an alias no longer resolving: count, go on
                    errors.append(str(exc))
                    continue
                elapsed = (time.perf_counter() - t) * 1000
                if i >= warmup:
                    latencies.append(elapsed)
                    rows.append(len(found))
            results[name] = {
                "calls": len(latencies),
                "p50_ms": percentile(latencies, 50),
                "p95_ms": percentile(latencies, 95),
                "max_ms": max(latencies) if latencies else None,
                "mean_rows": statistics.fmean(rows) if rows else None,
                "errors": errors[:3],
                "error_count": len(errors),
            }
            plans[name] = [p for p in (plan_params(query, pools, rng, i)
                                       for i in range(plan_calls)) if p is not None]
    print(json.dumps({
        "open_s": open_s,
        "papers": counts.papers,
        "concepts": counts.concepts,
        "edges": sum(counts.edges_by_relation.values()),
        "edges_by_relation": counts.edges_by_relation,
        "queries": results,
        "plans": plans,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


# JS returning true/false from the page's readiness flag, or null when it exposes none.
# window.paperkgReady is the flag the map rewrite may add; window.paperkgMap.ready is what
# pipeline/assets/map.js sets today once the layout has stabilised.
READY_FLAG_JS = """() => {
  if (typeof window.paperkgReady !== "undefined") return window.paperkgReady === true;
  if (window.paperkgMap && "ready" in window.paperkgMap) return window.paperkgMap.ready === true;
  return null;
}"""


def wait_until_ready(page: Any, timeout_ms: float) -> str:
    """Block until the map is ready after its ``load`` event; return how readiness was known.
    The one place to change when the map signals readiness differently."""
    if page.evaluate(READY_FLAG_JS) is None:
        return "load event (no readiness flag on the page)"
    page.wait_for_function(f"() => ({READY_FLAG_JS})() === true", timeout=timeout_ms)
    return "load event + readiness flag"


def worker_browser(map_file: Path, timeout_s: float,
                   ready: Callable[[Any, float], str] = wait_until_ready) -> None:
    """Open ``map_file`` in headless Chromium; print one JSON line: ms to the ``load`` event
    and to ready (both from navigation start), browser start-up, requests that left the file."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        t = time.perf_counter()
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        launch_s = time.perf_counter() - t
        page = browser.new_page()
        external: list[str] = []
        page_errors: list[str] = []
        page.on("request", lambda r: external.append(r.url)
                if r.url.startswith(("http:", "https:")) else None)
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        page.set_default_timeout(timeout_s * 1000)
        t = time.perf_counter()
        page.goto(map_file.resolve().as_uri(), wait_until="load")
        load_ms = (time.perf_counter() - t) * 1000
        how = ready(page, timeout_s * 1000)
        ready_ms = (time.perf_counter() - t) * 1000
        browser.close()
    print(json.dumps({"launch_s": launch_s, "load_ms": load_ms, "ready_ms": ready_ms,
                      "ready_via": how, "external_requests": external[:5],
                      "page_errors": page_errors[:5]}))


# ---- the benchmark ----------------------------------------------------------------------


def graph_bytes(out_dir: Path, cwd: Path) -> int | None:
    """Size of the graph in ``out_dir``: summary.json's ``graph_file`` and its side files
    (SQLite's -wal/-shm), else every file that is not map, summary, rejects or lock."""
    summary = out_dir / "summary.json"
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        named = json.loads(summary.read_text(encoding="utf-8"))["graph_file"]
        path = Path(named) if Path(named).is_absolute() else cwd / named
        if path.exists():
            return sum(p.stat().st_size for p in path.parent.iterdir()
                       if p.is_file() and p.name.startswith(path.name))
    if not out_dir.is_dir():
        return None
    return sum(p.stat().st_size for p in out_dir.rglob("*")
               if p.is_file() and p.name not in NOT_GRAPH)


def map_argv(help_text: str, inputs: Path, out_dir: Path) -> tuple[list[str], str]:
    """The command that (re)writes map.html for the graph in ``out_dir``: a ``paperkg map``
    command when the CLI lists one, else ``paperkg run`` of the (unchanged) input with the
    map on (then the map's own cost is that wall minus the unchanged re-run's)."""
    commands = {line.split()[1] for line in help_text.splitlines()
                if line.startswith("│ ") and len(line.split()) > 1}
    if "map" in commands:
        return [PAPERKG, "map", "--out", str(out_dir)], "paperkg map"
    return [PAPERKG, "run", str(inputs), "--out", str(out_dir)], "paperkg run (map on)"


def child_env(work: Path) -> dict[str, str]:
    """The environment of every step: the embedded store only (no NEO4J_URI), and a Prefect
    home of the benchmark's own (unless the user configured Prefect), so other users' runs on
    the shared home neither wait for nor slow the measured ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    if "PREFECT_HOME" not in env and "PREFECT_API_URL" not in env:
        env["PREFECT_HOME"] = str(work / "prefect-home")
    return env


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def mark(value: float | None, target: float, below: bool = False) -> str:
    """' (target ... met/MISSED)' for a figure and its target."""
    if value is None:
        return ""
    met = value < target if below else value <= target
    sign = "<" if below else "≤"
    return f" (target {sign} {target:g}: {'met' if met else 'MISSED'})"


def worst_p95(queries: Mapping[str, Any]) -> tuple[str, float] | None:
    found = [(q["p95_ms"], name) for name, q in queries.items() if q.get("p95_ms") is not None]
    if not found:
        return None
    value, name = max(found)
    return name, value


def run_benchmark(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    lines = read_corpus(Path(args.corpus))
    total = len(lines)
    sizes = parse_sizes(args.sizes, total)
    largest = sizes[-1]
    print(f"corpus: {args.corpus}: {total:,} papers, listing order (published, id); "
          f"sizes {', '.join(f'{n:,}' for n in sizes)}; work {work}", flush=True)
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load > cpus:
        print(f"warning: load average {load:.1f} on {cpus} CPUs: other jobs share the machine, "
              "wall times will be noisy (read the CPU-time ratios beside them)", flush=True)
    runner = Runner(work, child_env(work), args.timeout)
    inputs = work / "inputs"
    me = [sys.executable, str(Path(__file__).resolve())]
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "commit": _git_commit(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "corpus": {"path": str(args.corpus), "papers": total},
        "sizes": {},
    }

    # not measured: the Prefect home's database is created and migrated on its first run,
    # and the first import of spaCy/Prefect reads from a cold disk cache
    print("warm-up (not measured): paperkg run --sample", flush=True)
    warm = runner.run("warm-up", [PAPERKG, "run", "--sample", "--out", str(work / "warm-up"),
                                  "--no-map"], keep=False)
    report["warm_up"] = warm.record()

    rows: dict[int, dict[str, Any]] = {}
    for n in sizes:
        print(f"\n== {n:,} papers (listed up to {published(lines[n - 1])})", flush=True)
        subset = write_lines(inputs / f"first-{n}.jsonl", lines[:n])
        out = work / f"graph-{n}"
        build = runner.run(f"run {n}", [PAPERKG, "run", str(subset), "--out", str(out),
                                        "--no-map"])
        extract = runner.run(f"extract {n}", [PAPERKG, "extract", str(subset), "--output",
                                              str(work / f"extract-{n}.jsonl")])
        row: dict[str, Any] = {"papers": n, "run": build.record(), "extract": extract.record(),
                               "run_extract_ratio": ratio(build.wall_s, extract.wall_s)
                               if build.ok and extract.ok else None,
                               "run_extract_cpu_ratio": ratio(build.cpu_s, extract.cpu_s)
                               if build.ok and extract.ok else None}
        if build.ok:
            row["graph_mb"] = _to_mb(graph_bytes(out, work))
            plan_calls = args.cli_calls if n == largest else 0
            queries = runner.run(f"queries {n}", [*me, "--worker", "queries", "--out", str(out),
                                                  "--calls", str(args.query_calls),
                                                  "--plan-calls", str(plan_calls),
                                                  "--seed", str(args.seed)])
            row["queries_step"] = queries.record()
            found = _parsed(queries)
            if found is not None:
                row.update({k: found[k] for k in ("papers", "concepts", "edges",
                                                  "edges_by_relation", "open_s")})
                row["queries"] = found["queries"]
                row["query_peak_mb"] = found["peak_mb"]
                row["_plans"] = found["plans"]
                _print_queries(found["queries"], "in-process", "ms", TARGET_QUERY_P95_MS)
        else:
            row["queries_step"] = skipped(f"queries {n}", "no graph").record()
        print(f"  run/extract {_x(row['run_extract_ratio'])}"
              f"{mark(row['run_extract_ratio'], TARGET_RUN_EXTRACT)}, in CPU time "
              f"{_x(row['run_extract_cpu_ratio'])}; run peak {_mb(build.peak_mb)}"
              # a run cut short has not reached its peak: no verdict
              f"{mark(build.peak_mb, TARGET_PEAK_MB, below=True) if build.ok else ''}",
              flush=True)
        rows[n] = row
        # the folders of smaller sizes are not needed again: keep the disk free for 40k
        if n != largest and not args.keep_graphs:
            shutil.rmtree(out, ignore_errors=True)
            (work / f"extract-{n}.jsonl").unlink(missing_ok=True)

    top = rows[largest]
    largest_out = work / f"graph-{largest}"
    largest_in = inputs / f"first-{largest}.jsonl"

    # -- daily run
    plan = daily_plan(largest, total, args.daily)
    start, end = plan.day
    print(f"\n== daily run: {end - start} new papers (listed {published(lines[start])} to "
          f"{published(lines[end - 1])}) onto the graph of the first {plan.base:,}", flush=True)
    day = write_lines(inputs / "new-day.jsonl", lines[start:end])
    daily: dict[str, Any] = {"papers": end - start, "base_papers": plan.base}
    base_out = largest_out
    base_ok = top["run"]["status"] == "ok"
    if not plan.base_is_a_size:
        base_in = write_lines(inputs / f"first-{plan.base}.jsonl", lines[:plan.base])
        base_out = work / f"graph-{plan.base}"
        base = runner.run(f"run {plan.base} (daily base)",
                          [PAPERKG, "run", str(base_in), "--out", str(base_out), "--no-map"])
        daily["base_build"] = base.record()
        base_ok = base.ok
    if base_ok:
        # onto a copy of the largest graph (kept for the re-run and the map); a base built
        # for this alone is used as it is
        onto = work / "daily-onto-graph" if plan.base_is_a_size else base_out
        if plan.base_is_a_size:
            shutil.rmtree(onto, ignore_errors=True)
            shutil.copytree(base_out, onto)  # the copy is not timed
        incr = runner.run("daily onto graph", [PAPERKG, "run", str(day), "--out", str(onto),
                                               "--no-map"])
        shutil.rmtree(onto, ignore_errors=True)
    else:
        incr = skipped("daily onto graph", "no base graph")
    daily["onto_graph"] = incr.record()
    empty = runner.run("daily into empty", [PAPERKG, "run", str(day), "--out",
                                            str(work / "daily-empty"), "--no-map"])
    daily["into_empty"] = empty.record()
    both = incr.ok and empty.ok
    daily["ratio"] = ratio(incr.wall_s, empty.wall_s) if both else None
    daily["cpu_ratio"] = ratio(incr.cpu_s, empty.cpu_s) if both else None
    print(f"  daily onto graph / into empty: {_x(daily['ratio'])}"
          f"{mark(daily['ratio'], TARGET_DAILY_RATIO)}, in CPU time {_x(daily['cpu_ratio'])}",
          flush=True)
    report["daily"] = daily

    # -- re-run of the unchanged input, into its own folder
    print(f"\n== re-run unchanged: {largest:,} papers", flush=True)
    if top["run"]["status"] == "ok":
        rerun = runner.run(f"re-run {largest}", [PAPERKG, "run", str(largest_in), "--out",
                                                 str(largest_out), "--no-map"])
        note = mark(rerun.wall_s, TARGET_RERUN_S, below=True) if largest >= 40_000 else \
            f" (target < {TARGET_RERUN_S:g} s applies at 40k)"
        print(f"  re-run wall {_s(rerun.wall_s)}{note}", flush=True)
    else:
        rerun = skipped(f"re-run {largest}", "no graph")
    report["rerun_unchanged"] = rerun.record()

    # -- the named queries as CLI commands
    plans: dict[str, list[dict[str, str]]] = top.pop("_plans", {})
    for row in rows.values():
        row.pop("_plans", None)
    cli: dict[str, Any] = {}
    if args.cli_calls and plans:
        print(f"\n== paperkg query, {args.cli_calls} calls each at {largest:,} papers", flush=True)
        # one call, not counted, so the first measured call does not pay for a cold cache
        name0, planned0 = next(iter(plans.items()))
        runner.run("query warm-up", [PAPERKG, "query", name0, *cli_args(planned0[0]), "--out",
                                     str(largest_out)], timeout=args.cli_timeout, quiet=True,
                   keep=False)
        for name, planned in plans.items():
            walls: list[float] = []
            cpus: list[float] = []  # a call's CPU time: its cost without the machine's load
            failures = 0
            for raw in planned:
                step = runner.run(f"query {name}", [PAPERKG, "query", name, *cli_args(raw),
                                                    "--out", str(largest_out),
                                                    "--format", "json"],
                                  timeout=args.cli_timeout, quiet=True, keep=False)
                if step.ok and step.wall_s is not None:
                    walls.append(step.wall_s)
                    cpus.append(step.cpu_s or 0.0)
                else:
                    failures += 1
            cli[name] = {"calls": len(walls), "failures": failures,
                         "p50_s": percentile(walls, 50), "p95_s": percentile(walls, 95),
                         "max_s": max(walls) if walls else None,
                         "cpu_p50_s": percentile(cpus, 50)}
        _print_queries(cli, "CLI", "s", TARGET_CLI_P95_S)
    report["cli_queries"] = cli

    # -- the map
    report["map"] = measure_map(args, runner, me, largest_in, largest_out, rerun, top)

    report["sizes"] = {str(n): row for n, row in rows.items()}
    report["steps"] = [s.record() for s in runner.steps]
    print_table(rows)
    return report


def measure_map(args: argparse.Namespace, runner: Runner, me: list[str], inputs: Path,
                out_dir: Path, rerun: Step, top: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if not args.map:
        return {"status": "skipped: --no-map-step"}
    print(f"\n== map at {top['papers']:,} papers", flush=True)
    if top["run"]["status"] != "ok":
        print("  skipped (no graph)")
        return {"status": "skipped: no graph"}
    help_text = subprocess.run([PAPERKG, "--help"], capture_output=True, text=True,
                               env={**os.environ, "COLUMNS": "200"}).stdout
    argv, how = map_argv(help_text, inputs, out_dir)
    step = runner.run("map", argv)
    result.update({"command": how, "step": step.record()})
    if step.ok and rerun.ok and how.startswith("paperkg run"):
        result["export_s_estimate"] = (step.wall_s or 0) - (rerun.wall_s or 0)
    map_file = out_dir / "map.html"
    if not step.ok or not map_file.exists():
        result["status"] = "no map.html"
        return result
    result["map_mb"] = map_file.stat().st_size / 2**20
    browser = runner.run("map in Chromium",
                         [*me, "--worker", "browser", "--map-file", str(map_file),
                          "--timeout", str(args.map_timeout)],
                         timeout=args.map_timeout + 60)
    result["browser_step"] = browser.record()
    found = _parsed(browser)
    if found is not None:
        result.update(found)
    result["status"] = "ok" if found is not None else "browser failed"
    print(f"  map.html {result['map_mb']:.1f} MB; load {result.get('load_ms', 0) / 1000:.1f} s, "
          f"ready {result.get('ready_ms', 0) / 1000:.1f} s ({result.get('ready_via', '-')}); "
          f"map step {_s(step.wall_s)} via {how}"
          # a difference of two noisy walls: shown only when it is not lost in the noise
          + (f", export ≈ {result['export_s_estimate']:.1f} s"
             if result.get("export_s_estimate", 0) > 0 else ""), flush=True)
    if result.get("external_requests"):
        print(f"  the map requested {result['external_requests']} (not offline)")
    return result


def _parsed(step: Step) -> Any:
    """A worker step's JSON result, None when it failed or printed something else."""
    if not step.ok:
        return None
    try:
        return step.json()
    except ValueError:
        print(f"  {step.name}: no JSON result:\n{_tail(step.stdout, 5)}")
        return None


def _print_queries(queries: Mapping[str, Any], label: str, unit: str, target: float) -> None:
    key = "ms" if unit == "ms" else "s"
    for name, q in queries.items():
        if q.get("error"):
            print(f"  {label} {name}: {q['error']}")
            continue
        p95 = q.get(f"p95_{key}")
        extra = f", {q['error_count']} errors" if q.get("error_count") else ""
        extra += f", {q['failures']} failed" if q.get("failures") else ""
        extra += f", CPU p50 {q['cpu_p50_s']:.1f} s" if q.get("cpu_p50_s") is not None else ""
        print(f"  {label} {name:<18} p50 {_num(q.get(f'p50_{key}'))} {unit}, "
              f"p95 {_num(p95)} {unit} over {q['calls']} calls{extra}"
              f"{mark(p95, target, below=True)}")
    sys.stdout.flush()


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _to_mb(n: int | None) -> float | None:
    return None if n is None else n / 2**20


def print_table(rows: Mapping[int, Mapping[str, Any]]) -> None:
    """The cost growth table: one row per size; a failed step shows its status instead."""
    header = ("papers", "run s", "extract s", "run/ext", "(CPU)", "peak MB", "graph MB",
              "concepts", "edges", "query p95 ms")
    table = [header]
    for n, row in rows.items():
        run, ext = row["run"], row["extract"]
        worst = worst_p95(row.get("queries", {}))
        qstep = row.get("queries_step", {})
        table.append((
            f"{n:,}",
            _cell(run, f"{run['wall_s']:.1f}" if run["wall_s"] is not None else "-"),
            _cell(ext, f"{ext['wall_s']:.1f}" if ext["wall_s"] is not None else "-"),
            _x(row.get("run_extract_ratio")),
            _x(row.get("run_extract_cpu_ratio")),
            _cell(run, f"{run['peak_mb']:,.0f}" if run.get("peak_mb") else "-"),
            _num(row.get("graph_mb")),
            f"{row['concepts']:,}" if "concepts" in row else "-",
            f"{row['edges']:,}" if "edges" in row else "-",
            _cell(qstep, f"{worst[1]:.1f} ({worst[0]})" if worst else "-"),
        ))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print("\n== cost growth")
    for r in table:
        print("  ".join(c.rjust(w) if i < len(header) - 1 else c.ljust(w)
                        for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
    print("(run/ext: wall-time ratio, (CPU): the same in CPU time; peak MB: the paperkg run's "
          "process tree; query p95: the slowest named query in-process)")


def _cell(step: Mapping[str, Any], text: str) -> str:
    status = step.get("status", "ok")
    return text if status == "ok" else status.split(":")[0].upper()


def _git_commit() -> str | None:
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True)
    return done.stdout.strip() or None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help="papers per build, e.g. 5k,10k,20k,all or 300,600")
    parser.add_argument("--daily", type=int, default=300, help="papers of the new day")
    parser.add_argument("--query-calls", type=int, default=50,
                        help="timed in-process calls per query (after 5 warm-up calls)")
    parser.add_argument("--cli-calls", type=int, default=10,
                        help="paperkg query calls per query at the largest size (0: none)")
    parser.add_argument("--map", action=argparse.BooleanOptionalAction, default=True,
                        help="measure the map at the largest size")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per step")
    parser.add_argument("--cli-timeout", type=float, default=300)
    parser.add_argument("--map-timeout", type=float, default=900)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", help="work folder to use and keep (default: a temporary one)")
    parser.add_argument("--keep-graphs", action="store_true",
                        help="keep every size's output folder (default: only the largest)")
    parser.add_argument("--json", help="write every figure to this JSON file")
    # worker modes: this file run as a measured subprocess of itself
    parser.add_argument("--worker", choices=("queries", "browser"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, default=50, help=argparse.SUPPRESS)
    parser.add_argument("--plan-calls", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--map-file", dest="map_file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "queries":
        worker_queries(Path(args.out), args.calls, 5, args.plan_calls, args.seed)
        return
    if args.worker == "browser":
        worker_browser(Path(args.map_file), args.timeout)
        return

    work = Path(args.work).resolve() if args.work else Path(tempfile.mkdtemp(prefix="scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        report = run_benchmark(args, work)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            print(f"figures: {args.json}")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
