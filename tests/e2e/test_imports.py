"""Imports on the local stack, over HTTP: seeded tickets in the sandbox, the job runs through
ImportQueue (real DelaySeconds), progress is polled with a deadline."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.support.flows import Api, http_connect

pytestmark = pytest.mark.e2e

IMPORT_DEADLINE_SECONDS = 90


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


def new_account(stack: RunningStack) -> str:
    subdomain = f"e2eimp{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{stack.sandbox_url}/_sandbox/accounts", json={"subdomain": subdomain}, timeout=10
    )
    assert created.status_code == 201, created.text
    return subdomain


def seed(stack: RunningStack, subdomain: str, count: int) -> list[dict[str, Any]]:
    control = f"{stack.sandbox_url}/{subdomain}/_sandbox"
    answer = httpx.post(
        f"{control}/tickets/bulk",
        json={"count": count, "days_back": 20, "comments_per_ticket": 5, "seed": 42},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return [
        httpx.get(f"{control}/tickets/{i}", timeout=10).json()["ticket"]
        for i in range(body["first_ticket_id"], body["last_ticket_id"] + 1)
    ]


def wait_for_end(api: Api, agent_id: str, import_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + IMPORT_DEADLINE_SECONDS
    seen_running = False
    while time.monotonic() < deadline:
        progress = api.ok("GET", f"/agents/{agent_id}/integration/imports/{import_id}")
        if progress["status"] != "running":
            return dict(progress)
        seen_running = True
        assert progress["tickets_scanned"] >= 0 and "estimated_seconds_left" in progress
        time.sleep(0.5)
    raise AssertionError(f"import still running after {IMPORT_DEADLINE_SECONDS}s ({seen_running})")


def imported_conversations(api: Api, agent_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        query = "source=imported&limit=50" + (f"&next_token={token}" if token else "")
        page = api.ok("GET", f"/agents/{agent_id}/conversations?{query}")
        items.extend(page["items"])
        token = page.get("next_token")
        if not token:
            return items


def test_import_seeded_tickets_with_filters(api: Api, local_stack: RunningStack) -> None:
    subdomain = new_account(local_stack)
    tickets = seed(local_stack, subdomain, 40)
    agent_id = http_connect(api, subdomain, trigger=False)
    body = {"start_time": "2000-01-01T00:00:00Z", "channels": ["email"], "import_tags": True}
    started = api.ok("POST", f"/agents/{agent_id}/integration/imports", body, status=202)

    result = wait_for_end(api, agent_id, started["import_id"])
    emails = {t["id"]: t for t in tickets if t["via"]["channel"] == "email"}
    assert result["status"] == "succeeded", result
    assert result["tickets_scanned"] == 40
    assert result["conversations_imported"] == len(emails)
    assert result["messages_imported"] > len(emails)
    listed = imported_conversations(api, agent_id)
    assert {c["ticket_id"] for c in listed} == set(emails)
    for conversation in listed:
        assert conversation["source"] == "imported" and conversation["status"] == "imported"
        assert conversation["labels"] == emails[conversation["ticket_id"]]["tags"]
    one = api.ok("GET", f"/agents/{agent_id}/conversations/{listed[0]['ticket_id']}")
    assert 1 <= len(one["messages"]) <= 5
    stats = api.ok("GET", f"/agents/{agent_id}/stats")
    assert not stats.get("by_status", {}).get("imported")


def test_empty_time_frame_and_cancel(api: Api, local_stack: RunningStack) -> None:
    subdomain = new_account(local_stack)
    agent_id = http_connect(api, subdomain, trigger=False)
    recent = (datetime.now(UTC) - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    started = api.ok(
        "POST", f"/agents/{agent_id}/integration/imports", {"start_time": recent}, status=202
    )
    result = wait_for_end(api, agent_id, started["import_id"])
    assert result["status"] == "succeeded"
    assert (result["tickets_scanned"], result["conversations_imported"]) == (0, 0)
    cancel = api.call(
        "POST", f"/agents/{agent_id}/integration/imports/{started['import_id']}/cancel"
    )
    assert cancel.status_code == 409, cancel.text
    bad = api.call("POST", f"/agents/{agent_id}/integration/imports", {"start_time": "soon"})
    assert bad.status_code == 422 and "start_time" in bad.json()["detail"]
