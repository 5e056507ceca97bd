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


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KnowledgeArticle(_Frozen):
    """One help-centre article the agent may answer from."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    body: str
    locale: str = Field(min_length=2, description="BCP 47 tag, e.g. 'en', 'fr', 'pt-BR'")
    url: str | None = None
    labels: list[str] = Field(default_factory=list)


class KnowledgeBase(_Frozen):
    """An agent's articles at one version (engines cache indexes per (agent_id, version))."""

    agent_id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    articles: list[KnowledgeArticle] = Field(default_factory=list)


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
