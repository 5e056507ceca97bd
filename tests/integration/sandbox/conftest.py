"""Fixtures: a real SandboxServer on a free port, fresh accounts, a webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.integration.sandbox.sandbox_support import (
    Account,
    ApiClient,
    WebhookReceiver,
    new_account,
)
from zdsandbox.config import SandboxConfig
from zdsandbox.server import SandboxServer


def _start(config: SandboxConfig) -> SandboxServer:
    return SandboxServer(config).start()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    server = _start(
        SandboxConfig(port=0, webhook_retry_backoff_seconds=0.2, webhook_timeout_seconds=2.0)
    )
    yield server
    server.stop()


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., SandboxServer]]:
    """Servers with a custom config (fake clocks, limits); stopped after the test."""
    servers: list[SandboxServer] = []

    def make(**overrides: Any) -> SandboxServer:
        settings = {"port": 0, "webhook_retry_backoff_seconds": 0.2, **overrides}
        server = _start(SandboxConfig(**settings))
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=10) as http:
        yield http


@pytest.fixture
def account(sandbox: SandboxServer, client: httpx.Client) -> Account:
    return new_account(sandbox, client)


@pytest.fixture
def one_category_account(sandbox: SandboxServer, client: httpx.Client) -> Account:
    """An account with a single trigger category (reorder works there)."""
    return new_account(sandbox, client, trigger_categories=["Notifications"])


@pytest.fixture
def api(account: Account) -> ApiClient:
    return account.api("ai-agent")


DEADLINE_SECONDS = 30  # a held answer is given at the latest then


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    state = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if state.delay_seconds:
                time.sleep(state.delay_seconds)
            status = state.record({k.lower(): v for k, v in self.headers.items()}, body)
            if state.answer_when is not None:
                state.answer_when.wait(DEADLINE_SECONDS)
            payload = json.dumps({"status": "ok"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            return  # the sandbox hanging up on a slow answer (timeout tests) is expected

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/webhooks/zendesk/agent-1"
    yield state
    server.shutdown()
    server.server_close()
