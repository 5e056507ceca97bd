"""Faults, rate limits (429 + Retry-After), incremental export and bulk seeding."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.integration.sandbox.sandbox_support import (
    Account,
    ApiClient,
    FakeClock,
    new_account,
)
from zdsandbox.server import SandboxServer


def _settings(account: Account, **values: Any) -> dict[str, Any]:
    response = account.client.put(account.path("/_sandbox/settings"), json=values)
    assert response.status_code == 200, response.text
    return dict(response.json()["settings"])


def _fault(account: Account, **fault: Any) -> None:
    response = account.client.post(account.path("/_sandbox/faults"), json=fault)
    assert response.status_code == 201, response.text


def test_fault_fails_the_next_matching_requests_then_clears(
    account: Account, api: ApiClient
) -> None:
    ticket_id = account.email()["ticket_id"]
    _fault(account, path_regex=r"/api/v2/tickets/\d+", status=503, times=2)
    assert api.get(f"/api/v2/tickets/{ticket_id}").status_code == 503
    assert api.get("/api/v2/users/me").status_code == 200
    assert api.get(f"/api/v2/tickets/{ticket_id}.json").status_code == 503
    assert api.get(f"/api/v2/tickets/{ticket_id}").status_code == 200


def test_fault_429_carries_retry_after_and_delete_clears_faults(
    account: Account, api: ApiClient
) -> None:
    _fault(account, path_regex="users/me", status=429, times=5, retry_after=7)
    limited = api.get("/api/v2/users/me")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    listed = account.client.get(account.path("/_sandbox/faults")).json()["faults"]
    assert listed[0]["times"] == 4
    assert account.client.delete(account.path("/_sandbox/faults")).status_code == 204
    assert api.get("/api/v2/users/me").status_code == 200


def test_fault_429_can_answer_plain_text(account: Account, api: ApiClient) -> None:
    _fault(account, path_regex="/api/v2/groups", status=429, retry_after=2, plain_text=True)
    limited = api.get("/api/v2/groups")
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith("text/plain")
    assert limited.headers["Retry-After"] == "2"
    assert api.get("/api/v2/groups").status_code == 200


def test_fault_delay_slows_a_request(account: Account, api: ApiClient) -> None:
    _fault(account, path_regex="users/me", status=200, times=1, delay_ms=300)
    started = time.monotonic()
    assert api.get("/api/v2/users/me").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_fault_on_the_token_endpoint(account: Account) -> None:
    code, verifier = account.code_for(f"admin@{account.subdomain}.test")
    _fault(account, path_regex="/oauth/tokens$", status=500, times=1)
    assert account.exchange(code, verifier).status_code == 500
    assert account.exchange(code, verifier).status_code == 201


def test_account_rate_limit_answers_429_with_retry_after(account: Account, api: ApiClient) -> None:
    _settings(account, rate_limit_per_minute=3, reset_counters=True)
    responses = [api.get("/api/v2/users/me") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["X-Rate-Limit"] == "3"
    assert [r.headers["X-Rate-Limit-Remaining"] for r in responses[:3]] == ["2", "1", "0"]
    limited = responses[3]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"


def test_rate_limit_window_slides_with_the_clock(
    make_sandbox: Callable[..., SandboxServer],
) -> None:
    clock = FakeClock()
    server = make_sandbox(clock=clock, rate_limit_per_minute=2)
    with httpx.Client(base_url=server.url) as http:
        account = new_account(server, http)
        api = account.api("admin")
        assert [api.get("/api/v2/users/me").status_code for _ in range(3)] == [200, 200, 429]
        clock.advance(61)
        assert api.get("/api/v2/users/me").status_code == 200


def test_ticket_update_limits(account: Account, api: ApiClient) -> None:
    _settings(account, ticket_updates_per_minute=2)
    ids = [account.email()["ticket_id"] for _ in range(3)]
    codes = [api.put(f"/api/v2/tickets/{i}", json={"ticket": {"status": "open"}}) for i in ids]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[2].headers["Retry-After"]
    assert "remaining=0" in codes[2].headers["Zendesk-RateLimit-tickets-update"]
    _settings(
        account,
        ticket_updates_per_minute=100,
        ticket_updates_per_ticket_user_per_10min=2,
        reset_counters=True,
    )
    same = [
        api.put(f"/api/v2/tickets/{ids[0]}", json={"ticket": {"status": "open"}}) for _ in range(3)
    ]
    assert [r.status_code for r in same] == [200, 200, 429]
    # this limit answers a bare sentence, not JSON, as some of Zendesk's do
    assert same[2].headers["content-type"].startswith("text/plain")
    assert same[2].text.startswith("You have exceeded the rate limit")
    assert int(same[2].headers["Retry-After"]) >= 1
    other_user = account.api("admin")
    assert (
        other_user.put(f"/api/v2/tickets/{ids[0]}", json={"ticket": {"status": "open"}}).status_code
        == 200
    )


def test_incremental_export_pages_through_everything(account: Account, api: ApiClient) -> None:
    bulk = account.client.post(
        account.path("/_sandbox/tickets/bulk"),
        json={"count": 250, "days_back": 30, "comments_per_ticket": 2},
    )
    assert bulk.status_code == 201
    start = int(time.time()) - 40 * 86400
    page = api.get(
        "/api/v2/incremental/tickets/cursor.json", params={"start_time": start, "per_page": 100}
    ).json()
    seen: list[int] = []
    while True:
        seen += [t["id"] for t in page["tickets"]]
        assert page["after_cursor"]
        assert "cursor=" in page["after_url"]
        if page["end_of_stream"]:
            break
        page = api.get(
            "/api/v2/incremental/tickets/cursor",
            params={"cursor": page["after_cursor"], "per_page": 100},
        ).json()
    assert sorted(seen) == list(range(1, 251))
    stamps = [t["generated_timestamp"] for t in page["tickets"]]
    assert stamps == sorted(stamps)
    account.email("a new one")
    resumed = api.get(
        "/api/v2/incremental/tickets/cursor", params={"cursor": page["after_cursor"]}
    ).json()
    assert resumed["tickets"] == []  # held back for its first minute
    assert resumed["end_of_stream"] is True


def test_incremental_export_holds_back_the_last_minute(
    make_sandbox: Callable[..., SandboxServer],
) -> None:
    clock = FakeClock()
    server = make_sandbox(clock=clock)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        account = new_account(server, client)
        api = account.api("ai-agent")
        start = int(clock()) - 120
        clock.advance(1)
        ticket = account.email("just now")["ticket_id"]

        def export() -> list[int]:
            page = api.get("/api/v2/incremental/tickets/cursor", params={"start_time": start})
            assert page.status_code == 200, page.text
            return [t["id"] for t in page.json()["tickets"]]

        assert export() == []
        clock.advance(59)
        assert export() == []
        clock.advance(2)
        assert export() == [ticket]
        too_recent = api.get(
            "/api/v2/incremental/tickets/cursor", params={"start_time": int(clock()) - 59}
        )
        assert too_recent.status_code == 400


def test_incremental_export_rules(account: Account, api: ApiClient) -> None:
    too_recent = api.get(
        "/api/v2/incremental/tickets/cursor", params={"start_time": int(time.time())}
    )
    assert too_recent.status_code == 400
    assert api.get("/api/v2/incremental/tickets/cursor").status_code == 400
    assert (
        account.api("agent")
        .get("/api/v2/incremental/tickets/cursor", params={"start_time": 0})
        .status_code
        == 403
    )
    _settings(account, incremental_exports_per_minute=2, reset_counters=True)
    codes = [
        api.get("/api/v2/incremental/tickets/cursor", params={"start_time": 0}) for _ in range(3)
    ]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert int(codes[2].headers["Retry-After"]) >= 1


def test_audit_lists_have_their_own_limit(account: Account, api: ApiClient) -> None:
    ticket_id = account.email()["ticket_id"]
    assert _settings(account)["audit_lists_per_minute"] == 500
    _settings(account, audit_lists_per_minute=2, reset_counters=True)
    codes = [api.get(f"/api/v2/tickets/{ticket_id}/audits") for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert int(codes[2].headers["Retry-After"]) >= 1
    assert api.get(f"/api/v2/tickets/{ticket_id}/comments").status_code == 200


def test_bulk_seeding_is_varied(account: Account, api: ApiClient) -> None:
    response = account.client.post(
        account.path("/_sandbox/tickets/bulk"),
        json={"count": 20_000, "days_back": 90, "comments_per_ticket": 3},
        timeout=60,
    )
    assert response.status_code == 201
    assert response.json()["created"] == 20_000
    page = api.get("/api/v2/incremental/tickets/cursor", params={"start_time": 0}).json()
    tickets = page["tickets"]
    assert len(tickets) == 1000
    assert not page["end_of_stream"]
    assert {t["via"]["channel"] for t in tickets} == {"email", "web", "api"}
    assert len({t["group_id"] for t in tickets}) >= 2
    assert any(t["tags"] for t in tickets)
    spread = max(t["generated_timestamp"] for t in tickets) - min(
        t["generated_timestamp"] for t in tickets
    )
    assert spread > 0
    sample = tickets[0]["id"]
    comments = api.get(f"/api/v2/tickets/{sample}/comments").json()["comments"]
    assert len(comments) == 3
    assert account.deliveries() == []
