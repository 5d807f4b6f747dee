"""A loopback HTTP server for live-source tests: serves fixed bodies, records each request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FeedServer:
    # path -> (content type, body)
    routes: dict[str, tuple[str, bytes]]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def url(self, path: str, userinfo: str = "") -> str:
        host = self.base.removeprefix("http://")
        return f"http://{userinfo + '@' if userinfo else ''}{host}{path}"


@contextmanager
def serve(routes: dict[str, tuple[str, bytes]]) -> Iterator[FeedServer]:
    feed = FeedServer(routes)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feed.requests.append((self.path, dict(self.headers.items())))
            route = feed.routes.get(self.path.split("?", 1)[0])
            if route is None:
                self.send_error(404, "Not Found")
                return
            content_type, body = route
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    feed.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield feed
    finally:
        server.shutdown()
        server.server_close()
