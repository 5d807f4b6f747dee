"""Where the build flow's extraction tasks run: both local cores, or an existing Dask cluster.

* Local (the default): a ``ProcessPoolTaskRunner`` with one worker process per core. Only the
  extract-batch tasks are submitted to it, and only for inputs big enough to pay for starting
  the workers (``PARALLEL_MIN_PAPERS``): each worker is a fresh ``spawn`` process that imports
  Prefect and loads the model, a few seconds, so a small input (the 71-paper sample) is
  extracted in the flow's own process and a warm ``paperkg run --sample`` stays fast.
  ``PAPERKG_TASK_RUNNER=local`` keeps every input in process (for measuring, or a machine where
  extra processes do not pay).
* ``--dask-address`` / ``PAPERKG_DASK_ADDRESS``: prefect-dask's ``DaskTaskRunner`` connected to
  that scheduler; every extract-batch task is submitted there, whatever the input's size. The
  workers need paperkg installed (the task is pickled by reference to ``flows.build``) and must
  reach the Prefect API the run uses.

Everything that touches the output folder or Neo4j (find-unchanged, store, load, map) runs in
the flow's process either way: it is called, never submitted.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from pipeline.redact import redact

__all__ = [
    "DASK_ADDRESS_ENV",
    "PARALLEL_MIN_ENV",
    "PARALLEL_MIN_PAPERS",
    "TASK_RUNNER_ENV",
    "ClusterError",
    "check_dask_address",
    "local_workers",
    "task_runner",
    "uses_pool",
]

DASK_ADDRESS_ENV = "PAPERKG_DASK_ADDRESS"
TASK_RUNNER_ENV = "PAPERKG_TASK_RUNNER"  # "process" (default) or "local"
# below this many papers to extract in a run, starting worker processes costs more than the
# second core gives back: each spawned worker imports Prefect and loads the model, ~10 s of CPU
# (2,000 papers: 39 s of CPU in process, 59 s with the pool), so on two idle cores the pool
# wins from ~1,000 papers (docs/benchmarks.md, "Extraction in the flow").
# PAPERKG_PARALLEL_MIN_PAPERS overrides it (the tests use a small input).
PARALLEL_MIN_PAPERS = 1000
PARALLEL_MIN_ENV = "PAPERKG_PARALLEL_MIN_PAPERS"
CONNECT_TIMEOUT_S = 10.0


class ClusterError(Exception):
    """The Dask cluster cannot be used; the message is one line without credentials."""


def local_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def task_runner(dask_address: str | None = None) -> Any:
    """The task runner for a run: Dask at ``dask_address`` (else ``PAPERKG_DASK_ADDRESS``),
    else a local process pool (whose workers start only when a task is submitted)."""
    address = dask_address or os.environ.get(DASK_ADDRESS_ENV) or None
    if address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=address)
    from prefect.task_runners import ProcessPoolTaskRunner

    return ProcessPoolTaskRunner(max_workers=local_workers())


def uses_pool(runner: Any, papers: int) -> bool:
    """Whether the extract tasks of a run go to ``runner`` (True) or run in the flow's
    process: always on a cluster, on a local pool when ``papers`` (to extract in the run, as
    far as known) reach ``PARALLEL_MIN_PAPERS``."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    if isinstance(runner, ThreadPoolTaskRunner):
        return False  # Prefect's default: threads of this process would only share its GIL
    if isinstance(runner, ProcessPoolTaskRunner):
        if os.environ.get(TASK_RUNNER_ENV, "process").strip().lower() == "local":
            return False
        least = os.environ.get(PARALLEL_MIN_ENV, "")
        return papers >= (int(least) if least.isdigit() else PARALLEL_MIN_PAPERS) and (
            local_workers() > 1)
    return True  # a cluster: the user asked for it


def check_dask_address(address: str, timeout: float = CONNECT_TIMEOUT_S) -> int:
    """Ask the scheduler at ``address`` who it is: the number of its workers. ``ClusterError``
    when the address is not one, cannot be reached in ``timeout`` seconds, or has no worker
    (the run would wait for one forever). A plain connection, not a ``Client``: a Client that
    fails to connect prints a traceback when it is collected."""
    import logging
    from urllib.parse import urlsplit

    shown = redact(address)
    if "@" in urlsplit(address if "://" in address else f"tcp://{address}").netloc:
        raise ClusterError(f"{shown}: a Dask address takes no user name or password (use "
                           "Dask's TLS settings for a secured scheduler)")
    # distributed logs each failed connection attempt; the user gets one line
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    try:
        identity = asyncio.run(_identity(address, timeout))
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {shown}: "
                           f"{redact(reason.replace(address, shown))}") from None
    workers = identity.get("workers") if isinstance(identity, dict) else None
    if not workers:
        raise ClusterError(f"the Dask scheduler at {shown} has no workers")
    return len(workers)


async def _identity(address: str, timeout: float) -> Any:
    from distributed.core import rpc

    async with rpc(address, timeout=timeout) as scheduler:
        return await asyncio.wait_for(scheduler.identity(), timeout)
