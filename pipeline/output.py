"""The output folder: one writer at a time, files swapped in whole, no leftovers.

Every file a run writes there (graph, map, summary, rejects) is written to a temporary file
beside its target and renamed over it, so a reader (or a run killed half-way) sees the old
file or the new one, never a part. Writers take the folder's lock (``filelock``, an OS file
lock released by the kernel when its holder dies, so a killed run never leaves it stuck);
whoever holds it removes temporaries a killed run left behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from filelock import FileLock, Timeout

LOCK_FILE = ".paperkg.lock"
TEMP_PREFIX = ".paperkg-"
# exact names only: --out may be a folder that holds the user's own files too. The last two
# are the temporaries of earlier versions.
_STALE_PATTERNS = (f"{TEMP_PREFIX}*.part", ".graph-*.graphml", "rejects.jsonl.tmp")

__all__ = ["LOCK_FILE", "TEMP_PREFIX", "atomic_writer", "locked_output", "remove_stale"]


@contextlib.contextmanager
def atomic_writer(path: Path, *, binary: bool = False) -> Iterator[IO]:  # type: ignore[type-arg]
    """An open temporary file that replaces ``path`` when the block ends without an error;
    on an error it is removed and ``path`` is untouched. A binary one can be read back."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".part",
                                   dir=path.parent)
    except OSError as error:  # name the file the user asked for, not the temporary
        raise OSError(error.errno, error.strerror, str(path)) from None
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; these are ordinary output files
    try:
        with (os.fdopen(fd, "w+b") if binary
              else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


def remove_stale(directory: Path) -> list[Path]:
    """Remove temporaries that runs killed mid-write left in ``directory``. Call only while
    holding the folder's lock: another live writer's temporaries look the same."""
    removed = []
    for pattern in _STALE_PATTERNS:
        for stale in Path(directory).glob(pattern):
            if stale.name == LOCK_FILE or not stale.is_file():
                continue
            with contextlib.suppress(OSError):
                stale.unlink()
                removed.append(stale)
    return removed


@contextlib.contextmanager
def locked_output(
    directory: Path, *, on_wait: Callable[[], None] | None = None, timeout: float = -1
) -> Iterator[None]:
    """Hold ``directory``'s writer lock for the block. When another writer holds it,
    ``on_wait`` is called once and this waits (at most ``timeout`` seconds; -1: as long as it
    takes, then ``filelock.Timeout``)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(directory / LOCK_FILE, thread_local=False, is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait()
        lock.acquire(timeout=timeout)
    try:
        remove_stale(directory)
        yield
    finally:
        lock.release()
