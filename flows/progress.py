"""How far a run is: the build flow reports its counts here, whoever started it listens.

The flow runs in the process that called it (``paperkg run``), so a plain callback reaches the
command's terminal display without going through Prefect; a served run (a child process of the
runner) has no listener and reporting costs nothing. ``RunProgress`` turns the counts into the
one line the terminal shows: papers read, extracted and stored, the rate, and the time left
when the share of the input read so far is known (the bytes of files and fetched bodies).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = ["Counts", "RunProgress", "listening", "report"]


@dataclass
class Counts:
    """Papers so far: read (parsed), extracted (or found unchanged), stored (written); and the
    share of the input's bytes read, None when unknown."""

    read: int = 0
    extracted: int = 0
    stored: int = 0
    fraction: float | None = None


Listener = Callable[[Counts], None]
_listeners: list[Listener] = []


def report(counts: Counts) -> None:
    """Tell whoever listens; a listener's failure never stops the run."""
    for listener in list(_listeners):
        with contextlib.suppress(Exception):
            listener(counts)


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


@dataclass
class RunProgress:
    """The progress line for a terminal, from the counts reported."""

    started: float = field(default_factory=time.monotonic)
    counts: Counts = field(default_factory=Counts)

    def update(self, counts: Counts) -> str:
        self.counts = Counts(counts.read, counts.extracted, counts.stored, counts.fraction)
        return self.line()

    def line(self, now: float | None = None) -> str:
        c = self.counts
        elapsed = max(1e-6, (now or time.monotonic()) - self.started)
        text = (f"Building the graph: read {c.read:,}, extracted {c.extracted:,}, "
                f"stored {c.stored:,} papers")
        if not c.stored:
            return text + " ..."
        rate = c.stored / elapsed  # over the whole run: loading the model is part of it
        text += f" ({rate:,.0f} papers/s"
        if c.fraction and c.read:
            # papers in the input, estimated from the share of its bytes read so far
            total = max(c.read, round(c.read / c.fraction))
            text += f", about {_duration((total - c.stored) / rate)} left"
        return text + ")"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
