"""The disconnect API function (sample events in events/disconnect/) starting the real workflow,
and the task function's input validation (events/disconnect_tasks/)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.workflow.workflow_support import Connected, connect
from zdagent.core.errors import ValidationFailedError
from zdlocal.lambdas import FunctionRuntime
from zdsandbox.server import SandboxServer

EVENTS = Path(__file__).resolve().parents[2] / "events"


def _event(name: str, agent_id: str, body: Any = None) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "disconnect" / name).read_text())
    text = json.dumps(event).replace("agt_example", agent_id)
    event = json.loads(text)
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def _call(functions: FunctionRuntime, event: dict[str, Any]) -> tuple[int, Any, str]:
    answer = functions.invoke("DisconnectFunction", event)
    body = json.loads(answer["body"]) if answer.get("body") else None
    return answer["statusCode"], body, answer["headers"].get("Content-Type", "")


def _status_until_done(functions: FunctionRuntime, agent_id: str, deadline: float = 60) -> Any:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        status, body, _ = _call(functions, _event("status.json", agent_id))
        assert status == 200, body
        if body["status"] != "running":
            return body
        time.sleep(0.05)
    raise AssertionError(f"disconnect still running after {deadline}s")


@pytest.fixture
def connected(aws: Any, sandbox: SandboxServer, subdomain: str) -> Connected:
    return connect(sandbox, subdomain)


def test_post_starts_and_get_reports_each_step(
    functions: FunctionRuntime, connected: Connected
) -> None:
    status, body, _ = _call(functions, _event("status.json", connected.agent_id))
    assert status == 404
    assert "POST /agents/" in body["detail"]

    status, body, _ = _call(functions, _event("start.json", connected.agent_id))
    assert status == 202, body
    disconnect_id = body["disconnect_id"]
    assert isinstance(disconnect_id, str)
    assert disconnect_id

    done = _status_until_done(functions, connected.agent_id)
    assert done["status"] == "succeeded"
    assert done["disconnect_id"] == disconnect_id
    assert [(s["name"], s["status"]) for s in done["steps"]] == [
        ("engine_off", "succeeded"),
        ("deactivate_trigger", "succeeded"),
        ("delete_trigger_and_webhook", "succeeded"),
        ("revoke_authorization", "succeeded"),
        ("remove_integration", "succeeded"),
    ]
    assert all("error" not in s for s in done["steps"])

    # the integration is gone: nothing left to disconnect
    status, body, content_type = _call(functions, _event("start.json", connected.agent_id))
    assert status == 404
    assert content_type == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [{"remove_integration": "yes"}, {"remove_integration": True, "force": True}, "[1]"],
    ids=["not-a-bool", "unknown-field", "not-an-object"],
)
def test_post_rejects_bad_bodies_with_422(
    functions: FunctionRuntime, connected: Connected, body: Any
) -> None:
    status, problem, content_type = _call(functions, _event("start.json", connected.agent_id, body))
    assert status == 422, problem
    assert content_type == "application/problem+json"


def test_post_without_body_disconnects_and_keeps_the_integration(
    functions: FunctionRuntime, connected: Connected
) -> None:
    event = _event("start.json", connected.agent_id)
    del event["body"]
    status, body, _ = _call(functions, event)
    assert status == 202, body
    done = _status_until_done(functions, connected.agent_id)
    assert done["remove_integration"] is False
    assert [s["name"] for s in done["steps"]] == [
        "engine_off",
        "deactivate_trigger",
        "revoke_authorization",
    ]
    assert done["status"] == "succeeded"


def test_post_for_an_agent_without_integration_is_404(functions: FunctionRuntime, aws: Any) -> None:
    status, body, _ = _call(functions, _event("start.json", "agt_unknown"))
    assert status == 404
    assert body["type"].endswith("integration_not_found")


def test_task_function_refuses_an_unknown_step(functions: FunctionRuntime, aws: Any) -> None:
    event = json.loads((EVENTS / "disconnect_tasks" / "engine_off.json").read_text())
    event["step"] = "format_disk"
    with pytest.raises(ValidationFailedError):
        functions.invoke("DisconnectTasksFunction", event)
