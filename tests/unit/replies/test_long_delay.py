"""A reply delay longer than SQS's 15 minutes is reached by re-queueing, never early."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from zdagent.domain.reply_job import ReplyJob
from zdagent.services import replies
from zdagent.services.context import Context
from zdagent.services.replies import process_reply

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class RecordingQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []

    def send(self, body: str, *, delay_seconds: int = 0) -> None:
        self.sent.append((body, delay_seconds))


def test_a_job_due_in_50_minutes_is_requeued_in_15_minute_hops() -> None:
    queue = RecordingQueue()
    ctx = Context(now=lambda: NOW, reply_queue=queue)  # type: ignore[arg-type]
    job = ReplyJob(
        agent_id="agt_1", ticket_id=7, received_at=NOW, due_at=NOW + timedelta(minutes=50)
    )

    result = process_reply(ctx, job)

    assert result.status == "deferred"
    ((body, delay),) = queue.sent
    assert delay == 900
    again = ReplyJob.from_message(body)
    assert again.requeues == 1
    assert again.due_at == job.due_at  # the deadline is kept, not pushed back


def test_the_last_hop_waits_only_what_is_left() -> None:
    queue = RecordingQueue()
    ctx = Context(now=lambda: NOW, reply_queue=queue)  # type: ignore[arg-type]
    job = ReplyJob(
        agent_id="agt_1", ticket_id=7, received_at=NOW, due_at=NOW + timedelta(seconds=95)
    )
    process_reply(ctx, job)
    assert queue.sent[0][1] == 96  # rounded up: never early


class VisibilityQueue(RecordingQueue):
    def __init__(self) -> None:
        super().__init__()
        self.retries: list[tuple[str, float]] = []

    def retry_later(self, receipt_handle: str, seconds: float) -> None:
        self.retries.append((receipt_handle, seconds))


def test_a_busy_claim_is_looked_at_again_soon(monkeypatch: pytest.MonkeyPatch) -> None:
    queue = VisibilityQueue()
    ctx = Context(now=lambda: NOW, reply_queue=queue)  # type: ignore[arg-type]
    job = ReplyJob(agent_id="agt_1", ticket_id=7, received_at=NOW, due_at=NOW)

    def busy(_ctx: Context, _job: ReplyJob) -> None:
        raise replies.ReplyInProgressError("another worker is handling comment 1 of ticket 7")

    monkeypatch.setattr(replies, "process_reply", busy)
    with pytest.raises(replies.ReplyInProgressError):
        replies.handle_message(ctx, job.body(), "receipt-1")
    assert queue.retries == [("receipt-1", replies.BUSY_RETRY_SECONDS)]
