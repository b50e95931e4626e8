"""A threaded HTTP server that does not print a traceback when a client goes away."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer


class QuietHTTPServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` for the loopback publishers of the demo and the tests.

    A client that disconnects mid-request (a killed worker, a closed browser) is normal there;
    every other error is still printed.
    """

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]
