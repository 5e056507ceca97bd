"""Trigger categories as Zendesk has them, and the "Current user" condition's accepted values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.sandbox.sandbox_support import (
    Account,
    ApiClient,
    WebhookReceiver,
    create_trigger,
    create_webhook,
    default_trigger,
    new_account,
)
from zdsandbox.server import SandboxServer


@pytest.fixture
def account(sandbox: SandboxServer, client: httpx.Client) -> Account:
    """These tests add categories to an account that starts with one."""
    return new_account(sandbox, client, trigger_categories=["Notifications"])


def test_new_accounts_have_three_categories_and_placeholders(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    default = new_account(sandbox, client)
    api = default.api("admin")
    assert [(c["name"], c["inactive_count"]) for c in _categories(api)] == [
        ("Notifications", 0),
        ("Escalations", 1),
        ("Follow-ups", 1),
    ]
    refused = api.put("/api/v2/triggers/reorder", json={"trigger_ids": []})
    assert refused.json()["errors"][0]["code"] == "LimitOneCategory"


def _add_category(account: Account, name: str, triggers: int = 0) -> dict[str, Any]:
    response = account.client.post(
        account.path("/_sandbox/trigger_categories"), json={"name": name, "triggers": triggers}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _categories(api: ApiClient) -> list[dict[str, Any]]:
    response = api.get("/api/v2/trigger_categories", params={"include": "rule_counts"})
    assert response.status_code == 200, response.text
    return list(response.json()["trigger_categories"])


def test_control_route_adds_a_category_with_inactive_placeholder_triggers(
    account: Account, api: ApiClient
) -> None:
    added = _add_category(account, "Escalations", triggers=2)
    assert len(added["trigger_ids"]) == 2
    listed = _categories(api)
    assert [(c["name"], c["position"]) for c in listed] == [
        ("Notifications", 0),
        ("Escalations", 1),
    ]
    assert listed[1]["inactive_count"] == 2 and listed[1]["active_count"] == 0
    members = api.get(
        "/api/v2/triggers", params={"category_id": added["trigger_category"]["id"]}
    ).json()["triggers"]
    assert [t["id"] for t in members] == added["trigger_ids"]
    assert all(not t["active"] for t in members)


def test_reorder_is_refused_with_more_than_one_category(
    account: Account, api: ApiClient, receiver: WebhookReceiver
) -> None:
    webhook = create_webhook(api, receiver.url)
    first = create_trigger(api, default_trigger(account, webhook["id"]))
    assert first["category_id"] == _categories(api)[0]["id"]
    assert (
        api.put("/api/v2/triggers/reorder", json={"trigger_ids": [first["id"]]}).status_code == 200
    )
    _add_category(account, "Escalations", triggers=1)
    ids = [t["id"] for t in api.get("/api/v2/triggers").json()["triggers"]]
    refused = api.put("/api/v2/triggers/reorder", json={"trigger_ids": ids})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "LimitOneCategory"


def test_create_goes_to_the_chosen_or_first_category(
    account: Account, api: ApiClient, receiver: WebhookReceiver
) -> None:
    webhook = create_webhook(api, receiver.url)
    second = _add_category(account, "Escalations")["trigger_category"]
    body = default_trigger(account, webhook["id"])
    unchosen = create_trigger(api, body)
    assert unchosen["category_id"] == _categories(api)[0]["id"]
    unknown = api.post("/api/v2/triggers", json={"trigger": {**body, "category_id": "404"}})
    assert unknown.status_code == 422
    assert "category_id" in unknown.json()["details"]
    created = create_trigger(api, {**body, "category_id": second["id"]})
    assert (created["category_id"], created["position"]) == (second["id"], 1)
    named = create_trigger(api, {**body, "category": {"name": "Brand new"}})
    assert named["category_id"] not in (second["id"], _categories(api)[0]["id"])
    assert [c["name"] for c in _categories(api)][-1] == "Brand new"


def test_update_many_moves_within_and_across_categories_and_sets_firing_order(
    account: Account, api: ApiClient, receiver: WebhookReceiver
) -> None:
    webhook = create_webhook(api, receiver.url)
    notifications = _categories(api)[0]["id"]
    escalations = _add_category(account, "Escalations")["trigger_category"]["id"]
    body = default_trigger(account, webhook["id"])
    late = create_trigger(api, {**body, "title": "late", "category_id": escalations})
    early = create_trigger(api, {**body, "title": "early", "category_id": notifications})
    order = [t["id"] for t in api.get("/api/v2/triggers").json()["triggers"]]
    assert order == [early["id"], late["id"]]  # categories first, then positions
    moved = api.put(
        "/api/v2/triggers/update_many",
        json={"triggers": [{"id": late["id"], "category_id": notifications, "position": 0}]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["triggers"][0]["category_id"] == notifications
    order = [t["id"] for t in api.get("/api/v2/triggers").json()["triggers"]]
    assert order == [late["id"], early["id"]]
    bad = api.put(
        "/api/v2/triggers/update_many",
        json={"triggers": [{"id": late["id"], "category_id": "999"}]},
    )
    assert bad.status_code == 422


def test_a_category_with_active_triggers_cannot_be_deleted(
    account: Account, api: ApiClient, receiver: WebhookReceiver
) -> None:
    webhook = create_webhook(api, receiver.url)
    category = _add_category(account, "Escalations")["trigger_category"]["id"]
    trigger = create_trigger(
        api, {**default_trigger(account, webhook["id"]), "category_id": category}
    )
    refused = api.delete(f"/api/v2/trigger_categories/{category}")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "TriggerCategoryNotEmpty"
    api.put(
        "/api/v2/triggers/update_many", json={"triggers": [{"id": trigger["id"], "active": False}]}
    )
    assert api.delete(f"/api/v2/trigger_categories/{category}").status_code == 204


def _role_values(api: ApiClient) -> list[str]:
    definitions = api.get("/api/v2/triggers/definitions").json()["definitions"]
    (role,) = [d for d in definitions["conditions_all"] if d["subject"] == "role"]
    return [v["value"] for v in role["values"]]


def test_current_user_condition_accepts_exactly_what_the_definitions_offer(
    account: Account, api: ApiClient, receiver: WebhookReceiver
) -> None:
    webhook = create_webhook(api, receiver.url)
    ai_agent = str(account.user_id("ai-agent"))
    customer = str(account.users["customer@example.com"]["id"])
    assert ai_agent in _role_values(api) and customer not in _role_values(api)
    body = default_trigger(account, webhook["id"])
    guard = {"field": "role", "operator": "is_not", "value": customer}
    conditions = {**body["conditions"], "all": [*body["conditions"]["all"][:2], guard]}
    refused = api.post("/api/v2/triggers", json={"trigger": {**body, "conditions": conditions}})
    assert refused.status_code == 422
    assert refused.json()["error"] == "RecordInvalid"
    settings = account.client.put(
        account.path("/_sandbox/settings"), json={"current_user_condition": "roles_only"}
    )
    assert settings.status_code == 200, settings.text
    assert _role_values(api) == ["end_user", "agent", "admin"]
    by_id = api.post("/api/v2/triggers", json={"trigger": body})
    assert by_id.status_code == 422
    as_role = {"field": "role", "operator": "is", "value": "end_user"}
    conditions = {**body["conditions"], "all": [*body["conditions"]["all"][:2], as_role]}
    created = create_trigger(api, {**body, "conditions": conditions})
    assert created["conditions"]["all"][-1] == as_role
    account.email("Where is my parcel?")
    assert len(receiver.wait_for(1)) == 1  # a customer is an end user: the trigger fires
