"""The conversation log: per ticket, its messages and the agent's decisions (redacted)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MessageRole = Literal["visitor", "human_agent", "ai_agent"]
ConversationSource = Literal["live", "imported"]
ConversationStatus = Literal["processed", "answered", "escalated", "ignored", "imported"]
DecisionAction = Literal["answered", "drafted", "escalated", "ignored"]


@dataclass(frozen=True)
class LogAccount:
    """Whose log: one agent's conversations with one Zendesk account (its subdomain). Ticket
    ids are numbered per account, so a ticket is named by the account and its id."""

    agent_id: str
    subdomain: str


class LoggedMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str
    role: MessageRole
    text: str  # redacted
    public: bool = True
    created_at: datetime


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_id: str
    comment_id: int | None = None
    action: DecisionAction
    reason: str  # one reason code, e.g. "answered", "engine_off", "auto_reply", "low_confidence"
    confidence: float | None = None
    engine: str | None = None
    language: str | None = None
    sources: list[dict[str, str | None]] = Field(default_factory=list)
    at: datetime


class Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_id: str
    subdomain: str  # the Zendesk account the ticket belongs to
    ticket_id: int
    source: ConversationSource = "live"
    status: ConversationStatus = "processed"
    subject: str = ""  # redacted
    channel: str | None = None
    labels: list[str] = Field(default_factory=list)
    replies_sent: int = 0
    last_reason: str | None = None
    # the status this conversation is counted under in the statistics (None: not counted, e.g.
    # imported and never handled live); moves with ``status`` so the counts add up with the log
    counted_as: ConversationStatus | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def account(self) -> LogAccount:
        return LogAccount(self.agent_id, self.subdomain)


class ConversationDetail(Conversation):
    messages: list[LoggedMessage] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)


_COMMENT_ID = re.compile(r"^(ai-)?([0-9]{1,19})$")


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _thread_position(message_id: str) -> tuple[int, bool] | None:
    """(comment id, is our reply to it) from ``123`` or ``ai-123``; None for other ids."""
    match = _COMMENT_ID.match(message_id)
    return (int(match[2]), bool(match[1])) if match else None


def in_thread_order(messages: list[LoggedMessage]) -> list[LoggedMessage]:
    """Messages in the order they were written on the ticket: by Zendesk comment id (a reply
    of ours, ``ai-<id>``, right after the comment it answers), never by time as text (Zendesk's
    whole seconds and our microseconds do not compare as strings). Without comment ids for all,
    by time, parsed as datetimes."""
    positions = [_thread_position(m.message_id) for m in messages]
    if all(p is not None for p in positions):
        order = sorted(range(len(messages)), key=lambda i: positions[i] or (0, False))
        return [messages[i] for i in order]
    return sorted(messages, key=lambda m: as_utc(m.created_at))
