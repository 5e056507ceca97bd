"""The local stack over HTTP, as ``make run`` starts it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def _request(
    method: str, url: str, token: str | None = None, body: Any = None
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_ready_line_names_the_three_urls(local_stack: Any) -> None:
    api, sandbox, aws, *_ = local_stack.ports
    assert local_stack.api_url == f"http://127.0.0.1:{api}"
    assert local_stack.console_url == f"http://127.0.0.1:{api}/console"
    assert local_stack.sandbox_url == f"http://127.0.0.1:{sandbox}"
    assert local_stack.aws_url == f"http://127.0.0.1:{aws}"


def test_health(local_stack: Any) -> None:
    status, _, body = _request("GET", f"{local_stack.api_url}/health")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_admin_route_without_token_is_401(local_stack: Any) -> None:
    status, _, body = _request("POST", f"{local_stack.api_url}/agents", body={"name": "x"})
    assert status == 401
    assert json.loads(body) == {"message": "Unauthorized"}
    status, _, _ = _request(
        "GET", f"{local_stack.api_url}/agents/agt_1", token="not-the-admin-token"
    )
    assert status == 401


def test_unknown_route_is_404(local_stack: Any) -> None:
    status, _, body = _request("GET", f"{local_stack.api_url}/no/such/route")
    assert status == 404
    assert json.loads(body) == {"message": "Not Found"}


def test_console_page(local_stack: Any) -> None:
    status, headers, body = _request("GET", local_stack.console_url)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert b"Zendesk AI email agent console" in body


def test_sandbox_answers_for_the_seeded_account(local_stack: Any) -> None:
    status, _, body = _request("GET", f"{local_stack.sandbox_url}/acme/_sandbox/oauth_tokens")
    assert status == 200, body
    json.loads(body)


def test_moto_answers_with_the_template_resources(local_stack: Any) -> None:
    sqs = boto3.client(
        "sqs",
        endpoint_url=local_stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    urls = sqs.list_queues()["QueueUrls"]
    assert any(url.endswith("/zdagent-local-ReplyQueue") for url in urls)


def test_stdout_carries_only_startup_facts_and_the_ready_line(local_stack: Any) -> None:
    _request("GET", f"{local_stack.api_url}/health")
    assert local_stack.stdout_lines[-1].startswith("ready: ")
    assert not [line for line in local_stack.stdout_lines if line.startswith("{")]


def test_ctrl_c_stops_everything_and_frees_the_ports(
    stack_starter: Callable[[], Any],
) -> None:
    stack = stack_starter()
    status, _, _ = _request("GET", f"{stack.api_url}/health")
    assert status == 200
    assert stack.bound_ports()  # the API (and moto) listen while it runs
    assert stack.stop() == 0
    assert stack.bound_ports() == []


def test_port_in_use_is_one_sentence_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "API_PORT": str(port),
            "PYTHONPATH": os.pathsep.join(
                [str(REPO_ROOT / "local"), str(REPO_ROOT / "layers" / "shared")]
            ),
        }
        env.pop("AWS_ENDPOINT_URL", None)
        env["LOCAL_STATE_DIR"] = ""  # keeps nothing (never the developer's .local-state)
        completed = subprocess.run(
            [sys.executable, "-m", "zdlocal.stack"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines()[-1] == (
        f"port {port} (API_PORT) is in use: stop what uses it or set API_PORT to a free port"
    )
    assert "ready:" not in completed.stdout
