"""Webhooks and triggers CRUD, trigger evaluation and signed asynchronous delivery."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from typing import Any

import pytest

from tests.integration.sandbox.sandbox_support import (
    Account,
    ApiClient,
    WebhookReceiver,
    create_trigger,
    create_webhook,
    default_trigger,
    secret_of,
    wait_until,
)
from zdsandbox.delivery import sign

VECTOR_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="


def _verify(secret: str, received_headers: dict[str, str], body: bytes) -> bool:
    timestamp = received_headers["x-zendesk-webhook-signature-timestamp"]
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return hmac.compare_digest(
        base64.b64encode(digest).decode(), received_headers["x-zendesk-webhook-signature"]
    )


def test_signature_matches_the_documented_vector() -> None:
    timestamp, body = "2021-03-25T05:09:27Z", '{"ticket_id":"35436"}'
    assert sign(VECTOR_SECRET, timestamp, body) == "X8nsXp/jF8yFWoalWJ8YhSJP6eT1KcsUKqPjccAYIZo="
    assert _verify(
        VECTOR_SECRET,
        {
            "x-zendesk-webhook-signature-timestamp": timestamp,
            "x-zendesk-webhook-signature": sign(VECTOR_SECRET, timestamp, body),
        },
        body.encode(),
    )


@pytest.fixture
def wired(account: Account, api: ApiClient, receiver: WebhookReceiver) -> dict[str, Any]:
    webhook = create_webhook(api, receiver.url)
    trigger = create_trigger(api, default_trigger(account, webhook["id"]))
    return {"webhook": webhook, "trigger": trigger, "secret": secret_of(api, webhook["id"])}


def test_customer_email_fires_the_default_trigger_with_a_signed_delivery(
    account: Account, receiver: WebhookReceiver, wired: dict[str, Any]
) -> None:
    created = account.email("Where is my parcel?")
    request = receiver.wait_for(1)[0]
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "Zendesk Webhook"
    assert headers["x-zendesk-webhook-id"] == wired["webhook"]["id"]
    assert headers["x-zendesk-webhook-invocation-id"]
    assert headers["x-zendesk-account-id"].isdigit()
    assert headers["x-zendesk-webhook-signature-timestamp"].endswith("Z")
    assert _verify(wired["secret"], headers, request.body)
    payload = json.loads(request.body)
    assert payload["conversationId"] == str(created["ticket_id"])
    assert payload["message"] == "**Order question** \n\n Where is my parcel?"
    assert payload["channel"] == "Mail"
    assert payload["requester"] == str(account.customer_id)
    assert payload["currentUser"] == str(account.customer_id)
    assert (payload["submitterRole"], payload["authorRole"]) == ("End-user", "End-user")
    assert payload["createdAt"].endswith("Z")
    deliveries = wait_until(lambda: [d for d in account.deliveries() if d["status"] == "success"])
    assert deliveries[0]["ticket_id"] == created["ticket_id"]
    assert deliveries[0]["trigger_id"] == wired["trigger"]["id"]
    assert deliveries[0]["attempts"] == 1


def test_ai_agent_reply_and_internal_notes_do_not_fire(
    account: Account, api: ApiClient, receiver: WebhookReceiver, wired: dict[str, Any]
) -> None:
    ticket_id = account.email("first")["ticket_id"]
    receiver.wait_for(1)
    api.put(
        f"/api/v2/tickets/{ticket_id}",
        json={"ticket": {"comment": {"html_body": "<p>AI answer</p>", "public": True}}},
    )
    account.client.post(
        account.path("/_sandbox/agent_comments"),
        json={
            "ticket_id": ticket_id,
            "author_email": f"agent@{account.subdomain}.test",
            "body": "note",
            "public": False,
        },
    )
    account.email("customer again", ticket_id=ticket_id)
    requests = receiver.wait_for(2)
    assert json.loads(requests[1].body)["message"].endswith("customer again")
    assert len(account.deliveries()) == 2


def test_human_agent_public_reply_fires_with_agent_as_current_user(
    account: Account, receiver: WebhookReceiver, wired: dict[str, Any]
) -> None:
    ticket_id = account.email("first")["ticket_id"]
    account.client.post(
        account.path("/_sandbox/agent_comments"),
        json={
            "ticket_id": ticket_id,
            "author_email": f"agent@{account.subdomain}.test",
            "body": "human answer",
            "public": True,
        },
    )
    requests = receiver.wait_for(2)
    payload = json.loads(requests[1].body)
    assert payload["currentUser"] == str(account.user_id("agent"))
    assert payload["authorRole"] == "End-user"


def test_placeholders_are_not_json_escaped(
    account: Account, receiver: WebhookReceiver, wired: dict[str, Any]
) -> None:
    account.email('He said "hi"\nand left')
    body = receiver.wait_for(1)[0].body.decode()
    assert 'He said "hi"\nand left' in body
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_delivery_retries_on_5xx(
    account: Account, receiver: WebhookReceiver, wired: dict[str, Any]
) -> None:
    receiver.statuses = [500, 503]
    account.email("retry me")
    requests = receiver.wait_for(3)
    ids = {r.headers["x-zendesk-webhook-invocation-id"] for r in requests}
    assert len(ids) == 1
    delivery = wait_until(lambda: [d for d in account.deliveries() if d["status"] != "pending"])[0]
    assert (delivery["status"], delivery["attempts"], delivery["status_code"]) == (
        "success",
        3,
        200,
    )
    assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 503, 200]


def test_delivery_gives_up_after_the_configured_retries_and_not_on_4xx(
    account: Account, receiver: WebhookReceiver, wired: dict[str, Any]
) -> None:
    receiver.statuses = [502, 502, 502, 502]
    account.email("always failing")
    failed = wait_until(lambda: [d for d in account.deliveries() if d["status"] == "failed"])[0]
    assert failed["attempts"] == 4
    receiver.statuses = [400]
    account.email("client error")
    wait_until(lambda: len([d for d in account.deliveries() if d["status"] == "failed"]) == 2)
    assert account.deliveries()[1]["attempts"] == 1


def test_delivery_is_asynchronous(
    account: Account, receiver: WebhookReceiver, wired: dict[str, Any]
) -> None:
    receiver.answer_when = threading.Event()  # the receiver answers when the test says so
    try:
        account.email("slow receiver")  # answered while its delivery waits for the receiver
        receiver.wait_for(1)
        [delivery] = account.deliveries()
        assert delivery["status"] == "pending"  # (delivered inside the request: "failed" by now)
    finally:
        receiver.answer_when.set()
    wait_until(lambda: [d for d in account.deliveries() if d["status"] == "success"])


def test_inactive_webhook_and_inactive_trigger_do_not_deliver(
    account: Account, api: ApiClient, receiver: WebhookReceiver
) -> None:
    webhook = create_webhook(api, receiver.url, status="inactive")
    trigger = create_trigger(api, default_trigger(account, webhook["id"]))
    account.email("nobody listens")
    assert account.deliveries() == []
    assert (
        api.request(
            "PATCH", f"/api/v2/webhooks/{webhook['id']}", json={"webhook": {"status": "active"}}
        ).status_code
        == 204
    )
    assert (
        api.put(
            f"/api/v2/triggers/{trigger['id']}", json={"trigger": {"active": False}}
        ).status_code
        == 200
    )
    account.email("still nobody")
    assert account.deliveries() == []
    api.put(f"/api/v2/triggers/{trigger['id']}", json={"trigger": {"active": True}})
    account.email("now delivered")
    assert json.loads(receiver.wait_for(1)[0].body)["message"].endswith("now delivered")


def test_trigger_actions_and_tag_conditions(account: Account, api: ApiClient) -> None:
    support = next(g for g in api.get("/api/v2/groups").json()["groups"] if g["name"] == "Support")
    create_trigger(
        api,
        {
            "title": "route vip",
            "conditions": {
                "all": [
                    {"field": "current_tags", "operator": "includes", "value": "vip"},
                    {"field": "status", "operator": "is_not", "value": "solved"},
                ]
            },
            "actions": [
                {"field": "group_id", "value": str(support["id"])},
                {"field": "current_tags", "value": "routed"},
            ],
        },
    )
    ticket_id = account.email()["ticket_id"]
    assert api.get(f"/api/v2/tickets/{ticket_id}").json()["ticket"]["group_id"] is None
    account.client.put(account.path(f"/_sandbox/tickets/{ticket_id}"), json={"tags": ["vip"]})
    ticket = api.get(f"/api/v2/tickets/{ticket_id}").json()["ticket"]
    assert ticket["group_id"] == support["id"]
    assert ticket["tags"] == ["vip", "routed"]


def test_webhook_crud_and_errors(api: ApiClient, receiver: WebhookReceiver) -> None:
    webhook = create_webhook(api, receiver.url)
    assert len(webhook["id"]) == 26
    shown = api.get(f"/api/v2/webhooks/{webhook['id']}").json()["webhook"]
    assert shown["subscriptions"] == ["conditional_ticket_events"]
    assert (
        api.put(
            f"/api/v2/webhooks/{webhook['id']}",
            json={
                "webhook": {
                    **{k: shown[k] for k in ("name", "endpoint", "http_method", "request_format")},
                    "status": "inactive",
                }
            },
        ).status_code
        == 204
    )
    assert api.get(f"/api/v2/webhooks/{webhook['id']}").json()["webhook"]["status"] == "inactive"
    old = secret_of(api, webhook["id"])
    reset = api.post(f"/api/v2/webhooks/{webhook['id']}/signing_secret")
    assert reset.status_code == 201
    assert reset.json()["signing_secret"]["secret"] != old
    listed = api.get("/api/v2/webhooks").json()
    assert [w["id"] for w in listed["webhooks"]] == [webhook["id"]]
    invalid = api.post("/api/v2/webhooks", json={"webhook": {"name": "x"}})
    assert invalid.status_code == 400
    assert {"code", "title", "detail"} <= set(invalid.json()["errors"][0])
    assert api.delete(f"/api/v2/webhooks/{webhook['id']}").status_code == 204
    missing = api.get(f"/api/v2/webhooks/{webhook['id']}")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "WebhookNotFound"


@pytest.mark.parametrize(
    ("conditions", "actions"),
    [
        ({"all": [{"field": "no_such_field", "operator": "is", "value": "x"}]}, None),
        ({"all": [{"field": "via_id", "operator": "greater_than", "value": "4"}]}, None),
        (None, [{"field": "notification_webhook", "value": "just-a-string"}]),
        (None, [{"field": "notification_webhook", "value": ["01UNKNOWNWEBHOOK0000000000", "{}"]}]),
        (None, [{"field": "launch_rockets", "value": "1"}]),
        ({"all": []}, None),
    ],
)
def test_invalid_triggers_are_record_invalid(
    account: Account,
    api: ApiClient,
    receiver: WebhookReceiver,
    conditions: dict[str, Any] | None,
    actions: list[dict[str, Any]] | None,
) -> None:
    webhook = create_webhook(api, receiver.url)
    trigger = default_trigger(account, webhook["id"])
    if conditions is not None:
        trigger["conditions"] = conditions
    if actions is not None:
        trigger["actions"] = actions
    response = api.post("/api/v2/triggers", json={"trigger": trigger})
    assert response.status_code == 422
    body = response.json()
    assert (body["error"], body["description"]) == ("RecordInvalid", "Record validation errors")
    assert body["details"]["base"][0]["description"]


def test_trigger_positions_reorder_update_many_and_delete(
    one_category_account: Account, receiver: WebhookReceiver
) -> None:
    account = one_category_account
    api = account.api("ai-agent")
    webhook = create_webhook(api, receiver.url)
    ids = [
        create_trigger(api, {**default_trigger(account, webhook["id"]), "title": f"t{n}"})["id"]
        for n in range(3)
    ]
    listed = api.get("/api/v2/triggers").json()["triggers"]
    assert [t["id"] for t in listed] == ids
    assert [t["position"] for t in listed] == [1, 2, 3]
    partial = api.put("/api/v2/triggers/reorder", json={"trigger_ids": ids[:2]})
    assert partial.status_code == 404
    assert partial.json() == {"error": "RecordNotFound", "description": "Not found"}
    reordered = api.put("/api/v2/triggers/reorder", json={"trigger_ids": list(reversed(ids))})
    assert [t["id"] for t in reordered.json()["triggers"]] == list(reversed(ids))
    many = api.put(
        "/api/v2/triggers/update_many",
        json={"triggers": [{"id": ids[0], "active": False}, {"id": ids[1], "position": 99}]},
    )
    assert many.status_code == 200
    assert [
        t["id"] for t in api.get("/api/v2/triggers", params={"active": "true"}).json()["triggers"]
    ] == [ids[2], ids[1]]
    only_conditions = {"all": [{"field": "status", "operator": "is", "value": "open"}]}
    partial_put = api.put(
        f"/api/v2/triggers/{ids[2]}", json={"trigger": {"conditions": only_conditions}}
    )
    # OAS UpdateTrigger: a condition or action update clears both arrays, so a body without
    # actions leaves the trigger with none, which Zendesk refuses.
    assert partial_put.status_code == 422, partial_put.text
    assert "Actions" in partial_put.json()["details"]["base"][0]["description"]
    actions = api.get(f"/api/v2/triggers/{ids[2]}").json()["trigger"]["actions"]
    replaced = api.put(
        f"/api/v2/triggers/{ids[2]}",
        json={"trigger": {"conditions": only_conditions, "actions": actions}},
    )
    assert replaced.json()["trigger"]["conditions"]["any"] == []
    assert api.delete(f"/api/v2/triggers/{ids[2]}").status_code == 204
    assert api.get(f"/api/v2/triggers/{ids[2]}").status_code == 404


def test_trigger_definitions_cover_the_fields_we_use(api: ApiClient) -> None:
    definitions = api.get("/api/v2/triggers/definitions").json()["definitions"]
    subjects = {d["subject"] for d in definitions["conditions_all"]}
    assert {
        "comment_is_public",
        "via_id",
        "current_via_id",
        "update_type",
        "role",
        "current_tags",
        "status",
        "group_id",
    } <= subjects
    assert "notification_webhook" in {a["subject"] for a in definitions["actions"]}
