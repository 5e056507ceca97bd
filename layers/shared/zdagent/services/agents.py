"""Use cases: agents, their settings and their knowledge."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from zdagent.core.errors import ValidationFailedError
from zdagent.core.validation import validate_model
from zdagent.domain.agent import Agent, AgentSettings, new_agent_id
from zdagent.domain.engine import KnowledgeArticle
from zdagent.services.context import Context

MAX_ARTICLES = 5000


class CreateAgentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    default_language: str = "en"
    settings: AgentSettings = Field(default_factory=AgentSettings)


class PutKnowledgeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[KnowledgeArticle] = Field(max_length=MAX_ARTICLES)


def create_agent(ctx: Context, request: CreateAgentRequest) -> Agent:
    now = ctx.now()
    fields = {"name": request.name.strip(), "default_language": request.default_language}
    agent = validate_model(  # a blank name or a bad language is a 422, not a crash
        Agent,
        {"agent_id": new_agent_id(), **fields, "settings": request.settings}
        | {"created_at": now, "updated_at": now},
    )
    return ctx.agents.create(agent)


def get_agent(ctx: Context, agent_id: str) -> Agent:
    return ctx.agents.get(agent_id)


PATCHABLE_AGENT_FIELDS = {"name", "default_language", "settings"}


def patch_agent(ctx: Context, agent_id: str, patch: dict[str, Any]) -> Agent:
    """Change name, default language or settings. Settings may be sent flat or under
    ``settings``; unknown fields are refused (422)."""
    agent = ctx.agents.get(agent_id)
    unknown = sorted(set(patch) - PATCHABLE_AGENT_FIELDS - set(AgentSettings.model_fields))
    if unknown:
        raise ValidationFailedError(f"{', '.join(unknown)}: unknown field (not accepted here)")
    nested = patch.get("settings", {})
    if not isinstance(nested, dict):
        raise ValidationFailedError("settings: must be an object")
    flat = {k: v for k, v in patch.items() if k in AgentSettings.model_fields}
    settings = validate_model(AgentSettings, agent.settings.model_dump() | nested | flat)
    updates: dict[str, Any] = {"settings": settings, "updated_at": ctx.now()}
    updates |= {k: patch[k] for k in ("name", "default_language") if k in patch}
    changed = validate_model(Agent, agent.model_dump() | updates)
    return ctx.agents.save(changed)


def put_knowledge(ctx: Context, agent_id: str, request: PutKnowledgeRequest) -> Agent:
    agent = ctx.agents.get(agent_id)
    ids = [a.id for a in request.articles]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValidationFailedError(f"articles: duplicate ids {', '.join(duplicates[:5])}")
    version = ctx.knowledge.replace(agent_id, request.articles)
    updated = agent.model_copy(
        update={
            "knowledge_version": version,
            "knowledge_articles": len(request.articles),
            "updated_at": ctx.now(),
        }
    )
    return ctx.agents.save(updated)
