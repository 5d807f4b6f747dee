"""Benchmarks (see docs/benchmarks.md). A package so that ``python -m bench.NAME`` runs one and
tests/unit/bench can import the harness logic; not installed with paperkg."""
