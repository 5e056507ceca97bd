"""Response and query shapes of the admin API, for its OpenAPI document (``GET /openapi.json``).

Bodies the handlers validate are the use cases' own request models (see ``catalog.py``); the
resources they answer with are derived here from the domain models they serialise (``Agent``,
``Integration``, ``Conversation``...), so a field added to a domain model appears in the document.
Shapes that handlers build by hand are written out, each next to the function that builds it.
Only ``make docs`` and the tests import this module (never a function at run time).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, Optional, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from zdagent.domain.agent import Agent
from zdagent.domain.conversation import Conversation, ConversationDetail
from zdagent.domain.disconnect import DisconnectStep
from zdagent.domain.integration import Integration
from zdagent.services.agent_schemas import AgentSettings
from zdagent.services.checks import Check


class Open(BaseModel):
    """A response object that may gain fields (clients must ignore what they do not know)."""

    model_config = ConfigDict(extra="allow")


def resource_of(
    model: type[Any],
    *,
    name: str,
    exclude: frozenset[str],
    shown_as: dict[str, Any] | None = None,
    **extra: Any,
) -> type[BaseModel]:
    """``model``'s fields without ``exclude``, plus ``extra`` (name → (type, default)).

    ``model`` is a pydantic model or a domain dataclass (``core/records.py``); ``shown_as``
    gives a dataclass field the type the API validates it with (its rules shown)."""
    if dataclasses.is_dataclass(model):
        hints = get_type_hints(model) | (shown_as or {})
        fields: dict[str, Any] = {
            f.name: (hints[f.name], Field(...))
            for f in dataclasses.fields(model)
            if f.name not in exclude
        }
    else:
        fields = {
            field: (info.annotation, _required(info))
            for field, info in model.model_fields.items()
            if field not in exclude
        }
    return create_model(name, __base__=Open, **fields, **extra)


def _required(info: FieldInfo) -> Any:
    """The field as it appears in a response: always present (serialised), same type."""
    return Field(..., description=info.description)


def optional_fields_of(model: type[BaseModel], *, name: str) -> type[BaseModel]:
    """Every field of ``model`` made optional (a partial update)."""
    fields: dict[str, Any] = {
        field: (Optional[info.annotation], Field(None, description=info.description))  # noqa: UP045
        for field, info in model.model_fields.items()
    }
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


# ---- agents ---------------------------------------------------------------------------------
AgentResource = resource_of(
    Agent, name="Agent", exclude=frozenset({"version"}), shown_as={"settings": AgentSettings}
)
SettingsPatch = optional_fields_of(AgentSettings, name="AgentSettingsPatch")


class AgentPatch(SettingsPatch):  # type: ignore[misc,valid-type]
    """``PATCH /agents/{agent_id}``: name, default language and settings, the settings either
    flat or under ``settings`` (``services.agents.patch_agent`` validates the result)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    default_language: str | None = None
    settings: SettingsPatch | None = None  # type: ignore[valid-type]


class AgentPage(Open):
    items: list[AgentResource]  # type: ignore[valid-type]
    next_token: str | None


class ArticleListed(Open):
    id: str
    title: str
    locale: str
    url: str | None = None
    labels: list[str] = []


class ArticlePage(Open):
    items: list[ArticleListed]
    next_token: str | None


class KnowledgeReplaced(Open):
    """``functions/agents``: ``put_knowledge``."""

    agent_id: str
    articles: int = Field(description="number of articles the agent now knows")
    knowledge_version: str


# ---- integration ----------------------------------------------------------------------------
IntegrationResource = resource_of(
    Integration,
    name="Integration",
    exclude=frozenset({"version"}),
    connected=(bool, Field(..., description="authorized, trigger active and engine on")),
)


class KnowledgeSyncResource(Open):
    """A Help Center sync's figures (``last_sync`` of the knowledge resource)."""

    sync_id: str
    status: Literal["running", "succeeded", "failed"]
    trigger: Literal["api", "schedule"]
    articles_added: int
    articles_updated: int
    articles_removed: int
    started_at: str
    finished_at: str | None
    zendesk_requests: int
    error: str | None = None


class KnowledgeResource(Open):
    """``GET /agents/{id}/knowledge``: where the knowledge comes from and the last sync."""

    agent_id: str
    source: dict[str, Any] = Field(
        description='{"kind":"manual"} or {"kind":"zendesk_help_center","locales",'
        '"label_names","section_ids"} (null: no filter)'
    )
    articles: int = Field(description="number of articles the agent answers from")
    knowledge_version: str
    last_sync: KnowledgeSyncResource | None = None


class KnowledgeSyncStarted(Open):
    sync_id: str
    status: Literal["running"]


class Checks(Open):
    checks: list[Check]


class AuthorizeUrl(Open):
    authorize_url: str = Field(description="Zendesk's consent page (open it in a new tab)")


class TriggerCategoryRef(Open):
    id: str = Field(description="the Zendesk trigger category the trigger is in")
    name: str | None


class LoopGuardShown(Open):
    """Which form of "current user is not the AI agent user" the trigger carries."""

    form: Literal["not_ai_agent_user", "end_user_only", "receiver_only"]
    condition: dict[str, str] | None = Field(description="the trigger condition (null: none)")
    detail: str


class TriggerCreated(Open):
    """``services.trigger.create_trigger``."""

    trigger: dict[str, Any] = Field(description="the trigger as Zendesk answered it")
    webhook: dict[str, Any] = Field(description="the webhook as Zendesk answered it")
    integration: IntegrationResource  # type: ignore[valid-type]
    category: TriggerCategoryRef | None = Field(None, description="null: no categories")
    loop_guard: LoopGuardShown | None = None


class Drift(Open):
    status: Literal["in_sync", "modified", "deactivated", "reactivated", "deleted"]
    detail: str


class TriggerShown(Open):
    """``services.trigger.get_trigger``."""

    trigger: dict[str, Any] | None = Field(description="as Zendesk has it now (null: deleted)")
    drift: Drift
    category: TriggerCategoryRef | None = Field(None, description="null: no categories")
    loop_guard: LoopGuardShown | None = None


class TriggerUpdated(Open):
    trigger: dict[str, Any]


# ---- imports --------------------------------------------------------------------------------
class ImportStatus(Open):
    """``domain.imports.ImportRecord.public``."""

    import_id: str
    agent_id: str
    status: Literal["running", "succeeded", "failed", "cancelled"]
    phase: Literal["tickets", "events"] = Field(
        description="tickets: walking the ticket export; events: the ticket event export"
    )
    tickets_scanned: int
    tickets_matched: int
    events_scanned: int = Field(description="ticket updates read from the event export")
    conversations_imported: int
    messages_imported: int
    tickets_skipped: int
    zendesk_requests: int
    rate_limited: int
    cursor_time: str | None
    estimated_seconds_left: int | None = Field(
        description="pacing at the export limit included; never less than the current wait"
    )
    next_step_at: str | None = Field(description="when the next export request is due")
    created_at: str
    started_at: str
    finished_at: str | None
    error: str | None
    parameters: dict[str, Any]


# ---- disconnect -----------------------------------------------------------------------------
class DisconnectStarted(Open):
    disconnect_id: str
    status: Literal["running", "succeeded", "failed"]


StepResource = resource_of(
    DisconnectStep,
    name="DisconnectStep",
    exclude=frozenset({"error", "started_at", "finished_at"}),
    error=(str | None, None),
)


class DisconnectStatus(Open):
    """``domain.disconnect.DisconnectRun.public``."""

    disconnect_id: str
    agent_id: str
    remove_integration: bool
    status: Literal["running", "succeeded", "failed"]
    steps: list[StepResource]  # type: ignore[valid-type]
    started_at: str
    finished_at: str | None
    failed_step: str | None = None
    error: str | None = None


# ---- conversations --------------------------------------------------------------------------
ConversationResource = resource_of(Conversation, name="Conversation", exclude=frozenset())
ConversationDetailResource = resource_of(
    ConversationDetail, name="ConversationDetail", exclude=frozenset()
)


class ConversationAccount(Open):
    """A Zendesk account the log holds conversations of (or the current integration's)."""

    subdomain: str
    last_activity_at: str = Field(description="ISO time of its last logged write; '' if none")
    current: bool = Field(description="the account of the agent's current integration")


class ConversationPage(Open):
    items: list[ConversationResource]  # type: ignore[valid-type]
    next_token: str | None
    subdomain: str | None = Field(description="the Zendesk account these conversations are of")
    accounts: list[ConversationAccount]


class ConversationCounts(Open):
    by_status: dict[str, int]
    total: int


class DayCounts(Open):
    date: str
    answered: int
    drafted: int
    escalated: int
    ignored: int


class Stats(Open):
    """``services.conversations.stats``: decisions by status and reason, conversations by their
    current status (these add up with the log), decisions per day (the last 30 days)."""

    agent_id: str
    subdomain: str | None = Field(description="the Zendesk account counted")
    by_status: dict[str, int]
    by_reason: dict[str, int]
    total: int
    conversations: ConversationCounts
    by_day: list[DayCounts]


# ---- errors ---------------------------------------------------------------------------------
class Problem(Open):
    """RFC 9457 problem document (``application/problem+json``): every error of the API."""

    type: str = Field(description="urn:zdagent:problem:<code>")
    title: str
    status: int
    detail: str = Field(description="what happened and what to do")
