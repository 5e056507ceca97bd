"""Imports tier: the use cases and both handlers on moto (template's resources), the Zendesk
sandbox over HTTP, and a driver that plays SQS's event source mapping one step at a time.

The driver reads ImportQueue itself: it reports each step's ``DelaySeconds`` (read from moto's
queue) and then makes the message visible at once, so a test checks the scheduling without
waiting for it. A handler failure leaves the message on the queue to be delivered again, as
Lambda's ReportBatchItemFailures does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from moto.sqs.models import sqs_backends

from tests.support.flows import authorize_agent
from zdagent.adapters.aws import reset_clients
from zdagent.adapters.secrets import clear_secret_cache
from zdagent.core.settings import reset_settings_cache
from zdagent.services import agents
from zdagent.services.context import Context, default_context
from zdlocal.template import REGION, ResourceMap
from zdsandbox.config import SandboxConfig
from zdsandbox.server import SandboxServer

PUBLIC = "http://127.0.0.1:9"  # our API's URL as Zendesk would reach it (never called here)
ROOT = Path(__file__).resolve().parents[3]
STEP_EVENT = json.loads((ROOT / "events/import_worker/step.json").read_text())


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    # Zendesk's real limits; the driver skips the delays our scheduling asks for, so the
    # export limit is raised here and our own spacing is asserted from the delays instead.
    server = SandboxServer(
        SandboxConfig(
            port=0,
            incremental_exports_per_minute=1000,
            rate_limit_per_minute=100_000,
            redirect_uris=[f"{PUBLIC}/oauth/zendesk/callback"],
        )
    ).start()
    yield server
    server.stop()


class SimClock:
    """Our side's clock: real time plus the SQS delays the driver skipped."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.skipped)


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


class RecordingTransport(httpx.HTTPTransport):
    """Real HTTP to the sandbox, noting each request's path and time on our (simulated) clock."""

    def __init__(self, clock: SimClock) -> None:
        super().__init__()
        self.clock = clock
        self.requests: list[tuple[float, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((self.clock().timestamp(), request.url.path))
        return super().handle_request(request)

    def peak_per_minute(self, path_part: str) -> int:
        """Most requests whose path contains ``path_part`` in any sliding 60 s window."""
        times = sorted(at for at, path in self.requests if path_part in path)
        peak, start = 0, 0
        for end, at in enumerate(times):
            while times[start] <= at - 60:
                start += 1
            peak = max(peak, end - start + 1)
        return peak


@pytest.fixture
def transport(clock: SimClock) -> RecordingTransport:
    return RecordingTransport(clock)


@pytest.fixture
def ctx(
    aws: ResourceMap,
    sandbox: SandboxServer,
    clock: SimClock,
    transport: RecordingTransport,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Context]:
    monkeypatch.setenv("ZENDESK_BASE_URL_TEMPLATE", f"{sandbox.url}/{{subdomain}}")
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    reset_settings_cache()
    reset_clients()
    clear_secret_cache()
    default_context.cache_clear()
    context = default_context()  # the handlers' context too
    context.now = clock
    context.zendesk_transport = transport
    yield context
    default_context.cache_clear()
    clear_secret_cache()
    reset_clients()


@dataclass
class Account:
    """A fresh sandbox account (its own tickets), with an authorized agent of ours."""

    sandbox_url: str
    subdomain: str
    agent_id: str
    ai_agent_user_id: int

    @property
    def control(self) -> str:
        return f"{self.sandbox_url}/{self.subdomain}/_sandbox"

    def seed(self, count: int, days_back: int = 30, comments: int = 5, seed: int = 7) -> range:
        answer = httpx.post(
            f"{self.control}/tickets/bulk",
            json={
                "count": count,
                "days_back": days_back,
                "comments_per_ticket": comments,
                "seed": seed,
            },
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
        body = answer.json()
        return range(body["first_ticket_id"], body["last_ticket_id"] + 1)

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        answer = httpx.get(f"{self.control}/tickets/{ticket_id}", timeout=10)
        answer.raise_for_status()
        ticket: dict[str, Any] = answer.json()["ticket"]
        return ticket

    def fault(self, path_regex: str, status: int, times: int, retry_after: int | None) -> None:
        body = {"path_regex": path_regex, "status": status, "times": times}
        if retry_after is not None:
            body["retry_after"] = retry_after
        httpx.post(f"{self.control}/faults", json=body, timeout=10).raise_for_status()


@pytest.fixture
def account(ctx: Context, sandbox: SandboxServer) -> Account:
    subdomain = f"imp{uuid.uuid4().hex[:10]}"
    created = httpx.post(
        f"{sandbox.url}/_sandbox/accounts", json={"subdomain": subdomain}, timeout=10
    )
    assert created.status_code == 201, created.text
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Import agent"))
    done = authorize_agent(ctx, agent.agent_id, subdomain, PUBLIC)
    assert done.authorization.user is not None
    return Account(sandbox.url, subdomain, agent.agent_id, done.authorization.user.id)


class FakeLambdaContext:
    function_name = "ImportWorkerFunction"
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:ImportWorkerFunction"
    memory_limit_in_mb = 1024
    aws_request_id = "test-request"
    log_group_name = "/aws/lambda/ImportWorkerFunction"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@dataclass
class Delivery:
    step: int
    delay_seconds: int
    failed: bool
    receive_count: int


@dataclass
class StepDriver:
    """Plays the SQS event source mapping of ImportWorkerFunction, one message at a time."""

    queue_url: str
    handler: Callable[[dict[str, Any], Any], Any]
    clock: SimClock
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def _moto_queue(self) -> Any:
        name = self.queue_url.rsplit("/", 1)[-1]
        return sqs_backends["123456789012"][REGION].queues[name]

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
        record = dict(STEP_EVENT["Records"][0])
        record.update(
            messageId=received["MessageId"],
            receiptHandle=received["ReceiptHandle"],
            body=received["Body"],
            attributes=received["Attributes"],
        )
        try:
            answer = self.handler({"Records": [record]}, FakeLambdaContext())
            failed = bool(answer["batchItemFailures"])
        except BatchProcessingError:  # the whole batch failed: Lambda reports an error
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

    def run_until_idle(self, max_steps: int = 500) -> list[Delivery]:
        start = len(self.deliveries)
        for _ in range(max_steps):
            if not self.waiting():
                return self.deliveries[start:]
            self.deliver()
        raise AssertionError(f"the import did not end within {max_steps} steps")


@pytest.fixture
def driver(aws: ResourceMap, ctx: Context, clock: SimClock) -> StepDriver:
    from functions.import_worker.app import handler  # noqa: PLC0415 (after the environment)

    return StepDriver(aws["ImportQueue"].ref, handler, clock)
