"""What the admin API accepts for an agent's settings and articles (pydantic: a 422 per field).

The record every function reads is ``domain.agent.AgentSettings`` (a dataclass: the reply and
knowledge workers must not pay for pydantic at their cold start, bench/bench_cold_start.py).
The API validates a body here, with the bounds, tag and language rules, and builds the record
from the result (``to_record``); the OpenAPI document shows these rules.
The same holds for an uploaded article (``domain.knowledge.KnowledgeArticle``).
tests/unit/domain/test_agent_and_redaction.py checks each pair has the same fields and defaults.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zdagent.domain import agent as records
from zdagent.domain import knowledge
from zdagent.domain.agent import ZENDESK_ID_MAX, check_language, check_tag

Tag = Annotated[str, Field(min_length=1, max_length=80)]


class AgentSettings(BaseModel):
    """How the agent behaves on email. Defaults are docs/contract.md §5's."""

    model_config = ConfigDict(extra="forbid")

    reply_delay_seconds: int = Field(default=0, ge=0, le=7 * 24 * 3600)
    stale_after_days: int = Field(default=3, ge=1, le=365)
    max_replies_per_ticket: int = Field(default=3, ge=1, le=100)
    confidence_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    mode: Literal["live", "shadow"] = "live"
    handover_group_id: int | None = Field(default=None, ge=1, le=ZENDESK_ID_MAX)
    handover_tag: Tag = "ai_agent_escalated"
    reply_tag: Tag = "ai_agent_replied"
    answer_agent_submitted: bool = False
    signature: str = Field(default="", max_length=2000)
    languages: list[str] | None = Field(
        default=None,
        max_length=30,
        description="null (or []) = every language the agent's knowledge has articles in",
    )
    handover_public_message: bool = False
    engine: Literal["knowledge", "bedrock"] = "knowledge"
    instructions: str = Field(default="", max_length=4000)

    @field_validator("handover_tag", "reply_tag")
    @classmethod
    def _valid_tag(cls, value: str) -> str:
        return check_tag(value)

    @field_validator("languages")
    @classmethod
    def _valid_languages(cls, value: list[str] | None) -> list[str] | None:
        if not value:
            return None  # [] (an emptied console field) means no restriction, as null does
        for code in value:
            check_language(code)
        return list(dict.fromkeys(value))

    def to_record(self) -> records.AgentSettings:
        return records.AgentSettings(**self.model_dump())


class AgentNaming(BaseModel):
    """The agent's own fields a body may set (``name``, ``default_language``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    default_language: str = "en"

    @field_validator("default_language")
    @classmethod
    def _valid_default_language(cls, value: str) -> str:
        return check_language(value)


class KnowledgeArticle(BaseModel):
    """One help-centre article the agent may answer from."""

    # from_attributes: a domain.knowledge record is read by its attributes (the demo articles)
    model_config = ConfigDict(frozen=True, extra="forbid", from_attributes=True)

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    body: str
    locale: str = Field(min_length=2, description="BCP 47 tag, e.g. 'en', 'fr', 'pt-BR'")
    url: str | None = None
    labels: list[str] = Field(default_factory=list)

    def to_record(self) -> knowledge.KnowledgeArticle:
        return knowledge.KnowledgeArticle(**self.model_dump())
