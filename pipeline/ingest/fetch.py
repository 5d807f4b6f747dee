"""Fetch live sources: one bounded HTTP(S) GET per ``http://`` / ``https://`` input address.

This is paperkg's only network use. Each fetch is bounded three ways: ``FETCH_TIMEOUT_S`` per
socket operation (connect, each read), ``FETCH_DEADLINE_S`` for the whole exchange (redirects,
headers and body; ``PAPERKG_FETCH_DEADLINE_S`` overrides it) and ``FETCH_MAX_BYTES`` of body.

Credentials (HTTP Basic) are given either in the address (``https://user:password@host/...``)
or out of band, per origin, in the environment variable ``PAPERKG_SOURCE_CREDENTIALS``: a JSON
object ``{"https://host": "user:password"}``. The CLI moves any ``user:password@`` of its
inputs there (``stash_credentials``), so the addresses it hands to Prefect, which stores flow
parameters, are clean, while the flow, in this process or in a child process that inherits the
environment, still authenticates. Credentials are only ever sent to the origin (scheme, host,
port) they were given for: a redirect to the same origin keeps them, a redirect to another
origin is followed without them and says so in a note. No message, label or note holds them.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import Message
from typing import IO
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlsplit, urlunsplit
from urllib.request import (
    HTTPDefaultErrorHandler,
    HTTPErrorProcessor,
    HTTPHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    OpenerDirector,
    ProxyHandler,
    Request,
    UnknownHandler,
)

__all__ = [
    "CREDENTIALS_ENV",
    "DEADLINE_ENV",
    "FETCH_DEADLINE_S",
    "FETCH_MAX_BYTES",
    "FETCH_TIMEOUT_S",
    "FetchError",
    "Fetched",
    "fetch",
    "is_url",
    "origin",
    "split_credentials",
    "stash_credentials",
]

FETCH_TIMEOUT_S = 30.0
FETCH_DEADLINE_S = 60.0
FETCH_MAX_BYTES = 64 * 1024 * 1024
CREDENTIALS_ENV = "PAPERKG_SOURCE_CREDENTIALS"
DEADLINE_ENV = "PAPERKG_FETCH_DEADLINE_S"
USER_AGENT = "paperkg/0.1"
_CHUNK_BYTES = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_REDIRECTS = HTTPRedirectHandler.max_redirections


class FetchError(Exception):
    """An address that could not be fetched; the message is one line, without credentials."""


class _Expired(Exception):
    """The deadline passed; ``fetch`` turns it into its one-line ``FetchError``."""


@dataclass(frozen=True)
class Fetched:
    """The body of one address, with the label to show for it (the address without
    credentials), the response's media type (``text/plain`` when it names none) and notes for
    the user (a redirect that dropped the credentials)."""

    label: str
    data: bytes
    content_type: str
    notes: list[str] = field(default_factory=list)


def is_url(source: object) -> bool:
    """True for an ``http://`` or ``https://`` address (a live source), False for a path."""
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url``, lower-case and with the default port written out,
    so that equal origins compare equal. ``FetchError`` for an address without a host or with
    a bad port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        raise FetchError(f"{_clean(url)}: bad port in the address") from None
    host = parts.hostname
    if not host or port is None:
        raise FetchError(f"{_clean(url)}: not an http(s) address with a host")
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def split_credentials(url: str) -> tuple[str, str | None]:
    """(the address without ``user:password@``, ``"user:password"`` decoded, or None)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    return _clean(url), f"{unquote(parts.username)}:{unquote(parts.password or '')}"


def stash_credentials(sources: Sequence[str]) -> list[str]:
    """``sources`` with the ``user:password@`` of each address moved into this process's
    ``PAPERKG_SOURCE_CREDENTIALS`` (merged with what it already holds), keyed by origin.

    Child processes inherit it; flow parameters, logs and outputs only see the clean address.
    ``FetchError`` when one origin is given two different credentials (which would be sent is
    ambiguous) or the variable does not hold a JSON object."""
    store = _stored_credentials()
    given: dict[str, str] = {}
    clean: list[str] = []
    for source in sources:
        if not is_url(source):
            clean.append(source)
            continue
        address, credentials = split_credentials(source)
        clean.append(address)
        if credentials is None:
            continue
        key = origin(address)
        if given.get(key, credentials) != credentials:
            raise FetchError(f"{address}: other credentials were given for {key} before")
        given[key] = store[key] = credentials
    if given:
        os.environ[CREDENTIALS_ENV] = json.dumps(store)
    return clean


def fetch(url: str, *, deadline_s: float | None = None) -> Fetched:
    """GET ``url`` within ``deadline_s`` (default ``PAPERKG_FETCH_DEADLINE_S``, else
    ``FETCH_DEADLINE_S``) seconds in all; ``FetchError`` with a one-line reason otherwise."""
    label, credentials = split_credentials(url)
    home = origin(label)
    if credentials is None:
        credentials = _stored_credentials().get(home)
    seconds = _deadline_seconds() if deadline_s is None else deadline_s
    watch = _Deadline(seconds)
    auth = _Auth(home, credentials, label)
    request = Request(label, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    auth.apply(request)
    opener = _opener(watch, auth)
    try:
        with watch:
            data, content_type = _get(opener, request, watch, label)
    except FetchError:
        raise
    except Exception as exc:  # urllib, http.client, ssl and socket errors alike
        # once the deadline has cut the socket, whatever the read then raised is a symptom
        if watch.expired:
            raise FetchError(_late(label, seconds)) from None
        raise FetchError(_reason(label, exc)) from None
    if watch.expired:  # the cut socket may also end a body early without an error
        raise FetchError(_late(label, seconds))
    return Fetched(label=label, data=data, content_type=content_type, notes=auth.notes)


# ---------------------------------------------------------------------------


def _clean(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _stored_credentials() -> dict[str, str]:
    raw = os.environ.get(CREDENTIALS_ENV, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        # never echo the value: it holds passwords
        raise FetchError(f"{CREDENTIALS_ENV} is not a JSON object "
                         '{"https://host": "user:password", ...}')
    # keys written by hand may omit the default port or use capitals
    return {origin(key): credentials for key, credentials in value.items()}


def _deadline_seconds() -> float:
    raw = os.environ.get(DEADLINE_ENV, "").strip()
    if not raw:
        return FETCH_DEADLINE_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise FetchError(f"{DEADLINE_ENV}={raw!r} is not a positive number of seconds")
    return seconds


def _late(label: str, seconds: float) -> str:
    return f"{label}: no complete response within {seconds:g} s"


def _reason(label: str, exc: BaseException) -> str:
    if isinstance(exc, HTTPError):
        reason = str(exc.reason)
        if 300 <= exc.code < 400 and "infinite loop" in reason:
            return f"{label}: too many redirects (a loop, or more than {_MAX_REDIRECTS})"
        return f"{label}: HTTP {exc.code} {' '.join(reason.split())}"
    if isinstance(exc, URLError):
        return f"{label}: cannot fetch: {exc.reason}"
    if isinstance(exc, http.client.IncompleteRead):
        return f"{label}: cannot fetch: the response ended early"
    return f"{label}: cannot fetch: {exc or type(exc).__name__}"


def _get(
    opener: OpenerDirector, request: Request, watch: _Deadline, label: str
) -> tuple[bytes, str]:
    timeout = min(FETCH_TIMEOUT_S, watch.remaining())
    with opener.open(request, timeout=timeout) as response:
        content_type = response.headers.get_content_type()
        chunks: list[bytes] = []
        size = 0
        while not watch.expired:
            # small reads, so the clock is looked at between them; the timer covers one read
            # that blocks
            chunk = response.read1(_CHUNK_BYTES)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > FETCH_MAX_BYTES:
                raise FetchError(f"{label}: larger than {FETCH_MAX_BYTES // 2**20} MiB")
    return b"".join(chunks), content_type


class _Deadline:
    """The overall deadline of one fetch. Socket timeouts only bound each read, so a server
    that trickles a byte at a time could hold a fetch forever; at the deadline a timer shuts
    the current socket down, which ends a read blocked on it in any phase (headers, body, a
    redirect's response)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        left = self.expires_at - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise _Expired
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if self.expired:
                _cut(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _cut(self._sock)


def _cut(sock: socket.socket) -> None:
    # the plain socket's shutdown even for TLS: SSLSocket.shutdown would also drop its TLS
    # state under a thread that is reading with it
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Auth:
    """Basic credentials for one origin, and the notes about redirects that left it."""

    def __init__(self, home: str, credentials: str | None, label: str) -> None:
        self.home = home
        self.label = label
        self.notes: list[str] = []
        self._header = (
            None if credentials is None
            else "Basic " + base64.b64encode(credentials.encode()).decode("ascii")
        )

    def apply(self, request: Request) -> None:
        # unredirected: urllib drops it on every redirect; redirect_request puts it back only
        # for the same origin
        if self._header is not None and self._home_of(request.full_url):
            request.add_unredirected_header("Authorization", self._header)

    def redirected(self, target: str) -> None:
        if self._header is None or self.notes or self._home_of(target):
            return
        parts = urlsplit(target)
        # a redirect target's query often holds a signed token: the note shows where, not it
        shown = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
        self.notes.append(f"{self.label} redirected to {shown} (another origin): "
                          "credentials not sent")

    def _home_of(self, url: str) -> bool:
        try:
            return origin(url) == self.home
        except FetchError:  # a redirect to an odd address is no place for credentials
            return False


def _opener(watch: _Deadline, auth: _Auth) -> OpenerDirector:
    """An opener for http(s) only (no ftp/file/data, even as a redirect target) whose
    connections report their sockets to ``watch`` and whose redirects go through ``auth``."""

    class WatchedHTTPConnection(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            watch.watch(self.sock)

    class WatchedHTTPSConnection(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()  # TCP, a proxy's CONNECT tunnel, then TLS
            watch.watch(self.sock)

    class WatchedHTTP(HTTPHandler):
        def http_open(self, req: Request) -> http.client.HTTPResponse:
            return self.do_open(WatchedHTTPConnection, req)

    class WatchedHTTPS(HTTPSHandler):
        def https_open(self, req: Request) -> http.client.HTTPResponse:
            return self.do_open(WatchedHTTPSConnection, req,
                                context=self._context)  # type: ignore[attr-defined]

    class SameOriginRedirects(HTTPRedirectHandler):
        def redirect_request(
            self, req: Request, fp: IO[bytes], code: int, msg: str, headers: Message,
            newurl: str,
        ) -> Request | None:
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            if new is not None:
                watch.remaining()  # no new connection once the time is up
                auth.redirected(new.full_url)
                auth.apply(new)
            return new

    opener = OpenerDirector()
    for handler in (ProxyHandler(), UnknownHandler(), WatchedHTTP(), WatchedHTTPS(),
                    HTTPDefaultErrorHandler(), SameOriginRedirects(), HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener
