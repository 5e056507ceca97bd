"""Step Functions: start an execution and read its status (boto3, AWS_ENDPOINT_URL for local)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from zdagent.adapters.aws import client
from zdagent.core.errors import AppError, ConfigurationError, WorkflowUnavailableError

ExecutionStatus = Literal[
    "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE", "MISSING"
]

_THROTTLED = {"ThrottlingException", "ServiceUnavailable", "InternalServerError"}


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN an execution named ``name`` gets (known before it is started)."""
    prefix, sep, machine = state_machine_arn.partition(":stateMachine:")
    if not sep:
        raise ConfigurationError(f"'{state_machine_arn}' is not a state machine ARN")
    return f"{prefix}:execution:{machine}:{name}"


@dataclass(frozen=True)
class ExecutionState:
    status: ExecutionStatus
    error: str | None = None
    cause: str | None = None


class StepFunctionsWorkflow:
    """One state machine, named by its ARN."""

    def __init__(self, state_machine_arn: str) -> None:
        if not state_machine_arn:
            raise ConfigurationError(
                "DISCONNECT_STATE_MACHINE_ARN is not set: the disconnect workflow is not deployed"
            )
        self.state_machine_arn = state_machine_arn

    def execution_arn(self, name: str) -> str:
        return execution_arn(self.state_machine_arn, name)

    def start(self, name: str, payload: dict[str, Any]) -> str:
        try:
            answer = client("stepfunctions").start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload)
            )
        except ClientError as exc:
            raise _mapped(exc) from exc
        return str(answer["executionArn"])

    def describe(self, arn: str) -> ExecutionState:
        try:
            answer = client("stepfunctions").describe_execution(executionArn=arn)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return ExecutionState(status="MISSING")
            raise _mapped(exc) from exc
        return ExecutionState(
            status=answer["status"], error=answer.get("error"), cause=answer.get("cause")
        )


def _mapped(exc: ClientError) -> AppError:
    code = exc.response.get("Error", {}).get("Code", "")
    if code in _THROTTLED:
        return WorkflowUnavailableError(f"Step Functions is busy ({code}); try again shortly")
    return AppError(f"Step Functions error {code}")
