"""The progress line a terminal shows during a run (flows.progress)."""

from __future__ import annotations

from flows.progress import Counts, RunProgress, listening, report


def test_the_line_has_counts_rate_and_time_left_when_the_share_read_is_known() -> None:
    progress = RunProgress(started=100.0)
    progress.update(Counts(read=4000, extracted=3000, stored=2000, fraction=0.5))
    line = progress.line(now=110.0)  # 2,000 stored in 10 s; ~8,000 in the input
    assert line == ("Building the graph: read 4,000, extracted 3,000, stored 2,000 papers "
                    "(200 papers/s, about 30 s left)")


def test_without_a_share_read_or_anything_stored_there_is_no_estimate() -> None:
    progress = RunProgress(started=0.0)
    progress.update(Counts(read=1000))
    assert progress.line(now=5.0).endswith("stored 0 papers ...")
    progress.update(Counts(read=1000, extracted=1000, stored=1000, fraction=None))
    assert progress.line(now=500.0).endswith("(2 papers/s)")


def test_reports_reach_listeners_and_a_failing_listener_stops_nothing() -> None:
    seen: list[int] = []

    def broken(counts: Counts) -> None:
        raise RuntimeError("display gone")

    with listening(broken), listening(lambda c: seen.append(c.stored)):
        report(Counts(stored=5))
    report(Counts(stored=6))  # nobody listens any more
    assert seen == [5]
