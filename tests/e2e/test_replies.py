"""A customer email gets one public AI reply on the real local stack; the log and stats show it."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.support.flows import Api, counted_stats, http_connect
from zdagent.adapters.engines.demo_kb import load_demo_knowledge

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 60.0


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


def new_account(stack: RunningStack) -> str:
    subdomain = "e" + uuid.uuid4().hex[:10]
    response = httpx.post(
        f"{stack.sandbox_url}/_sandbox/accounts", json={"subdomain": subdomain}, timeout=10
    )
    assert response.status_code == 201, response.text
    return subdomain


def ticket(stack: RunningStack, subdomain: str, ticket_id: int) -> dict[str, Any]:
    response = httpx.get(
        f"{stack.sandbox_url}/{subdomain}/_sandbox/tickets/{ticket_id}", timeout=10
    )
    response.raise_for_status()
    found: dict[str, Any] = response.json()["ticket"]
    return found


def ai_replies(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c
        for c in found["comments"]
        if c["public"] and (c.get("author") or {}).get("email", "").startswith("ai-agent@")
    ]


def test_customer_email_gets_one_ai_reply(local_stack: RunningStack, api: Api) -> None:
    subdomain = new_account(local_stack)
    agent_id = http_connect(api, subdomain, signature="The Acme team")
    articles = [a.to_json() for a in load_demo_knowledge()]
    api.ok("PUT", f"/agents/{agent_id}/knowledge", {"articles": articles})

    sent = httpx.post(
        f"{local_stack.sandbox_url}/{subdomain}/_sandbox/emails",
        json={
            "from": "customer@example.com",
            "subject": "Where is my order?",
            "body": "Hello, where is my order? I would like to track my parcel. Anna",
        },
        timeout=10,
    )
    assert sent.status_code == 201, sent.text
    ticket_id = sent.json()["ticket_id"]

    deadline = time.monotonic() + DEADLINE_SECONDS
    while not ai_replies(ticket(local_stack, subdomain, ticket_id)):
        assert time.monotonic() < deadline, "no AI reply within the deadline"
        time.sleep(0.25)
    found = ticket(local_stack, subdomain, ticket_id)
    [reply] = ai_replies(found)
    assert "track" in reply["plain_body"].lower()
    assert "The Acme team" in reply["plain_body"]
    assert "ai_agent_replied" in found["tags"]

    stats = counted_stats(api, agent_id, "by_status", "answered")  # the log comes after the reply
    assert stats["by_status"]["answered"] == 1
    listed = api.ok("GET", f"/agents/{agent_id}/conversations?status=answered")
    assert [c["ticket_id"] for c in listed["items"]] == [ticket_id]
    detail = api.ok("GET", f"/agents/{agent_id}/conversations/{ticket_id}")
    assert detail["decisions"][0]["reason"] == "answered"
    assert {m["role"] for m in detail["messages"]} == {"visitor", "ai_agent"}
    assert api.call("GET", f"/agents/{agent_id}/conversations/999999").status_code == 404
    assert api.call("GET", f"/agents/{agent_id}/conversations?limit=0").status_code == 422
