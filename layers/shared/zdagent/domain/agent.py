"""The AI agent and its settings (docs/contract.md §5)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

TAG_PATTERN = re.compile(r"^[a-z0-9_\-/:.]{1,80}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")

Tag = Annotated[str, Field(min_length=1, max_length=80)]
ZENDESK_ID_MAX = 2**63 - 1  # Zendesk ids are 64-bit integers


def check_language(value: str) -> str:
    """'en', 'fr' or 'pt-BR'; anything else is a ValueError (a 422 through pydantic)."""
    if not LANGUAGE_PATTERN.fullmatch(value):
        raise ValueError(f"'{value[:40]}' is not a language code like 'en' or 'fr'")
    return value


def _check_tag(value: str) -> str:
    tag = value.strip().lower()
    if not TAG_PATTERN.fullmatch(tag):
        raise ValueError(
            "a Zendesk tag is 1-80 characters of letters, digits, '_', '-', '/', ':' or '.'"
        )
    return tag


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
        return _check_tag(value)

    @field_validator("languages")
    @classmethod
    def _valid_languages(cls, value: list[str] | None) -> list[str] | None:
        if not value:
            return None  # [] (an emptied console field) means no restriction, as null does
        for code in value:
            check_language(code)
        return list(dict.fromkeys(value))


class Agent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_id: str
    name: str = Field(min_length=1, max_length=200)
    default_language: str = "en"
    settings: AgentSettings = Field(default_factory=AgentSettings)
    knowledge_version: str = ""
    knowledge_articles: int = 0
    created_at: datetime
    updated_at: datetime
    version: int = 0

    @field_validator("default_language")
    @classmethod
    def _valid_default_language(cls, value: str) -> str:
        return check_language(value)

    def public(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude={"version"})


def new_agent_id() -> str:
    return "agt_" + uuid.uuid4().hex[:20]
