"""A loopback HTTP server for live-source tests: serves fixed bodies, records each request.

Besides ``routes``, a path can be a redirect (``redirects``: path -> Location, answered 302)
or a trickle (``trickles``: path -> "body" sends the headers and then one body byte a second,
"headers" the status line and then one header byte a second), until the client goes away or
the server stops. With ``tls`` (a certificate and its key, PEM files) it speaks HTTPS.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class FeedServer:
    # path -> (content type, body)
    routes: dict[str, tuple[str, bytes]]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""
    redirects: dict[str, str] = field(default_factory=dict)
    trickles: dict[str, str] = field(default_factory=dict)
    stopped: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, userinfo: str = "") -> str:
        scheme, host = self.base.split("://", 1)
        return f"{scheme}://{userinfo + '@' if userinfo else ''}{host}{path}"


@contextmanager
def serve(
    routes: dict[str, tuple[str, bytes]],
    redirects: dict[str, str] | None = None,
    trickles: dict[str, str] | None = None,
    tls: tuple[Path, Path] | None = None,
) -> Iterator[FeedServer]:
    feed = FeedServer(routes, redirects=dict(redirects or {}), trickles=dict(trickles or {}))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feed.requests.append((self.path, dict(self.headers.items())))
            where = self.path.split("?", 1)[0]
            if where in feed.redirects:
                self.send_response(302)
                self.send_header("Location", feed.redirects[where])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if where in feed.trickles:
                self._trickle(feed.trickles[where])
                return
            route = feed.routes.get(where)
            if route is None:
                self.send_error(404, "Not Found")
                return
            content_type, body = route
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _trickle(self, part: str) -> None:
            if part == "body":
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.end_headers()
                chunks = b"<feed" + b" " * 10**6
            else:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                chunks = b"X-Slow: " + b"x" * 10**6
            try:
                for byte in chunks:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    if feed.stopped.wait(1.0):
                        return
            except OSError:  # the client gave up
                return

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    feed.base = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield feed
    finally:
        feed.stopped.set()
        server.shutdown()
        server.server_close()


def authorizations(requests: list[tuple[str, dict[str, str]]]) -> list[str | None]:
    """The Authorization header of each recorded request (None where it had none)."""
    return [headers.get("Authorization") for _, headers in requests]
