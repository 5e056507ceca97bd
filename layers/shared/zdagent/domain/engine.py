"""What a reply engine is given and what it answers: pure models, no I/O.

A reply engine reads one customer email (already part of a Zendesk ticket) and the agent's
knowledge, and decides one of three things: answer it, hand it over to a person, or say nothing
(an acknowledgement, an auto-reply, an empty message). The services layer turns that decision
into a public comment, an internal note or a handover; engines never talk to Zendesk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

# the knowledge records live in domain/knowledge.py (functions that store articles load only them)
from zdagent.domain.knowledge import KnowledgeArticle, KnowledgeBase


class _Frozen(BaseModel):
    """An immutable domain value that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


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


class ConversationMessage(_Frozen):
    """An earlier public message of the ticket, oldest first."""

    role: Literal["visitor", "human_agent", "ai_agent"]
    text: str
    created_at: datetime | None = None


class EngineRequest(_Frozen):
    """Everything an engine may read about the conversation."""

    agent_id: str = Field(min_length=1)
    agent_name: str
    subject: str = ""
    latest_message: str = Field(
        description="raw plain text of the latest customer comment; may hold quoted history "
        "and a signature, which the engine strips"
    )
    history: list[ConversationMessage] = Field(default_factory=list)
    requester_name: str | None = None
    tags: list[str] = Field(default_factory=list)
    languages: list[str] | None = Field(
        default=None,
        description="the agent's languages; None = every language its articles are in",
    )
    default_language: str = "en"
    confidence_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    instructions: str = ""


class Source(_Frozen):
    """An article an answer rests on, cited in the email."""

    article_id: str
    title: str
    url: str | None = None


class EngineAnswer(_Frozen):
    kind: Literal["answer"] = "answer"
    markdown: str = Field(min_length=1, description="the answer only: no greeting, no signature")
    language: str
    confidence: float = Field(ge=0.0, le=1.0)
    sources: list[Source] = Field(default_factory=list)


HandoverReason = Literal[
    "low_confidence",
    "customer_requested_human",
    "engine_error",
    "prompt_injection",
    "out_of_scope",
    "language_not_enabled",
]


class EngineHandover(_Frozen):
    kind: Literal["handover"] = "handover"
    reason: HandoverReason
    summary: str = Field(description="for the human agent who takes over; never the full email")
    language: str
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class EngineNothingToSay(_Frozen):
    kind: Literal["nothing"] = "nothing"
    reason: str


EngineResult = Annotated[
    EngineAnswer | EngineHandover | EngineNothingToSay, Field(discriminator="kind")
]


class ReplyEngine(Protocol):
    """An engine: answers, hands over or stays silent. Must not raise for bad model output."""

    name: str

    def respond(self, request: EngineRequest, knowledge: KnowledgeBase) -> EngineResult: ...
