"""The disconnect run's model: steps per mode, transitions, the public shape, error sentences."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from zdagent.adapters.stepfunctions import StepFunctionsWorkflow, execution_arn
from zdagent.core.errors import ConfigurationError, ValidationFailedError
from zdagent.domain.disconnect import (
    MAX_ERROR_CHARS,
    DisconnectRun,
    leftovers_in_zendesk,
    steps_for,
)
from zdagent.services.disconnect import StartDisconnectRequest
from zdagent.services.disconnect_tasks import DisconnectTask, error_from_catch

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _run(remove: bool = False) -> DisconnectRun:
    return DisconnectRun.new("agt_1", "d1", remove, T0, execution_arn="arn:x")


def test_steps_depend_on_removal() -> None:
    assert [s.name for s in _run(False).steps] == list(steps_for(False))
    assert [s.name for s in _run(True).steps] == [
        "engine_off",
        "deactivate_trigger",
        "delete_trigger_and_webhook",
        "revoke_authorization",
        "remove_integration",
    ]
    assert all(s.status == "pending" for s in _run(True).steps)


def test_a_step_retried_then_succeeding_counts_attempts_and_clears_the_error() -> None:
    run = _run().step_started("engine_off", T0)
    run = run.step_attempt_failed("engine_off", "ZendeskServerError: 503")
    assert (run.step("engine_off").status, run.step("engine_off").error) == (
        "running",
        "ZendeskServerError: 503",
    )
    run = run.step_started("engine_off", T0 + timedelta(seconds=2))
    run = run.step_succeeded("engine_off", T0 + timedelta(seconds=3))
    step = run.step("engine_off")
    assert (step.status, step.attempts, step.error) == ("succeeded", 2, None)
    assert step.started_at == T0
    assert run.status == "running"


def test_failure_marks_the_first_unfinished_step_and_leaves_later_ones_pending() -> None:
    run = _run(True)
    for name in ("engine_off", "deactivate_trigger"):
        run = run.step_started(name, T0).step_succeeded(name, T0)
    run = run.step_started("delete_trigger_and_webhook", T0)
    failed = run.failed("ZendeskForbidden: no", T0 + timedelta(seconds=5))
    assert failed.status == "failed"
    assert failed.failed_step == "delete_trigger_and_webhook"
    assert [s.status for s in failed.steps] == [
        "succeeded",
        "succeeded",
        "failed",
        "pending",
        "pending",
    ]
    body = failed.public()
    assert body["failed_step"] == "delete_trigger_and_webhook"
    assert body["error"] == "ZendeskForbidden: no"
    assert body["steps"] == [
        {"name": "engine_off", "status": "succeeded", "attempts": 1},
        {"name": "deactivate_trigger", "status": "succeeded", "attempts": 1},
        {
            "name": "delete_trigger_and_webhook",
            "status": "failed",
            "attempts": 1,
            "error": "ZendeskForbidden: no",
        },
        {"name": "revoke_authorization", "status": "pending", "attempts": 0},
        {"name": "remove_integration", "status": "pending", "attempts": 0},
    ]
    assert body["finished_at"] == (T0 + timedelta(seconds=5)).isoformat()


def test_failure_after_every_step_succeeded_is_a_run_level_error() -> None:
    run = _run()
    for step in run.steps:
        run = run.step_started(step.name, T0).step_succeeded(step.name, T0)
    failed = run.failed("StoreUnavailableError: busy", T0)
    assert failed.failed_step is None
    assert failed.error == "StoreUnavailableError: busy"
    assert all(s.status == "succeeded" for s in failed.steps)


def test_a_running_or_succeeded_run_shows_no_error_fields() -> None:
    run = _run()
    assert "error" not in run.public()
    assert "failed_step" not in run.public()
    done = run.succeeded(T0)
    assert done.public()["status"] == "succeeded"
    assert "error" not in done.public()


def test_long_errors_are_clipped() -> None:
    run = _run().step_started("engine_off", T0).failed("x" * 5000, T0)
    assert run.error is not None
    assert len(run.error) == MAX_ERROR_CHARS
    assert len(run.step("engine_off").error or "") == MAX_ERROR_CHARS


def test_the_run_round_trips_through_json() -> None:
    run = _run(True).step_started("engine_off", T0)
    again = DisconnectRun.model_validate(json.loads(run.model_dump_json()))
    assert again == run


@pytest.mark.parametrize(
    ("error", "cause", "expected"),
    [
        (
            "ZendeskForbidden",
            json.dumps(
                {
                    "errorType": "ZendeskForbidden",
                    "errorMessage": "Zendesk refused (403)",
                    "stackTrace": ["  File secret.py"],
                }
            ),
            "ZendeskForbidden: Zendesk refused (403)",
        ),
        ("States.Timeout", None, "States.Timeout: the step did not finish in time"),
        ("States.Timeout", "", "States.Timeout: the step did not finish in time"),
        ("Lambda.Unknown", "The function crashed", "Lambda.Unknown: The function crashed"),
        (None, None, "UnknownError"),
        ("KeyError", json.dumps({"errorType": "KeyError"}), "KeyError"),
    ],
)
def test_error_from_catch(error: str | None, cause: str | None, expected: str) -> None:
    assert error_from_catch(error, cause) == expected


def test_error_from_catch_leaves_the_stack_trace_out() -> None:
    cause = json.dumps({"errorType": "E", "errorMessage": "m", "stackTrace": ["line 1"]})
    assert "line 1" not in error_from_catch("E", cause)


def test_execution_arn_is_known_before_the_start() -> None:
    machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:zdagent-Disconnect"
    assert execution_arn(machine, "abc") == (
        "arn:aws:states:eu-west-1:123456789012:execution:zdagent-Disconnect:abc"
    )
    with pytest.raises(ConfigurationError):
        execution_arn("arn:aws:lambda:eu-west-1:123456789012:function:f", "abc")
    with pytest.raises(ConfigurationError):
        StepFunctionsWorkflow("")


def test_requests_are_strict() -> None:
    assert StartDisconnectRequest.model_validate({}).remove_integration is False
    with pytest.raises(ValueError, match="bool"):
        StartDisconnectRequest.model_validate({"remove_integration": "true"})


def test_a_task_input_reads_the_state_machines_parameters() -> None:
    task = DisconnectTask.from_json(
        {
            "step": "record_failure",
            "agent_id": "a",
            "disconnect_id": "d",
            "error": "E",
            "cause": "C",
        }
    )
    assert task == DisconnectTask("record_failure", "a", "d", False, "E", "C")
    plain = DisconnectTask.from_json(
        {"step": "engine_off", "agent_id": "a", "disconnect_id": "d", "remove_integration": True}
    )
    assert (plain.remove_integration, plain.error, plain.cause) == (True, None, None)


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"step": "drop_tables"}, "step: must be one of 'engine_off'"),
        ({"step": None}, "step: Field required"),
        ({"agent_id": ""}, "agent_id: must have at least 1 character"),
        ({"disconnect_id": 7}, "disconnect_id: must be a string"),
        ({"remove_integration": "true"}, "remove_integration: must be a boolean"),
        ({"error": 1}, "error: must be a string"),
        ({"extra": 1}, "extra: unknown field"),
    ],
)
def test_a_bad_task_input_names_its_field(update: dict[str, object], message: str) -> None:
    good: dict[str, object] = {"step": "finish", "agent_id": "a", "disconnect_id": "d"}
    with pytest.raises(ValidationFailedError) as caught:
        DisconnectTask.from_json(good | update)
    assert str(caught.value).startswith(message)
    with pytest.raises(ValidationFailedError, match="body: must be an object"):
        DisconnectTask.from_json(["finish"])


def test_leftovers_show_on_their_step_and_the_run_and_survive_storage() -> None:
    left = leftovers_in_zendesk(42, "01HWEBHOOK", "https://acme.zendesk.com/admin")
    run = _run(True).step_succeeded("delete_trigger_and_webhook", T0, left)
    body = run.public()
    assert [(i.kind, i.id, i.state) for i in left] == [
        ("trigger", "42", "inactive"),
        ("webhook", "01HWEBHOOK", "active, no longer called"),
    ]
    assert body["leftovers"] == [i.public() for i in left]
    assert run.step("delete_trigger_and_webhook").public()["leftovers"] == body["leftovers"]
    assert "Admin Center > Objects and rules > Business rules > Triggers" in left[0].detail
    stored = DisconnectRun.model_validate(json.loads(run.model_dump_json()))
    assert stored.public() == body
    assert _run(False).public()["leftovers"] == []
    assert leftovers_in_zendesk(None, None, "x") == []
