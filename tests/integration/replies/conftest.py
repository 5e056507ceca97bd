"""Reply pipeline on moto + the Zendesk sandbox over real HTTP.

``pipeline`` serves the template's HTTP API in-process (zdlocal's ApiServer: the sandbox delivers
its signed webhooks to our real receiver), and drives the reply worker explicitly through
zdlocal's SqsPoller (one poll at a time, so each test decides when the worker runs).
``pipeline.connect(**settings)`` connects a fresh sandbox account through the real flow:
agent, demo knowledge, integration, OAuth consent as the AI agent user, trigger, engine on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
import pytest

from tests.support import polling
from tests.support.flows import authorize_agent, new_sandbox_account
from zdagent.adapters.aws import reset_clients
from zdagent.adapters.engines import reset_engines
from zdagent.adapters.engines.demo_kb import load_demo_knowledge
from zdagent.adapters.secrets import clear_secret_cache
from zdagent.core.settings import reset_settings_cache
from zdagent.domain.trigger_request import CreateTriggerRequest
from zdagent.services import agents, authorization, engine, integration, trigger
from zdagent.services.context import Context, default_context
from zdlocal.api import ApiServer
from zdlocal.lambdas import FunctionRuntime
from zdlocal.sqs import PollResult, SqsPoller
from zdlocal.template import ResourceMap, load_template
from zdsandbox.config import SandboxConfig
from zdsandbox.server import SandboxServer

DEADLINE_SECONDS = 30.0


def wait_for[T](probe: Callable[[], T | None], what: str, timeout: float = DEADLINE_SECONDS) -> T:
    """Poll ``probe`` until it returns something truthy, or fail after ``timeout``."""
    return polling.wait_until(what, probe, timeout)


@dataclass
class Connected:
    agent_id: str
    subdomain: str
    ai_user_id: int
    sandbox_url: str

    @property
    def base(self) -> str:
        return f"{self.sandbox_url}/{self.subdomain}"

    def email(self, body: str, *, subject: str | None = None, **extra: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {"from": "customer@example.com", "body": body} | extra
        if subject is not None:
            payload["subject"] = subject
        response = httpx.post(f"{self.base}/_sandbox/emails", json=payload, timeout=10)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        response = httpx.get(f"{self.base}/_sandbox/tickets/{ticket_id}", timeout=10)
        response.raise_for_status()
        ticket: dict[str, Any] = response.json()["ticket"]
        return ticket

    def ai_comments(self, ticket_id: int, *, public: bool | None = True) -> list[dict[str, Any]]:
        return [
            c
            for c in self.ticket(ticket_id)["comments"]
            if c["author_id"] == self.ai_user_id and (public is None or c["public"] is public)
        ]

    def deliveries(self, ticket_id: int | None = None) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.base}/_sandbox/webhook_deliveries", timeout=10)
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["webhook_deliveries"]
        return [d for d in items if ticket_id is None or d["ticket_id"] == ticket_id]

    def delivered(self, ticket_id: int, count: int = 1) -> list[dict[str, Any]]:
        """Wait until ``count`` deliveries for the ticket finished; returns them."""

        def probe() -> list[dict[str, Any]] | None:
            done = [d for d in self.deliveries(ticket_id) if d["status"] in ("success", "failed")]
            return done if len(done) >= count else None

        return wait_for(probe, f"{count} webhook deliveries for ticket {ticket_id}")

    def agent_comment(self, ticket_id: int, body: str, *, public: bool = True) -> None:
        response = httpx.post(
            f"{self.base}/_sandbox/agent_comments",
            json={
                "ticket_id": ticket_id,
                "author_email": f"agent@{self.subdomain}.test",
                "body": body,
                "public": public,
            },
            timeout=10,
        )
        assert response.status_code == 201, response.text

    def fault(self, path_regex: str, status: int, times: int, **extra: Any) -> None:
        response = httpx.post(
            f"{self.base}/_sandbox/faults",
            json={"path_regex": path_regex, "status": status, "times": times} | extra,
            timeout=10,
        )
        assert response.status_code in (200, 201), response.text


@dataclass
class Pipeline:
    resources: ResourceMap
    runtime: FunctionRuntime
    api: ApiServer
    sandbox: SandboxServer
    poller: SqsPoller
    sqs: Any
    results: list[PollResult] = field(default_factory=list)

    @property
    def ctx(self) -> Context:
        return default_context()

    @property
    def queue_url(self) -> str:
        return str(self.resources["ReplyQueue"].ref)

    @property
    def dlq_url(self) -> str:
        return str(self.resources["ReplyDeadLetterQueue"].ref)

    def connect(self, **settings: Any) -> Connected:
        ctx = self.ctx
        agent = agents.create_agent(
            ctx, agents.CreateAgentRequest.model_validate({"name": "Acme AI", "settings": settings})
        )
        agents.put_knowledge(
            ctx,
            agent.agent_id,
            agents.PutKnowledgeRequest.model_validate(
                {"articles": [a.to_json() for a in load_demo_knowledge()]}
            ),
        )
        return self.connect_agent(agent.agent_id)

    def connect_agent(self, agent_id: str) -> Connected:
        """Connect ``agent_id`` (without integration) to a fresh sandbox account."""
        subdomain = new_sandbox_account(self.sandbox.url, "r")
        ctx = self.ctx
        done = authorize_agent(ctx, agent_id, subdomain, self.api.url)
        assert done.authorization.user is not None
        trigger.create_trigger(ctx, agent_id, self.api.url, CreateTriggerRequest())
        engine.toggle_engine(ctx, agent_id, True)
        return Connected(agent_id, subdomain, done.authorization.user.id, self.sandbox.url)

    def disconnect(self, agent_id: str) -> None:
        """The admin's manual teardown, in the contract's order, ending without integration."""
        ctx = self.ctx
        engine.toggle_engine(ctx, agent_id, False)
        trigger.deactivate_trigger(ctx, agent_id)
        authorization.revoke_authorization(ctx, agent_id)
        integration.delete_integration(ctx, agent_id)

    def queue_counts(self, url: str | None = None) -> dict[str, int]:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url or self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return {k: int(v) for k, v in attributes.items()}

    def work_once(self) -> PollResult:
        result = self.poller.poll_once()
        self.results.append(result)
        return result

    def drain(self, timeout: float = DEADLINE_SECONDS, quiet: float = 1.5) -> None:
        """Run the worker until the reply queue is empty (delayed and in-flight included) and
        nothing was received for ``quiet`` seconds (longer than the 1 s visibility tests use)."""
        last_work = [time.monotonic()]

        def probe() -> bool:
            if self.work_once().received:
                last_work[0] = time.monotonic()
            if any(self.queue_counts().values()):
                last_work[0] = time.monotonic()
                return False
            return time.monotonic() - last_work[0] >= quiet

        wait_for(probe, "the reply queue to drain", timeout)


@pytest.fixture(scope="session")
def replies_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(
        SandboxConfig(port=0, webhook_retry_backoff_seconds=0.2, webhook_timeout_seconds=5.0)
    ).start()
    yield server
    server.stop()


def _reset_process_state() -> None:
    reset_settings_cache()
    reset_clients()
    clear_secret_cache()
    default_context.cache_clear()
    reset_engines()


@pytest.fixture
def pipeline(
    aws: ResourceMap, replies_sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pipeline]:
    template = load_template()
    runtime = FunctionRuntime.from_template(template.functions(), aws)
    api = ApiServer(template.http_routes(), runtime.invoke, admin_token="test-admin", port=0)
    api.start()
    # the OAuth client's registered Redirect URL is this test's API (a free port)
    replies_sandbox.config.redirect_uris.append(f"{api.url}/oauth/zendesk/callback")
    monkeypatch.setenv("ZENDESK_BASE_URL_TEMPLATE", f"{replies_sandbox.url}/{{subdomain}}")
    monkeypatch.setenv("PUBLIC_BASE_URL", api.url)
    _reset_process_state()
    sqs = boto3.client("sqs", region_name="us-east-1")
    poller = SqsPoller(
        sqs_client=sqs,
        queue_url=str(aws["ReplyQueue"].ref),
        queue_arn=str(aws["ReplyQueue"].attributes["Arn"]),
        invoke=lambda event: runtime.invoke("ReplyWorkerFunction", event),
        report_batch_item_failures=True,
        name="replies-test",
    )
    try:
        yield Pipeline(aws, runtime, api, replies_sandbox, poller, sqs)
    finally:
        api.stop()
        _reset_process_state()
