"""Use cases: the integration resource (create, show, remove)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from zdagent.core.errors import (
    ValidationFailedError,
    ZendeskError,
    ZendeskNotFound,
    ZendeskUnavailable,
)
from zdagent.core.observability import logger
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
    integration = Integration.from_json(
        {
            "agent_id": agent_id,
            "crm": request.crm,
            "subdomain": request.subdomain,
            "ai_agent_user_email": request.ai_agent_user_email,
            "created_at": ctx.now(),
        },
    )
    if ctx.integrations.find(agent_id) is None:  # else create answers 409 (one per agent)
        require_zendesk_account(integration.subdomain)
    created = ctx.integrations.create(integration)
    logger.info("integration_created", extra={"agent_id": agent_id, "subdomain": created.subdomain})
    return created


def require_zendesk_account(subdomain: str) -> None:
    """422 naming the subdomain when no Zendesk account answers there.

    ``GET /api/v2/locales/public`` answers anyone on every real account; a 404, a redirect
    elsewhere or no answer at all (DNS, connection refused) means there is no account. Other
    failures (5xx, 429) say nothing about the subdomain: 502, try again."""
    # once per integration: the agents function's other routes do not load the HTTP client
    from zdagent.adapters.zendesk.client import ZendeskClient  # noqa: PLC0415

    with ZendeskClient.for_subdomain(subdomain, auth=None, max_retries=0) as zendesk:
        where = zendesk.base_url.split("://", 1)[-1]
        try:
            zendesk.public_locales()
        except (ZendeskNotFound, ZendeskUnavailable) as exc:
            raise ValidationFailedError(_no_account(subdomain, where)) from exc
        except ZendeskError as exc:
            if exc.zendesk_status is not None and 300 <= exc.zendesk_status < 400:
                raise ValidationFailedError(_no_account(subdomain, where)) from exc
            raise ZendeskError(
                f"could not check the subdomain {subdomain!r} at {where}: {exc.detail}; try again",
                zendesk_status=exc.zendesk_status,
            ) from exc


def _no_account(subdomain: str, where: str) -> str:
    return (
        f"no Zendesk account at {where}: check the subdomain {subdomain!r} (for "
        "https://acme.zendesk.com enter 'acme')"
    )


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
