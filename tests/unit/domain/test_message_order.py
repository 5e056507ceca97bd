"""Conversation messages come back in thread order (issue 12 item 6)."""

from __future__ import annotations

from datetime import UTC, datetime

from zdagent.domain.conversation import LoggedMessage, in_thread_order

SECOND = datetime(2026, 1, 5, 10, 0, 5, tzinfo=UTC)


def message(message_id: str, at: datetime, role: str = "visitor") -> LoggedMessage:
    return LoggedMessage.from_json(
        {"message_id": message_id, "role": role, "text": "t", "created_at": at}
    )


def test_our_reply_in_the_same_second_comes_after_the_customer_s_comment() -> None:
    customer = message("1001", SECOND)  # Zendesk: whole seconds
    ours = message("ai-1001", SECOND.replace(microsecond=250_000), "ai_agent")
    # stored as JSON, the two times sort the wrong way as text: "05Z" > "05.250000Z"
    assert ours.to_json()["created_at"] < customer.to_json()["created_at"]
    assert [m.message_id for m in in_thread_order([ours, customer])] == ["1001", "ai-1001"]


def test_order_is_by_comment_id_even_when_times_disagree() -> None:
    later_id_earlier_clock = message("1003", SECOND)
    first = message("1001", SECOND.replace(second=9))
    reply = message("ai-1001", SECOND.replace(second=9, microsecond=1), "ai_agent")
    ordered = in_thread_order([later_id_earlier_clock, reply, first])
    assert [m.message_id for m in ordered] == ["1001", "ai-1001", "1003"]


def test_without_comment_ids_times_are_compared_as_datetimes() -> None:
    naive = message("x-b", datetime(2026, 1, 5, 10, 0, 6))
    aware = message("x-a", SECOND.replace(microsecond=999_999))
    assert [m.message_id for m in in_thread_order([naive, aware])] == ["x-a", "x-b"]
