"""Imports tier: the use cases and both handlers on moto (template's resources), the Zendesk
sandbox over HTTP, and a driver that plays ImportQueue's event source mapping one step at a time
(``tests/support/step_chains.py``: each step's ``DelaySeconds`` is recorded and skipped).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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

PUBLIC = "http://127.0.0.1:9"  # our API's URL as Zendesk would reach it (never called here)
ROOT = Path(__file__).resolve().parents[3]


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
    with handler_context(
        monkeypatch, sandbox_url=sandbox.url, public_url=PUBLIC, clock=clock, transport=transport
    ) as context:
        yield context


@dataclass
class Account(SandboxAccount):
    """A fresh sandbox account (its own tickets), with an authorized agent of ours."""

    ai_agent_user_id: int

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


@pytest.fixture
def account(ctx: Context, sandbox: SandboxServer) -> Account:
    subdomain = new_sandbox_account(sandbox.url, "imp")
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Import agent"))
    done = authorize_agent(ctx, agent.agent_id, subdomain, PUBLIC)
    assert done.authorization.user is not None
    return Account(sandbox.url, subdomain, agent.agent_id, done.authorization.user.id)


class FakeLambdaContext(step_chains.FakeLambdaContext):
    function_name = "ImportWorkerFunction"


@pytest.fixture
def driver(aws: ResourceMap, ctx: Context, clock: SimClock) -> StepDriver:
    from functions.import_worker.app import handler  # noqa: PLC0415 (after the environment)

    return StepDriver(
        aws["ImportQueue"].ref,
        handler,
        clock,
        step_record_template(ROOT / "events/import_worker/step.json"),
        FakeLambdaContext,
        job="the import",
    )
