"""The bundled sample: a real "trending papers" page of 71 abstracts (``paperkg run --sample``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE_FILE = "trending-papers.txt"


def sample_path() -> Path:
    """Where the installed sample is (``paperkg sample-path`` prints it)."""
    return Path(str(resources.files(__name__) / SAMPLE_FILE))
