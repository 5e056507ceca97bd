"""A real-looking account on the local stack: two extra trigger categories, a wrong subdomain."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.support.flows import AI_AGENT, Api, http_connect
from zdagent.adapters.engines.demo_kb import load_demo_knowledge

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 60.0


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


def sandbox(stack: RunningStack, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(method, f"{stack.sandbox_url}{path}", json=body, timeout=10)
    assert response.is_success, response.text
    return response.json()


def test_two_extra_categories_trigger_created_moved_and_customers_answered(
    local_stack: RunningStack, api: Api
) -> None:
    subdomain = "c" + uuid.uuid4().hex[:10]
    sandbox(
        local_stack,
        "POST",
        "/_sandbox/accounts",
        {"subdomain": subdomain, "trigger_categories": ["Notifications"]},
    )
    for name in ("Escalations", "Follow-ups"):
        sandbox(
            local_stack,
            "POST",
            f"/{subdomain}/_sandbox/trigger_categories",
            {"name": name, "triggers": 2},
        )
    agent_id = http_connect(api, subdomain, trigger=False, engine=False)
    created = api.ok("POST", f"/agents/{agent_id}/integration/trigger", {"position": 1}, status=201)
    assert created["category"]["name"] == "Notifications"
    assert created["trigger"]["category_id"] == created["category"]["id"]
    assert created["trigger"]["position"] == 1
    assert created["loop_guard"]["form"] == "not_ai_agent_user"
    view = api.ok("GET", f"/agents/{agent_id}/integration/trigger")
    assert view["category"] == created["category"]
    assert view["loop_guard"]["form"] == "not_ai_agent_user"
    integration = api.ok("GET", f"/agents/{agent_id}/integration")
    assert integration["trigger"]["category_id"] == created["category"]["id"]

    api.ok("PUT", f"/agents/{agent_id}/integration/engine", {"enabled": True})
    articles = [a.to_json() for a in load_demo_knowledge()]
    api.ok("PUT", f"/agents/{agent_id}/knowledge", {"articles": articles})
    sent = sandbox(
        local_stack,
        "POST",
        f"/{subdomain}/_sandbox/emails",
        {
            "from": "customer@example.com",
            "subject": "Where is my order?",
            "body": "Hello, where is my order? I would like to track my parcel. Anna",
        },
    )
    ticket_id = sent["ticket_id"]
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        found = sandbox(local_stack, "GET", f"/{subdomain}/_sandbox/tickets/{ticket_id}")["ticket"]
        replies = [
            c
            for c in found["comments"]
            if c["public"]
            and (c.get("author") or {}).get("email") == AI_AGENT.format(sub=subdomain)
        ]
        if replies:
            break
        assert time.monotonic() < deadline, "no AI reply within the deadline"
        time.sleep(0.25)
    assert len(replies) == 1


def test_a_wrong_subdomain_is_refused_in_words(api: Api) -> None:
    agent = api.ok("POST", "/agents", {"name": "Typo"}, status=201)
    refused = api.call(
        "POST",
        f"/agents/{agent['agent_id']}/integration",
        {"crm": "zendesk_support", "subdomain": "acmee", "ai_agent_user_email": "ai@acmee.test"},
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail.startswith("no Zendesk account at") and "acmee" in detail
    assert api.call("GET", f"/agents/{agent['agent_id']}/integration").status_code == 404
