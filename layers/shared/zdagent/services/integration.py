"""Use cases: the integration resource (create, show, remove)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from zdagent.core.observability import logger
from zdagent.core.validation import validate_model
from zdagent.domain.integration import Integration
from zdagent.services.context import Context


class CreateIntegrationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    crm: Literal["zendesk_support"]
    subdomain: str = Field(min_length=1, max_length=200)
    ai_agent_user_email: str = Field(min_length=3, max_length=254)


def create_integration(
    ctx: Context, agent_id: str, request: CreateIntegrationRequest
) -> Integration:
    ctx.agents.get(agent_id)  # 404 for an unknown agent
    integration = validate_model(
        Integration,
        {
            "agent_id": agent_id,
            "crm": request.crm,
            "subdomain": request.subdomain,
            "ai_agent_user_email": request.ai_agent_user_email,
            "created_at": ctx.now(),
        },
    )
    created = ctx.integrations.create(integration)
    logger.info("integration_created", extra={"agent_id": agent_id, "subdomain": created.subdomain})
    return created


def get_integration(ctx: Context, agent_id: str) -> Integration:
    return ctx.integrations.get(agent_id)


def delete_integration(ctx: Context, agent_id: str) -> None:
    """Remove the integration record (and any leftover secrets) once it is fully disconnected."""
    integration = ctx.integrations.get(agent_id)
    integration.require_can_delete()
    ctx.vault.delete_tokens(agent_id)
    ctx.vault.delete_webhook_secret(agent_id)
    ctx.integrations.delete(integration)
    logger.info("integration_deleted", extra={"agent_id": agent_id})
