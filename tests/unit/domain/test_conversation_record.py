"""The conversation log's records read back as written; a bad item is refused naming its field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from zdagent.core.errors import ValidationFailedError
from zdagent.domain.conversation import Conversation, ConversationDetail, Decision, LoggedMessage

AT = datetime(2026, 11, 29, 20, 0, 5, 250000, tzinfo=UTC)
HEADER = Conversation(
    agent_id="agt_1",
    subdomain="acme",
    ticket_id=7,
    status="answered",
    labels=["vip"],
    counted_as="answered",
    created_at=AT,
    updated_at=AT,
)
MESSAGE = LoggedMessage(message_id="1001", role="visitor", text="hello", created_at=AT)
DECISION = Decision(
    decision_id="d1",
    comment_id=1001,
    action="answered",
    reason="answered",
    confidence=0.75,
    sources=[{"article_id": "a1", "url": None}],
    at=AT,
)


def test_each_record_reads_back_as_written() -> None:
    assert Conversation.from_json(HEADER.to_json()) == HEADER
    assert LoggedMessage.from_json(MESSAGE.to_json()) == MESSAGE
    assert Decision.from_json(DECISION.to_json()) == DECISION
    detail = ConversationDetail.of(HEADER, [MESSAGE], [DECISION])
    assert ConversationDetail.from_json(detail.to_json()) == detail
    assert detail.to_json()["created_at"] == "2026-11-29T20:00:05.250000Z"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (HEADER.to_json() | {"ticket_id": "7"}, "ticket_id: must be an integer"),
        (HEADER.to_json() | {"status": "lost"}, "status: must be one of"),
        (HEADER.to_json() | {"counted_as": "lost"}, "counted_as: must be one of"),
        (HEADER.to_json() | {"labels": [1]}, "labels: must be a list of strings"),
        (HEADER.to_json() | {"extra": 1}, "extra: unknown field"),
    ],
)
def test_a_bad_header_is_refused(item: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailedError, match=message):
        Conversation.from_json(item)


def test_a_bad_message_or_decision_is_refused() -> None:
    with pytest.raises(ValidationFailedError, match=r"message\.role: must be one of"):
        LoggedMessage.from_json(MESSAGE.to_json() | {"role": "robot"})
    with pytest.raises(ValidationFailedError, match=r"decision\.sources\.0: must be an object of"):
        Decision.from_json(DECISION.to_json() | {"sources": [{"url": 3}]})
