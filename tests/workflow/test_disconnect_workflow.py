"""The disconnect state machine, run by moto's ASL interpreter with the real task handlers against
the Zendesk sandbox: happy paths, Step Functions' Retry on our error names, a step that fails for
good (and the re-run that resumes), a trigger deleted by hand in Zendesk."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflow.workflow_support import (
    Connected,
    connect,
    entered_states,
    history_events,
    wait_for_execution,
)
from zdagent.core.errors import IntegrationNotFoundError, OperationRunningError
from zdagent.domain.disconnect import DisconnectRun
from zdagent.services import disconnect, integration
from zdagent.services.context import default_context
from zdlocal.template import ResourceMap
from zdsandbox.server import SandboxServer

KEEP = ["engine_off", "deactivate_trigger", "revoke_authorization"]
REMOVE = [
    "engine_off",
    "deactivate_trigger",
    "delete_trigger_and_webhook",
    "revoke_authorization",
    "remove_integration",
]


def _disconnect(agent_id: str, remove: bool) -> tuple[DisconnectRun, dict[str, Any]]:
    """Start through the use case the API calls; wait for the execution; the recorded run."""
    ctx = default_context()
    started = disconnect.start_disconnect(
        ctx, agent_id, disconnect.StartDisconnectRequest(remove_integration=remove)
    )
    assert started.execution_arn
    execution = wait_for_execution(started.execution_arn)
    return disconnect.disconnect_status(ctx, agent_id), execution


def _steps(run: DisconnectRun) -> list[tuple[str, str]]:
    return [(s.name, s.status) for s in run.steps]


def _task_attempts(execution_arn: str, state: str) -> int:
    """How many times the execution scheduled the task Lambda for ``state``."""
    events = history_events(execution_arn)
    current: str | None = None
    count = 0
    for event in events:
        if "stateEnteredEventDetails" in event:
            current = event["stateEnteredEventDetails"]["name"]
        if event["type"] == "TaskScheduled" and current == state:
            count += 1
    return count


@pytest.fixture
def connected(aws: ResourceMap, sandbox: SandboxServer, subdomain: str) -> Connected:
    return connect(sandbox, subdomain)


def _trigger_in_zendesk(agent: Connected, trigger_id: int) -> dict[str, Any] | None:
    answer = agent.as_admin("GET", f"/api/v2/triggers/{trigger_id}.json")
    if answer.status_code == 404:
        return None
    assert answer.status_code == 200, answer.text
    trigger: dict[str, Any] = answer.json()["trigger"]
    return trigger


def _webhook_in_zendesk(agent: Connected, webhook_id: str) -> dict[str, Any] | None:
    answer = agent.as_admin("GET", f"/api/v2/webhooks/{webhook_id}")
    if answer.status_code == 404:
        return None
    assert answer.status_code == 200, answer.text
    webhook: dict[str, Any] = answer.json()["webhook"]
    return webhook


def _ai_agent_tokens_live(agent: Connected) -> list[dict[str, Any]]:
    return [
        t
        for t in agent.oauth_tokens()
        if t["user_email"] == f"ai-agent@{agent.subdomain}.test" and not t["revoked"]
    ]


def test_disconnect_keeps_the_integration_and_leaves_the_trigger_inactive(
    connected: Connected,
) -> None:
    ctx = default_context()
    before = integration.get_integration(ctx, connected.agent_id)
    assert before.connected
    assert _ai_agent_tokens_live(connected)

    run, execution = _disconnect(connected.agent_id, remove=False)

    assert execution["status"] == "SUCCEEDED", execution
    assert entered_states(execution["executionArn"]) == [
        "EngineOff",
        "DeactivateTrigger",
        "ChooseTriggerRemoval",
        "RevokeAuthorization",
        "ChooseIntegrationRemoval",
        "RecordSuccess",
        "Succeeded",
    ]
    assert run.status == "succeeded"
    assert _steps(run) == [(name, "succeeded") for name in KEEP]
    after = integration.get_integration(ctx, connected.agent_id)
    assert not after.engine.enabled
    assert after.trigger.status == "inactive"
    assert after.authorization.status == "revoked"
    assert ctx.vault.read_tokens(connected.agent_id, cached=False) is None
    assert before.trigger.trigger_id is not None
    trigger = _trigger_in_zendesk(connected, before.trigger.trigger_id)
    assert trigger is not None
    assert trigger["active"] is False
    assert _ai_agent_tokens_live(connected) == []
    public = run.public()
    assert public["status"] == "succeeded"
    assert public["steps"] == [
        {"name": name, "status": "succeeded", "attempts": 1} for name in KEEP
    ]
