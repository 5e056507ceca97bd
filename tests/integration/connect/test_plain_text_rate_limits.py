"""Zendesk answers some 429s with a bare sentence, not JSON: the client copes with both."""

from __future__ import annotations

import httpx
import pytest

from zdagent.adapters.zendesk.models import TicketUpdate
from zdagent.core.errors import ZendeskRateLimited
from zdagent.domain.integration import Integration
from zdagent.services.context import Context
from zdsandbox.server import SandboxServer


def _control(sandbox: SandboxServer, method: str, path: str, body: object) -> None:
    response = httpx.request(method, f"{sandbox.url}/acme/_sandbox{path}", json=body, timeout=10)
    assert response.is_success, response.text


def _ticket(sandbox: SandboxServer) -> int:
    email = {"from": "customer@example.com", "body": "Hello"}
    response = httpx.post(f"{sandbox.url}/acme/_sandbox/emails", json=email, timeout=10)
    return int(response.json()["ticket_id"])


def test_a_plain_text_429_is_waited_out_and_retried(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    ticket_id = _ticket(sandbox)
    fault = {"path_regex": f"/tickets/{ticket_id}", "status": 429, "retry_after": 1}
    _control(sandbox, "POST", "/faults", {**fault, "plain_text": True, "method": "PUT"})
    with ctx.zendesk_for(authorized) as zendesk:
        updated = zendesk.update_ticket(ticket_id, TicketUpdate(status="open"))
    assert updated.status == "open"


def test_a_plain_text_429_beyond_the_cap_is_reported_in_zendesk_words(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    ticket_id = _ticket(sandbox)
    _control(sandbox, "PUT", "/settings", {"ticket_updates_per_ticket_user_per_10min": 1})
    with ctx.zendesk_for(authorized) as zendesk:
        zendesk.update_ticket(ticket_id, TicketUpdate(status="open"))
        with pytest.raises(ZendeskRateLimited) as limited:
            zendesk.update_ticket(ticket_id, TicketUpdate(status="pending"))
    assert "exceeded the rate limit for updating a single ticket" in limited.value.detail
    assert limited.value.retry_after is not None and limited.value.retry_after > 60
