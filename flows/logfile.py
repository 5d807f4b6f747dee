"""The formatter of paperkg's Prefect log file (``flows/logging.yml``): Prefect's own, with
secrets masked, since a traceback can quote an address with ``user:password@`` or a value
from paperkg's environment (``pipeline.redact``)."""

from __future__ import annotations

import logging

from prefect.logging.formatters import PrefectFormatter

from pipeline.redact import redact


class RedactingFormatter(PrefectFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
