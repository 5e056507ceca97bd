"""Creating the trigger is all or nothing in Zendesk: a failure half way leaves no orphan."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from zdagent.core.errors import ZendeskServerError
from zdagent.domain.integration import Integration
from zdagent.domain.trigger_request import CreateTriggerRequest
from zdagent.services import trigger
from zdagent.services.context import Context
from zdsandbox.server import SandboxServer


def zendesk_get(ctx: Context, sandbox: SandboxServer, agent_id: str, path: str) -> Any:
    tokens = ctx.vault.read_tokens(agent_id, cached=False)
    assert tokens is not None
    response = httpx.get(
        f"{sandbox.url}/acme{path}",
        headers={"Authorization": f"Bearer {tokens.access_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def test_trigger_failure_after_the_webhook_removes_the_webhook(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    fault = {"path_regex": r"/api/v2/triggers(\.json)?$", "status": 500, "times": 20}
    assert httpx.post(f"{sandbox.url}/acme/_sandbox/faults", json=fault, timeout=10).is_success
    with pytest.raises(ZendeskServerError):
        trigger.create_trigger(
            ctx, authorized.agent_id, "http://127.0.0.1:9", CreateTriggerRequest()
        )
    assert zendesk_get(ctx, sandbox, authorized.agent_id, "/api/v2/webhooks")["webhooks"] == []
    assert ctx.vault.read_webhook_secret(authorized.agent_id, cached=False) is None
    after = ctx.integrations.get(authorized.agent_id)
    assert after.trigger.status == "none"

    httpx.delete(f"{sandbox.url}/acme/_sandbox/faults", timeout=10)
    created = trigger.create_trigger(
        ctx, authorized.agent_id, "http://127.0.0.1:9", CreateTriggerRequest(position=1)
    )
    assert created["trigger"]["position"] == 1
    assert len(zendesk_get(ctx, sandbox, authorized.agent_id, "/api/v2/webhooks")["webhooks"]) == 1
