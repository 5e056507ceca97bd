"""Pydantic models of Zendesk's webhooks and triggers (read and write), apart from the ticket
models so that a function which never touches automation does not build them at its cold start."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from zdagent.adapters.zendesk.base import WritePayload, ZendeskObject

# Zendesk's values are strings, numbers or lists of them; read models take whatever comes.
ConditionValue = Any


# --- webhooks ------------------------------------------------------------------------------
class Webhook(ZendeskObject):
    id: str
    name: str | None = None
    endpoint: str | None = None
    http_method: str | None = None
    request_format: str | None = None
    status: str | None = None
    subscriptions: list[str] = Field(default_factory=list)
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class WebhookCreate(WritePayload):
    name: str
    endpoint: str
    http_method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    request_format: Literal["json", "xml", "form_encoded"] = "json"
    status: Literal["active", "inactive"] = "active"
    subscriptions: list[str] = Field(default_factory=lambda: ["conditional_ticket_events"])
    description: str | None = None


# --- triggers ------------------------------------------------------------------------------
class Condition(BaseModel):
    model_config = ConfigDict(extra="allow")

    field: str
    operator: str
    value: ConditionValue = None


class Conditions(BaseModel):
    model_config = ConfigDict(extra="allow")

    all: list[Condition] = Field(default_factory=list)
    any: list[Condition] = Field(default_factory=list)


class Action(BaseModel):
    """``{"field": "notification_webhook", "value": [webhook_id, body_json_string]}``."""

    model_config = ConfigDict(extra="allow")

    field: str
    value: ConditionValue = None


class Trigger(ZendeskObject):
    id: int
    title: str | None = None
    raw_title: str | None = None
    active: bool | None = None
    position: int | None = None
    conditions: Conditions = Field(default_factory=Conditions)
    actions: list[Action] = Field(default_factory=list)
    description: str | None = None
    category_id: str | None = None
    default: bool | None = None
    url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class TriggerCategory(ZendeskObject):
    """Trigger Categories API object: ``id`` is a string, ``position`` orders categories."""

    id: str
    name: str | None = None
    position: int | None = None


class TriggerPayload(WritePayload):
    """A whole trigger, for create and for update: the OAS requires title, conditions and
    actions on ``PUT /api/v2/triggers/{id}`` too (Zendesk replaces conditions and actions
    together). To change only ``active``, ``position`` or ``category_id`` use
    ``ZendeskClient.update_many_triggers``."""

    title: str
    conditions: Conditions
    actions: list[Action]
    active: bool = True
    position: int | None = None
    description: str | None = None
    category_id: str | None = None
