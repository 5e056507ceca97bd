"""The incremental ticket event export: comments as child events, time-based pages, the last
minute held back, the shared 10-a-minute export limit."""

from __future__ import annotations

import time
from typing import Any

from tests.integration.sandbox.sandbox_support import Account, ApiClient

PATH = "/api/v2/incremental/ticket_events"


def _seed(account: Account, count: int, comments: int) -> None:
    bulk = account.client.post(
        account.path("/_sandbox/tickets/bulk"),
        json={"count": count, "days_back": 20, "comments_per_ticket": comments},
    )
    assert bulk.status_code == 201, bulk.text


def _walk(api: ApiClient, start: int, **params: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    seen: set[int] = set()
    while True:
        page = api.get(PATH, params={"start_time": start, **params}).json()
        assert page["count"] == len(page["ticket_events"])
        fresh = [e for e in page["ticket_events"] if e["id"] not in seen]  # repeats at end_time
        seen |= {e["id"] for e in fresh}
        events += fresh
        assert f"start_time={page['end_time']}" in page["next_page"]
        if page["end_of_stream"]:
            return events
        start = page["end_time"]


def test_every_comment_comes_once_in_time_order_with_its_ticket(
    account: Account, api: ApiClient
) -> None:
    _seed(account, 30, comments=4)
    start = int(time.time()) - 30 * 86400
    events = _walk(api, start, include="comment_events", per_page=25)
    assert len(events) == 120
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
    ticket = account.client.get(account.path("/_sandbox/tickets/1")).json()["ticket"]
    mine = [e for e in events if e["ticket_id"] == 1]
    comments = [c for e in mine for c in e["child_events"] if c["event_type"] == "Comment"]
    assert [c["id"] for c in comments] == [c["id"] for c in ticket["comments"]]
    assert [c["public"] for c in comments] == [c["public"] for c in ticket["comments"]]
    assert all(c["author_id"] and c["body"] and c["type"] == "Comment" for c in comments)
    assert mine[0]["event_type"] == "Audit" and mine[0]["updater_id"] == comments[0]["author_id"]
    assert {c["field_name"] for c in mine[0]["child_events"] if c["event_type"] == "Create"} >= {
        "subject",
        "status",
    }


def test_without_the_sideload_only_comment_flags(account: Account, api: ApiClient) -> None:
    _seed(account, 2, comments=2)
    page = api.get(PATH, params={"start_time": int(time.time()) - 30 * 86400}).json()
    children = [c for e in page["ticket_events"] for c in e["child_events"]]
    comments = [c for c in children if c["event_type"] == "Comment"]
    assert comments and all(c["comment_present"] is True for c in comments)
    assert not any("body" in c for c in comments)


def test_the_last_minute_is_held_back_and_the_limit_is_shared(
    account: Account, api: ApiClient
) -> None:
    account.email("just now")
    start = int(time.time()) - 3600
    page = api.get(PATH, params={"start_time": start, "include": "comment_events"}).json()
    assert page["ticket_events"] == [] and page["end_of_stream"] is True
    assert api.get(PATH, params={"start_time": int(time.time())}).status_code == 400
    assert api.get(PATH).status_code == 400
    assert account.api("agent").get(PATH, params={"start_time": 0}).status_code == 403
    settings = account.client.put(
        account.path("/_sandbox/settings"),
        json={"incremental_exports_per_minute": 2, "reset_counters": True},
    )
    assert settings.status_code == 200
    codes = [
        api.get(PATH, params={"start_time": 0}).status_code,
        api.get("/api/v2/incremental/tickets/cursor", params={"start_time": 0}).status_code,
        api.get(PATH, params={"start_time": 0}),
    ]
    assert codes[:2] == [200, 200] and codes[2].status_code == 429
    assert int(codes[2].headers["Retry-After"]) >= 1
