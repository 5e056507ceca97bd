"""Agents: listed newest first with pages, deleted with everything under them, never while an
integration exists (409 naming the step)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest

from zdagent.adapters.dynamodb import agent_pk
from zdagent.core.errors import AgentHasIntegrationError, AgentNotFoundError
from zdagent.domain.integration import Integration
from zdagent.services import agents
from zdagent.services.context import Context


def _clock(ctx: Context) -> None:
    """Agents created one second apart (the order the list must show)."""
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    seconds = count()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ctx.now = lambda: start + timedelta(seconds=next(seconds))


def test_agents_are_listed_newest_first_in_pages(ctx: Context) -> None:
    _clock(ctx)
    made = [
        agents.create_agent(ctx, agents.CreateAgentRequest(name=f"Agent {i}")).agent_id
        for i in range(5)
    ]
    first = agents.list_agents(ctx, agents.ListAgentsQuery(limit=3))
    assert [a["agent_id"] for a in first["items"]] == made[::-1][:3]
    assert first["next_token"]
    second = agents.list_agents(
        ctx, agents.ListAgentsQuery(limit=3, next_token=first["next_token"])
    )
    assert [a["agent_id"] for a in second["items"]] == made[::-1][3:]
    assert all("gsi1pk" not in a and "version" not in a for a in first["items"])


def test_a_renamed_agent_keeps_its_place_in_the_list(ctx: Context) -> None:
    _clock(ctx)
    older = agents.create_agent(ctx, agents.CreateAgentRequest(name="Older")).agent_id
    newer = agents.create_agent(ctx, agents.CreateAgentRequest(name="Newer")).agent_id
    agents.patch_agent(ctx, older, {"name": "Older, renamed"})
    listed = agents.list_agents(ctx, agents.ListAgentsQuery(limit=10))["items"]
    assert [a["agent_id"] for a in listed] == [newer, older]
    assert listed[1]["name"] == "Older, renamed"


def test_deleting_an_agent_removes_everything_under_it(ctx: Context) -> None:
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Doomed"))
    article = {"id": "a1", "title": "T", "body": "B", "locale": "en"}
    agents.put_knowledge(ctx, agent.agent_id, agents.PutKnowledgeRequest(articles=[article]))  # type: ignore[list-item]
    agents.delete_agent(ctx, agent.agent_id)
    with pytest.raises(AgentNotFoundError):
        agents.get_agent(ctx, agent.agent_id)
    assert list(ctx.store.iter_prefix(agent_pk(agent.agent_id), "")) == []
    listed = agents.list_agents(ctx, agents.ListAgentsQuery(limit=50))["items"]
    assert agent.agent_id not in [a["agent_id"] for a in listed]


def test_an_agent_with_an_integration_is_not_deleted(
    ctx: Context, new_integration: Callable[..., Integration]
) -> None:
    created = new_integration()
    with pytest.raises(AgentHasIntegrationError) as refused:
        agents.delete_agent(ctx, created.agent_id)
    assert refused.value.status == 409
    assert "remove the integration first" in refused.value.detail
    assert agents.get_agent(ctx, created.agent_id).agent_id == created.agent_id


def test_deleting_an_unknown_agent_is_404(ctx: Context) -> None:
    with pytest.raises(AgentNotFoundError):
        agents.delete_agent(ctx, "agt_unknown")


def test_articles_are_listed_without_their_bodies_in_pages(ctx: Context) -> None:
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Library"))
    articles = [
        {"id": f"a{i}", "title": f"T{i}", "body": "B", "locale": "en", "url": f"https://x/{i}"}
        for i in range(3)
    ]
    agents.put_knowledge(ctx, agent.agent_id, agents.PutKnowledgeRequest(articles=articles))  # type: ignore[arg-type]
    first = agents.list_articles(ctx, agent.agent_id, agents.ListArticlesQuery(limit=2))
    assert [a["title"] for a in first["items"]] == ["T0", "T1"]
    assert first["items"][0] == {
        "id": "a0",
        "title": "T0",
        "locale": "en",
        "url": "https://x/0",
        "labels": [],
    }
    rest = agents.list_articles(
        ctx, agent.agent_id, agents.ListArticlesQuery(limit=2, next_token=first["next_token"])
    )
    assert [a["id"] for a in rest["items"]] == ["a2"]
