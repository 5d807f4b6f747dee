"""Secrets out of everything paperkg shows or logs: messages, log files, stored sources.

A ``scheme://user:password@host`` address shows as ``scheme://***@host``, and the values of the
secrets paperkg was given through its environment (the Neo4j password, the credentials of live
sources) are replaced wherever they appear, since a library's message may quote them.
"""

from __future__ import annotations

import json
import os
import re

from schemas.text import display_safe

SOURCE_CREDENTIALS_ENV = "PAPERKG_SOURCE_CREDENTIALS"
_SECRET_ENV = ("NEO4J_PASSWORD",)
# greedy up to the authority's last "@": a password may itself hold "@"
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s?#]*@")
_MIN_SECRET_CHARS = 3  # shorter values would mask ordinary words


def known_secrets() -> list[str]:
    """Secret values this process holds in its environment, longest first."""
    found = [os.environ[name] for name in _SECRET_ENV if os.environ.get(name)]
    try:
        stored = json.loads(os.environ.get(SOURCE_CREDENTIALS_ENV) or "{}")
    except json.JSONDecodeError:
        stored = {}
    if isinstance(stored, dict):
        for value in stored.values():
            if isinstance(value, str):
                password = value.partition(":")[2]
                found += [password, value]
    return sorted({s for s in found if len(s) >= _MIN_SECRET_CHARS}, key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with credentials in addresses and known secret values masked as ``***``."""
    text = _USERINFO.sub(r"\1***@", text)
    for secret in known_secrets():
        text = text.replace(secret, "***")
    return text


def for_terminal(text: str) -> str:
    """``redact`` on one line, without the control and bidi characters a terminal acts on."""
    return " ".join(display_safe(redact(text)).split())
