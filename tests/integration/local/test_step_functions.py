"""moto runs real ASL; Lambda Task states reach the in-process handler named by the template, and a
handler's exception reaches ASL under its class name, so Retry and Catch on our error names work."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from zdlocal.aws import MOTO_CONFIG
from zdlocal.lambdas import FunctionRuntime, LambdaHook
from zdlocal.resources import AwsClients, create_resources
from zdlocal.template import ResourceMap, Template

WriteFunction = Callable[[str, str], Any]
MakeTemplate = Callable[[str], Template]

FLAKY = """
    CALLS = []


    class TransientProblem(Exception):
        pass


    class PermanentProblem(Exception):
        pass


    def handler(event, context):
        CALLS.append({"event": event, "function": context.function_name,
                      "remaining": context.get_remaining_time_in_millis()})
        if event.get("mode") == "transient" and len(CALLS) < 3:
            raise TransientProblem("try again")
        if event.get("mode") == "permanent":
            raise PermanentProblem("cannot do that")
        return {"done": True, "calls": len(CALLS)}
"""

TEMPLATE = """
Resources:
  FlakyFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: flaky/, Handler: app.handler, Runtime: python3.13, Timeout: 7}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: machine.asl.json
      DefinitionSubstitutions:
        FlakyFunctionArn: !GetAtt FlakyFunction.Arn
"""

ASL = {
    "StartAt": "Integration",
    "States": {
        "Integration": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${FlakyFunctionArn}", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "TimeoutSeconds": 30,
            "Retry": [
                {
                    "ErrorEquals": ["TransientProblem"],
                    "IntervalSeconds": 1,
                    "MaxAttempts": 3,
                    "BackoffRate": 1,
                }
            ],
            "Catch": [{"ErrorEquals": ["PermanentProblem"], "Next": "Caught"}],
            "Next": "DirectArn",
        },
        "DirectArn": {
            "Type": "Task",
            "Resource": "${FlakyFunctionArn}",
            "TimeoutSeconds": 30,
            "End": True,
        },
        "Caught": {"Type": "Pass", "End": True},
    },
}


@pytest.fixture
def machine(
    aws_env: None, write_function: WriteFunction, make_template: MakeTemplate, tmp_path: Any
) -> Iterator[tuple[ResourceMap, FunctionRuntime]]:
    write_function("flaky", FLAKY)
    (tmp_path / "machine.asl.json").write_text(json.dumps(ASL), encoding="utf-8")
    template = make_template(TEMPLATE)
    with mock_aws(config=MOTO_CONFIG):  # type: ignore[arg-type]
        resources = create_resources(template, AwsClients.create())
        runtime = FunctionRuntime.from_template(template.functions(), resources)
        with LambdaHook(runtime):
            yield resources, runtime


def _run(arn: str, payload: dict[str, Any], deadline_seconds: float = 30) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(
        stateMachineArn=arn, name=uuid.uuid4().hex, input=json.dumps(payload)
    )["executionArn"]
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.05)
    raise AssertionError(f"execution still running after {deadline_seconds}s")


def _calls(runtime: FunctionRuntime) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = runtime.handler("FlakyFunction").__globals__["CALLS"]
    return calls


def test_retry_on_our_error_name_then_both_task_forms_reach_the_handler(
    machine: tuple[ResourceMap, FunctionRuntime],
) -> None:
    resources, runtime = machine
    result = _run(resources["Machine"].ref, {"mode": "transient"})
    assert result["status"] == "SUCCEEDED"
    # two TransientProblem failures, the retried success, then the direct-ARN Task
    assert json.loads(result["output"]) == {"done": True, "calls": 4}
    calls = _calls(runtime)
    assert [c["event"] for c in calls[:3]] == [{"mode": "transient"}] * 3
    assert calls[3]["event"] == {"done": True, "calls": 3}
    assert calls[0]["function"] == "zdagent-local-FlakyFunction"
    assert 0 < calls[0]["remaining"] <= 7000


def test_catch_on_our_error_name_gets_error_type_and_message(
    machine: tuple[ResourceMap, FunctionRuntime],
) -> None:
    resources, runtime = machine
    result = _run(resources["Machine"].ref, {"mode": "permanent"})
    assert result["status"] == "SUCCEEDED"
    output = json.loads(result["output"])
    assert output["Error"] == "PermanentProblem"
    cause = json.loads(output["Cause"])
    assert cause["errorType"] == "PermanentProblem"
    assert cause["errorMessage"] == "cannot do that"
    assert len(_calls(runtime)) == 1


def test_uncaught_error_fails_the_execution_with_the_class_name(
    machine: tuple[ResourceMap, FunctionRuntime],
) -> None:
    resources, _ = machine
    sfn_definition = {
        "StartAt": "Direct",
        "States": {
            "Direct": {
                "Type": "Task",
                "Resource": resources["FlakyFunction"].attributes["Arn"],
                "End": True,
            }
        },
    }
    arn = boto3.client("stepfunctions").create_state_machine(
        name="direct-only",
        definition=json.dumps(sfn_definition),
        roleArn="arn:aws:iam::123456789012:role/zdagent-local-execution-role",
    )["stateMachineArn"]
    result = _run(arn, {"mode": "permanent"})
    assert result["status"] == "FAILED"
    assert result["error"] == "PermanentProblem"


def test_lambda_invoke_api_reports_function_error(
    machine: tuple[ResourceMap, FunctionRuntime],
) -> None:
    resources, _ = machine
    response = boto3.client("lambda").invoke(
        FunctionName=resources["FlakyFunction"].ref, Payload=json.dumps({"mode": "permanent"})
    )
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "PermanentProblem"
