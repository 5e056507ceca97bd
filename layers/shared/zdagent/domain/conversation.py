"""The conversation log: per ticket, its messages and the agent's decisions (redacted)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Protocol, cast

from zdagent.core import records

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


MESSAGE_ROLES: tuple[MessageRole, ...] = ("visitor", "human_agent", "ai_agent")
SOURCES: tuple[ConversationSource, ...] = ("live", "imported")
STATUSES: tuple[ConversationStatus, ...] = (
    "processed",
    "answered",
    "escalated",
    "ignored",
    "imported",
)
ACTIONS: tuple[DecisionAction, ...] = ("answered", "drafted", "escalated", "ignored")
# read by pydantic when the OpenAPI document is generated (api/schemas.py): unknown fields refused
FORBID_EXTRA = {"extra": "forbid"}


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedMessage:
    __pydantic_config__: ClassVar[dict[str, str]] = FORBID_EXTRA
    message_id: str
    role: MessageRole
    text: str  # redacted
    public: bool = True
    created_at: datetime

    @classmethod
    def from_json(cls, raw: object, where: str = "message") -> LoggedMessage:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, ("message_id", "role", "text", "public", "created_at"), where)
        return cls(
            message_id=records.text(data, "message_id", where),
            role=cast(MessageRole, records.choice(data, "role", MESSAGE_ROLES, where)),
            text=records.text(data, "text", where),
            public=records.boolean(data, "public", where, default=True),
            created_at=records.instant(data, "created_at", where),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "role": self.role,
            "text": self.text,
            "public": self.public,
            "created_at": records.instant_json(self.created_at),
        }


_DECISION_FIELDS = (
    "decision_id",
    "comment_id",
    "action",
    "reason",
    "confidence",
    "engine",
    "language",
    "sources",
    "at",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    __pydantic_config__: ClassVar[dict[str, str]] = FORBID_EXTRA
    decision_id: str
    comment_id: int | None = None
    action: DecisionAction
    reason: str  # one reason code, e.g. "answered", "engine_off", "auto_reply", "low_confidence"
    confidence: float | None = None
    engine: str | None = None
    language: str | None = None
    sources: list[dict[str, str | None]] = field(default_factory=list)
    at: datetime

    @classmethod
    def from_json(cls, raw: object, where: str = "decision") -> Decision:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, _DECISION_FIELDS, where)
        return cls(
            decision_id=records.text(data, "decision_id", where),
            comment_id=records.optional_integer(data, "comment_id", where),
            **outcome_fields(data, where),
            at=records.instant(data, "at", where),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "comment_id": self.comment_id,
            **outcome_json(self),
            "at": records.instant_json(self.at),
        }


class Outcome(Protocol):
    """What a decision and a reply plan both say: the action, why, and from what."""

    @property
    def action(self) -> DecisionAction: ...
    @property
    def reason(self) -> str: ...
    @property
    def confidence(self) -> float | None: ...
    @property
    def engine(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def sources(self) -> list[dict[str, str | None]]: ...


def outcome_fields(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The fields of an ``Outcome`` read from a stored decision or plan."""
    return {
        "action": cast(DecisionAction, records.choice(data, "action", ACTIONS, where)),
        "reason": records.text(data, "reason", where),
        "confidence": records.optional_number(data, "confidence", where),
        "engine": records.optional_text(data, "engine", where),
        "language": records.optional_text(data, "language", where),
        "sources": records.source_list(data, "sources", where),
    }


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "action": outcome.action,
        "reason": outcome.reason,
        "confidence": outcome.confidence,
        "engine": outcome.engine,
        "language": outcome.language,
        "sources": [dict(source) for source in outcome.sources],
    }


_CONVERSATION_FIELDS = (
    "agent_id",
    "subdomain",
    "ticket_id",
    "source",
    "status",
    "subject",
    "channel",
    "labels",
    "replies_sent",
    "last_reason",
    "counted_as",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Conversation:
    agent_id: str
    subdomain: str  # the Zendesk account the ticket belongs to
    ticket_id: int
    source: ConversationSource = "live"
    status: ConversationStatus = "processed"
    subject: str = ""  # redacted
    channel: str | None = None
    labels: list[str] = field(default_factory=list)
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

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Conversation:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, _CONVERSATION_FIELDS, where)
        return cls(**_conversation_fields(data, where))

    def to_json(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "subdomain": self.subdomain,
            "ticket_id": self.ticket_id,
            "source": self.source,
            "status": self.status,
            "subject": self.subject,
            "channel": self.channel,
            "labels": list(self.labels),
            "replies_sent": self.replies_sent,
            "last_reason": self.last_reason,
            "counted_as": self.counted_as,
            "created_at": records.instant_json(self.created_at),
            "updated_at": records.instant_json(self.updated_at),
        }


def _conversation_fields(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    counted_as = data.get("counted_as")
    return {
        "agent_id": records.text(data, "agent_id", where),
        "subdomain": records.text(data, "subdomain", where),
        "ticket_id": records.integer(data, "ticket_id", where),
        "source": records.choice(data, "source", SOURCES, where, default="live"),
        "status": records.choice(data, "status", STATUSES, where, default="processed"),
        "subject": records.text(data, "subject", where, default=""),
        "channel": records.optional_text(data, "channel", where),
        "labels": records.text_list(data, "labels", where),
        "replies_sent": records.integer(data, "replies_sent", where, default=0),
        "last_reason": records.optional_text(data, "last_reason", where),
        "counted_as": None
        if counted_as is None
        else records.choice(data, "counted_as", STATUSES, where),
        "created_at": records.instant(data, "created_at", where),
        "updated_at": records.instant(data, "updated_at", where),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationDetail(Conversation):
    messages: list[LoggedMessage] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @classmethod
    def of(
        cls, header: Conversation, messages: list[LoggedMessage], decisions: list[Decision]
    ) -> ConversationDetail:
        values = {f.name: getattr(header, f.name) for f in fields(Conversation)}
        return cls(**values, messages=messages, decisions=decisions)

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> ConversationDetail:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, (*_CONVERSATION_FIELDS, "messages", "decisions"), where)
        return cls(
            **_conversation_fields(data, where),
            messages=[
                LoggedMessage.from_json(m, f"messages.{i}")
                for i, m in enumerate(records.object_list(data, "messages", where))
            ],
            decisions=[
                Decision.from_json(d, f"decisions.{i}")
                for i, d in enumerate(records.object_list(data, "decisions", where))
            ],
        )

    def to_json(self) -> dict[str, Any]:
        return super(ConversationDetail, self).to_json() | {
            "messages": [m.to_json() for m in self.messages],
            "decisions": [d.to_json() for d in self.decisions],
        }


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
