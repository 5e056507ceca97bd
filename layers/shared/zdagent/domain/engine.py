"""What a reply engine is given and what it answers: pure models, no I/O.

A reply engine reads one customer email (already part of a Zendesk ticket) and the agent's
knowledge, and decides one of three things: answer it, hand it over to a person, or say nothing
(an acknowledgement, an auto-reply, an empty message). The services layer turns that decision
into a public comment, an internal note or a handover; engines never talk to Zendesk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from zdagent.core import records

# the knowledge records live in domain/knowledge.py (functions that store articles load only them)
from zdagent.domain.knowledge import KnowledgeArticle, KnowledgeBase

__all__ = [
    "ConversationMessage",
    "EngineAnswer",
    "EngineHandover",
    "EngineNothingToSay",
    "EngineRequest",
    "EngineResult",
    "HandoverReason",
    "KnowledgeArticle",
    "KnowledgeBase",
    "ReplyEngine",
    "Source",
]


def _share(value: float, name: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise records.invalid(name, "must be between 0 and 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationMessage:
    """An earlier public message of the ticket, oldest first."""

    role: Literal["visitor", "human_agent", "ai_agent"]
    text: str
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineRequest:
    """Everything an engine may read about the conversation.

    ``latest_message``: raw plain text of the latest customer comment; may hold quoted history
    and a signature, which the engine strips. ``languages``: the agent's languages; None = every
    language its articles are in."""

    agent_id: str
    agent_name: str
    subject: str = ""
    latest_message: str
    history: list[ConversationMessage] = field(default_factory=list)
    requester_name: str | None = None
    tags: list[str] = field(default_factory=list)
    languages: list[str] | None = None
    default_language: str = "en"
    confidence_threshold: float = 0.5
    instructions: str = ""

    def __post_init__(self) -> None:
        if not self.agent_id:
            raise records.invalid("agent_id", "must have at least 1 character(s)")
        _share(self.confidence_threshold, "confidence_threshold")


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """An article an answer rests on, cited in the email."""

    article_id: str
    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineAnswer:
    """``markdown``: the answer only: no greeting, no signature."""

    kind: Literal["answer"] = "answer"
    markdown: str
    language: str
    confidence: float
    sources: list[Source] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.markdown:
            raise records.invalid("markdown", "must have at least 1 character(s)")
        _share(self.confidence, "confidence")


HandoverReason = Literal[
    "low_confidence",
    "customer_requested_human",
    "engine_error",
    "prompt_injection",
    "out_of_scope",
    "language_not_enabled",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineHandover:
    """``summary``: for the human agent who takes over; never the full email."""

    kind: Literal["handover"] = "handover"
    reason: HandoverReason
    summary: str
    language: str
    confidence: float = 0.0

    def __post_init__(self) -> None:
        _share(self.confidence, "confidence")


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineNothingToSay:
    kind: Literal["nothing"] = "nothing"
    reason: str


EngineResult = EngineAnswer | EngineHandover | EngineNothingToSay


class ReplyEngine(Protocol):
    """An engine: answers, hands over or stays silent. Must not raise for bad model output."""

    name: str

    def respond(self, request: EngineRequest, knowledge: KnowledgeBase) -> EngineResult: ...
