"""The disconnect state machine, run by moto's ASL interpreter with the real task handlers against
the Zendesk sandbox: happy paths, Step Functions' Retry on our error names, a step that fails for
good (and the re-run that resumes), a trigger deleted by hand in Zendesk."""

from __future__ import annotations

from typing import Any

import boto3
import httpx
import pytest

from tests.workflow.workflow_support import (
    Connected,
    connect,
    entered_states,
    history_events,
    wait_for_execution,
    wait_until,
)
from zdagent.core.errors import IntegrationNotFoundError, OperationRunningError
from zdagent.domain.disconnect import DisconnectRun
from zdagent.services import disconnect, integration
from zdagent.services.context import default_context
from zdagent.services.disconnect import DisconnectRepository
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


def _our_trigger_and_webhook(agent: Connected) -> tuple[int, str]:
    state = integration.get_integration(default_context(), agent.agent_id).trigger
    assert state.trigger_id is not None
    assert state.webhook_id is not None
    return state.trigger_id, state.webhook_id


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


def test_disconnect_with_removal_deletes_trigger_and_webhook_before_revoking(
    connected: Connected,
) -> None:
    ctx = default_context()
    trigger_id, webhook_id = _our_trigger_and_webhook(connected)

    run, execution = _disconnect(connected.agent_id, remove=True)

    assert execution["status"] == "SUCCEEDED", execution
    assert entered_states(execution["executionArn"]) == [
        "EngineOff",
        "DeactivateTrigger",
        "ChooseTriggerRemoval",
        "DeleteTriggerAndWebhook",
        "RevokeAuthorization",
        "ChooseIntegrationRemoval",
        "RemoveIntegration",
        "RecordSuccess",
        "Succeeded",
    ]
    assert _steps(run) == [(name, "succeeded") for name in REMOVE]
    assert run.status == "succeeded"
    # nothing of ours left in Zendesk, no token, no record, no secrets
    assert _trigger_in_zendesk(connected, trigger_id) is None
    assert _webhook_in_zendesk(connected, webhook_id) is None
    assert _ai_agent_tokens_live(connected) == []
    with pytest.raises(IntegrationNotFoundError):
        integration.get_integration(ctx, connected.agent_id)
    assert ctx.vault.read_tokens(connected.agent_id, cached=False) is None
    assert ctx.vault.read_webhook_secret(connected.agent_id, cached=False) is None
    # the agent can join another Zendesk account (one that exists: the subdomain is checked)
    other = f"another-{connected.subdomain}"
    httpx.post(f"{connected.sandbox_url}/_sandbox/accounts", json={"subdomain": other}, timeout=10)
    again = integration.create_integration(
        ctx,
        connected.agent_id,
        integration.CreateIntegrationRequest(
            crm="zendesk_support", subdomain=other, ai_agent_user_email="bot@another.test"
        ),
    )
    assert again.subdomain == other
    assert again.authorization.status == "unauthorized"


def test_remove_after_a_plain_disconnect_succeeds_and_says_what_stays_in_zendesk(
    connected: Connected,
) -> None:
    """The seed's order (issue 12 item 4): disconnect (token revoked), later remove."""
    ctx = default_context()
    trigger_id, webhook_id = _our_trigger_and_webhook(connected)
    first, _ = _disconnect(connected.agent_id, remove=False)
    assert first.status == "succeeded"

    run, execution = _disconnect(connected.agent_id, remove=True)

    assert execution["status"] == "SUCCEEDED", execution
    assert run.status == "succeeded", run.error
    assert _steps(run) == [(name, "succeeded") for name in REMOVE]
    assert first.public()["leftovers"] == []
    public = run.public()
    leftovers = public["leftovers"]
    assert isinstance(leftovers, list)
    assert [(item["kind"], item["id"]) for item in leftovers] == [
        ("trigger", str(trigger_id)),
        ("webhook", webhook_id),
    ]
    assert "Business rules > Triggers" in leftovers[0]["where"]
    assert "Webhooks" in leftovers[1]["where"]
    assert leftovers[0]["admin_url"].endswith(f"/{connected.subdomain}/admin")
    [step] = [s for s in run.steps if s.name == "delete_trigger_and_webhook"]
    assert step.public()["leftovers"] == leftovers
    # ours is gone here; what stays in Zendesk is exactly what the run says
    with pytest.raises(IntegrationNotFoundError):
        integration.get_integration(ctx, connected.agent_id)
    assert ctx.vault.read_webhook_secret(connected.agent_id, cached=False) is None
    trigger = _trigger_in_zendesk(connected, trigger_id)
    assert trigger is not None
    assert trigger["active"] is False
    assert _webhook_in_zendesk(connected, webhook_id) is not None


def test_zendesk_503_twice_is_retried_by_the_state_machine(connected: Connected) -> None:
    # ZENDESK_MAX_RETRIES=0: the client gives up at once, so the retries are Step Functions'.
    connected.fault(r"/api/v2/triggers/update_many", 503, times=2)

    run, execution = _disconnect(connected.agent_id, remove=False)

    assert execution["status"] == "SUCCEEDED", execution
    assert _task_attempts(execution["executionArn"], "DeactivateTrigger") == 3
    failures = [
        e["taskFailedEventDetails"]["error"]
        for e in history_events(execution["executionArn"])
        if e["type"] == "TaskFailed"
    ]
    assert failures == ["ZendeskServerError", "ZendeskServerError"]
    assert run.status == "succeeded"
    step = run.step("deactivate_trigger")
    assert (step.status, step.attempts, step.error) == ("succeeded", 3, None)
    assert integration.get_integration(default_context(), connected.agent_id).trigger.status == (
        "inactive"
    )


def test_revoke_failing_for_good_stops_the_run_at_that_step_and_a_rerun_completes(
    connected: Connected,
) -> None:
    ctx = default_context()
    # 403 is not transient: no Retry matches, the Catch records the failure.
    connected.fault(r"/api/v2/oauth/tokens/current", 403, times=1, method="DELETE")

    failed, execution = _disconnect(connected.agent_id, remove=True)

    assert execution["status"] == "FAILED", execution
    assert execution["error"] == "DisconnectFailed"
    states = entered_states(execution["executionArn"])
    assert states[-3:] == ["RevokeAuthorization", "RecordFailure", "Failed"]
    assert "RemoveIntegration" not in states
    assert _task_attempts(execution["executionArn"], "RevokeAuthorization") == 1
    assert failed.status == "failed"
    assert failed.failed_step == "revoke_authorization"
    assert _steps(failed) == [
        ("engine_off", "succeeded"),
        ("deactivate_trigger", "succeeded"),
        ("delete_trigger_and_webhook", "succeeded"),
        ("revoke_authorization", "failed"),
        ("remove_integration", "pending"),
    ]
    error = failed.step("revoke_authorization").error
    assert error is not None
    assert error.startswith("ZendeskForbidden: ")
    public = failed.public()
    assert public["status"] == "failed"
    assert public["failed_step"] == "revoke_authorization"
    steps = public["steps"]
    assert isinstance(steps, list)
    assert steps[3]["error"] == error
    # the engine went off first and stays off; the token still exists
    halfway = integration.get_integration(ctx, connected.agent_id)
    assert not halfway.engine.enabled
    assert halfway.trigger.status == "none"
    assert halfway.authorization.status == "authorized"
    assert _ai_agent_tokens_live(connected)

    # the fault was used up: running disconnect again resumes and completes
    rerun, execution = _disconnect(connected.agent_id, remove=True)

    assert execution["status"] == "SUCCEEDED", execution
    assert rerun.disconnect_id != failed.disconnect_id
    assert _steps(rerun) == [(name, "succeeded") for name in REMOVE]
    assert _ai_agent_tokens_live(connected) == []
    with pytest.raises(IntegrationNotFoundError):
        integration.get_integration(ctx, connected.agent_id)


@pytest.mark.parametrize("remove", [False, True], ids=["keep", "remove"])
def test_a_trigger_deleted_by_hand_in_zendesk_counts_as_done(
    connected: Connected, remove: bool
) -> None:
    before = integration.get_integration(default_context(), connected.agent_id)
    assert before.trigger.trigger_id is not None
    deleted = connected.as_admin("DELETE", f"/api/v2/triggers/{before.trigger.trigger_id}.json")
    assert deleted.status_code == 204, deleted.text

    run, execution = _disconnect(connected.agent_id, remove=remove)

    assert execution["status"] == "SUCCEEDED", execution
    assert _steps(run) == [(name, "succeeded") for name in (REMOVE if remove else KEEP)]
    assert _ai_agent_tokens_live(connected) == []


def test_a_second_start_while_running_is_refused(connected: Connected) -> None:
    # The first run waits on a slow Zendesk so it is still running when the second one starts.
    ctx = default_context()
    connected.control(
        "POST",
        "/faults",
        {
            "path_regex": r"/api/v2/triggers/update_many",
            "status": 503,
            "times": 1,
            "delay_ms": 1500,
        },
    )
    first = disconnect.start_disconnect(
        ctx, connected.agent_id, disconnect.StartDisconnectRequest()
    )
    with pytest.raises(OperationRunningError) as refused:
        disconnect.start_disconnect(ctx, connected.agent_id, disconnect.StartDisconnectRequest())
    assert first.disconnect_id in refused.value.detail
    assert refused.value.status == 409
    assert disconnect.disconnect_status(ctx, connected.agent_id).status == "running"
    assert first.execution_arn
    assert wait_for_execution(first.execution_arn)["status"] == "SUCCEEDED"
    assert disconnect.disconnect_status(ctx, connected.agent_id).status == "succeeded"


def test_an_execution_that_ended_without_recording_is_reported_failed_and_can_restart(
    connected: Connected,
) -> None:
    # Stopped from outside (console, or a crash of the recording task): the run record still
    # says running; the status reads the execution and settles the run, and a new start works.
    ctx = default_context()
    connected.fault(r"/api/v2/triggers/update_many", 503, times=1, delay_ms=1500)
    first = disconnect.start_disconnect(
        ctx, connected.agent_id, disconnect.StartDisconnectRequest()
    )
    assert first.execution_arn
    arn = first.execution_arn
    wait_until("the slow step", lambda: "DeactivateTrigger" in entered_states(arn))
    boto3.client("stepfunctions").stop_execution(
        executionArn=first.execution_arn, error="Operator", cause="stopped by hand"
    )
    ended = wait_for_execution(arn)
    # AWS says ABORTED; moto 5.2.5 says FAILED with the in-flight task's error. Either way the
    # workflow never reached RecordFailure, so the run record alone still says running.
    assert ended["status"] in ("ABORTED", "FAILED")
    assert "RecordFailure" not in entered_states(arn)
    assert DisconnectRepository(ctx).find(connected.agent_id).status == "running"  # type: ignore[union-attr]

    settled = disconnect.disconnect_status(ctx, connected.agent_id)

    assert settled.status == "failed"
    assert settled.error is not None
    assert f"ended {ended['status']}" in settled.error
    assert settled.failed_step == "deactivate_trigger"
    rerun, execution = _disconnect(connected.agent_id, remove=False)
    assert execution["status"] == "SUCCEEDED", execution
    assert rerun.status == "succeeded"
