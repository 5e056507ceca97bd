"""A job that keeps failing is handed over to a person on its last delivery instead of vanishing
into the dead-letter queue (issue 12: never lose an email)."""

from __future__ import annotations

import pytest

from tests.integration.replies.conftest import Pipeline, wait_for
from tests.integration.replies.test_exactly_once import QUESTION, email_and_deliver, fast_retries
from zdagent.domain import reply_rules
from zdagent.services import conversations

__all__ = ["fast_retries"]  # the fixture, imported for this module's tests


def test_a_job_failing_on_every_delivery_is_handed_over_on_the_last(
    pipeline: Pipeline, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = pipeline.connect()

    def broken(*_: object) -> reply_rules.Screening:
        raise RuntimeError("a bug on this email")

    monkeypatch.setattr(reply_rules, "screen", broken)
    ticket_id = email_and_deliver(shop, QUESTION)

    def handed_over() -> bool:
        pipeline.work_once()
        return "ai_agent_escalated" in shop.ticket(ticket_id)["tags"]

    wait_for(handed_over, "the handover after 5 failed deliveries", timeout=60)
    pipeline.drain()
    [note] = shop.ai_comments(ticket_id, public=False)
    assert "could not process this email after 5 attempts (RuntimeError)" in note["plain_body"]
    assert shop.ai_comments(ticket_id, public=True) == []
    assert pipeline.queue_counts(pipeline.dlq_url)["ApproximateNumberOfMessages"] == 0
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert (detail.status, detail.decisions[-1].reason) == ("escalated", "processing_failed")
