"""``LocalStack`` in-process with a tiny template: over real sockets, an API route's handler queues
a message and starts a state machine through the moto server; the SQS poller and the Task state
reach the in-process handlers, which write to DynamoDB."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.support.polling import wait_until
from zdlocal.stack import LocalStack, PortInUseError, port_is_free

WriteFunction = Callable[[str, str], Path]

STARTER = """
    import json
    import os

    import boto3


    def handler(event, context):
        body = json.loads(event.get("body") or "{}")
        boto3.client("sqs").send_message(QueueUrl=os.environ["WORK_QUEUE_URL"],
                                         MessageBody=json.dumps(body))
        execution = boto3.client("stepfunctions").start_execution(
            stateMachineArn=os.environ["MACHINE_ARN"], input=json.dumps(body))
        return {"statusCode": 202, "headers": {"content-type": "application/json"},
                "body": json.dumps({"execution": execution["executionArn"],
                                    "headers": event["headers"],
                                    "domain": event["requestContext"]["domainName"]})}
"""

RECORDER = """
    import os

    import boto3


    class NotYet(Exception):
        pass


    ATTEMPTS = []


    def handler(event, context):
        table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
        if "Records" in event:
            for record in event["Records"]:
                table.put_item(Item={"pk": "sqs", "body": record["body"]})
            return {"batchItemFailures": []}
        ATTEMPTS.append(event)
        if len(ATTEMPTS) == 1:
            raise NotYet("first attempt fails")
        table.put_item(Item={"pk": "sfn", "attempts": len(ATTEMPTS)})
        return {"ok": True}
"""

TEMPLATE = """
Globals:
  Function:
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers: {Jwt: {JwtConfiguration: {issuer: https://issuer, audience: [a]}}}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  WorkQueue:
    Type: AWS::SQS::Queue
  StarterFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: starter/
      Handler: app.handler
      Environment:
        Variables:
          WORK_QUEUE_URL: !Ref WorkQueue
          MACHINE_ARN: !Ref Machine
      Events:
        Start:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /start, Method: POST}
  RecorderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: recorder/
      Handler: app.handler
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt WorkQueue.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Record
        States:
          Record:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: !GetAtt RecorderFunction.Arn, "Payload.$": "$"}
            Retry: [{ErrorEquals: [NotYet], IntervalSeconds: 1, MaxAttempts: 2}]
            End: true
"""


@pytest.fixture
def stack(write_function: WriteFunction, tmp_path: Path) -> Iterator[LocalStack]:
    write_function("starter", STARTER)
    write_function("recorder", RECORDER)
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    before = _environment()
    local = LocalStack(
        api_port=0,
        sandbox_port=0,
        aws_port=0,
        admin_token="in-process-token",
        template_path=tmp_path / "template.yaml",
        start_sandbox=False,
    )
    with local:
        yield local
    assert _environment() == before
    with local:  # a second start in the same process begins from an empty moto
        assert local.resources["Table"].ref == "zdagent-local-Table"
    for port in (local.api_port, local.aws_port):
        assert port_is_free(port)


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


def _post(url: str, body: dict[str, Any], headers: list[tuple[str, str]]) -> tuple[int, Any]:
    """POST with http.client, which sends repeated headers as given."""
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    try:
        data = json.dumps(body).encode()
        connection.putrequest("POST", parsed.path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(len(data)))
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders(data)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def _wait_for_item(table: Any, pk: str, deadline_seconds: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        item = table.get_item(Key={"pk": pk}).get("Item")
        if item:
            return dict(item)
        time.sleep(0.1)
    raise AssertionError(f"no {pk} item within {deadline_seconds}s")


def test_api_sqs_and_step_functions_through_the_moto_server(stack: LocalStack) -> None:
    assert stack.ready_line().startswith(f"ready: api={stack.api_url} ")
    status, body = _post(f"{stack.api_url}/start", {"n": 1}, [])
    assert (status, body) == (401, {"message": "Unauthorized"})

    status, body = _post(
        f"{stack.api_url}/start",
        {"n": 1},
        [("Authorization", "Bearer in-process-token"), ("X-Twice", "a"), ("X-Twice", "b")],
    )
    assert status == 202, body
    assert body["headers"]["x-twice"] == "a,b"
    assert body["domain"] == f"127.0.0.1:{stack.api_port}"

    dynamodb = boto3.resource(
        "dynamodb",
        endpoint_url=stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    table = dynamodb.Table(stack.environment["TABLE_NAME"])
    assert _wait_for_item(table, "sqs")["body"] == '{"n": 1}'
    assert _wait_for_item(table, "sfn")["attempts"] == 2  # retried on NotYet

    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def ended() -> str | None:
        status_now = str(sfn.describe_execution(executionArn=body["execution"])["status"])
        return None if status_now == "RUNNING" else status_now

    assert wait_until("the execution ends", ended) == "SUCCEEDED"


def test_a_port_in_use_is_one_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        stack = LocalStack(api_port=port, sandbox_port=0, aws_port=0)
        with pytest.raises(PortInUseError) as raised:
            stack.start()
    assert str(raised.value) == (
        f"port {port} (API_PORT) is in use: stop what uses it or set API_PORT to a free port"
    )
