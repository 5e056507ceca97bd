"""Knowledge tier: the knowledge use cases and the three handlers on moto (template's resources),
the Zendesk sandbox over HTTP, and a driver that plays KnowledgeSyncQueue's event source mapping
(it records each step's ``DelaySeconds`` and delivers at once, advancing our simulated clock)."""

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

PUBLIC = "http://127.0.0.1:9"  # our API as Zendesk would reach it (never called here)
ROOT = Path(__file__).resolve().parents[3]
STEP_EVENT = json.loads((ROOT / "events/knowledge_worker/step.json").read_text())


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    # the OAuth client's registered Redirect URL is our API's callback, as Zendesk checks it
    config = SandboxConfig(port=0, redirect_uris=[f"{PUBLIC}/oauth/zendesk/callback"])
    server = SandboxServer(config).start()
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


@pytest.fixture
def ctx(
    aws: ResourceMap, sandbox: SandboxServer, clock: SimClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Context]:
    monkeypatch.setenv("ZENDESK_BASE_URL_TEMPLATE", f"{sandbox.url}/{{subdomain}}")
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    reset_settings_cache()
    reset_clients()
    clear_secret_cache()
    default_context.cache_clear()
    context = default_context()  # the handlers' context too
    context.now = clock
    yield context
    default_context.cache_clear()
    clear_secret_cache()
    reset_clients()


@dataclass
class HelpCenter:
    """A fresh sandbox account (seeded Help Center) and an authorized agent of ours."""

    sandbox_url: str
    subdomain: str
    agent_id: str

    @property
    def control(self) -> str:
        return f"{self.sandbox_url}/{self.subdomain}/_sandbox"

    def create(self, **fields: Any) -> dict[str, Any]:
        answer = httpx.post(f"{self.control}/help_center/articles", json=fields, timeout=10)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def edit(self, article_id: int, **fields: Any) -> None:
        answer = httpx.patch(
            f"{self.control}/help_center/articles/{article_id}", json=fields, timeout=10
        )
        assert answer.status_code == 200, answer.text

    def delete(self, article_id: int) -> None:
        answer = httpx.delete(f"{self.control}/help_center/articles/{article_id}", timeout=10)
        assert answer.status_code == 204, answer.text

    def fault(
        self, path_regex: str, status: int, times: int, retry_after: int | None = None
    ) -> None:
        body: dict[str, Any] = {"path_regex": path_regex, "status": status, "times": times}
        if retry_after is not None:
            body["retry_after"] = retry_after
        httpx.post(f"{self.control}/faults", json=body, timeout=10).raise_for_status()


def connect(ctx: Context, subdomain: str) -> str:
    """An agent of ours, authorized on ``subdomain`` as its AI agent user (with the scope
    ``OAUTH_SCOPES`` asks for); its id."""
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Help Center agent"))
    authorize_agent(ctx, agent.agent_id, subdomain, PUBLIC)
    return agent.agent_id


def new_account(sandbox: SandboxServer) -> str:
    subdomain = f"kb{uuid.uuid4().hex[:10]}"
    created = httpx.post(
        f"{sandbox.url}/_sandbox/accounts", json={"subdomain": subdomain}, timeout=10
    )
    assert created.status_code == 201, created.text
    return subdomain


@pytest.fixture
def help_center(ctx: Context, sandbox: SandboxServer) -> HelpCenter:
    subdomain = new_account(sandbox)
    return HelpCenter(sandbox.url, subdomain, connect(ctx, subdomain))


class FakeLambdaContext:
    function_name = "KnowledgeWorkerFunction"
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:KnowledgeWorkerFunction"
    memory_limit_in_mb = 1024
    aws_request_id = "test-request"
    log_group_name = "/aws/lambda/KnowledgeWorkerFunction"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


@dataclass
class SyncDriver:
    """Plays the SQS event source mapping of KnowledgeWorkerFunction, one message at a time."""

    queue_url: str
    handler: Callable[[dict[str, Any], Any], Any]
    clock: SimClock
    delays: list[int] = field(default_factory=list)

    def _messages(self) -> list[Any]:
        name = self.queue_url.rsplit("/", 1)[-1]
        return list(sqs_backends["123456789012"][REGION].queues[name]._messages)

    def deliver(self) -> bool:
        messages = self._messages()
        if not messages:
            return False
        assert len(messages) == 1, f"one step at a time, found {len(messages)}"
        message = messages[0]
        delay = 0
        if message.delayed_until:
            delay = round((message.delayed_until - message.sent_timestamp) / 1000)
        message.delayed_until = 0.0
        self.clock.skipped += delay
        self.delays.append(delay)
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
        except BatchProcessingError:  # every record failed: Lambda returns the batch to SQS
            answer = {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
        if answer["batchItemFailures"]:
            sqs.change_message_visibility(
                QueueUrl=self.queue_url,
                ReceiptHandle=received["ReceiptHandle"],
                VisibilityTimeout=0,
            )
        else:
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=received["ReceiptHandle"])
        return True

    def run_until_idle(self, max_steps: int = 100) -> int:
        for step in range(max_steps):
            if not self.deliver():
                return step
        raise AssertionError(f"the sync did not end within {max_steps} steps")


@pytest.fixture
def driver(aws: ResourceMap, ctx: Context, clock: SimClock) -> SyncDriver:
    from functions.knowledge_worker.app import handler  # noqa: PLC0415 (after the environment)

    return SyncDriver(aws["KnowledgeSyncQueue"].ref, handler, clock)
