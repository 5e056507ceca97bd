"""The server's lifecycle and delivery timeouts: ports are released, slow endpoints time out."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx

from tests.integration.sandbox.sandbox_support import (
    WebhookReceiver,
    create_trigger,
    create_webhook,
    default_trigger,
    new_account,
    wait_until,
)
from zdsandbox.config import SandboxConfig
from zdsandbox.server import SandboxServer


def test_start_serves_on_a_free_port_and_stop_releases_it() -> None:
    server = SandboxServer(SandboxConfig(port=0)).start()
    port = server.port
    assert server.url == f"http://127.0.0.1:{port}"
    assert httpx.get(f"{server.url}/acme/api/v2/users/me").status_code == 401
    server.stop()
    with socket.socket() as probe:
        # as a server would bind it: TIME_WAIT from the closed connections does not count
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_unknown_account_and_bad_json(make_sandbox: Callable[..., SandboxServer]) -> None:
    server = make_sandbox()
    with httpx.Client(base_url=server.url) as http:
        missing = http.get("/nosuch/api/v2/users/me")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/html")
        assert "Help Center Closed" in missing.text  # no account there, not an API answer
        control = http.get("/nosuch/_sandbox/account")
        assert control.json() == {"error": "RecordNotFound", "description": "Not found"}
        bad = http.post(
            "/acme/_sandbox/emails",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        assert bad.status_code == 400
        assert bad.json()["error"] == "InvalidJSON"


def test_slow_endpoint_times_out_and_is_retried(
    make_sandbox: Callable[..., SandboxServer], receiver: WebhookReceiver
) -> None:
    server = make_sandbox(
        webhook_timeout_seconds=0.3, webhook_retries=1, webhook_retry_backoff_seconds=0.05
    )
    receiver.delay_seconds = 0.6
    with httpx.Client(base_url=server.url) as http:
        account = new_account(server, http)
        api = account.api("admin")
        webhook = create_webhook(api, receiver.url)
        create_trigger(api, default_trigger(account, webhook["id"]))
        account.email("is anybody there?")
        failed = wait_until(
            lambda: [d for d in account.deliveries() if d["status"] == "failed"], timeout=10
        )
        assert [a["error"] for a in failed[0]["attempt_log"]] == ["timeout", "timeout"]
        assert failed[0]["status_code"] is None
