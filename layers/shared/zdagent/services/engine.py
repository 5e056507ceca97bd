"""Use case: the automation engine switch."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from zdagent.core.errors import ConcurrentModificationError
from zdagent.core.observability import logger
from zdagent.domain.integration import Integration
from zdagent.services.context import Context


class ToggleEngineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool


def toggle_engine(ctx: Context, agent_id: str, enabled: bool) -> Integration:
    """On needs authorized + trigger active; off always works, at once (queued replies drop)."""
    for attempt in range(3):
        integration = ctx.integrations.get(agent_id)
        if integration.engine.enabled == enabled:
            if enabled:
                integration.require_can_enable_engine()
            return integration
        try:
            saved = ctx.integrations.save(integration.with_engine(enabled, ctx.now()))
        except ConcurrentModificationError:
            if attempt == 2:
                raise
            continue
        logger.info("engine_toggled", extra={"agent_id": agent_id, "enabled": enabled})
        return saved
    raise AssertionError("unreachable")
