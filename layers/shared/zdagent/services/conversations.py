"""Use cases: the conversation log (recording decisions, listing, reading) and statistics.

Everything stored is redacted first (emails and phone numbers); live decisions update the stats
counters, imported conversations never do.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field

from zdagent.adapters.conversations import ConversationRepository
from zdagent.domain.conversation import (
    Conversation,
    ConversationDetail,
    ConversationStatus,
    Decision,
    DecisionAction,
    LoggedMessage,
    MessageRole,
)
from zdagent.domain.redaction import redact
from zdagent.services.context import Context

MAX_MESSAGE_CHARS = 4000
ACTIONS: tuple[str, ...] = get_args(DecisionAction)
STATUS_OF_ACTION: dict[DecisionAction, ConversationStatus] = {
    "answered": "answered",
    "drafted": "processed",
    "escalated": "escalated",
    "ignored": "ignored",
}


class ListConversationsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(default=None, pattern="^(live|imported)$")
    status: str | None = Field(
        default=None, pattern="^(processed|answered|escalated|ignored|imported)$"
    )
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


@dataclass(frozen=True)
class MessageToLog:
    message_id: str
    role: MessageRole
    text: str
    public: bool
    created_at: datetime


@dataclass(frozen=True)
class DecisionToLog:
    action: DecisionAction
    reason: str
    comment_id: int | None = None
    confidence: float | None = None
    engine: str | None = None
    language: str | None = None
    sources: tuple[dict[str, str | None], ...] = ()


def _repository(ctx: Context) -> ConversationRepository:
    return ConversationRepository(ctx.store)


def record_decision(
    ctx: Context,
    agent_id: str,
    ticket_id: int,
    decision: DecisionToLog,
    *,
    subject: str = "",
    messages: Sequence[MessageToLog] = (),
    replies_sent: int | None = None,
) -> None:
    """Log one live decision (and the messages it concerns) and count it in the statistics."""
    repo = _repository(ctx)
    now = ctx.now()
    status = STATUS_OF_ACTION[decision.action]
    existing = repo.find(agent_id, ticket_id)
    header = existing or Conversation(
        agent_id=agent_id,
        ticket_id=ticket_id,
        source="live",
        subject=redact(subject)[:300],
        channel="email",
        created_at=now,
        updated_at=now,
    )
    updates: dict[str, Any] = {
        "status": status,
        "last_reason": decision.reason,
        "updated_at": now,
        "counted_as": status,
    }
    if replies_sent is not None:
        updates["replies_sent"] = replies_sent
    if not header.subject and subject:
        updates["subject"] = redact(subject)[:300]
    header = header.model_copy(update=updates)
    logged = Decision(
        decision_id=uuid.uuid4().hex[:16],
        comment_id=decision.comment_id,
        action=decision.action,
        reason=decision.reason,
        confidence=decision.confidence,
        engine=decision.engine,
        language=decision.language,
        sources=[dict(s) for s in decision.sources],
        at=now,
    )
    items = [repo.header_item(header), repo.decision_item(agent_id, ticket_id, logged)]
    items += [
        repo.message_item(
            agent_id,
            ticket_id,
            LoggedMessage(
                message_id=m.message_id,
                role=m.role,
                text=redact(m.text)[:MAX_MESSAGE_CHARS],
                public=m.public,
                created_at=m.created_at,
            ),
        )
        for m in messages
    ]
    repo.write_batch(items)
    repo.count(
        agent_id,
        action=decision.action,
        status=status,
        reason=decision.reason,
        day=now.date().isoformat(),
        previously=existing.counted_as if existing else None,
    )


def list_conversations(
    ctx: Context, agent_id: str, query: ListConversationsQuery
) -> dict[str, Any]:
    ctx.agents.get(agent_id)  # 404 for an unknown agent
    items, token = _repository(ctx).list(
        agent_id,
        source=query.source,
        status=query.status,
        limit=query.limit,
        next_token=query.next_token,
    )
    return {"items": [c.model_dump(mode="json") for c in items], "next_token": token}


def get_conversation(ctx: Context, agent_id: str, ticket_id: int) -> ConversationDetail:
    ctx.agents.get(agent_id)
    return _repository(ctx).get(agent_id, ticket_id)


LIVE_STATUSES = ("answered", "escalated", "processed", "ignored")
STATS_DAYS = 30


def stats(ctx: Context, agent_id: str) -> dict[str, Any]:
    """Counts of live decisions by status and by reason (imported conversations excluded),
    and of conversations by their current status (these add up with the log's live rows),
    and decisions per day by action for the last ``STATS_DAYS`` days."""
    ctx.agents.get(agent_id)
    counters = _repository(ctx).stats(agent_id)
    by_status = {name: counters["by_status"].get(name, 0) for name in LIVE_STATUSES}
    conversations = {name: max(0, counters["conversations"].get(name, 0)) for name in LIVE_STATUSES}
    today = ctx.now().date()
    days = [(today - timedelta(days=back)).isoformat() for back in range(STATS_DAYS - 1, -1, -1)]
    per_day = counters["by_day"]
    by_day = [
        {"date": day} | {action: per_day.get(day, {}).get(action, 0) for action in ACTIONS}
        for day in days
    ]
    return {
        "agent_id": agent_id,
        "by_status": by_status,
        "by_reason": dict(sorted(counters["by_reason"].items())),
        "total": sum(by_status.values()),
        "conversations": {"by_status": conversations, "total": sum(conversations.values())},
        "by_day": by_day,
    }
