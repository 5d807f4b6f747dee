"""Loads the shared fixtures (tests/support) and marks the integration tests.

``tests/unit`` is fast and needs no server, no browser and no ``paperkg`` subprocess;
``tests/integration`` holds the rest (Prefect, Neo4j, headless Chromium, the command as a
process) and every test there is marked ``integration``: ``pytest tests/unit`` and
``pytest -m "not integration"`` both run the fast part.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# helpers in tests/support get pytest's assertion messages, as test modules do
pytest.register_assert_rewrite("tests.support")

pytest_plugins = ["tests.support.browser", "tests.support.cli", "tests.support.neo4j_fixtures"]

INTEGRATION = Path(__file__).resolve().parent / "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION in item.path.parents:
            item.add_marker(pytest.mark.integration)
