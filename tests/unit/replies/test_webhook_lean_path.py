"""The webhook receiver's pydantic-free reads and writes agree with the models they stand for."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from zdagent.adapters.keys import AGENT_SK, INTEGRATION_SK, agent_pk
from zdagent.adapters.repositories import AgentRepository, IntegrationRepository
from zdagent.adapters.webhook_routes import read_agent_route
from zdagent.domain.agent import Agent, AgentSettings
from zdagent.domain.integration import Integration, ZendeskUserRef
from zdagent.domain.reply_job import ReplyJob
from zdagent.domain.reply_message import reply_job_message

NOW = datetime(2026, 11, 29, 20, 0, 0, 123456, tzinfo=UTC)


class DictStore:
    """The StateStore call the reader makes (its projection included), over items the
    repositories wrote."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def put(self, item: dict[str, Any]) -> None:
        self.items[(item["pk"], item["sk"])] = item

    def batch_get(
        self, keys: list[tuple[str, str]], *, attributes: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        found = [self.items[key] for key in keys if key in self.items]
        if not attributes:
            return found
        return [_project(item, ("pk", "sk", *attributes)) for item in found]


def _project(item: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """What a ProjectionExpression of ``paths`` leaves of ``item`` (absent paths: nothing)."""
    projected: dict[str, Any] = {}
    for path in paths:
        *parents, last = path.split(".")
        source: Any = item
        target = projected
        for name in parents:
            source = source.get(name) if isinstance(source, dict) else None
            target = target.setdefault(name, {})
        if isinstance(source, dict) and last in source:
            target[last] = source[last]
    return projected


def _integration(**changes: Any) -> Integration:
    base = Integration(
        agent_id="agt_1", subdomain="acme", ai_agent_user_email="ai@acme.com", created_at=NOW
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    "integration",
    [
        _integration(),
        _integration().authorized(ZendeskUserRef(id=901, email="ai@acme.com"), NOW),
        _integration().authorized(ZendeskUserRef(id=901, email="ai@acme.com"), NOW).revoked(),
        _integration()
        .authorized(ZendeskUserRef(id=901, email="ai@acme.com"), NOW)
        .with_trigger(5, "01W", "fp", NOW)
        .with_engine(True, NOW),
    ],
)
def test_the_integration_route_reads_what_the_model_says(integration: Integration) -> None:
    store = DictStore()
    store.put(IntegrationRepository._item(integration))
    route = read_agent_route(store, "agt_1").integration  # type: ignore[arg-type]
    assert route is not None
    assert route.subdomain == integration.subdomain
    assert route.is_authorized == integration.is_authorized
    user = integration.authorization.user
    assert route.ai_user_id == (user.id if user else None)
    assert route.engine_enabled == integration.engine.enabled


def test_no_integration_and_no_agent_read_as_none() -> None:
    store = DictStore()
    route = read_agent_route(store, "agt_1")  # type: ignore[arg-type]
    assert route.integration is None
    assert route.reply_delay is None


@pytest.mark.parametrize("settings", [AgentSettings(), AgentSettings(reply_delay_seconds=600)])
def test_the_reply_delay_is_the_agent_settings_one(settings: AgentSettings) -> None:
    store = DictStore()
    agent = Agent(agent_id="agt_1", name="A", settings=settings, created_at=NOW, updated_at=NOW)
    store.put(AgentRepository._item(agent))
    assert (agent_pk("agt_1"), AGENT_SK) in store.items
    route = read_agent_route(store, "agt_1")  # type: ignore[arg-type]
    assert route.reply_delay == settings.reply_delay_seconds
    assert (agent_pk("agt_1"), INTEGRATION_SK) not in store.items


@pytest.mark.parametrize(
    "fields",
    [
        {"agent_id": "agt_1", "ticket_id": 7, "received_at": NOW, "due_at": NOW},
        {
            "agent_id": "agt_1",
            "subdomain": "acme",
            "ticket_id": 7,
            "received_at": NOW,
            "due_at": (NOW + timedelta(seconds=90)).replace(microsecond=0),
            "event_updated_at": NOW.astimezone(timezone(timedelta(hours=2))),
            "invocation_id": "01INV",
            "requeues": 2,
        },
    ],
)
def test_the_reply_message_is_what_the_model_wrote_and_reads(fields: dict[str, Any]) -> None:
    message = reply_job_message(**fields)
    assert ReplyJob.from_message(message) == ReplyJob(**fields)
    assert ReplyJob(**fields).body() == message
