"""Crashes, Zendesk 429/503 bursts, the DLQ and its redrive, the reply delay."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.replies.conftest import Connected, Pipeline, wait_for
from zdagent.adapters.dynamodb import agent_pk
from zdagent.core.settings import reset_settings_cache
from zdagent.services import conversations, engine, replies

QUESTION = "Hello, where is my order? I would like to track my parcel."
PUT_TICKET = r"/api/v2/tickets/\d+$"


@pytest.fixture
def fast_retries(pipeline: Pipeline) -> None:
    """Failed messages come back after 1 s instead of the template's 360 s."""
    pipeline.sqs.set_queue_attributes(
        QueueUrl=pipeline.queue_url, Attributes={"VisibilityTimeout": "1"}
    )


def email_and_deliver(shop: Connected, body: str = QUESTION) -> int:
    ticket_id = int(shop.email(body, subject="Where is my order?")["ticket_id"])
    shop.delivered(ticket_id)
    return ticket_id


class Crash(Exception):
    """The worker dies right after the Zendesk write."""


def test_worker_crash_after_the_zendesk_write_gives_no_second_reply(
    pipeline: Pipeline, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = pipeline.connect()
    ticket_id = email_and_deliver(shop)
    real_record = replies.record_decision
    crashes: list[int] = []

    def crash_once(*args: Any, **kwargs: Any) -> None:
        if not crashes:
            crashes.append(1)
            raise Crash("killed after the write")
        real_record(*args, **kwargs)

    monkeypatch.setattr(replies, "record_decision", crash_once)
    # A hard crash does not run our clean-up: the claim stays leased until it expires.
    monkeypatch.setattr(replies.ReplyClaims, "release", lambda *a, **k: None)

    first = pipeline.work_once()
    assert first.failed_ids, "the crashed message must stay on the queue"
    assert len(shop.ai_comments(ticket_id)) == 1  # the write happened
    _expire_leases(pipeline, shop)

    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1
    detail = conversations.get_conversation(pipeline.ctx, shop.agent_id, ticket_id)
    assert [d.reason for d in detail.decisions] == ["answered"]  # the stored plan, finished
    assert conversations.stats(pipeline.ctx, shop.agent_id)["by_status"]["answered"] == 1


def _expire_leases(pipeline: Pipeline, shop: Connected) -> None:
    table = pipeline.ctx.store.table
    for item in pipeline.ctx.store.iter_prefix(agent_pk(shop.agent_id), "REPLY#"):
        table.update_item(
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET lease_until = :zero",
            ExpressionAttributeValues={":zero": 0},
        )


@pytest.mark.parametrize("status", [429, 503])
def test_bursts_inside_the_clients_retries_give_one_reply(pipeline: Pipeline, status: int) -> None:
    shop = pipeline.connect()
    shop.fault(PUT_TICKET, status, 3, method="PUT", retry_after=1)
    ticket_id = email_and_deliver(shop)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_bursts_longer_than_the_clients_retries_come_back_from_the_queue(
    pipeline: Pipeline, fast_retries: None, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setenv("ZENDESK_MAX_RETRIES", "0")
    reset_settings_cache()
    shop = pipeline.connect()
    shop.fault(PUT_TICKET, status, 2, method="PUT", retry_after=1)
    ticket_id = email_and_deliver(shop)
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1
    assert any(r.failed_ids for r in pipeline.results)


def test_persistent_failure_goes_to_the_dlq_and_redrive_answers_once(
    pipeline: Pipeline, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZENDESK_MAX_RETRIES", "0")
    reset_settings_cache()
    shop = pipeline.connect()
    shop.fault(PUT_TICKET, 503, 1000, method="PUT", retry_after=1)
    ticket_id = email_and_deliver(shop)

    def in_dlq() -> bool:
        pipeline.work_once()
        return pipeline.queue_counts(pipeline.dlq_url)["ApproximateNumberOfMessages"] == 1

    wait_for(in_dlq, "the job to reach the DLQ after 5 receives", timeout=60)
    assert shop.ai_comments(ticket_id) == []
    httpx.delete(f"{shop.base}/_sandbox/faults", timeout=10).raise_for_status()

    # Redrive: move the message back to the reply queue.
    [message] = pipeline.sqs.receive_message(QueueUrl=pipeline.dlq_url)["Messages"]
    pipeline.sqs.send_message(QueueUrl=pipeline.queue_url, MessageBody=message["Body"])
    pipeline.sqs.delete_message(QueueUrl=pipeline.dlq_url, ReceiptHandle=message["ReceiptHandle"])
    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1


def test_human_reply_during_the_delay_cancels(pipeline: Pipeline) -> None:
    shop = pipeline.connect(reply_delay_seconds=2)
    ticket_id = email_and_deliver(shop)
    assert pipeline.work_once().received == 0  # still delayed
    shop.agent_comment(ticket_id, "Hi, a person here: I am looking into it.")
    pipeline.drain()
    assert shop.ai_comments(ticket_id, public=None) == []
    assert conversations.stats(pipeline.ctx, shop.agent_id)["by_reason"]["human_replied"] >= 1


def test_handover_tag_added_during_the_delay_cancels(pipeline: Pipeline) -> None:
    shop = pipeline.connect(reply_delay_seconds=2)
    ticket_id = email_and_deliver(shop)
    httpx.put(
        f"{shop.base}/_sandbox/tickets/{ticket_id}",
        json={"tags": ["ai_agent_escalated"]},
        timeout=10,
    ).raise_for_status()
    pipeline.drain()
    assert shop.ai_comments(ticket_id, public=None) == []


def test_newer_customer_comment_supersedes_and_the_latest_is_answered_once(
    pipeline: Pipeline,
) -> None:
    shop = pipeline.connect(reply_delay_seconds=2)
    ticket_id = email_and_deliver(shop, "Hello, I have a question about my order.")
    second = shop.email("Sorry, to be precise: how do I return an item?", ticket_id=ticket_id)
    shop.delivered(ticket_id, 2)
    pipeline.drain()
    [reply] = shop.ai_comments(ticket_id)
    comments = shop.ticket(ticket_id)["comments"]
    assert comments[-1]["id"] == reply["id"]
    assert [c["id"] for c in comments].index(second["comment_id"]) < len(comments) - 1
    assert "return" in reply["plain_body"].lower()


def test_engine_off_drops_queued_replies(pipeline: Pipeline) -> None:
    shop = pipeline.connect(reply_delay_seconds=2)
    ticket_id = email_and_deliver(shop)
    engine.toggle_engine(pipeline.ctx, shop.agent_id, False)
    pipeline.drain()
    assert shop.ai_comments(ticket_id, public=None) == []
    stats = conversations.stats(pipeline.ctx, shop.agent_id)
    assert stats["by_reason"] == {"engine_disabled": 1}
