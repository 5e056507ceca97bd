"""Each ignore rule end to end: the sandbox email, the real trigger and webhook, the worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.replies.conftest import Connected, Pipeline
from zdagent.services import conversations

QUESTION = "Hello, where is my order? I would like to track my parcel."


def ignored_reason(pipeline: Pipeline, shop: Connected, ticket_id: int) -> str:
    pipeline.drain()
    assert shop.ai_comments(ticket_id, public=None) == []
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert detail.status == "ignored"
    return detail.decisions[-1].reason


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ({"body": QUESTION, "auto_submitted": True}, "auto_generated"),
        ({"body": QUESTION, "from": "no-reply@shop.example"}, "automated_sender"),
        ({"body": "MAILER-DAEMON here", "from": "mailer-daemon@mx.example"}, "automated_sender"),
        (
            {"body": "I am out of the office until Monday.", "subject": "Automatic reply"},
            "out_of_office",
        ),
        (
            {"body": "Je suis absente du bureau jusqu'au 3 juin.", "subject": "Absence"},
            "out_of_office",
        ),
        (
            {"body": "The message could not be delivered.", "subject": "Undeliverable: order"},
            "bounce",
        ),
        ({"body": "Thanks, that's perfect!", "subject": "Thanks"}, "acknowledgement"),
    ],
)
def test_automatic_or_empty_mail_is_ignored(
    pipeline: Pipeline, email: dict[str, Any], reason: str
) -> None:
    shop = pipeline.connect()
    ticket_id = shop.email(**email)["ticket_id"]
    shop.delivered(ticket_id)
    assert ignored_reason(pipeline, shop, ticket_id) == reason
    assert conversations.stats(pipeline.ctx, shop.agent_id)["by_reason"] == {reason: 1}


def test_human_reply_is_left_to_the_human(pipeline: Pipeline) -> None:
    shop = pipeline.connect(reply_delay_seconds=1)
    ticket_id = shop.email(QUESTION)["ticket_id"]
    shop.agent_comment(ticket_id, "A person here, on it.")
    shop.delivered(ticket_id, 2)
    pipeline.drain()
    assert shop.ai_comments(ticket_id, public=None) == []
    reasons = conversations.stats(pipeline.ctx, shop.agent_id)["by_reason"]
    assert reasons.get("human_replied", 0) >= 1


def test_a_handover_tag_set_by_a_person_stops_the_agent(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    ticket_id = shop.email(QUESTION)["ticket_id"]
    shop.delivered(ticket_id)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1
    httpx.put(
        f"{shop.base}/_sandbox/tickets/{ticket_id}",
        json={"tags": ["ai_agent_escalated"]},
        timeout=10,
    ).raise_for_status()
    shop.email("And how do I return an item?", ticket_id=ticket_id)
    shop.delivered(ticket_id, 2)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert detail.decisions[-1].reason == "handover_tag"


def test_stale_ticket_is_not_answered(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = pipeline.connect(stale_after_days=3)
    ticket_id = shop.email(QUESTION)["ticket_id"]
    shop.delivered(ticket_id)
    # The worker runs four days after the ticket was created (the receiver already accepted it).
    later = datetime.now(UTC) + timedelta(days=4)
    monkeypatch.setattr(pipeline.ctx, "now", lambda: later)
    assert ignored_reason(pipeline, shop, ticket_id) == "stale_ticket"


def test_a_person_s_public_reply_ends_the_agent_s_part_for_good(pipeline: Pipeline) -> None:
    """Issue 12 item 1: answered, a person takes over, the customer writes again: no answer."""
    shop = pipeline.connect()
    ticket_id = shop.email(QUESTION)["ticket_id"]
    shop.delivered(ticket_id)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1
    shop.agent_comment(ticket_id, "I'll take it from here.")
    shop.email("And how do I return an item?", ticket_id=ticket_id)
    shop.delivered(ticket_id, 2)  # the person's reply runs no trigger of ours (not email)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id, public=None)) == 1
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert detail.decisions[-1].reason == "human_took_over"
    assert conversations.stats(pipeline.ctx, shop.agent_id)["by_reason"]["human_took_over"] == 1


def test_a_person_s_internal_note_cancels_a_delayed_reply(pipeline: Pipeline) -> None:
    shop = pipeline.connect(reply_delay_seconds=2)
    ticket_id = shop.email(QUESTION)["ticket_id"]
    shop.delivered(ticket_id)
    shop.agent_comment(ticket_id, "Checking with the warehouse first.", public=False)
    assert ignored_reason(pipeline, shop, ticket_id) == "human_commented"
