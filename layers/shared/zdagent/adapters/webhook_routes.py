"""What the webhook receiver needs to know of an agent, read from the state table directly.

The receiver decides from five values: the integration's Zendesk account (subdomain), is it
authorized, who is the AI agent user, is the engine on, and the agent's reply delay. Reading
them through the repositories would parse the whole Agent and Integration records (and load the
repositories and their modules), more than a cold start the receiver must keep within 1.3x
``import boto3`` can spare (bench/bench_cold_start.py). The items were written by
those repositories from validated models, so these reads take the fields as stored; the rules
they apply are the models' own (``Integration.is_authorized``, ``AgentSettings`` defaults), and
tests/unit/replies/test_webhook_lean_path.py checks both readings agree.

Both items are read in one strongly consistent BatchGetItem, projected to those five values:
one round trip a delivery instead of two, and nothing else of the items to carry and parse
(bench/bench_reply_path.py: the reads were half the receiver's work on the local stack).
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


# the document paths the receiver reads (the projection of both items)
_INTEGRATION_PATHS = (
    "subdomain",
    "authorization.status",
    "authorization.user.id",
    "engine.enabled",
)
_AGENT_PATHS = ("settings.reply_delay_seconds",)


@dataclass(frozen=True)
class AgentRoute:
    """An agent as the receiver sees it."""

    integration: IntegrationRoute | None  # None: the agent has no integration
    reply_delay: int | None  # seconds; None: there is no such agent


def read_agent_route(store: StateStore, agent_id: str) -> AgentRoute:
    """The agent's integration and reply delay, in one read of both items."""
    pk = agent_pk(agent_id)
    items = store.batch_get(
        [(pk, INTEGRATION_SK), (pk, AGENT_SK)], attributes=(*_INTEGRATION_PATHS, *_AGENT_PATHS)
    )
    by_sk = {str(item["sk"]): item for item in items}
    return AgentRoute(
        integration=_integration_route(by_sk.get(INTEGRATION_SK)),
        reply_delay=_reply_delay(by_sk.get(AGENT_SK)),
    )


def _integration_route(item: dict[str, Any] | None) -> IntegrationRoute | None:
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


def _reply_delay(item: dict[str, Any] | None) -> int | None:
    if not item:
        return None
    settings: dict[str, Any] = item.get("settings") or {}
    return int(settings.get("reply_delay_seconds", DEFAULT_REPLY_DELAY_SECONDS))
