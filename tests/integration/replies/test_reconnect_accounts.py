"""An agent disconnected from one Zendesk account and connected to another: the new account
numbers its tickets and comments from the start again, so its ticket 1 is another ticket than
the first account's ticket 1. Both are answered, logged and counted apart, through the public
routes (the current account by default, the previous one with ``?subdomain=``)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.replies.conftest import Connected, Pipeline

ADMIN = {"Authorization": "Bearer test-admin"}
QUESTION = "Hello, where is my order? I would like to track my parcel. Thanks, Anna"


def _get(pipeline: Pipeline, path: str, **params: str) -> dict[str, Any]:
    answer = httpx.get(f"{pipeline.api.url}{path}", params=params, headers=ADMIN, timeout=10)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _answered(pipeline: Pipeline, shop: Connected, subject: str) -> int:
    ticket_id = int(shop.email(QUESTION, subject=subject)["ticket_id"])
    shop.delivered(ticket_id)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1, f"{shop.subdomain} ticket {ticket_id}"
    return ticket_id


def test_the_next_account_ticket_1_neither_overwrites_nor_is_refused(pipeline: Pipeline) -> None:
    first = pipeline.connect()
    ticket_a = _answered(pipeline, first, "Order A")
    pipeline.disconnect(first.agent_id)
    second = pipeline.connect_agent(first.agent_id)
    # same ticket id, same first comment id on the new account: neither is a duplicate
    ticket_b = _answered(pipeline, second, "Order B")
    assert ticket_a == ticket_b == 1

    agent = f"/agents/{first.agent_id}"
    current = _get(pipeline, f"{agent}/conversations")
    assert current["subdomain"] == second.subdomain
    assert [(c["ticket_id"], c["subject"], c["subdomain"]) for c in current["items"]] == [
        (1, "Order B", second.subdomain)
    ]
    accounts = {a["subdomain"]: a["current"] for a in current["accounts"]}
    assert accounts == {second.subdomain: True, first.subdomain: False}

    previous = _get(pipeline, f"{agent}/conversations", subdomain=first.subdomain)
    assert [(c["ticket_id"], c["subject"]) for c in previous["items"]] == [(1, "Order A")]

    detail_b = _get(pipeline, f"{agent}/conversations/1")
    detail_a = _get(pipeline, f"{agent}/conversations/1", subdomain=first.subdomain)
    assert (detail_a["subject"], detail_b["subject"]) == ("Order A", "Order B")
    for detail in (detail_a, detail_b):
        assert [m["role"] for m in detail["messages"]] == ["visitor", "ai_agent"]
        assert [d["reason"] for d in detail["decisions"]] == ["answered"]

    stats_b = _get(pipeline, f"{agent}/stats")
    stats_a = _get(pipeline, f"{agent}/stats", subdomain=first.subdomain)
    for stats, subdomain in ((stats_a, first.subdomain), (stats_b, second.subdomain)):
        assert stats["subdomain"] == subdomain
        assert stats["total"] == 1 and stats["conversations"]["total"] == 1


def test_without_integration_the_log_shows_the_last_account(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    _answered(pipeline, shop, "Order A")
    pipeline.disconnect(shop.agent_id)
    listed = _get(pipeline, f"/agents/{shop.agent_id}/conversations")
    assert listed["subdomain"] == shop.subdomain
    assert [c["subject"] for c in listed["items"]] == ["Order A"]
    assert listed["accounts"][0]["subdomain"] == shop.subdomain
    assert listed["accounts"][0]["current"] is False
    bad = httpx.get(
        f"{pipeline.api.url}/agents/{shop.agent_id}/stats",
        params={"subdomain": "not a subdomain"},
        headers=ADMIN,
        timeout=10,
    )
    assert bad.status_code == 422, bad.text


def test_a_job_queued_for_the_previous_account_never_touches_the_next(
    pipeline: Pipeline,
) -> None:
    first = pipeline.connect()
    ticket_a = int(first.email(QUESTION, subject="Order A")["ticket_id"])
    first.delivered(ticket_a)  # its reply job is queued, not yet run
    pipeline.disconnect(first.agent_id)
    second = pipeline.connect_agent(first.agent_id)
    ticket_b = int(second.email("Do you ship to Norway?", subject="Order B")["ticket_id"])
    second.delivered(ticket_b)
    pipeline.drain()
    assert ticket_a == ticket_b == 1
    assert first.ai_comments(ticket_a, public=None) == []
    assert len(second.ai_comments(ticket_b, public=None)) == 1

    agent = f"/agents/{first.agent_id}"
    old = _get(pipeline, f"{agent}/conversations/1", subdomain=first.subdomain)
    assert [(d["action"], d["reason"]) for d in old["decisions"]] == [("ignored", "not_connected")]
    new = _get(pipeline, f"{agent}/conversations/1")
    assert new["subject"] == "Order B" and new["subdomain"] == second.subdomain
