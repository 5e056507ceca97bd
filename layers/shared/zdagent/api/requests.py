"""Per-request helpers for API handlers: the use-case context and the public base URL."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from zdagent.core.settings import settings
from zdagent.services.context import Context, default_context

if TYPE_CHECKING:
    from zdagent.api.router import HttpEvent


def context_for(lambda_context: Any) -> Context:
    """The process's context, bounded by this invocation's remaining time."""
    remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return default_context()
    return dataclasses.replace(default_context(), remaining_time=lambda: remaining() / 1000.0)


def public_base_url(event: HttpEvent) -> str:
    """PUBLIC_BASE_URL if configured, else this API's own URL (as Zendesk must reach it)."""
    configured = settings().public_base_url
    if configured:
        return configured.rstrip("/")
    domain = event.request_context.domain_name
    stage = event.request_context.stage
    suffix = "" if stage in ("", "$default") else f"/{stage}"
    return f"https://{domain}{suffix}"
