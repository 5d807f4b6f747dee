"""Where the Neo4j server is and how to log in: flags, then NEO4J_* variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from pipeline.stores.base import StoreError

URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class Neo4jSettings(BaseModel):
    """Where the Neo4j server is and how to log in. ``repr`` never shows the password."""

    model_config = ConfigDict(frozen=True)

    uri: str
    username: str = "neo4j"
    password: SecretStr = SecretStr("")
    database: str | None = None  # None: the server's default database
    connection_timeout: float = 10.0
    retry_seconds: float = 15.0  # how long execute_write keeps retrying a lost connection

    @field_validator("uri")
    @classmethod
    def _known_scheme(cls, uri: str) -> str:
        scheme = urlsplit(uri).scheme
        if scheme not in URI_SCHEMES or not urlsplit(uri).hostname:
            raise ValueError(
                f"{safe_uri(uri)!r} is not a Neo4j URI: use bolt://HOST:7687 or "
                "neo4j://HOST:7687 (neo4j+s:// for Aura)"
            )
        return uri

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        username: str | None = None,
        password: str | None = None,
        database: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Neo4jSettings:
        """Explicit values win over NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE."""
        env = os.environ if environ is None else environ
        uri = uri or env.get("NEO4J_URI")
        if not uri:
            raise StoreError("no Neo4j configured: set NEO4J_URI or pass --neo4j-uri")
        # the driver refuses user:password@ in a URI (and would quote it): log in with them
        parts = urlsplit(uri)
        uri_user = unquote(parts.username) if parts.username else None
        uri_password = unquote(parts.password) if parts.password is not None else None
        uri = safe_uri(uri)
        if password is None:
            password = uri_password if uri_password is not None else env.get("NEO4J_PASSWORD")
        try:
            return cls(
                uri=uri,
                username=username or uri_user or env.get("NEO4J_USERNAME") or "neo4j",
                password=SecretStr(password or ""),
                database=database or env.get("NEO4J_DATABASE") or None,
            )
        except ValueError as error:
            # pydantic's message would quote the input; say it in our own words, one line
            message = "; ".join(str(e["msg"]).removeprefix("Value error, ")
                                for e in getattr(error, "errors", lambda: [])())
            raise StoreError(f"NEO4J_URI {message or 'is not valid'}") from None

    @property
    def target(self) -> str:
        """The server and database, for messages (no credentials)."""
        database = f", database {self.database!r}" if self.database else ""
        return f"Neo4j at {safe_uri(self.uri)}{database}"


def safe_uri(uri: str) -> str:
    """The URI without any user:password@ part, for messages."""
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{host}{port}").geturl()
