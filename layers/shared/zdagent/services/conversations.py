"""Use cases: the conversation log (recording decisions, listing, reading) and statistics.

Everything stored is redacted first (emails and phone numbers); live decisions update the stats
counters in the same write as the log (one transaction), imported conversations never do. The
log is kept per Zendesk account (subdomain): what is read is the current integration's account
unless another is asked for (``subdomain``), or, with no integration, the account last active
in the log.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, get_args

from zdagent.adapters.conversations import ConversationRepository
from zdagent.core.errors import ConcurrentModificationError, NotFoundError
from zdagent.domain.conversation import (
    Conversation,
    ConversationDetail,
    ConversationStatus,
    Decision,
    DecisionAction,
    LogAccount,
    LoggedMessage,
    MessageRole,
)
from zdagent.domain.redaction import redact
from zdagent.services.context import Context

if TYPE_CHECKING:  # the queries are the conversations API's (pydantic); the workers never parse one
    from zdagent.services.conversation_queries import ListConversationsQuery

MAX_MESSAGE_CHARS = 4000
# one decision's write against other decisions on the same ticket: tries before giving up
MAX_DECISION_ATTEMPTS = 5
ACTIONS: tuple[str, ...] = get_args(DecisionAction)
STATUS_OF_ACTION: dict[DecisionAction, ConversationStatus] = {
    "answered": "answered",
    "drafted": "processed",
    "escalated": "escalated",
    "ignored": "ignored",
}


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
    subdomain: str,
    subject: str = "",
    messages: Sequence[MessageToLog] = (),
    replies_sent: int | None = None,
) -> None:
    """Log one live decision on ticket ``ticket_id`` of the Zendesk account ``subdomain`` (and
    the messages it concerns) and count it in that account's statistics, both in one write.

    That write holds only if the conversation is still counted as it was read; when another
    decision on the ticket came in between, the conversation is read again and the write
    retried (``MAX_DECISION_ATTEMPTS`` in all, then ConcurrentModificationError)."""
    repo = _repository(ctx)
    account = LogAccount(agent_id, subdomain)
    now = ctx.now()
    logged = _decision(decision, now)
    to_log = [_message(m) for m in messages]
    for attempt in range(1, MAX_DECISION_ATTEMPTS + 1):
        read = repo.find(account, ticket_id)
        header = _header_after(
            read, account, ticket_id, logged, subject=subject, replies_sent=replies_sent
        )
        try:
            repo.log_decision(header, logged, to_log, read=read)
        except ConcurrentModificationError:
            if attempt == MAX_DECISION_ATTEMPTS:
                raise
        else:
            return


def _decision(decision: DecisionToLog, now: datetime) -> Decision:
    return Decision(
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


def _message(message: MessageToLog) -> LoggedMessage:
    return LoggedMessage(
        message_id=message.message_id,
        role=message.role,
        text=redact(message.text)[:MAX_MESSAGE_CHARS],
        public=message.public,
        created_at=message.created_at,
    )


def _header_after(
    read: Conversation | None,
    account: LogAccount,
    ticket_id: int,
    decision: Decision,
    *,
    subject: str,
    replies_sent: int | None,
) -> Conversation:
    """The conversation's header once ``decision`` is logged (``read``: as it is now, if any)."""
    now = decision.at
    header = read or Conversation(
        agent_id=account.agent_id,
        subdomain=account.subdomain,
        ticket_id=ticket_id,
        source="live",
        subject=redact(subject)[:300],
        channel="email",
        created_at=now,
        updated_at=now,
    )
    status = STATUS_OF_ACTION[decision.action]
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
    return replace(header, **updates)


def _account_shown(ctx: Context, agent_id: str, subdomain: str | None) -> LogAccount | None:
    """The account asked for; else the current integration's; else the one last active in the
    log (None: the log is empty). Answers 404 for an unknown agent."""
    ctx.agents.get(agent_id)
    if subdomain is None:
        integration = ctx.integrations.find(agent_id)
        if integration is not None:
            subdomain = integration.subdomain
        else:
            known = _repository(ctx).accounts(agent_id)
            subdomain = known[0]["subdomain"] if known else None
    return None if subdomain is None else LogAccount(agent_id, subdomain)


def _accounts(ctx: Context, agent_id: str) -> tuple[str | None, list[dict[str, Any]]]:
    """The current integration's account (None: no integration), and every account of the log
    (the current one included), the most recently active first, each marked ``current``."""
    ctx.agents.get(agent_id)
    integration = ctx.integrations.find(agent_id)
    current = integration.subdomain if integration else None
    known: list[dict[str, Any]] = list(_repository(ctx).accounts(agent_id))
    if current and all(a["subdomain"] != current for a in known):
        known.insert(0, {"subdomain": current, "last_activity_at": ""})
    return current, [a | {"current": a["subdomain"] == current} for a in known]


def list_conversations(
    ctx: Context, agent_id: str, query: ListConversationsQuery
) -> dict[str, Any]:
    current, accounts = _accounts(ctx, agent_id)
    chosen = query.subdomain or current or (accounts[0]["subdomain"] if accounts else None)
    items: list[Conversation] = []
    token: str | None = None
    if chosen is not None:
        items, token = _repository(ctx).list(
            LogAccount(agent_id, chosen),
            source=query.source,
            status=query.status,
            limit=query.limit,
            next_token=query.next_token,
        )
    return {
        "items": [c.to_json() for c in items],
        "next_token": token,
        "subdomain": chosen,
        "accounts": accounts,
    }


def get_conversation(
    ctx: Context, agent_id: str, ticket_id: int, subdomain: str | None = None
) -> ConversationDetail:
    account = _account_shown(ctx, agent_id, subdomain)
    if account is None:
        raise NotFoundError(f"no conversation for ticket {ticket_id}")
    return _repository(ctx).get(account, ticket_id)


LIVE_STATUSES = ("answered", "escalated", "processed", "ignored")
STATS_DAYS = 30


def stats(ctx: Context, agent_id: str, subdomain: str | None = None) -> dict[str, Any]:
    """Counts of live decisions by status and by reason (imported conversations excluded),
    and of conversations by their current status (these add up with the log's live rows),
    and decisions per day by action for the last ``STATS_DAYS`` days; of one Zendesk account
    (``_account_shown``)."""
    account = _account_shown(ctx, agent_id, subdomain)
    empty: dict[str, Any] = {"by_status": {}, "by_reason": {}, "conversations": {}, "by_day": {}}
    counters = _repository(ctx).stats(account) if account else empty
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
        "subdomain": account.subdomain if account else None,
        "by_status": by_status,
        "by_reason": dict(sorted(counters["by_reason"].items())),
        "total": sum(by_status.values()),
        "conversations": {"by_status": conversations, "total": sum(conversations.values())},
        "by_day": by_day,
    }
