"""The AI agent and its settings (docs/contract.md §5)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from zdagent.core import records

TAG_PATTERN = re.compile(r"^[a-z0-9_\-/:.]{1,80}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
ZENDESK_ID_MAX = 2**63 - 1  # Zendesk ids are 64-bit integers


def check_language(value: str) -> str:
    """'en', 'fr' or 'pt-BR'; anything else is a ValueError (a 422 through pydantic)."""
    if not LANGUAGE_PATTERN.fullmatch(value):
        raise ValueError(f"'{value[:40]}' is not a language code like 'en' or 'fr'")
    return value


def check_tag(value: str) -> str:
    tag = value.strip().lower()
    if not TAG_PATTERN.fullmatch(tag):
        raise ValueError(
            "a Zendesk tag is 1-80 characters of letters, digits, '_', '-', '/', ':' or '.'"
        )
    return tag


MODES: tuple[str, ...] = ("live", "shadow")
ENGINES: tuple[str, ...] = ("knowledge", "bedrock")
SETTINGS_FIELDS = (
    "reply_delay_seconds",
    "stale_after_days",
    "max_replies_per_ticket",
    "confidence_threshold",
    "mode",
    "handover_group_id",
    "handover_tag",
    "reply_tag",
    "answer_agent_submitted",
    "signature",
    "languages",
    "handover_public_message",
    "engine",
    "instructions",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSettings:
    """How the agent behaves on email. Defaults are docs/contract.md §5's.

    The record every function reads. The admin API validates what it is sent against the rules
    of ``services/agent_schemas.py`` (pydantic: bounds, tags, languages, a 422 per field) and
    builds this from the result; a test checks both have the same fields and defaults."""

    reply_delay_seconds: int = 0
    stale_after_days: int = 3
    max_replies_per_ticket: int = 3
    confidence_threshold: float = 0.5
    mode: Literal["live", "shadow"] = "live"
    handover_group_id: int | None = None
    handover_tag: str = "ai_agent_escalated"
    reply_tag: str = "ai_agent_replied"
    answer_agent_submitted: bool = False
    signature: str = ""
    languages: list[str] | None = None
    handover_public_message: bool = False
    engine: Literal["knowledge", "bedrock"] = "knowledge"
    instructions: str = ""

    @classmethod
    def from_json(cls, raw: object, where: str = "settings") -> AgentSettings:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, SETTINGS_FIELDS, where)
        confidence = records.optional_number(data, "confidence_threshold", where)
        languages = data.get("languages")
        return cls(
            reply_delay_seconds=records.integer(data, "reply_delay_seconds", where, default=0),
            stale_after_days=records.integer(data, "stale_after_days", where, default=3),
            max_replies_per_ticket=records.integer(
                data, "max_replies_per_ticket", where, default=3
            ),
            confidence_threshold=0.5 if confidence is None else confidence,
            mode=cast(Any, records.choice(data, "mode", MODES, where, default="live")),
            handover_group_id=records.optional_integer(data, "handover_group_id", where),
            handover_tag=records.text(data, "handover_tag", where, default="ai_agent_escalated"),
            reply_tag=records.text(data, "reply_tag", where, default="ai_agent_replied"),
            answer_agent_submitted=records.boolean(
                data, "answer_agent_submitted", where, default=False
            ),
            signature=records.text(data, "signature", where, default=""),
            languages=None if languages is None else records.text_list(data, "languages", where),
            handover_public_message=records.boolean(
                data, "handover_public_message", where, default=False
            ),
            engine=cast(Any, records.choice(data, "engine", ENGINES, where, default="knowledge")),
            instructions=records.text(data, "instructions", where, default=""),
        )

    def to_json(self) -> dict[str, Any]:
        body = {name: getattr(self, name) for name in SETTINGS_FIELDS}
        body["languages"] = None if self.languages is None else list(self.languages)
        return body


AGENT_FIELDS = (
    "agent_id",
    "name",
    "default_language",
    "settings",
    "knowledge_version",
    "knowledge_articles",
    "created_at",
    "updated_at",
    "version",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    agent_id: str
    name: str
    default_language: str = "en"
    settings: AgentSettings = field(default_factory=AgentSettings)
    knowledge_version: str = ""
    knowledge_articles: int = 0
    created_at: datetime
    updated_at: datetime
    version: int = 0

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Agent:
        """A stored agent (written from validated values); a bad item is refused by field."""
        data = records.mapping(raw, where)
        records.forbid_unknown(data, AGENT_FIELDS, where)
        return cls(
            agent_id=records.text(data, "agent_id", where),
            name=records.text(data, "name", where, min_length=1),
            default_language=records.text(data, "default_language", where, default="en"),
            settings=AgentSettings.from_json(data.get("settings") or {}),
            knowledge_version=records.text(data, "knowledge_version", where, default=""),
            knowledge_articles=records.integer(data, "knowledge_articles", where, default=0),
            created_at=records.instant(data, "created_at", where),
            updated_at=records.instant(data, "updated_at", where),
            version=records.integer(data, "version", where, default=0),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "default_language": self.default_language,
            "settings": self.settings.to_json(),
            "knowledge_version": self.knowledge_version,
            "knowledge_articles": self.knowledge_articles,
            "created_at": records.instant_json(self.created_at),
            "updated_at": records.instant_json(self.updated_at),
            "version": self.version,
        }

    def public(self) -> dict[str, object]:
        body = self.to_json()
        del body["version"]
        return body


def new_agent_id() -> str:
    return "agt_" + uuid.uuid4().hex[:20]
