"""A restart of the local stack keeps agents, integrations and tickets (``make run`` keeps its
state in a folder; ``make reset`` deletes it)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import RunningStack, start_stack
from tests.e2e.test_replies import ai_replies, new_account, ticket
from tests.support.flows import Api, http_connect
from zdagent.adapters.engines.demo_kb import load_demo_knowledge

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 60.0


def email(stack: RunningStack, subdomain: str, body: str, ticket_id: int | None = None) -> int:
    payload: dict[str, object] = {"from": "customer@example.com", "subject": "Parcel", "body": body}
    if ticket_id is not None:
        payload["ticket_id"] = ticket_id
    sent = httpx.post(f"{stack.sandbox_url}/{subdomain}/_sandbox/emails", json=payload, timeout=10)
    assert sent.status_code == 201, sent.text
    return int(sent.json()["ticket_id"])


def answered(stack: RunningStack, subdomain: str, ticket_id: int, replies: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(ai_replies(ticket(stack, subdomain, ticket_id))) < replies:
        assert time.monotonic() < deadline, f"no AI reply {replies} on ticket {ticket_id}"
        time.sleep(0.25)


def test_a_restart_keeps_agents_integrations_and_tickets(tmp_path: Path) -> None:
    first = start_stack(state_dir=tmp_path)
    try:
        api = Api(first.api_url, first.admin_token)
        subdomain = new_account(first)
        agent_id = http_connect(api, subdomain, name="Kept agent")
        articles = [a.model_dump(mode="json") for a in load_demo_knowledge()]
        api.ok("PUT", f"/agents/{agent_id}/knowledge", {"articles": articles})
        ticket_id = email(first, subdomain, "Where is my parcel? I want to track my order.")
        answered(first, subdomain, ticket_id, 1)
        integration = api.ok("GET", f"/agents/{agent_id}/integration")
    finally:
        assert first.stop() == 0
    assert (tmp_path / "aws.json").exists()
    assert (tmp_path / "logs" / "stack.jsonl").stat().st_size > 0

    # the same ports, as `make run` uses: Zendesk's webhook still points at this API
    second = start_stack(state_dir=tmp_path, ports=first.ports)
    try:
        assert any(line.startswith("state restored from") for line in second.stdout_lines)
        api = Api(second.api_url, second.admin_token)
        listed = api.ok("GET", "/agents")["items"]
        assert agent_id in [a["agent_id"] for a in listed]
        assert api.ok("GET", f"/agents/{agent_id}/integration") == integration
        before = ticket(second, subdomain, ticket_id)
        assert len(ai_replies(before)) == 1
        logged = api.ok("GET", f"/agents/{agent_id}/conversations")["items"]
        assert [c["ticket_id"] for c in logged] == [ticket_id]

        # and it still works: the token, the webhook secret and the trigger came back
        checks = api.ok("GET", f"/agents/{agent_id}/integration/checks")["checks"]
        assert all(check["ok"] for check in checks), checks
        email(second, subdomain, "Sorry, how do I return an item?", ticket_id=ticket_id)
        answered(second, subdomain, ticket_id, 2)
    finally:
        assert second.stop() == 0
