"""Connect tier: use cases on moto (template's resources) against the Zendesk sandbox over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.environment import sandbox_settings
from tests.support.flows import callback_params, consent_redirect
from zdagent.domain.integration import Integration
from zdagent.services import agents, authorization, integration
from zdagent.services.context import Context
from zdlocal.template import ResourceMap
from zdsandbox.config import SandboxConfig
from zdsandbox.server import SandboxServer

PUBLIC = "http://127.0.0.1:9"  # our API's URL as Zendesk would reach it (never called here)


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sandbox_clock() -> FakeClock:
    import time  # noqa: PLC0415

    return FakeClock(time.time())


@pytest.fixture
def sandbox(sandbox_clock: FakeClock) -> Iterator[SandboxServer]:
    server = SandboxServer(
        SandboxConfig(
            port=0, clock=sandbox_clock, redirect_uris=[f"{PUBLIC}/oauth/zendesk/callback"]
        )
    ).start()
    yield server
    server.stop()


@pytest.fixture
def ctx(
    aws: ResourceMap, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Context]:
    with sandbox_settings(monkeypatch, sandbox_url=sandbox.url, public_url=PUBLIC):
        yield Context()


@pytest.fixture
def new_integration(ctx: Context) -> Callable[..., Integration]:
    def make(subdomain: str = "acme", email: str = "ai-agent@acme.test") -> Integration:
        agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Test agent"))
        request = integration.CreateIntegrationRequest(
            crm="zendesk_support", subdomain=subdomain, ai_agent_user_email=email
        )
        return integration.create_integration(ctx, agent.agent_id, request)

    return make


def approve(ctx: Context, agent_id: str, login: str) -> dict[str, str]:
    """Start authorization and approve the sandbox's consent page; returns callback params."""
    url = authorization.start_authorization(ctx, agent_id, PUBLIC)
    return callback_params(consent_redirect(url, login))


@pytest.fixture
def authorized(ctx: Context, new_integration: Callable[..., Integration]) -> Integration:
    created = new_integration()
    params = approve(ctx, created.agent_id, "ai-agent@acme.test")
    return authorization.complete_authorization(ctx, state=params["state"], code=params["code"])


def sandbox_tokens(sandbox: SandboxServer, subdomain: str = "acme") -> list[dict[str, Any]]:
    response = httpx.get(f"{sandbox.url}/{subdomain}/_sandbox/oauth_tokens", timeout=10)
    response.raise_for_status()
    tokens: list[dict[str, Any]] = response.json()["oauth_tokens"]
    return tokens


@pytest.fixture
def connected(ctx: Context, authorized: Integration) -> Integration:
    """Authorized, trigger created (webhook pointing nowhere reachable), engine on."""
    from zdagent.domain.trigger_request import CreateTriggerRequest  # noqa: PLC0415
    from zdagent.services import engine, trigger  # noqa: PLC0415

    trigger.create_trigger(ctx, authorized.agent_id, PUBLIC, CreateTriggerRequest())
    return engine.toggle_engine(ctx, authorized.agent_id, True)
