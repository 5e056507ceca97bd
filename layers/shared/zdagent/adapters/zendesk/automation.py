"""Zendesk's webhooks and triggers (read and write) as frozen dataclasses, apart from the ticket
models so that a function which never touches automation does not build them at its cold start.

As in ``models.py``: read records (``from_json``) keep every field Zendesk sends (the unknown
ones in ``extra``), require only ``id`` (and a condition's ``field`` and ``operator``, an
action's ``field``), take numbers where text is expected, and a body that does not read is a
``ZendeskError`` naming the field. ``to_json`` writes what pydantic's
``model_dump(mode="json", exclude_none=True)`` wrote: known fields in order, then Zendesk's
extra fields, no ``None`` values, datetimes as Zendesk writes them. Write payloads refuse
unknown fields (``TriggerPayload.from_json``: a ``ValidationFailedError`` naming the field).
Not pydantic: its import and model building were a quarter of the trigger's cold start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from dataclasses import field as dc_field  # "field" is also a condition's and an action's key
from datetime import datetime
from typing import Any, Literal, Self

from zdagent.adapters.zendesk.readers import BOOLEAN as _BOOL
from zdagent.adapters.zendesk.readers import INSTANT as _TIME
from zdagent.adapters.zendesk.readers import INTEGER as _INT
from zdagent.adapters.zendesk.readers import TEXTS as _TEXTS
from zdagent.adapters.zendesk.readers import Reader
from zdagent.adapters.zendesk.readers import text as _text
from zdagent.core import records
from zdagent.core.errors import ValidationFailedError, ZendeskError

# Zendesk's values are strings, numbers or lists of them; read models take whatever comes.
ConditionValue = Any


def _any(data: Mapping[str, Any], name: str, where: str) -> Any:
    return data[name]


def _values(
    raw: object, where: str, readers: Mapping[str, Reader], required: tuple[str, ...]
) -> dict[str, Any]:
    """The known fields read by their readers, the rest in ``extra`` (``ValidationFailedError``
    naming the field if one does not read)."""
    data = records.mapping(raw, where)
    for name in required:
        if data.get(name) is None:
            raise records.invalid(f"{where}.{name}", "Field required")
    values = {
        name: read(data, name, where)
        for name, read in readers.items()
        if data.get(name) is not None
    }
    values["extra"] = {k: v for k, v in data.items() if k not in readers}
    return values


def _from_zendesk(cls: type[Any], raw: object, where: str, readers: Mapping[str, Reader]) -> Any:
    try:
        return cls(**_values(raw, where, readers, ("id",)))
    except ValidationFailedError as exc:
        raise ZendeskError(f"Zendesk answered {where} that does not read: {exc.detail}") from exc


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return records.instant_json(value)
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    to_json = getattr(value, "to_json", None)
    return to_json() if callable(to_json) else value


def _to_json(record: object) -> dict[str, Any]:
    """Known fields in order then the extra ones, without ``None`` (pydantic's
    ``model_dump(mode="json", exclude_none=True)``)."""
    data = {
        f.name: _json_value(getattr(record, f.name))
        for f in fields(record)  # type: ignore[arg-type]
        if f.name != "extra" and getattr(record, f.name) is not None
    }
    extra: dict[str, Any] = getattr(record, "extra", {})
    return data | {k: v for k, v in extra.items() if v is not None and k not in data}


def _choice(value: str, options: tuple[str, ...], name: str) -> None:
    if value not in options:
        raise records.invalid(name, "must be one of " + ", ".join(repr(o) for o in options))


# --- webhooks ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Webhook:
    id: str
    name: str | None = None
    endpoint: str | None = None
    http_method: str | None = None
    request_format: str | None = None
    status: str | None = None
    subscriptions: list[str] = dc_field(default_factory=list)
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Self:
        return _from_zendesk(cls, raw, "webhook", _WEBHOOK)  # type: ignore[no-any-return]

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)


_WEBHOOK: dict[str, Reader] = {
    "id": _text,
    "name": _text,
    "endpoint": _text,
    "http_method": _text,
    "request_format": _text,
    "status": _text,
    "subscriptions": _TEXTS,
    "description": _text,
    "created_at": _TIME,
    "updated_at": _TIME,
}

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REQUEST_FORMATS = ("json", "xml", "form_encoded")
WEBHOOK_STATUSES = ("active", "inactive")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookCreate:
    name: str
    endpoint: str
    http_method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    request_format: Literal["json", "xml", "form_encoded"] = "json"
    status: Literal["active", "inactive"] = "active"
    subscriptions: list[str] = dc_field(default_factory=lambda: ["conditional_ticket_events"])
    description: str | None = None

    def __post_init__(self) -> None:
        _choice(self.http_method, HTTP_METHODS, "webhook.http_method")
        _choice(self.request_format, REQUEST_FORMATS, "webhook.request_format")
        _choice(self.status, WEBHOOK_STATUSES, "webhook.status")

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)


# --- triggers ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    field: str
    operator: str
    value: ConditionValue = None
    extra: dict[str, Any] = dc_field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def read(cls, raw: object, where: str) -> Self:
        return cls(**_values(raw, where, _CONDITION, ("field", "operator")))

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)


_CONDITION: dict[str, Reader] = {"field": _text, "operator": _text, "value": _any}


def _condition_list(data: Mapping[str, Any], name: str, where: str) -> list[Condition]:
    return [
        Condition.read(item, f"{where}.{name}.{index}")
        for index, item in enumerate(records.object_list(data, name, where))
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditions:
    all: list[Condition] = dc_field(default_factory=list)
    any: list[Condition] = dc_field(default_factory=list)
    extra: dict[str, Any] = dc_field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def read(cls, raw: object, where: str) -> Self:
        return cls(**_values(raw, where, _CONDITIONS, ()))

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)


_CONDITIONS: dict[str, Reader] = {"all": _condition_list, "any": _condition_list}


def _conditions(data: Mapping[str, Any], name: str, where: str) -> Conditions:
    return Conditions.read(data[name], f"{where}.{name}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """``{"field": "notification_webhook", "value": [webhook_id, body_json_string]}``."""

    field: str
    value: ConditionValue = None
    extra: dict[str, Any] = dc_field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def read(cls, raw: object, where: str) -> Self:
        return cls(**_values(raw, where, _ACTION, ("field",)))

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)


_ACTION: dict[str, Reader] = {"field": _text, "value": _any}


def _actions(data: Mapping[str, Any], name: str, where: str) -> list[Action]:
    return [
        Action.read(item, f"{where}.{name}.{index}")
        for index, item in enumerate(records.object_list(data, name, where))
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    id: int
    title: str | None = None
    raw_title: str | None = None
    active: bool | None = None
    position: int | None = None
    conditions: Conditions = dc_field(default_factory=Conditions)
    actions: list[Action] = dc_field(default_factory=list)
    description: str | None = None
    category_id: str | None = None
    default: bool | None = None
    url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Self:
        return _from_zendesk(cls, raw, "trigger", _TRIGGER)  # type: ignore[no-any-return]

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)


_TRIGGER: dict[str, Reader] = {
    "id": _INT,
    "title": _text,
    "raw_title": _text,
    "active": _BOOL,
    "position": _INT,
    "conditions": _conditions,
    "actions": _actions,
    "description": _text,
    "category_id": _text,
    "default": _BOOL,
    "url": _text,
    "created_at": _TIME,
    "updated_at": _TIME,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerCategory:
    """Trigger Categories API object: ``id`` is a string, ``position`` orders categories."""

    id: str
    name: str | None = None
    position: int | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Self:
        return _from_zendesk(cls, raw, "trigger category", _CATEGORY)  # type: ignore[no-any-return]

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)


_CATEGORY: dict[str, Reader] = {"id": _text, "name": _text, "position": _INT}


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerPayload:
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

    @classmethod
    def from_json(cls, raw: object) -> Self:
        """From a JSON object; a missing, mistyped or unknown field is a
        ``ValidationFailedError`` naming it."""
        data = records.mapping(raw, "trigger")
        records.forbid_unknown(data, _PAYLOAD_FIELDS, "trigger")
        if data.get("conditions") is None:
            raise records.invalid("trigger.conditions", "Field required")
        if data.get("actions") is None:
            raise records.invalid("trigger.actions", "Field required")
        return cls(
            title=records.text(data, "title", "trigger"),
            conditions=_conditions(data, "conditions", "trigger"),
            actions=_actions(data, "actions", "trigger"),
            active=records.boolean(data, "active", "trigger", default=True),
            position=records.optional_integer(data, "position", "trigger"),
            description=records.optional_text(data, "description", "trigger"),
            category_id=_text(data, "category_id", "trigger")
            if data.get("category_id") is not None
            else None,
        )

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)


_PAYLOAD_FIELDS = (
    "title",
    "conditions",
    "actions",
    "active",
    "position",
    "description",
    "category_id",
)
