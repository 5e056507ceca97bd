"""A Werkzeug server serving in a daemon thread: the API, moto and the Bedrock emulator all run
this way."""

from __future__ import annotations

import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler


class QuietRequestHandler(WSGIRequestHandler):
    """Keeps Werkzeug's request lines out of the output (the server logs what matters itself)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class BackgroundServer:
    def __init__(self) -> None:
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def serve(self, server: BaseWSGIServer, name: str, *, poll_interval: float = 0.5) -> int:
        """Serve ``server`` (already bound) in a thread; returns the port it is bound to.
        ``poll_interval``: how often the loop checks for ``stop`` (seconds)."""
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(poll_interval,), name=name, daemon=True
        )
        self._thread.start()
        return int(server.server_port)

    def stop(self) -> None:
        """Shut down, release the port, and wait for the thread (bounded)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
