"""Zendesk's webhooks and triggers as dataclasses: each reads back what it writes, Zendesk's
unknown fields survive a round trip, a body that does not read names the field, and the
trigger's fingerprint and shown JSON are what the pydantic models gave."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zdagent.adapters.zendesk.automation import (
    Action,
    Condition,
    Conditions,
    Trigger,
    TriggerCategory,
    TriggerPayload,
    Webhook,
    WebhookCreate,
)
from zdagent.core.errors import ValidationFailedError, ZendeskError
from zdagent.domain import trigger as rules

# A trigger as Zendesk answers it: extra fields (some null), a numeric category id, a condition
# with a null value and one with a field of its own.
ZENDESK_TRIGGER: dict[str, Any] = {
    "url": "https://acme.zendesk.com/api/v2/triggers/360012345678.json",
    "id": 360012345678,
    "title": "AI agent email automation: agent-1",
    "active": True,
    "updated_at": "2026-11-30T02:25:00Z",
    "created_at": "2026-11-29T18:04:11Z",
    "default": False,
    "actions": [
        {
            "field": "notification_webhook",
            "value": [
                "01FMJQSY40HZBCBVPZB9212S8V",
                '{"ticket_id":"{{ticket.id}}","comment_id":"{{ticket.latest_comment.id}}"}',
            ],
        }
    ],
    "conditions": {
        "all": [
            {"field": "comment_is_public", "operator": "is", "value": "true"},
            {"field": "via_id", "operator": "is", "value": 4},
            {"field": "current_via_id", "operator": "is_not", "value": None},
            {"field": "role", "operator": "is", "value": "end_user", "note": "kept"},
        ],
        "any": [
            {"field": "update_type", "operator": "is", "value": "Create"},
            {"field": "update_type", "operator": "is", "value": "Change"},
        ],
    },
    "description": None,
    "position": 12,
    "raw_title": "AI agent email automation: agent-1",
    "category_id": 10026,
    "sandbox_source": None,
    "extra_meta": {"x": None, "y": [1, 2]},
}

# Computed on the pydantic models (before this conversion) with
# ``rules.config_fingerprint(Trigger.model_validate(ZENDESK_TRIGGER).model_dump(mode="json"))``.
PYDANTIC_FINGERPRINT = "11066cd8ef8e6812"

# ``json.dumps(Trigger.model_validate(ZENDESK_TRIGGER).model_dump(mode="json",
# exclude_none=True))`` on the pydantic models, before this conversion.
PYDANTIC_SHOWN = (
    '{"id": 360012345678, "title": "AI agent email automation: agent-1", "raw_title": '
    '"AI agent email automation: agent-1", "active": true, "position": 12, "conditions": '
    '{"all": [{"field": "comment_is_public", "operator": "is", "value": "true"}, {"field": '
    '"via_id", "operator": "is", "value": 4}, {"field": "current_via_id", "operator": '
    '"is_not"}, {"field": "role", "operator": "is", "value": "end_user", "note": "kept"}], '
    '"any": [{"field": "update_type", "operator": "is", "value": "Create"}, {"field": '
    '"update_type", "operator": "is", "value": "Change"}]}, "actions": [{"field": '
    '"notification_webhook", "value": ["01FMJQSY40HZBCBVPZB9212S8V", "{\\"ticket_id\\":'
    '\\"{{ticket.id}}\\",\\"comment_id\\":\\"{{ticket.latest_comment.id}}\\"}"]}], '
    '"category_id": "10026", "default": false, "url": '
    '"https://acme.zendesk.com/api/v2/triggers/360012345678.json", "created_at": '
    '"2026-11-29T18:04:11Z", "updated_at": "2026-11-30T02:25:00Z", "extra_meta": {"x": null, '
    '"y": [1, 2]}}'
)

ZENDESK_WEBHOOK: dict[str, Any] = {
    "id": "01FMJQSY40HZBCBVPZB9212S8V",
    "name": "AI agent x",
    "endpoint": "https://e/x",
    "http_method": "POST",
    "request_format": "json",
    "status": "active",
    "subscriptions": ["conditional_ticket_events"],
    "created_at": "2026-11-30T02:25:00Z",
    "created_by": "123",
    "signing_secret": None,
    "external_source": {"type": "x", "data": None},
}

# ``json.dumps(Webhook.model_validate(ZENDESK_WEBHOOK).model_dump(mode="json",
# exclude_none=True))`` on the pydantic model, before this conversion.
PYDANTIC_WEBHOOK_SHOWN = (
    '{"id": "01FMJQSY40HZBCBVPZB9212S8V", "name": "AI agent x", "endpoint": "https://e/x", '
    '"http_method": "POST", "request_format": "json", "status": "active", "subscriptions": '
    '["conditional_ticket_events"], "created_at": "2026-11-30T02:25:00Z", "created_by": "123", '
    '"external_source": {"type": "x", "data": null}}'
)


def test_trigger_fingerprint_is_the_pydantic_one() -> None:
    trigger = Trigger.from_json(ZENDESK_TRIGGER)
    assert rules.config_fingerprint(trigger.to_json()) == PYDANTIC_FINGERPRINT


def test_trigger_shows_what_the_pydantic_model_showed_byte_for_byte() -> None:
    assert json.dumps(Trigger.from_json(ZENDESK_TRIGGER).to_json()) == PYDANTIC_SHOWN


def test_webhook_shows_what_the_pydantic_model_showed_byte_for_byte() -> None:
    assert json.dumps(Webhook.from_json(ZENDESK_WEBHOOK).to_json()) == PYDANTIC_WEBHOOK_SHOWN


@pytest.mark.parametrize(
    ("cls", "raw"),
    [
        (Trigger, ZENDESK_TRIGGER),
        (Webhook, ZENDESK_WEBHOOK),
        (TriggerCategory, {"id": 10026, "name": "Email", "position": 0, "color": "blue"}),
    ],
)
def test_read_records_read_back_what_they_write(cls: Any, raw: dict[str, Any]) -> None:
    written = cls.from_json(raw).to_json()
    assert cls.from_json(written) == cls.from_json(raw)
    assert cls.from_json(written).to_json() == written


def test_unknown_zendesk_fields_survive_a_round_trip() -> None:
    trigger = Trigger.from_json(Trigger.from_json(ZENDESK_TRIGGER).to_json())
    assert trigger.extra == {"extra_meta": {"x": None, "y": [1, 2]}}
    assert trigger.conditions.all[3].extra == {"note": "kept"}
    webhook = Webhook.from_json(Webhook.from_json(ZENDESK_WEBHOOK).to_json())
    assert webhook.extra == {"created_by": "123", "external_source": {"type": "x", "data": None}}
    category = TriggerCategory.from_json({"id": "1", "color": "blue"}).to_json()
    assert TriggerCategory.from_json(category).extra == {"color": "blue"}


@pytest.mark.parametrize(
    ("cls", "raw", "named"),
    [
        (Trigger, {"title": "no id"}, "trigger.id: Field required"),
        (Trigger, {"id": "x"}, "trigger.id: must be an integer"),
        (Trigger, {"id": 1, "active": "yes"}, "trigger.active: must be a boolean"),
        (Trigger, {"id": 1, "conditions": []}, "trigger.conditions: must be an object"),
        (
            Trigger,
            {"id": 1, "conditions": {"all": [{"field": "status"}]}},
            "trigger.conditions.all.0.operator: Field required",
        ),
        (Trigger, {"id": 1, "actions": [{"value": 1}]}, "trigger.actions.0.field: Field required"),
        (Trigger, {"id": 1, "created_at": "monday"}, "trigger.created_at: must be an ISO 8601"),
        (Webhook, {"id": "w", "subscriptions": "all"}, "webhook.subscriptions: must be a list"),
        (TriggerCategory, {"id": "1", "position": "first"}, "trigger category.position"),
        (Webhook, [], "webhook: must be an object"),
    ],
)
def test_a_body_that_does_not_read_names_the_field(cls: Any, raw: object, named: str) -> None:
    with pytest.raises(ZendeskError, match=named):
        cls.from_json(raw)


PAYLOAD = TriggerPayload(
    title="t",
    conditions=Conditions(
        all=[Condition(field="via_id", operator="is", value=4)],
        any=[Condition(field="update_type", operator="is", value="Create")],
    ),
    actions=[Action(field="notification_webhook", value=["01F", '{"a":1}'])],
    category_id="10026",
)


def test_trigger_payload_reads_back_what_it_writes_without_none() -> None:
    written = PAYLOAD.to_json()
    assert written == {
        "title": "t",
        "conditions": {
            "all": [{"field": "via_id", "operator": "is", "value": 4}],
            "any": [{"field": "update_type", "operator": "is", "value": "Create"}],
        },
        "actions": [{"field": "notification_webhook", "value": ["01F", '{"a":1}']}],
        "active": True,
        "category_id": "10026",
    }
    assert TriggerPayload.from_json(written) == PAYLOAD


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"title": None}, "trigger.title: Field required"),
        ({"conditions": None}, "trigger.conditions: Field required"),
        ({"actions": None}, "trigger.actions: Field required"),
        ({"colour": "red"}, "trigger.colour: unknown field"),
        ({"active": "yes"}, "trigger.active: must be a boolean"),
        ({"actions": [{"value": 1}]}, "trigger.actions.0.field: Field required"),
    ],
)
def test_trigger_payload_refusals_name_the_field(change: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationFailedError, match=named):
        TriggerPayload.from_json(PAYLOAD.to_json() | change)


def test_webhook_create_writes_without_none_and_refuses_what_zendesk_would_not_take() -> None:
    assert WebhookCreate(name="w", endpoint="https://e/x").to_json() == {
        "name": "w",
        "endpoint": "https://e/x",
        "http_method": "POST",
        "request_format": "json",
        "status": "active",
        "subscriptions": ["conditional_ticket_events"],
    }
    with pytest.raises(ValidationFailedError, match=r"webhook\.http_method"):
        WebhookCreate(name="w", endpoint="https://e/x", http_method="FETCH")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        WebhookCreate(name="w", endpoint="https://e/x", colour="red")  # type: ignore[call-arg]
