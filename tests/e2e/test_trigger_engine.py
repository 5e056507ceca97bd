"""The automation trigger and engine on the local stack: creation, delivery, rules, edits, drift."""

from __future__ import annotations

import json
from typing import Any

import boto3
import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.support.flows import Api, http_connect
from tests.support.polling import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


def deliveries(stack: RunningStack, webhook_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{stack.sandbox_url}/acme/_sandbox/webhook_deliveries",
        params={"webhook_id": webhook_id},
        timeout=10,
    ).json()
    items: list[dict[str, Any]] = answer["webhook_deliveries"]
    return items


def customer_email(stack: RunningStack, subject: str) -> int:
    response = httpx.post(
        f"{stack.sandbox_url}/acme/_sandbox/emails",
        json={"from": "customer@example.com", "subject": subject, "body": "Hello, a question."},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["ticket_id"])


def integration_token(stack: RunningStack, agent_id: str) -> str:
    """The AI agent's token as our functions stored it (read from the stack's moto)."""
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    listed = secrets.list_secrets()["SecretList"]
    (name,) = [s["Name"] for s in listed if s["Name"].endswith(f"/{agent_id}/oauth")]
    return str(json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])["access_token"])


def test_trigger_is_created_once_and_fires_the_signed_webhook(
    api: Api, local_stack: RunningStack
) -> None:
    agent_id = http_connect(api, trigger=False)
    created = api.ok("POST", f"/agents/{agent_id}/integration/trigger", status=201)
    trigger, webhook = created["trigger"], created["webhook"]
    assert trigger["title"] == f"AI agent email automation: {agent_id}"
    assert webhook["endpoint"] == f"{local_stack.api_url}/webhooks/zendesk/{agent_id}"
    assert webhook["subscriptions"] == ["conditional_ticket_events"]

    again = api.call("POST", f"/agents/{agent_id}/integration/trigger")
    assert again.status_code == 409
    assert again.json()["trigger"]["id"] == trigger["id"]

    ticket_id = customer_email(local_stack, "Trigger check")
    delivered = wait_until(
        "the delivery completes",
        lambda: [
            d
            for d in deliveries(local_stack, webhook["id"])
            if d["ticket_id"] == ticket_id and d["completed_at"]
        ],
    )
    assert delivered[0]["status_code"] == 200  # verified and accepted by our receiver

    shown = api.ok("GET", f"/agents/{agent_id}/integration/trigger")
    assert shown["trigger"]["id"] == trigger["id"]
    assert shown["drift"]["status"] == "in_sync"


def test_engine_and_trigger_ordering_rules(api: Api, local_stack: RunningStack) -> None:
    agent_id = http_connect(api, trigger=False)
    early = api.call("PUT", f"/agents/{agent_id}/integration/engine", {"enabled": True})
    assert early.status_code == 409
    assert "trigger" in early.json()["detail"]
    created = api.ok("POST", f"/agents/{agent_id}/integration/trigger", status=201)
    on = api.ok("PUT", f"/agents/{agent_id}/integration/engine", {"enabled": True})
    assert on["connected"] is True
    refused = api.call("POST", f"/agents/{agent_id}/integration/trigger/deactivate")
    assert refused.status_code == 409
    assert "engine" in refused.json()["detail"]
    revoke = api.call("DELETE", f"/agents/{agent_id}/integration/authorization")
    assert revoke.status_code == 409
    off = api.ok("PUT", f"/agents/{agent_id}/integration/engine", {"enabled": False})
    assert off["engine"]["enabled"] is False
    assert off["authorization"]["status"] == "authorized"  # off = still connected, silent
    deactivated = api.ok("POST", f"/agents/{agent_id}/integration/trigger/deactivate")
    assert deactivated["trigger"]["status"] == "inactive"

    before = len(deliveries(local_stack, created["webhook"]["id"]))
    ticket_id = customer_email(local_stack, "After deactivation")
    # the sandbox records a delivery when the trigger fires, before the request 201s
    after = deliveries(local_stack, created["webhook"]["id"])
    assert len(after) == before
    assert not [d for d in after if d["ticket_id"] == ticket_id]

    bad = api.call("PUT", f"/agents/{agent_id}/integration/engine", {"enabled": "yes"})
    assert bad.status_code == 422


def test_edits_are_validated_and_direct_edits_show_as_drift(
    api: Api, local_stack: RunningStack
) -> None:
    agent_id = http_connect(api, engine=False)
    trigger = api.ok("GET", f"/agents/{agent_id}/integration/trigger")["trigger"]
    without_guard = [c for c in trigger["conditions"]["all"] if c["field"] != "role"]
    unsafe = api.call(
        "PUT",
        f"/agents/{agent_id}/integration/trigger",
        {"trigger": {"conditions": {"all": without_guard, "any": trigger["conditions"]["any"]}}},
    )
    assert unsafe.status_code == 422
    assert "allow_unsafe" in unsafe.json()["detail"]

    extra = {"field": "current_tags", "operator": "not_includes", "value": "vip"}
    conditions = {
        "all": [*trigger["conditions"]["all"], extra],
        "any": trigger["conditions"]["any"],
    }
    edited = api.ok(
        "PUT",
        f"/agents/{agent_id}/integration/trigger",
        {"trigger": {"conditions": conditions, "title": "AI agent (edited)", "position": 1}},
    )["trigger"]
    assert extra in edited["conditions"]["all"]
    assert edited["title"] == "AI agent (edited)"
    assert edited["position"] == 1
    assert api.ok("GET", f"/agents/{agent_id}/integration/trigger")["drift"]["status"] == "in_sync"

    token = integration_token(local_stack, agent_id)
    direct = dict(edited, title="Renamed in Zendesk")
    changed = httpx.put(
        f"{local_stack.sandbox_url}/acme/api/v2/triggers/{edited['id']}",
        json={"trigger": {k: direct[k] for k in ("title", "conditions", "actions")}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    shown = api.ok("GET", f"/agents/{agent_id}/integration/trigger")
    assert shown["drift"]["status"] == "modified"
    checks = {
        c["name"]: c for c in api.ok("GET", f"/agents/{agent_id}/integration/checks")["checks"]
    }
    assert checks["trigger_unmodified"]["ok"] is False
