"""Static checks of statemachines/disconnect.asl.json: every Task has a timeout, retries and a
catch; every error name is one of ours (or AWS's own); the states run the steps in the domain's
order; the template substitutes every ${...} the definition uses."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from zdagent.adapters import dynamodb
from zdagent.core import errors
from zdagent.core.errors import AppError
from zdagent.domain.disconnect import steps_for
from zdagent.services.disconnect_tasks import TaskName

ROOT = Path(__file__).resolve().parents[3]
ASL_PATH = ROOT / "statemachines" / "disconnect.asl.json"

# AWS's own names: the States.* errors, and the Lambda service errors AWS recommends retrying.
STATES_ERRORS = {
    "States.ALL",
    "States.Timeout",
    "States.TaskFailed",
    "States.HeartbeatTimeout",
    "States.Permissions",
}
LAMBDA_SERVICE_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}
TRANSIENT = {"ZendeskRateLimited", "ZendeskServerError", "ZendeskUnavailable", "States.Timeout"}


def _our_error_classes() -> dict[str, type[AppError]]:
    found: dict[str, type[AppError]] = {}
    for module in (errors, dynamodb):
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, AppError):
                found[name] = value
    return found


OURS = _our_error_classes()


def _template() -> dict[str, Any]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    template: dict[str, Any] = yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader
    return template


@pytest.fixture(scope="module")
def asl() -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(ASL_PATH.read_text(encoding="utf-8"))
    return definition


def _tasks(asl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in asl["States"].items() if s["Type"] == "Task"}


def _error_names(state: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for rule in state.get("Retry", []) + state.get("Catch", []):
        names.extend(rule["ErrorEquals"])
    return names


def test_the_definition_has_tasks(asl: dict[str, Any]) -> None:
    assert len(_tasks(asl)) == 7
    assert asl["StartAt"] == "EngineOff"
    assert 0 < asl["TimeoutSeconds"] <= 2 * 3600  # services.disconnect.STALE_AFTER is 2 h


def test_every_task_has_timeout_retry_and_catch_all(asl: dict[str, Any]) -> None:
    function = _template()["Resources"]["DisconnectTasksFunction"]["Properties"]
    for name, state in _tasks(asl).items():
        # shorter than the function's own timeout, so a slow step is States.Timeout (retried)
        assert 0 < state.get("TimeoutSeconds", 0) < function["Timeout"], name
        assert state.get("Retry"), name
        catch = state.get("Catch")
        assert catch, name
        # every failure is caught, so the run records which step failed and why
        assert catch[-1]["ErrorEquals"] == ["States.ALL"], name
        assert catch[-1]["ResultPath"] == "$.failure", name
        for rule in state["Retry"]:
            assert rule["IntervalSeconds"] >= 1, name
            assert rule["BackoffRate"] > 1, name  # backoff
            assert 1 <= rule["MaxAttempts"] <= 10, name


def test_every_error_name_is_ours_or_aws_own(asl: dict[str, Any]) -> None:
    unknown = []
    for name, state in _tasks(asl).items():
        for error in _error_names(state):
            if error in STATES_ERRORS or error in LAMBDA_SERVICE_ERRORS:
                continue
            if error not in OURS:
                unknown.append(f"{name}: {error}")
    assert unknown == []


def test_the_check_itself_rejects_a_misspelt_name() -> None:
    assert "ZendeskServerEror" not in OURS
    assert "ZendeskServerError" in OURS
    assert "StoreUnavailableError" in OURS  # adapters.dynamodb


def test_transient_errors_are_retried_and_permanent_ones_are_not(asl: dict[str, Any]) -> None:
    for name, state in _tasks(asl).items():
        retried = {e for rule in state["Retry"] for e in rule["ErrorEquals"]}
        assert retried >= TRANSIENT, name
        assert "States.ALL" not in retried, name
        assert "States.TaskFailed" not in retried, name
        for error in retried & OURS.keys():
            cls = OURS[error]
            # a 4xx from Zendesk, a broken ordering rule, bad input: retrying cannot help
            assert not issubclass(cls, errors.ZendeskClientError), (name, error)
            assert cls.status >= 500 or error in {
                "OperationRunningError",
                "ConcurrentModificationError",
            }, (name, error)


def test_rate_limits_wait_longer_than_other_transient_errors(asl: dict[str, Any]) -> None:
    for name, state in _tasks(asl).items():
        rules = {e: rule for rule in state["Retry"] for e in rule["ErrorEquals"]}
        assert (
            rules["ZendeskRateLimited"]["IntervalSeconds"]
            > rules["ZendeskServerError"]["IntervalSeconds"]
        ), name


def test_every_task_calls_the_task_function_with_a_known_step(asl: dict[str, Any]) -> None:
    known = set(get_args(TaskName))
    for name, state in _tasks(asl).items():
        assert state["Resource"] == "arn:aws:states:::lambda:invoke", name
        params = state["Parameters"]
        assert params["FunctionName"] == "${DisconnectTasksFunctionArn}", name
        payload = params["Payload"]
        assert payload["step"] in known, name
        assert payload["agent_id.$"] == "$.agent_id", name
        assert payload["disconnect_id.$"] == "$.disconnect_id", name
        assert state["ResultPath"] is None, name  # the next state gets the run's input again


def test_every_transition_targets_an_existing_state(asl: dict[str, Any]) -> None:
    states = asl["States"]
    for name, state in states.items():
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", [])]
        targets += [c["Next"] for c in state.get("Catch", [])]
        for target in filter(None, targets):
            assert target in states, (name, target)


def _walk(asl: dict[str, Any], remove: bool, failing: str | None = None) -> list[str]:
    """The states a run goes through (Choices evaluated; ``failing`` takes its Catch)."""
    states, name, path = asl["States"], asl["StartAt"], []
    while True:
        path.append(name)
        state = states[name]
        if state["Type"] in ("Succeed", "Fail"):
            return path
        if state["Type"] == "Choice":
            rule = state["Choices"][0]
            assert rule["Variable"] == "$.remove_integration"
            name = rule["Next"] if rule["BooleanEquals"] == remove else state["Default"]
            continue
        if name == failing:
            name = state["Catch"][-1]["Next"]
            continue
        name = state["Next"]


def _steps_on(asl: dict[str, Any], path: list[str]) -> list[str]:
    states = asl["States"]
    return [states[n]["Parameters"]["Payload"]["step"] for n in path if states[n]["Type"] == "Task"]


@pytest.mark.parametrize("remove", [False, True])
def test_the_states_run_the_domain_steps_in_order(asl: dict[str, Any], remove: bool) -> None:
    path = _walk(asl, remove)
    assert path[-1] == "Succeeded"
    assert _steps_on(asl, path) == [*steps_for(remove), "finish"]


@pytest.mark.parametrize("remove", [False, True])
def test_a_failing_step_goes_to_the_recorded_failure(asl: dict[str, Any], remove: bool) -> None:
    tasks = [n for n in _walk(asl, remove) if asl["States"][n]["Type"] == "Task"]
    for failing in tasks:
        path = _walk(asl, remove, failing)
        assert path[-2:] == ["RecordFailure", "Failed"], failing
    record = asl["States"]["RecordFailure"]
    assert record["Parameters"]["Payload"]["step"] == "record_failure"
    assert record["Parameters"]["Payload"]["error.$"] == "$.failure.Error"
    assert record["Parameters"]["Payload"]["cause.$"] == "$.failure.Cause"
    assert record["Next"] == "Failed"
    assert record["Catch"][-1]["Next"] == "Failed"  # recording may fail; the run still fails
    assert asl["States"]["Failed"]["Type"] == "Fail"


def test_the_engine_goes_off_first_and_trigger_and_webhook_go_before_the_token(
    asl: dict[str, Any],
) -> None:
    steps = _steps_on(asl, _walk(asl, True))
    assert steps[0] == "engine_off"
    assert steps.index("delete_trigger_and_webhook") < steps.index("revoke_authorization")
    assert steps.index("revoke_authorization") < steps.index("remove_integration")


def test_the_template_substitutes_every_placeholder() -> None:
    text = ASL_PATH.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", text))

    machine = _template()["Resources"]["DisconnectStateMachine"]["Properties"]
    assert machine["DefinitionUri"] == "statemachines/disconnect.asl.json"
    assert used == set(machine["DefinitionSubstitutions"])
