"""A threaded HTTP server around the sandbox app, for the local stack and tests."""

from __future__ import annotations

import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from zdsandbox.app import SandboxApp, create_app
from zdsandbox.config import SandboxConfig


class _QuietHandler(WSGIRequestHandler):
    """Keeps request lines out of test output; the foreground runner uses the default."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class SandboxServer:
    """Serves the sandbox on ``config.host``:``config.port`` (0 picks a free port)."""

    def __init__(self, config: SandboxConfig | None = None, *, quiet: bool = True) -> None:
        self.config = config or SandboxConfig()
        self.app: SandboxApp = create_app(self.config)
        self._quiet = quiet
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox server is not started")
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    def start(self) -> SandboxServer:
        self._bind()
        assert self._server is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="zdsandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Foreground mode (``python -m zdsandbox``)."""
        self._bind()
        assert self._server is not None
        try:
            self._server.serve_forever()
        finally:
            self.stop()

    def _bind(self) -> None:
        handler = _QuietHandler if self._quiet else WSGIRequestHandler
        self._server = make_server(
            self.config.host, self.config.port, self.app, threaded=True, request_handler=handler
        )

    def stop(self) -> None:
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join(5)
                self._thread = None
            self._server.server_close()
            self._server = None
        self.app.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
