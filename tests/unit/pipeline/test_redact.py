"""Secrets never shown: credentials in addresses and known secret values are masked."""

from __future__ import annotations

import json

import pytest

from pipeline.redact import SOURCE_CREDENTIALS_ENV, for_terminal, redact


def test_credentials_in_any_address_are_masked() -> None:
    text = ("cannot reach bolt://neo4j:pa@ss@db:7687 or https://u:p@feed.example/x?a=b "
            "(given 'neo4j+s://admin:hunter2@aura.io')")
    assert redact(text) == ("cannot reach bolt://***@db:7687 or https://***@feed.example/x?a=b "
                            "(given 'neo4j+s://***@aura.io')")


def test_an_address_without_credentials_is_left_alone() -> None:
    text = "http://127.0.0.1:8000/feed.atom?user=me@example.org"
    assert redact(text) == text


def test_known_secret_values_are_masked_wherever_they_appear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cr3t-pw")
    monkeypatch.setenv(SOURCE_CREDENTIALS_ENV,
                       json.dumps({"http://feed:80": "reader:feed-pass"}))
    text = "auth failed for password s3cr3t-pw; header reader:feed-pass; also feed-pass"
    assert redact(text) == "auth failed for password ***; header ***; also ***"


def test_for_terminal_is_one_line_without_control_sequences() -> None:
    assert for_terminal("file\x1b[31m.txt:\n3: bad \u202eexe") == "file[31m.txt: 3: bad exe"
