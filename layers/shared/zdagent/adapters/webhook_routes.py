"""What the webhook receiver needs to know of an agent, read from the state table directly.

The receiver decides from five values: the integration's Zendesk account (subdomain), is it
authorized, who is the AI agent user, is the engine on, and the agent's reply delay. Reading
them through the repositories would parse the whole Agent and Integration records (and load the
repositories and their modules), more than a cold start the receiver must keep within 1.3x
``import boto3`` can spare (bench/bench_cold_start.py). The items were written by
those repositories from validated models, so these reads take the fields as stored; the rules
they apply are the models' own (``Integration.is_authorized``, ``AgentSettings`` defaults), and
tests/unit/replies/test_webhook_lean_path.py checks both readings agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zdagent.adapters.dynamodb import StateStore
from zdagent.adapters.keys import AGENT_SK, INTEGRATION_SK, agent_pk

AUTHORIZED = "authorized"  # Integration.authorization.status of an authorized integration
DEFAULT_REPLY_DELAY_SECONDS = 0  # AgentSettings.reply_delay_seconds' default


@dataclass(frozen=True)
class IntegrationRoute:
    """An integration as the receiver sees it."""

    subdomain: str  # the Zendesk account: names its log, its webhook marks and its jobs
    is_authorized: bool
    ai_user_id: int | None
    engine_enabled: bool


def read_integration_route(store: StateStore, agent_id: str) -> IntegrationRoute | None:
    """The agent's integration, or None when it has none."""
    item = store.get(agent_pk(agent_id), INTEGRATION_SK)
    if not item:
        return None
    authorization: dict[str, Any] = item.get("authorization") or {}
    user: dict[str, Any] = authorization.get("user") or {}
    engine: dict[str, Any] = item.get("engine") or {}
    return IntegrationRoute(
        subdomain=str(item["subdomain"]),
        is_authorized=authorization.get("status") == AUTHORIZED,
        ai_user_id=int(user["id"]) if user.get("id") is not None else None,
        engine_enabled=bool(engine.get("enabled", False)),
    )


def read_reply_delay(store: StateStore, agent_id: str) -> int | None:
    """The agent's reply delay in seconds, or None when there is no such agent."""
    item = store.get(agent_pk(agent_id), AGENT_SK)
    if not item:
        return None
    settings: dict[str, Any] = item.get("settings") or {}
    return int(settings.get("reply_delay_seconds", DEFAULT_REPLY_DELAY_SECONDS))
