"""moto, as the local stack's AWS: a server in this process, configured to run real ASL and a
Docker-less Lambda (whose ``Invoke`` ``zdlocal.lambdas.LambdaHook`` routes to our handlers).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.config import default_user_config
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from zdlocal.serving import BackgroundServer
from zdlocal.template import REGION

MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@contextmanager
def moto_config() -> Iterator[None]:
    """Apply ``MOTO_CONFIG`` to moto's process-wide config (restored on exit)."""
    saved = {key: default_user_config.get(key) for key in MOTO_CONFIG}
    default_user_config.update(MOTO_CONFIG)  # type: ignore[typeddict-item]
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                default_user_config.pop(key, None)  # type: ignore[misc]
            else:
                default_user_config[key] = value  # type: ignore[literal-required]


class MotoServer:
    """moto's server app on a Werkzeug threaded server; ``start()`` raises ``OSError`` if the port
    is taken (moto's own ``ThreadedMotoServer`` would hang instead)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 3002) -> None:
        self.host = host
        self.port = port
        self._background = BackgroundServer()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        server = make_server(
            self.host,
            self.port,
            app,
            threaded=True,
            request_handler=_QuietMotoHandler(MotoRequestHandler),
        )
        # Step Functions' Task states build their own boto3 client on localhost:MOTO_PORT.
        os.environ["MOTO_PORT"] = str(server.server_port)
        self.port = self._background.serve(server, "moto-server")

    def stop(self) -> None:
        self._background.stop()
        # moto's backends are process-wide: forget this stack's resources so another start (a test
        # in the same process) begins empty, as a fresh moto server would.
        moto_api_backend.reset()


def _QuietMotoHandler(base: Any) -> Any:
    class Quiet(base):  # type: ignore[misc, valid-type]
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """moto's request lines would drown the stack's own log."""

    return Quiet
