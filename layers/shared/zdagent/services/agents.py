"""Use cases: agents, their settings and their knowledge."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zdagent.core.errors import AgentHasIntegrationError, ValidationFailedError, ZendeskError
from zdagent.core.observability import logger
from zdagent.core.validation import validate_model
from zdagent.domain.agent import Agent, check_language, new_agent_id
from zdagent.services.agent_schemas import AgentNaming, AgentSettings, KnowledgeArticle
from zdagent.services.context import Context
from zdagent.services.handover_group import group_problem
from zdagent.services.knowledge_sync import require_manual_source

MAX_ARTICLES = 5000


class CreateAgentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    default_language: str = "en"
    settings: AgentSettings = Field(default_factory=AgentSettings)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("default_language")
    @classmethod
    def _valid_default_language(cls, value: str) -> str:
        return check_language(value)


class PutKnowledgeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[KnowledgeArticle] = Field(max_length=MAX_ARTICLES)


def create_agent(ctx: Context, request: CreateAgentRequest) -> Agent:
    now = ctx.now()
    agent = Agent(
        agent_id=new_agent_id(),
        name=request.name,
        default_language=request.default_language,
        settings=request.settings.to_record(),
        created_at=now,
        updated_at=now,
    )
    created = ctx.agents.create(agent)
    logger.info("agent_created", extra={"agent_id": created.agent_id})
    return created


def get_agent(ctx: Context, agent_id: str) -> Agent:
    return ctx.agents.get(agent_id)


class ListAgentsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


def list_agents(ctx: Context, query: ListAgentsQuery) -> dict[str, Any]:
    """Newest first: ``{"items": [agent...], "next_token"}``."""
    agents, token = ctx.agents.list(limit=query.limit, next_token=query.next_token)
    return {"items": [a.public() for a in agents], "next_token": token}


def delete_agent(ctx: Context, agent_id: str) -> None:
    """Delete the agent, its knowledge and its conversation log. Refused (409) while it has an
    integration: that is disconnected and removed first, so nothing is left behind in Zendesk."""
    ctx.agents.get(agent_id)  # 404 for an unknown agent
    if ctx.integrations.find(agent_id) is not None:
        raise AgentHasIntegrationError(
            "the agent still has a Zendesk integration: disconnect it and remove the integration "
            f"first (POST /agents/{agent_id}/integration/disconnect "
            '{"remove_integration": true}), then delete the agent'
        )
    deleted = ctx.agents.delete_everything(agent_id)
    logger.info("agent_deleted", extra={"agent_id": agent_id, "items": deleted})


class ListArticlesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=100, ge=1, le=500)
    next_token: str | None = Field(default=None, max_length=2000)


def list_articles(ctx: Context, agent_id: str, query: ListArticlesQuery) -> dict[str, Any]:
    """The agent's articles (id, title, locale, url, labels; no body), in id order."""
    ctx.agents.get(agent_id)
    items, token = ctx.knowledge.page(agent_id, limit=query.limit, next_token=query.next_token)
    return {"items": items, "next_token": token}


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
    settings = validate_model(AgentSettings, agent.settings.to_json() | nested | flat)
    if settings.handover_group_id not in (None, agent.settings.handover_group_id):
        _check_handover_group(ctx, agent_id, settings.handover_group_id)
    current = {"name": agent.name, "default_language": agent.default_language}
    naming = validate_model(
        AgentNaming, current | {k: patch[k] for k in ("name", "default_language") if k in patch}
    )
    changed = replace(
        agent,
        name=naming.name,
        default_language=naming.default_language,
        settings=settings.to_record(),
        updated_at=ctx.now(),
    )
    return ctx.agents.save(changed)


def _check_handover_group(ctx: Context, agent_id: str, group_id: int) -> None:
    """A 422 naming the group when Zendesk does not have it. Without an authorized integration
    (or with Zendesk unreachable) only the range is checked; the live checks check it later."""
    integration = ctx.integrations.find(agent_id)
    if integration is None or not integration.is_authorized:
        return
    try:
        with ctx.zendesk_for(integration) as zendesk:
            problem = group_problem(zendesk, group_id, integration.subdomain)
    except ZendeskError as exc:
        logger.warning(
            "handover_group_not_checked", extra={"agent_id": agent_id, "error_code": exc.code}
        )
        return
    if problem:
        raise ValidationFailedError(f"settings.handover_group_id: {problem}")


def put_knowledge(ctx: Context, agent_id: str, request: PutKnowledgeRequest) -> Agent:
    agent = ctx.agents.get(agent_id)
    require_manual_source(ctx, agent_id)
    ids = [a.id for a in request.articles]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValidationFailedError(f"articles: duplicate ids {', '.join(duplicates[:5])}")
    version = ctx.knowledge.replace(agent_id, [a.to_record() for a in request.articles])
    updated = replace(
        agent,
        knowledge_version=version,
        knowledge_articles=len(request.articles),
        updated_at=ctx.now(),
    )
    return ctx.agents.save(updated)
