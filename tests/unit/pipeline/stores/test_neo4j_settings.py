"""Neo4j connection settings (pipeline.stores.neo4j.settings), without a server; the store against a
real Neo4j is tests/integration/neo4j/test_neo4j_store.py."""

from __future__ import annotations

import pytest

from pipeline.stores.base import StoreError
from pipeline.stores.neo4j.settings import Neo4jSettings

SECRET = "s3cret-Pa55word-for-tests"


def test_settings_read_env_and_never_show_the_password() -> None:
    env = {"NEO4J_URI": "neo4j+s://abc.databases.neo4j.io", "NEO4J_USERNAME": "reader",
           "NEO4J_PASSWORD": SECRET, "NEO4J_DATABASE": "papers"}
    settings = Neo4jSettings.from_env(environ=env)
    assert (settings.uri, settings.username, settings.database) == (
        env["NEO4J_URI"], "reader", "papers")
    assert settings.password.get_secret_value() == SECRET
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    explicit = Neo4jSettings.from_env(uri="bolt://h:7687", password="x" * 8, environ=env)
    assert explicit.uri == "bolt://h:7687" and explicit.username == "reader"
    with pytest.raises(StoreError, match="not a Neo4j URI"):
        Neo4jSettings.from_env(uri="http://localhost:7474", environ=env)
    with pytest.raises(StoreError, match="set NEO4J_URI"):
        Neo4jSettings.from_env(environ={})
