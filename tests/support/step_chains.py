"""Driving a worker whose SQS queue chains a job's steps (the import, the Help Center sync) on moto.

``StepDriver`` plays the queue's event source mapping one message at a time: it reads the step's
``DelaySeconds`` from moto's queue, makes the message visible at once and adds the delay to our
simulated clock (``SimClock``), so a test checks the scheduling without waiting for it. A handler
failure leaves the message on the queue to be delivered again, as Lambda's
ReportBatchItemFailures does. ``handler_context`` is the context the handlers use, on that clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.sqs.models import sqs_backends

from tests.support.clock import SimClock
from tests.support.environment import sandbox_settings
from zdagent.api.sqs import BatchFailedError
from zdagent.services.context import Context, default_context
from zdlocal.template import REGION

ACCOUNT_ID = "123456789012"


class FakeLambdaContext:
    """What the handlers read of Lambda's context; a tier names its function and time left."""

    function_name = "WorkerFunction"
    remaining_ms = 300_000
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    aws_request_id = "test-request"
    log_stream_name = "test"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@contextmanager
def handler_context(
    monkeypatch: pytest.MonkeyPatch,
    *,
    sandbox_url: str,
    public_url: str,
    clock: SimClock,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[Context]:
    """The handlers' own context (``default_context``) on the sandbox and ``clock``."""
    with sandbox_settings(monkeypatch, sandbox_url=sandbox_url, public_url=public_url):
        context = default_context()
        context.now = clock
        if transport is not None:
            context.zendesk_transport = transport
        yield context


@dataclass
class SandboxAccount:
    """A fresh sandbox account and the agent of ours authorized on it."""

    sandbox_url: str
    subdomain: str
    agent_id: str

    @property
    def control(self) -> str:
        return f"{self.sandbox_url}/{self.subdomain}/_sandbox"

    def fault(
        self, path_regex: str, status: int, times: int, retry_after: int | None = None
    ) -> None:
        """The next ``times`` requests matching ``path_regex`` answer ``status``."""
        body: dict[str, Any] = {"path_regex": path_regex, "status": status, "times": times}
        if retry_after is not None:
            body["retry_after"] = retry_after
        httpx.post(f"{self.control}/faults", json=body, timeout=10).raise_for_status()


def step_record_template(event_file: Path) -> dict[str, Any]:
    """The first record of a sample SQS event (``events/<worker>/step.json``)."""
    record: dict[str, Any] = json.loads(event_file.read_text())["Records"][0]
    return record


@dataclass
class Delivery:
    step: int
    delay_seconds: int
    failed: bool
    receive_count: int


@dataclass
class StepDriver:
    """Plays the SQS event source mapping of a step worker, one message at a time."""

    queue_url: str
    handler: Callable[[dict[str, Any], Any], Any]
    clock: SimClock
    record_template: dict[str, Any]
    lambda_context: Callable[[], FakeLambdaContext]
    job: str = "the job"
    max_steps: int = 500
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def delays(self) -> list[int]:
        """The ``DelaySeconds`` of every step delivered so far."""
        return [delivery.delay_seconds for delivery in self.deliveries]

    @property
    def _moto_queue(self) -> Any:
        name = self.queue_url.rsplit("/", 1)[-1]
        return sqs_backends[ACCOUNT_ID][REGION].queues[name]

    def waiting(self) -> int:
        return len(self._moto_queue._messages)

    def deliver(self) -> Delivery:
        """Deliver the one waiting step (after reading and skipping its delay)."""
        messages = list(self._moto_queue._messages)
        assert len(messages) == 1, f"expected one step message, found {len(messages)}"
        message = messages[0]
        delay = 0
        if message.delayed_until:
            delay = round((message.delayed_until - message.sent_timestamp) / 1000)
        message.delayed_until = 0.0
        self.clock.skipped += delay
        sqs = boto3.client("sqs", region_name=REGION)
        received = sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=1, AttributeNames=["All"]
        )["Messages"][0]
        record = dict(self.record_template)
        record.update(
            messageId=received["MessageId"],
            receiptHandle=received["ReceiptHandle"],
            body=received["Body"],
            attributes=received["Attributes"],
        )
        try:
            answer = self.handler({"Records": [record]}, self.lambda_context())
            failed = bool(answer["batchItemFailures"])
        except BatchFailedError:  # the whole batch failed: Lambda reports an error
            failed = True
        if failed:
            sqs.change_message_visibility(
                QueueUrl=self.queue_url,
                ReceiptHandle=received["ReceiptHandle"],
                VisibilityTimeout=0,
            )
        else:
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=received["ReceiptHandle"])
        delivery = Delivery(
            step=json.loads(received["Body"])["step"],
            delay_seconds=delay,
            failed=failed,
            receive_count=int(received["Attributes"]["ApproximateReceiveCount"]),
        )
        self.deliveries.append(delivery)
        return delivery

    def run_until_idle(self) -> list[Delivery]:
        """Deliver until the queue is empty; the deliveries made."""
        start = len(self.deliveries)
        for _ in range(self.max_steps):
            if not self.waiting():
                return self.deliveries[start:]
            self.deliver()
        raise AssertionError(f"{self.job} did not end within {self.max_steps} steps")
