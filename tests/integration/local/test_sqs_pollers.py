"""SQS event source semantics: the Lambda SQS event, deletes on success, partial batch failures,
whole-batch redelivery on an exception, visibility timeout and the redrive to the DLQ."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from moto import mock_aws
from moto.core import utils as moto_utils
from moto.sqs import models as moto_sqs_models

from tests.support.polling import wait_until
from zdlocal.aws import MOTO_CONFIG
from zdlocal.lambdas import FunctionRuntime
from zdlocal.resources import AwsClients, create_resources
from zdlocal.sqs import SqsPoller, pollers_for
from zdlocal.template import ResourceMap, Template

WriteFunction = Callable[[str, str], Any]
MakeTemplate = Callable[[str], Template]

WORKER = """
    EVENTS = []


    class Boom(Exception):
        pass


    def handler(event, context):
        EVENTS.append(event)
        bodies = [record["body"] for record in event["Records"]]
        if "boom" in bodies:
            raise Boom("the whole batch fails")
        return {"batchItemFailures": [
            {"itemIdentifier": record["messageId"]}
            for record in event["Records"] if record["body"] == "fail"
        ]}
"""

TEMPLATE = """
Resources:
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: {visibility}
      RedrivePolicy: {{deadLetterTargetArn: !GetAtt WorkDeadLetterQueue.Arn, maxReceiveCount: 2}}
  WorkDeadLetterQueue:
    Type: AWS::SQS::Queue
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker/
      Handler: app.handler
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt WorkQueue.Arn
            BatchSize: 5
            FunctionResponseTypes: [{response_types}]
"""


@dataclass
class Setup:
    resources: ResourceMap
    runtime: FunctionRuntime
    poller: SqsPoller
    sqs: Any

    @property
    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.runtime.handler("WorkerFunction").__globals__["EVENTS"]
        return events

    def send(self, *bodies: str, **kwargs: Any) -> list[str]:
        return [
            self.sqs.send_message(
                QueueUrl=self.resources["WorkQueue"].ref, MessageBody=b, **kwargs
            )["MessageId"]
            for b in bodies
        ]

    def count(self, logical_id: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.resources[logical_id].ref,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


@contextmanager
def _setup(
    write_function: WriteFunction,
    make_template: MakeTemplate,
    *,
    visibility: int,
    report_failures: bool = True,
) -> Iterator[Setup]:
    write_function("worker", WORKER)
    template = make_template(
        TEMPLATE.format(
            visibility=visibility,
            response_types="ReportBatchItemFailures" if report_failures else "",
        )
    )
    with mock_aws(config=MOTO_CONFIG):  # type: ignore[arg-type]
        clients = AwsClients.create()
        resources = create_resources(template, clients)
        runtime = FunctionRuntime.from_template(template.functions(), resources)
        (poller,) = pollers_for(template, resources, runtime, clients.sqs)
        yield Setup(resources=resources, runtime=runtime, poller=poller, sqs=clients.sqs)


class SqsClock:
    """moto's SQS clock, moved only by the test: a delay or a visibility timeout ends when the
    test says so, never because the loaded machine was slow between two polls."""

    def __init__(self, start: float) -> None:
        self.now = start

    def skip(self, seconds: float) -> None:
        self.now += seconds

    def unix_time(self, dt: datetime | None = None) -> float:
        return self.now if dt is None else moto_utils.unix_time(dt)

    def unix_time_millis(self, dt: datetime | None = None) -> float:
        return self.unix_time(dt) * 1000.0


@pytest.fixture
def sqs_clock(monkeypatch: pytest.MonkeyPatch) -> SqsClock:
    clock = SqsClock(moto_utils.unix_time())
    monkeypatch.setattr(moto_sqs_models, "unix_time", clock.unix_time)
    monkeypatch.setattr(moto_sqs_models, "unix_time_millis", clock.unix_time_millis)
    return clock


@pytest.fixture
def fast(
    aws_env: None, write_function: WriteFunction, make_template: MakeTemplate
) -> Iterator[Setup]:
    """Visibility timeout 0: a message left on the queue is visible again at once."""
    with _setup(write_function, make_template, visibility=0) as setup:
        yield setup


def test_event_is_the_lambda_sqs_event(fast: Setup) -> None:
    (message_id,) = fast.send(
        '{"ticket": 1}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "reply"}},
    )
    result = fast.poller.poll_once()
    assert (result.received, result.deleted, result.failed_ids) == (1, 1, [])
    (record,) = fast.events[0]["Records"]
    assert record["messageId"] == message_id
    assert record["body"] == '{"ticket": 1}'
    assert record["receiptHandle"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert int(record["attributes"]["SentTimestamp"]) > 0
    assert record["messageAttributes"]["kind"]["stringValue"] == "reply"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert record["md5OfBody"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == fast.resources["WorkQueue"].attributes["Arn"]
    assert record["awsRegion"] == "us-east-1"
    assert fast.count("WorkQueue") == 0


def test_batch_size_comes_from_the_template(fast: Setup) -> None:
    fast.send(*[f"m{i}" for i in range(7)])
    assert fast.poller.batch_size == 5
    assert fast.poller.poll_once().received == 5
    assert fast.poller.poll_once().received == 2
    assert fast.count("WorkQueue") == 0


def test_partial_batch_failure_keeps_only_reported_items(fast: Setup) -> None:
    ok_id, fail_id, ok2_id = fast.send("ok", "fail", "ok")
    result = fast.poller.poll_once()
    assert result.deleted == 2
    assert result.failed_ids == [fail_id]
    redelivered = fast.sqs.receive_message(
        QueueUrl=fast.resources["WorkQueue"].ref, AttributeNames=["All"]
    )["Messages"]
    assert [m["MessageId"] for m in redelivered] == [fail_id]
    assert {ok_id, ok2_id}.isdisjoint(m["MessageId"] for m in redelivered)


def test_exception_leaves_the_whole_batch_and_failures_end_in_the_dlq(fast: Setup) -> None:
    fast.send("ok", "boom")
    first = fast.poller.poll_once()
    assert first.error is not None
    assert first.error.startswith("Boom")
    assert (first.received, first.deleted) == (2, 0)
    second = fast.poller.poll_once()  # receive count 2 == maxReceiveCount
    assert (second.received, second.deleted) == (2, 0)
    third = fast.poller.poll_once()  # moto moves both to the DLQ on this receive
    assert third.received == 0
    assert fast.count("WorkQueue") == 0
    assert fast.count("WorkDeadLetterQueue") == 2
    assert len(fast.events) == 2


def test_invalid_failure_report_fails_the_whole_batch(fast: Setup) -> None:
    fast.poller.invoke = lambda event: {"batchItemFailures": [{"itemIdentifier": "unknown"}]}
    fast.send("a", "b")
    result = fast.poller.poll_once()
    assert (result.received, result.deleted, len(result.failed_ids)) == (2, 0, 2)


def test_without_report_batch_item_failures_a_success_deletes_everything(
    aws_env: None, write_function: WriteFunction, make_template: MakeTemplate
) -> None:
    with _setup(write_function, make_template, visibility=0, report_failures=False) as setup:
        setup.send("ok", "fail")
        result = setup.poller.poll_once()
        assert (result.received, result.deleted) == (2, 2)
        assert setup.count("WorkQueue") == 0


def test_visibility_timeout_hides_a_failed_message_until_it_expires(
    aws_env: None, write_function: WriteFunction, make_template: MakeTemplate, sqs_clock: SqsClock
) -> None:
    with _setup(write_function, make_template, visibility=1) as setup:
        setup.send("fail")
        assert setup.poller.poll_once().failed_ids
        assert setup.poller.poll_once().received == 0  # still invisible
        sqs_clock.skip(0.9)
        assert setup.poller.poll_once().received == 0  # still within the timeout
        sqs_clock.skip(0.2)
        assert setup.poller.poll_once().received == 1  # the timeout ended: delivered again
        assert setup.events[-1]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_poller_thread_processes_messages_and_stops(fast: Setup) -> None:
    fast.poller.idle_seconds = 0.05
    fast.send(json.dumps({"n": 1}))
    fast.poller.start()
    try:
        wait_until("the poller thread delivers the message", lambda: fast.events)
    finally:
        fast.poller.stop()
    assert fast.count("WorkQueue") == 0


def test_delay_seconds_are_honoured(fast: Setup, sqs_clock: SqsClock) -> None:
    fast.send("later", DelaySeconds=1)
    assert fast.poller.poll_once().received == 0
    sqs_clock.skip(0.9)
    assert fast.poller.poll_once().received == 0
    sqs_clock.skip(0.2)
    assert fast.poller.poll_once().received == 1
    assert fast.events
