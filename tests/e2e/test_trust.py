"""Trust at the customer's inbox on the real local stack (issue 12): a person's reply ends the
agent's part for good; a hostile email is answered or handed over, never lost."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.test_replies import ai_replies, new_account, ticket
from tests.support.flows import Api, counted_stats, http_connect
from tests.support.hostile import deep_brackets
from tests.support.polling import wait_until
from zdagent.adapters.engines.demo_kb import load_demo_knowledge

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 60.0
QUESTION = "Hello, where is my order? I would like to track my parcel. Anna"


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


def connected_shop(stack: RunningStack, api: Api) -> tuple[str, str]:
    subdomain = new_account(stack)
    agent_id = http_connect(api, subdomain, signature="The Acme team")
    articles = [a.to_json() for a in load_demo_knowledge()]
    api.ok("PUT", f"/agents/{agent_id}/knowledge", {"articles": articles})
    return subdomain, agent_id


def email(stack: RunningStack, subdomain: str, body: str, **extra: Any) -> int:
    payload = {"from": "customer@example.com", "subject": "Where is my order?", "body": body}
    sent = httpx.post(
        f"{stack.sandbox_url}/{subdomain}/_sandbox/emails", json=payload | extra, timeout=10
    )
    assert sent.status_code == 201, sent.text
    return int(sent.json()["ticket_id"])


def deliveries(stack: RunningStack, subdomain: str, ticket_id: int) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.sandbox_url}/{subdomain}/_sandbox/webhook_deliveries", timeout=10)
    response.raise_for_status()
    return [d for d in response.json()["webhook_deliveries"] if d["ticket_id"] == ticket_id]


def decisions(api: Api, agent_id: str, ticket_id: int) -> list[dict[str, Any]]:
    answer = api.call("GET", f"/agents/{agent_id}/conversations/{ticket_id}")
    if answer.status_code == 404:
        return []
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["decisions"]
    return found


def test_once_a_person_replied_the_agent_never_answers_again(
    local_stack: RunningStack, api: Api
) -> None:
    subdomain, agent_id = connected_shop(local_stack, api)
    ticket_id = email(local_stack, subdomain, QUESTION)
    wait_until(
        "the AI reply",
        lambda: ai_replies(ticket(local_stack, subdomain, ticket_id)),
        DEADLINE_SECONDS,
        0.25,
    )
    person = httpx.post(
        f"{local_stack.sandbox_url}/{subdomain}/_sandbox/agent_comments",
        json={
            "ticket_id": ticket_id,
            "author_email": f"agent@{subdomain}.test",
            "body": "I'll take it from here.",
            "public": True,
        },
        timeout=10,
    )
    assert person.status_code == 201, person.text
    email(local_stack, subdomain, "And how do I return an item?", ticket_id=ticket_id)

    took_over = wait_until(
        "the takeover decision",
        lambda: [
            d for d in decisions(api, agent_id, ticket_id) if d["reason"] == "human_took_over"
        ],
        DEADLINE_SECONDS,
        0.25,
    )
    assert took_over[0]["action"] == "ignored"
    assert len(ai_replies(ticket(local_stack, subdomain, ticket_id))) == 1
    stats = counted_stats(api, agent_id, "by_reason", "human_took_over")  # counted after logged
    assert stats["by_reason"]["human_took_over"] == 1


@pytest.mark.parametrize(
    "body",
    [
        "Where is my order? \\ud800 I would like to track my parcel. Anna",  # valid JSON
        "Where is my order? I would like to track my parcel. Anna" + deep_brackets(12_000),
    ],
    ids=["lone-surrogate-escape", "deep-brackets"],
)
def test_a_hostile_email_is_answered_or_handed_over(
    local_stack: RunningStack, api: Api, body: str
) -> None:
    subdomain, agent_id = connected_shop(local_stack, api)
    ticket_id = email(local_stack, subdomain, body)

    def acted() -> dict[str, Any] | None:
        found = ticket(local_stack, subdomain, ticket_id)
        if ai_replies(found) or "ai_agent_escalated" in found["tags"]:
            return found
        return None

    wait_until("an AI reply or a handover", acted, DEADLINE_SECONDS, 0.25)
    # the worker acts in Zendesk, then logs the decision; the sandbox marks the delivery done
    # when its thread gets the answer, which may be after the worker acted: wait for both
    wait_until("the decision logged", lambda: decisions(api, agent_id, ticket_id), DEADLINE_SECONDS)
    [delivery] = wait_until(
        "the delivery finished",
        lambda: [
            d for d in deliveries(local_stack, subdomain, ticket_id) if d["status"] != "pending"
        ],
        DEADLINE_SECONDS,
    )
    assert delivery["status"] == "success", delivery
    assert decisions(api, agent_id, ticket_id)[-1]["action"] in ("answered", "escalated")
