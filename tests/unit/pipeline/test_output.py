"""The output folder: files swapped in whole, one writer at a time, leftovers of killed runs
removed. Kills and lock contention are real: other processes, real signals, real OS locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from filelock import Timeout

from pipeline.output import atomic_write_text, atomic_writer, locked_output, remove_stale

PYTHON = sys.executable


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    target.write_text("old map")
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write("half a new ma")
        raise RuntimeError("export failed")
    assert target.read_text() == "old map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_a_finished_write_replaces_the_file_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    atomic_write_text(target, "{}\n")
    assert target.read_text() == "{}\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_kill_mid_write_leaves_the_old_file_whole_and_the_next_writer_cleans_up(
    tmp_path: Path,
) -> None:
    target = tmp_path / "map.html"
    target.write_text("the old map, whole")
    writer = subprocess.Popen(
        [PYTHON, "-c", textwrap.dedent(f"""
            import sys, time
            from pipeline.output import atomic_writer
            with atomic_writer({str(target)!r}) as handle:
                handle.write("x" * 100_000)
                handle.flush()
                print("writing", flush=True)
                time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        writer.kill()
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".paperkg-map.html.")
    assert target.read_text() == "the old map, whole"

    with locked_output(tmp_path):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".paperkg.lock", "map.html"]


def test_only_paperkgs_own_temporaries_are_removed(tmp_path: Path) -> None:
    mine = [".paperkg-graph.graphml.abc.part", ".graph-x1y2.graphml", "rejects.jsonl.tmp"]
    theirs = ["notes.tmp", "graph.graphml", ".paperkg-notes.txt", "data.part"]
    for name in mine + theirs:
        (tmp_path / name).write_text("x")
    removed = remove_stale(tmp_path)
    assert sorted(p.name for p in removed) == sorted(mine)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(theirs)


def test_a_second_writer_waits_for_the_first_and_is_told(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [PYTHON, "-c", textwrap.dedent(f"""
            import time
            from pipeline.output import locked_output
            from pathlib import Path
            with locked_output({str(tmp_path)!r}):
                print("holding", flush=True)
                time.sleep(2)
                Path({str(tmp_path / "first-done")!r}).write_text("x")
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        told = threading.Event()
        started = time.monotonic()
        with locked_output(tmp_path, on_wait=told.set):
            waited = time.monotonic() - started
            assert (tmp_path / "first-done").exists()  # the first writer had finished
        assert told.is_set()
        assert waited > 0.5
    finally:
        holder.kill()


def test_a_lock_held_by_a_killed_process_is_free_at_once(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [PYTHON, "-c", textwrap.dedent(f"""
            import time
            from pipeline.output import locked_output
            with locked_output({str(tmp_path)!r}):
                print("holding", flush=True)
                time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    with pytest.raises(Timeout), locked_output(tmp_path, timeout=0.2):
        pass
    holder.kill()
    holder.wait(timeout=10)
    with locked_output(tmp_path, timeout=5):
        pass
