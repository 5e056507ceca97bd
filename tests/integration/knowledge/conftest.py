"""Knowledge tier: the knowledge use cases and the three handlers on moto (template's resources),
the Zendesk sandbox over HTTP, and a driver that plays KnowledgeSyncQueue's event source mapping
(``tests/support/step_chains.py``: it records each step's ``DelaySeconds`` and delivers at once,
advancing our simulated clock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import step_chains
from tests.support.clock import SimClock
from tests.support.flows import authorize_agent, new_sandbox_account
from tests.support.step_chains import (
    SandboxAccount,
    StepDriver,
    handler_context,
    step_record_template,
)
from zdagent.services import agents
from zdagent.services.context import Context
from zdlocal.template import ResourceMap
from zdsandbox.config import SandboxConfig
from zdsandbox.server import SandboxServer

PUBLIC = "http://127.0.0.1:9"  # our API as Zendesk would reach it (never called here)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    # the OAuth client's registered Redirect URL is our API's callback, as Zendesk checks it
    config = SandboxConfig(port=0, redirect_uris=[f"{PUBLIC}/oauth/zendesk/callback"])
    server = SandboxServer(config).start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def ctx(
    aws: ResourceMap, sandbox: SandboxServer, clock: SimClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Context]:
    with handler_context(
        monkeypatch, sandbox_url=sandbox.url, public_url=PUBLIC, clock=clock
    ) as context:
        yield context


class HelpCenter(SandboxAccount):
    """A fresh sandbox account (seeded Help Center) and an authorized agent of ours."""

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


def connect(ctx: Context, subdomain: str) -> str:
    """An agent of ours, authorized on ``subdomain`` as its AI agent user (with the scope
    ``OAUTH_SCOPES`` asks for); its id."""
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Help Center agent"))
    authorize_agent(ctx, agent.agent_id, subdomain, PUBLIC)
    return agent.agent_id


def new_account(sandbox: SandboxServer) -> str:
    return new_sandbox_account(sandbox.url, "kb")


@pytest.fixture
def help_center(ctx: Context, sandbox: SandboxServer) -> HelpCenter:
    subdomain = new_account(sandbox)
    return HelpCenter(sandbox.url, subdomain, connect(ctx, subdomain))


class FakeLambdaContext(step_chains.FakeLambdaContext):
    function_name = "KnowledgeWorkerFunction"
    remaining_ms = 120_000


@pytest.fixture
def driver(aws: ResourceMap, ctx: Context, clock: SimClock) -> StepDriver:
    from functions.knowledge_worker.app import handler  # noqa: PLC0415 (after the environment)

    return StepDriver(
        aws["KnowledgeSyncQueue"].ref,
        handler,
        clock,
        step_record_template(ROOT / "events/knowledge_worker/step.json"),
        FakeLambdaContext,
        job="the sync",
        max_steps=100,
    )
