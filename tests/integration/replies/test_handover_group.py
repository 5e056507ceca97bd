"""A handover group Zendesk does not have: refused when set, shown by the live checks, and a
handover still happens without it (issue 12 item 3)."""

from __future__ import annotations

import dataclasses

import httpx

from tests.integration.replies.conftest import Pipeline
from tests.integration.replies.test_reply_pipeline import _group_ids
from zdagent.services import checks, conversations

MISSING_GROUP = 987_654_321


def _patch(pipeline: Pipeline, agent_id: str, body: dict[str, object]) -> httpx.Response:
    return httpx.patch(
        f"{pipeline.api.url}/agents/{agent_id}",
        json=body,
        headers={"Authorization": "Bearer test-admin"},
        timeout=30,
    )


def test_a_group_zendesk_does_not_have_is_a_422_naming_it(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    refused = _patch(pipeline, shop.agent_id, {"handover_group_id": MISSING_GROUP})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert f"group {MISSING_GROUP} does not exist" in refused.json()["detail"]
    too_big = _patch(pipeline, shop.agent_id, {"settings": {"handover_group_id": 2**63}})
    assert too_big.status_code == 422, too_big.text
    real = _group_ids(shop)[0]
    accepted = _patch(pipeline, shop.agent_id, {"handover_group_id": real})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["settings"]["handover_group_id"] == real


def test_a_broken_group_is_a_failed_live_check_and_handover_still_happens(
    pipeline: Pipeline,
) -> None:
    shop = pipeline.connect()
    # the group existed when it was set and was deleted in Zendesk since
    agent = pipeline.ctx.agents.get(shop.agent_id)
    settings = dataclasses.replace(agent.settings, handover_group_id=MISSING_GROUP)
    pipeline.ctx.agents.save(dataclasses.replace(agent, settings=settings))

    [group_check] = [
        c for c in checks.run_checks(pipeline.ctx, shop.agent_id) if c.name == "handover_group"
    ]
    assert not group_check.ok
    assert str(MISSING_GROUP) in group_check.detail

    ticket_id = shop.email("I want to speak to a real person please, not a bot.")["ticket_id"]
    shop.delivered(ticket_id)
    pipeline.drain()
    ticket = shop.ticket(ticket_id)
    assert "ai_agent_escalated" in ticket["tags"]
    [note] = shop.ai_comments(ticket_id, public=False)
    assert f"handover group {MISSING_GROUP} was refused by Zendesk" in note["plain_body"]
    assert pipeline.queue_counts(pipeline.dlq_url) == {
        "ApproximateNumberOfMessages": 0,
        "ApproximateNumberOfMessagesNotVisible": 0,
        "ApproximateNumberOfMessagesDelayed": 0,
    }
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert (detail.status, detail.decisions[-1].reason) == ("escalated", "customer_requested_human")
