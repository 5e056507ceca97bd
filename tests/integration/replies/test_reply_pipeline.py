"""End to end on moto + sandbox: webhook → queue → worker → Zendesk, and the conversation log."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.replies.conftest import Connected, Pipeline, wait_for
from zdagent.adapters.secrets import SecretVault
from zdagent.services import agents, conversations

QUESTION = "Hello, where is my order? I would like to track my parcel. Thanks, Anna"


def answered_once(pipeline: Pipeline, shop: Connected, ticket_id: int) -> dict[str, Any]:
    pipeline.drain()
    replies = shop.ai_comments(ticket_id)
    assert len(replies) == 1, [c["plain_body"][:80] for c in replies]
    return replies[0]


def test_customer_email_gets_one_public_ai_reply(pipeline: Pipeline) -> None:
    shop = pipeline.connect(signature="The Acme team")
    sent = shop.email(QUESTION, subject="Where is my order?")
    ticket_id = sent["ticket_id"]
    [delivery] = shop.delivered(ticket_id)
    assert delivery["status"] == "success"
    assert delivery["status_code"] == 200

    reply = answered_once(pipeline, shop, ticket_id)
    assert reply["public"] is True
    assert "track" in reply["plain_body"].lower()
    assert "The Acme team" in reply["plain_body"]
    assert "<script" not in reply["html_body"]
    ticket = shop.ticket(ticket_id)
    assert "ai_agent_replied" in ticket["tags"]

    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert detail.status == "answered"
    assert [d.reason for d in detail.decisions] == ["answered"]
    assert detail.decisions[0].confidence is not None
    assert detail.decisions[0].sources
    roles = sorted(m.role for m in detail.messages)
    assert roles == ["ai_agent", "visitor"]
    stats = conversations.stats(pipeline.ctx, shop.agent_id)
    assert stats["by_status"]["answered"] == 1


def test_personal_data_is_redacted_in_the_log(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    body = (
        "Where is my order? Call me on +44 20 7946 0958 or write to anna.smith@example.org. "
        "I paid with 4111 1111 1111 1111, order 1234567890123456."
    )
    ticket_id = shop.email(body, subject="Order tracking 5500-0000-0000-0004")["ticket_id"]
    shop.delivered(ticket_id)
    pipeline.drain()
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    stored = " ".join(m.text for m in detail.messages)
    assert "anna.smith@example.org" not in stored
    assert "7946" not in stored
    assert "[email]" in stored
    assert "[phone]" in stored
    assert "4111" not in stored  # a Luhn-valid card number (issue 12 item 7)
    assert "[card]" in stored
    assert "order 1234567890123456" in stored  # not Luhn-valid: an order number, kept
    assert "[card]" in detail.subject


def test_shadow_mode_posts_an_internal_note_only(pipeline: Pipeline) -> None:
    shop = pipeline.connect(mode="shadow")
    ticket_id = shop.email(QUESTION, subject="Where is my order?")["ticket_id"]
    shop.delivered(ticket_id)
    pipeline.drain()
    assert shop.ai_comments(ticket_id, public=True) == []
    [note] = shop.ai_comments(ticket_id, public=False)
    assert "shadow mode" in note["plain_body"]
    assert "track" in note["plain_body"].lower()
    assert "ai_agent_replied" not in shop.ticket(ticket_id)["tags"]
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert (detail.status, detail.decisions[0].reason) == ("processed", "shadow_draft")


def test_low_confidence_hands_over_with_note_tag_group_and_public_message(
    pipeline: Pipeline,
) -> None:
    shop = pipeline.connect(handover_public_message=True)
    groups = _group_ids(shop)
    agents.patch_agent(pipeline.ctx, shop.agent_id, {"handover_group_id": groups[0]})

    question = "My quantum flux capacitor is humming in B flat, can you tune it to C sharp?"
    ticket_id = shop.email(question, subject="Flux capacitor")["ticket_id"]
    shop.delivered(ticket_id)
    pipeline.drain()
    ticket = shop.ticket(ticket_id)
    notes = shop.ai_comments(ticket_id, public=False)
    assert len(notes) == 1
    assert "handover" in notes[0]["plain_body"].lower()
    assert "ai_agent_escalated" in ticket["tags"]
    assert ticket["group_id"] == groups[0]
    [public] = shop.ai_comments(ticket_id, public=True)
    assert "follow up" in public["plain_body"]
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert (detail.status, detail.decisions[-1].reason) == ("escalated", "low_confidence")

    # A ticket with the handover tag is never answered again.
    shop.email(QUESTION, ticket_id=ticket_id)
    shop.delivered(ticket_id, 2)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id, public=True)) == 1


def _group_ids(shop: Connected) -> list[int]:
    tokens = SecretVault().read_tokens(shop.agent_id, cached=False)
    assert tokens is not None
    response = httpx.get(
        f"{shop.base}/api/v2/groups",
        headers={"Authorization": f"Bearer {tokens.access_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return [int(g["id"]) for g in response.json()["groups"]]


def test_customer_asking_for_a_human_is_handed_over(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    ticket_id = shop.email("I want to speak to a real person please, not a bot.")["ticket_id"]
    shop.delivered(ticket_id)
    pipeline.drain()
    assert shop.ai_comments(ticket_id, public=True) == []
    assert "ai_agent_escalated" in shop.ticket(ticket_id)["tags"]
    stats = conversations.stats(pipeline.ctx, shop.agent_id)
    assert stats["by_reason"].get("customer_requested_human") == 1


def test_follow_up_is_answered_and_max_replies_hands_over(pipeline: Pipeline) -> None:
    shop = pipeline.connect(max_replies_per_ticket=1)
    ticket_id = shop.email(QUESTION, subject="Where is my order?")["ticket_id"]
    shop.delivered(ticket_id)
    answered_once(pipeline, shop, ticket_id)
    [first] = shop.ai_comments(ticket_id, public=True)
    assert "Acme AI" in first["html_body"]  # no signature set: the agent's name signs the email
    shop.email("How do I return an item I do not want?", ticket_id=ticket_id)
    wait_for(lambda: len(shop.deliveries(ticket_id)) >= 2, "second delivery")
    shop.delivered(ticket_id, 2)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id, public=True)) == 1
    assert "ai_agent_escalated" in shop.ticket(ticket_id)["tags"]
    stats = conversations.stats(pipeline.ctx, shop.agent_id)
    assert stats["by_reason"].get("max_replies") == 1
