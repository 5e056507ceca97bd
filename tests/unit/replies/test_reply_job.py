"""The reply queue's message read back as a ReplyJob; what is not one is refused, naming why."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from zdagent.core.errors import ValidationFailedError
from zdagent.domain.reply_job import ReplyJob

GOOD: dict[str, Any] = {
    "agent_id": "agt_1",
    "ticket_id": 7,
    "received_at": "2026-11-29T20:00:00Z",
    "due_at": "2026-11-29T20:01:30.5Z",
}


def test_a_message_with_fields_it_does_not_know_still_reads() -> None:
    job = ReplyJob.from_message(json.dumps(GOOD | {"future_field": 1}))
    assert job.ticket_id == 7
    assert job.due_at == datetime(2026, 11, 29, 20, 1, 30, 500000, tzinfo=UTC)
    assert job.requeues == 0
    assert job.subdomain is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "body: not JSON"),
        ("[1]", "body: must be an object"),
        (json.dumps(GOOD | {"agent_id": ""}), "agent_id: must have at least 1"),
        (json.dumps(GOOD | {"agent_id": "a" * 65}), "agent_id: must have at most 64"),
        (json.dumps(GOOD | {"ticket_id": 0}), "ticket_id: must be at least 1"),
        (json.dumps(GOOD | {"ticket_id": "7"}), "ticket_id: must be an integer"),
        (json.dumps(GOOD | {"due_at": "soon"}), "due_at: must be an ISO 8601"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "received_at"}), "received_at: Field"),
        (json.dumps(GOOD | {"requeues": -1}), "requeues: must be at least 0"),
        (json.dumps(GOOD | {"subdomain": "s" * 64}), "subdomain: must have at most 63"),
    ],
)
def test_a_message_that_is_not_a_job_is_refused(body: str, message: str) -> None:
    with pytest.raises(ValidationFailedError, match=message):
        ReplyJob.from_message(body)
