"""``engine: "bedrock"`` end to end on the local stack: the reply worker's real boto3
``bedrock-runtime`` client signs and sends Converse calls to the stack's emulator
(``local/zdbedrock``, not Bedrock); the answer is grounded in the retrieved passages, and a
throttled or ungrounded call becomes a handover whose note says why."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.test_replies import ai_replies, new_account, ticket
from tests.support.flows import Api, http_connect
from zdagent.adapters.engines.demo_kb import load_demo_knowledge

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 60.0


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


def bedrock_agent(stack: RunningStack, api: Api) -> tuple[str, str]:
    subdomain = new_account(stack)
    agent_id = http_connect(api, subdomain, signature="The Acme team")
    api.ok("PATCH", f"/agents/{agent_id}", {"settings": {"engine": "bedrock"}})
    articles = [a.to_json() for a in load_demo_knowledge()]
    api.ok("PUT", f"/agents/{agent_id}/knowledge", {"articles": articles})
    return subdomain, agent_id


def email(stack: RunningStack, subdomain: str, body: str) -> int:
    sent = httpx.post(
        f"{stack.sandbox_url}/{subdomain}/_sandbox/emails",
        json={"from": "customer@example.com", "subject": "Password", "body": body},
        timeout=10,
    )
    assert sent.status_code == 201, sent.text
    return int(sent.json()["ticket_id"])


def decision(api: Api, agent_id: str, ticket_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        found = api.call("GET", f"/agents/{agent_id}/conversations/{ticket_id}")
        if found.status_code == 200 and found.json()["decisions"]:
            decisions: list[dict[str, Any]] = found.json()["decisions"]
            return decisions[-1]
        assert time.monotonic() < deadline, "no decision within the deadline"
        time.sleep(0.25)


def emulator_calls(stack: RunningStack) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = httpx.get(
        f"{stack.bedrock_url}/_emulator/calls", timeout=10
    ).json()["calls"]
    return calls


def fault(stack: RunningStack, kind: str, times: int = 1) -> None:
    response = httpx.post(
        f"{stack.bedrock_url}/_emulator/faults", json={"kind": kind, "times": times}, timeout=10
    )
    assert response.status_code == 201, response.text


def test_bedrock_engine_answers_from_retrieved_passages(
    local_stack: RunningStack, api: Api
) -> None:
    subdomain, agent_id = bedrock_agent(local_stack, api)
    before = len(emulator_calls(local_stack))
    ticket_id = email(local_stack, subdomain, "How do I reset my password? The link never came.")
    assert decision(api, agent_id, ticket_id)["reason"] == "answered"
    [reply] = ai_replies(ticket(local_stack, subdomain, ticket_id))
    assert "Forgot password?" in reply["plain_body"]
    assert "I forgot my password or cannot log in" in reply["plain_body"]  # the linked article
    calls = emulator_calls(local_stack)[before:]
    assert len(calls) == 1
    assert calls[0]["body"]["toolConfig"]["toolChoice"] == {"tool": {"name": "submit_reply"}}
    prompt = calls[0]["body"]["messages"][0]["content"][0]["text"]
    assert 'id="reset-password-en#0"' in prompt


@pytest.mark.parametrize(
    ("kind", "times", "words"),
    [
        ("ThrottlingException", 3, "Bedrock throttled the request"),
        ("cite_unknown", 1, "which was not retrieved"),
        ("invented_figure", 1, "figures the cited passages do not"),
        ("refusal", 1, "neither the tool nor JSON"),
    ],
)
def test_throttled_or_ungrounded_calls_hand_over_with_the_reason(
    local_stack: RunningStack, api: Api, kind: str, times: int, words: str
) -> None:
    subdomain, agent_id = bedrock_agent(local_stack, api)
    fault(local_stack, kind, times)
    ticket_id = email(local_stack, subdomain, "How do I reset my password? The link never came.")
    made = decision(api, agent_id, ticket_id)
    assert made["action"] == "escalated", made
    assert made["engine"] == "bedrock"
    found = ticket(local_stack, subdomain, ticket_id)
    assert ai_replies(found) == []
    notes = [c["plain_body"] for c in found["comments"] if not c["public"]]
    assert any(words in note for note in notes), notes
