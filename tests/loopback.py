"""A real HTTP server on loopback for tests: serves stored pages and scripted misbehaviour.

Routes map a path (with query string, if any) to a :class:`Route`. Anything not routed is
served from ``root`` (a directory) when given: ``/a/b/`` serves ``root/a/b/index.html``.
Every request is recorded in ``server.requests`` so tests can assert on what was asked.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from ops.quiet_server import QuietHTTPServer


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    # Called with the handler; returning a Route overrides this one (for stateful scripts).
    dynamic: Callable[[BaseHTTPRequestHandler], Route | None] | None = None
    delay: float = 0.0  # seconds before the response headers
    drip: float = 0.0  # seconds between body chunks of 1 KiB (slow bodies)
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since matches
    gzip: bool = False
    drop_after: int | None = None  # close the connection after this many body bytes


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    time: float


class LoopbackServer:
    def __init__(self, root: Path | None = None, *, port: int = 0) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: list[Recorded] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                server.requests.append(
                    Recorded(self.command, self.path, dict(self.headers.items()), time.monotonic())
                )
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    route = server.static(self.path)
                if route.dynamic is not None:
                    route = route.dynamic(self) or route
                server.respond(self, route)

        self.httpd = QuietHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> LoopbackServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def static(self, path: str) -> Route:
        if self.root is None:
            return Route(body=b"not found", status=404, content_type="text/plain")
        clean = path.split("?")[0].lstrip("/")
        target = (self.root / clean).resolve()
        if not str(target).startswith(str(self.root.resolve())):
            return Route(body=b"forbidden", status=403, content_type="text/plain")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return Route(body=b"not found", status=404, content_type="text/plain")
        content_type = {
            ".xml": "application/xml",
            ".txt": "text/plain; charset=utf-8",
            ".json": "application/json",
        }.get(target.suffix, "text/html; charset=utf-8")
        return Route(body=target.read_bytes(), content_type=content_type)

    def respond(self, handler: BaseHTTPRequestHandler, route: Route) -> None:
        if route.delay:
            time.sleep(route.delay)
        if route.etag and handler.headers.get("If-None-Match") == route.etag:
            self._not_modified(handler, route)
            return
        if route.last_modified and handler.headers.get("If-Modified-Since") == route.last_modified:
            self._not_modified(handler, route)
            return
        body = route.body.encode() if isinstance(route.body, str) else route.body
        if route.gzip:
            body = gzip.compress(body)
        handler.send_response(route.status)
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(body)))
        if route.gzip:
            handler.send_header("Content-Encoding", "gzip")
        if route.etag:
            handler.send_header("ETag", route.etag)
        if route.last_modified:
            handler.send_header("Last-Modified", route.last_modified)
        for name, value in route.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command == "HEAD":
            return
        try:
            if route.drop_after is not None:
                handler.wfile.write(body[: route.drop_after])
                handler.wfile.flush()
                handler.close_connection = True
                handler.connection.shutdown(2)
                return
            if route.drip:
                for start in range(0, len(body), 1024):
                    handler.wfile.write(body[start : start + 1024])
                    handler.wfile.flush()
                    time.sleep(route.drip)
            else:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            handler.close_connection = True

    def _not_modified(self, handler: BaseHTTPRequestHandler, route: Route) -> None:
        handler.send_response(304)
        if route.etag:
            handler.send_header("ETag", route.etag)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


def serve(root: Path | None = None) -> Iterator[LoopbackServer]:
    """Generator for pytest fixtures: ``yield from serve(root)``."""
    server = LoopbackServer(root).start()
    try:
        yield server
    finally:
        server.stop()
