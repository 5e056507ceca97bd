"""Disconnect on the running local stack, over HTTP: the Step Functions workflow (moto runs the
real ASL, the task function runs in-process) against the Zendesk sandbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.support.flows import AI_AGENT, Api, http_authorize, http_connect
from tests.support.polling import wait_until
from tests.workflow.workflow_support import sandbox_token

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 60


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


@pytest.fixture
def new_account(local_stack: RunningStack) -> Callable[[], str]:
    """A fresh sandbox account (seeded like acme), so these tests share nothing with others."""

    def make() -> str:
        name = f"dc-{uuid.uuid4().hex[:10]}"
        answer = httpx.post(
            f"{local_stack.sandbox_url}/_sandbox/accounts", json={"subdomain": name}, timeout=10
        )
        assert answer.status_code == 201, answer.text
        return name

    return make


def _disconnect(api: Api, agent_id: str, remove: bool) -> dict[str, Any]:
    started = api.ok(
        "POST",
        f"/agents/{agent_id}/integration/disconnect",
        {"remove_integration": remove},
        status=202,
    )
    assert started["disconnect_id"]

    def finished() -> dict[str, Any] | None:
        run: dict[str, Any] = api.ok("GET", f"/agents/{agent_id}/integration/disconnect")
        return run if run["status"] != "running" else None

    run: dict[str, Any] = wait_until("the disconnect workflow", finished)
    assert run["disconnect_id"] == started["disconnect_id"]
    return run


def _sandbox(stack: RunningStack, sub: str, method: str, path: str, body: Any = None) -> Any:
    answer = httpx.request(
        method, f"{stack.sandbox_url}/{sub}/_sandbox{path}", json=body, timeout=10
    )
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


def _customer_email(stack: RunningStack, sub: str) -> int:
    created = _sandbox(
        stack,
        sub,
        "POST",
        "/emails",
        {"from": "customer@example.com", "subject": "Where is my order?", "body": "Order 1234?"},
    )
    return int(created["ticket_id"])


def _deliveries(stack: RunningStack, sub: str, ticket_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = _sandbox(
        stack, sub, "GET", f"/webhook_deliveries?ticket_id={ticket_id}"
    )["webhook_deliveries"]
    return found


def _connect(api: Api, sub: str) -> tuple[str, int, str]:
    """A connected agent, with its trigger and webhook ids."""
    agent_id = http_connect(api, sub)
    state = api.ok("GET", f"/agents/{agent_id}/integration")["trigger"]
    return agent_id, int(state["trigger_id"]), str(state["webhook_id"])


def _as_admin(stack: RunningStack, sub: str, path: str) -> httpx.Response:
    """GET a Zendesk API path of the sandbox account as its admin."""
    admin = sandbox_token(
        stack.sandbox_url, sub, f"admin@{sub}.test", public_base_url=stack.api_url
    )
    return httpx.get(
        f"{stack.sandbox_url}/{sub}/api/v2{path}",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )


def _live_ai_agent_tokens(stack: RunningStack, sub: str) -> list[dict[str, Any]]:
    tokens = _sandbox(stack, sub, "GET", "/oauth_tokens")["oauth_tokens"]
    return [t for t in tokens if t["user_email"] == AI_AGENT.format(sub=sub) and not t["revoked"]]


def test_disconnect_stops_webhooks_and_tokens_and_lets_the_agent_connect_elsewhere(
    api: Api, local_stack: RunningStack, new_account: Callable[[], str]
) -> None:
    sub = new_account()
    agent_id = http_connect(api, sub)
    assert api.ok("GET", f"/agents/{agent_id}/integration")["connected"] is True
    # control: while connected, a customer email's webhook reaches us
    before = _customer_email(local_stack, sub)
    delivered = wait_until(
        "the webhook of a customer email",
        lambda: [d for d in _deliveries(local_stack, sub, before) if d["status_code"] == 200],
    )
    assert delivered
    # the ordering rules: nothing can be removed while connected
    refused = api.call("DELETE", f"/agents/{agent_id}/integration")
    assert refused.status_code == 409
    assert "engine" in refused.json()["detail"]

    run = _disconnect(api, agent_id, remove=False)

    assert run["status"] == "succeeded", run
    assert [(s["name"], s["status"]) for s in run["steps"]] == [
        ("engine_off", "succeeded"),
        ("deactivate_trigger", "succeeded"),
        ("revoke_authorization", "succeeded"),
    ]
    integration = api.ok("GET", f"/agents/{agent_id}/integration")
    assert integration["engine"]["enabled"] is False
    assert integration["trigger"]["status"] == "inactive"
    assert integration["authorization"]["status"] == "revoked"
    assert integration["connected"] is False
    # the trigger is inactive: a new customer email makes no delivery at all (deliveries are
    # recorded when the triggers run, inside the email request, so none can come later)
    after = _customer_email(local_stack, sub)
    assert _deliveries(local_stack, sub, after) == []
    # no token of the AI agent user works any more
    assert _live_ai_agent_tokens(local_stack, sub) == []
    checks = {
        c["name"]: c for c in api.ok("GET", f"/agents/{agent_id}/integration/checks")["checks"]
    }
    assert checks["authorization"]["ok"] is False

    # remove only (the 409 rules now pass), then join another Zendesk account
    assert api.call("DELETE", f"/agents/{agent_id}/integration").status_code == 204
    assert api.call("GET", f"/agents/{agent_id}/integration").status_code == 404
    other = new_account()
    api.ok(
        "POST",
        f"/agents/{agent_id}/integration",
        {
            "crm": "zendesk_support",
            "subdomain": other,
            "ai_agent_user_email": AI_AGENT.format(sub=other),
        },
        status=201,
    )
    assert http_authorize(api, agent_id, AI_AGENT.format(sub=other)).status_code == 200
    assert (
        api.ok("GET", f"/agents/{agent_id}/integration")["authorization"]["status"] == "authorized"
    )


def test_disconnect_with_removal_leaves_nothing_of_ours_in_zendesk(
    api: Api, local_stack: RunningStack, new_account: Callable[[], str]
) -> None:
    sub = new_account()
    agent_id, trigger_id, webhook_id = _connect(api, sub)

    run = _disconnect(api, agent_id, remove=True)

    assert run["status"] == "succeeded", run
    assert [s["name"] for s in run["steps"]] == [
        "engine_off",
        "deactivate_trigger",
        "delete_trigger_and_webhook",
        "revoke_authorization",
        "remove_integration",
    ]
    assert api.call("GET", f"/agents/{agent_id}/integration").status_code == 404
    assert _as_admin(local_stack, sub, f"/triggers/{trigger_id}").status_code == 404
    assert _as_admin(local_stack, sub, f"/webhooks/{webhook_id}").status_code == 404
    assert _live_ai_agent_tokens(local_stack, sub) == []
    ticket = _customer_email(local_stack, sub)
    assert _deliveries(local_stack, sub, ticket) == []
    # nothing left to disconnect; the last run stays readable
    again = api.call("POST", f"/agents/{agent_id}/integration/disconnect", {})
    assert again.status_code == 404
    assert api.ok("GET", f"/agents/{agent_id}/integration/disconnect")["status"] == "succeeded"
    # the agent can start over with another account
    other = new_account()
    api.ok(
        "POST",
        f"/agents/{agent_id}/integration",
        {
            "crm": "zendesk_support",
            "subdomain": other,
            "ai_agent_user_email": AI_AGENT.format(sub=other),
        },
        status=201,
    )


def test_remove_after_a_plain_disconnect_says_what_stays_in_zendesk(
    api: Api, local_stack: RunningStack, new_account: Callable[[], str]
) -> None:
    """The seed's order (issue 12 item 4): disconnect, then later remove the integration."""
    sub = new_account()
    agent_id, trigger_id, webhook_id = _connect(api, sub)
    assert _disconnect(api, agent_id, remove=False)["status"] == "succeeded"

    run = _disconnect(api, agent_id, remove=True)

    assert run["status"] == "succeeded", run
    assert [(s["name"], s["status"]) for s in run["steps"]] == [
        ("engine_off", "succeeded"),
        ("deactivate_trigger", "succeeded"),
        ("delete_trigger_and_webhook", "succeeded"),
        ("revoke_authorization", "succeeded"),
        ("remove_integration", "succeeded"),
    ]
    assert [(i["kind"], i["id"], i["state"]) for i in run["leftovers"]] == [
        ("trigger", str(trigger_id), "inactive"),
        ("webhook", webhook_id, "active, no longer called"),
    ]
    assert all(i["where"].startswith("Admin Center > ") and i["detail"] for i in run["leftovers"])
    assert run["steps"][2]["leftovers"] == run["leftovers"]
    assert api.call("GET", f"/agents/{agent_id}/integration").status_code == 404
    # exactly what the run says stays in Zendesk: the deactivated trigger and its webhook
    trigger = _as_admin(local_stack, sub, f"/triggers/{trigger_id}")
    assert trigger.status_code == 200
    assert trigger.json()["trigger"]["active"] is False
    assert _as_admin(local_stack, sub, f"/webhooks/{webhook_id}").status_code == 200


def test_a_second_disconnect_while_one_runs_is_409_and_a_failed_one_resumes(
    api: Api, local_stack: RunningStack, new_account: Callable[[], str]
) -> None:
    sub = new_account()
    agent_id = http_connect(api, sub)
    # a slow, failing Zendesk on deactivation keeps the first run busy; then revocation
    # fails for good (403: not retried)
    _sandbox(
        local_stack,
        sub,
        "POST",
        "/faults",
        {"path_regex": "/api/v2/triggers/update_many", "status": 503, "times": 1, "delay_ms": 1500},
    )
    _sandbox(
        local_stack,
        sub,
        "POST",
        "/faults",
        {"path_regex": "/api/v2/oauth/tokens/current", "status": 403, "times": 1},
    )
    api.ok("POST", f"/agents/{agent_id}/integration/disconnect", {}, status=202)
    busy = api.call("POST", f"/agents/{agent_id}/integration/disconnect", {})
    assert busy.status_code == 409
    assert busy.headers["content-type"].startswith("application/problem+json")
    assert "already running" in busy.json()["detail"]

    def finished() -> dict[str, Any] | None:
        run: dict[str, Any] = api.ok("GET", f"/agents/{agent_id}/integration/disconnect")
        return run if run["status"] != "running" else None

    failed = wait_until("the first disconnect", finished)
    assert failed["status"] == "failed"
    assert failed["failed_step"] == "revoke_authorization"
    step = failed["steps"][2]
    assert step["name"] == "revoke_authorization"
    assert step["status"] == "failed"
    assert step["error"].startswith("ZendeskForbidden")
    # the 503 was retried (by the Zendesk client here; tests/workflow shows Step Functions' Retry)
    assert failed["steps"][1] == {
        "name": "deactivate_trigger",
        "status": "succeeded",
        "attempts": 1,
    }
    assert api.ok("GET", f"/agents/{agent_id}/integration")["engine"]["enabled"] is False

    resumed = _disconnect(api, agent_id, remove=False)
    assert resumed["status"] == "succeeded", resumed
    assert _live_ai_agent_tokens(local_stack, sub) == []
