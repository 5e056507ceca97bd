"""A live decision is logged and counted together: whatever write of it fails, the log and the
stats agree, and decisions on one ticket that interleave (both read the conversation before
either writes) keep the per-status conversation counts exact. The interleaving and the failures
are injected at the DynamoDB client (botocore events), so nothing here depends on timing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from zdagent.adapters.keys import agent_pk, stats_sk
from zdagent.core.errors import ConcurrentModificationError, NotFoundError
from zdagent.services import agents, conversation_queries, conversations
from zdagent.services.context import Context

NOW = datetime(2026, 3, 2, 9, 30, 5, tzinfo=UTC)
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
decide = conversations.DecisionToLog


class Crash(Exception):
    """The function dying in the middle of a decision."""


@pytest.fixture
def agent_id(ctx: Context) -> str:
    ctx.now = lambda: NOW
    return agents.create_agent(ctx, agents.CreateAgentRequest(name="Atomic")).agent_id


@contextmanager
def on_dynamodb(ctx: Context, event: str, handler: Callable[..., Any]) -> Iterator[None]:
    events = ctx.store.table.meta.client.meta.events
    events.register(event, handler, unique_id="test-decision-atomicity")
    try:
        yield
    finally:
        events.unregister(event, unique_id="test-decision-atomicity")


@contextmanager
def crash_at_write(ctx: Context, number: int) -> Iterator[None]:
    """The ``number``-th write request (1 = the first) fails before it reaches DynamoDB."""
    seen = 0

    def maybe_crash(model: Any, **_: Any) -> None:
        nonlocal seen
        if model.name in WRITES:
            seen += 1
            if seen == number:
                raise Crash(model.name)

    with on_dynamodb(ctx, "before-call.dynamodb", maybe_crash):
        yield


@contextmanager
def after_each_read(ctx: Context, concurrent: Callable[[], None], times: int) -> Iterator[None]:
    """After each of the next ``times`` GetItem answers, before the reader goes on, run
    ``concurrent`` to its end (as another function would between the read and the write)."""
    left, busy = times, False

    def interleave(**_: Any) -> None:
        nonlocal left, busy
        if left > 0 and not busy:  # the concurrent decision's own reads go undisturbed
            left, busy = left - 1, True
            try:
                concurrent()
            finally:
                busy = False

    with on_dynamodb(ctx, "after-call.dynamodb.GetItem", interleave):
        yield


def _decisions_logged(ctx: Context, agent_id: str, ticket_id: int) -> int:
    try:
        return len(conversations.get_conversation(ctx, agent_id, ticket_id, "acme").decisions)
    except NotFoundError:
        return 0


def _messages_logged(ctx: Context, agent_id: str, ticket_id: int) -> int:
    try:
        return len(conversations.get_conversation(ctx, agent_id, ticket_id, "acme").messages)
    except NotFoundError:
        return 0


def _raw_conversation_counts(ctx: Context, agent_id: str) -> dict[str, int]:
    """The stored counters as they are (``stats`` shows a negative count as 0)."""
    item = ctx.store.get(agent_pk(agent_id), stats_sk("acme")) or {}
    return {k[5:]: int(v) for k, v in item.items() if k.startswith("conv_") and v}


def _assert_log_and_stats_agree(ctx: Context, agent_id: str, tickets: range) -> None:
    stats = conversations.stats(ctx, agent_id, "acme")
    listed = conversations.list_conversations(
        ctx, agent_id, conversation_queries.ListConversationsQuery(subdomain="acme")
    )["items"]
    logged = sum(_decisions_logged(ctx, agent_id, t) for t in tickets)
    assert stats["total"] == logged
    expected: dict[str, int] = {}
    for row in listed:
        expected[row["status"]] = expected.get(row["status"], 0) + 1
    assert _raw_conversation_counts(ctx, agent_id) == expected


def _messages(count: int) -> list[conversations.MessageToLog]:
    return [
        conversations.MessageToLog(
            f"c-{n}", "visitor", f"Message {n}", True, NOW - timedelta(minutes=count - n)
        )
        for n in range(count)
    ]


def test_a_decision_cut_short_at_any_write_is_logged_and_counted_or_neither(
    ctx: Context, agent_id: str
) -> None:
    tickets = range(1, 4)
    for ticket_id in tickets:
        with crash_at_write(ctx, ticket_id), suppress(Crash):
            conversations.record_decision(
                ctx,
                agent_id,
                ticket_id,
                decide(action="answered", reason="answered", comment_id=ticket_id),
                subdomain="acme",
                subject="Parcel",
                messages=_messages(2),
            )
    _assert_log_and_stats_agree(ctx, agent_id, tickets)


def _answer_a_long_thread(ctx: Context, agent_id: str, ticket_id: int) -> None:
    """A decision carrying more messages than one transaction holds (100 actions)."""
    conversations.record_decision(
        ctx,
        agent_id,
        ticket_id,
        decide(action="answered", reason="answered"),
        subdomain="acme",
        messages=_messages(150),
    )


def test_more_messages_than_one_transaction_holds_are_all_logged(
    ctx: Context, agent_id: str
) -> None:
    _answer_a_long_thread(ctx, agent_id, 5)
    assert _messages_logged(ctx, agent_id, 5) == 150
    _assert_log_and_stats_agree(ctx, agent_id, range(5, 6))


def test_messages_beyond_the_transaction_cut_short_leave_the_decision_counted(
    ctx: Context, agent_id: str
) -> None:
    with crash_at_write(ctx, 2), pytest.raises(Crash):
        _answer_a_long_thread(ctx, agent_id, 5)
    assert _decisions_logged(ctx, agent_id, 5) == 1
    _assert_log_and_stats_agree(ctx, agent_id, range(5, 6))


@pytest.mark.parametrize("first", [None, "ignored"])
def test_two_interleaved_decisions_on_one_ticket_count_the_conversation_once(
    ctx: Context, agent_id: str, first: str | None
) -> None:
    if first:
        conversations.record_decision(
            ctx, agent_id, 9, decide(action="ignored", reason="auto_reply"), subdomain="acme"
        )

    def escalate() -> None:
        conversations.record_decision(
            ctx,
            agent_id,
            9,
            decide(action="escalated", reason="customer_requested_human"),
            subdomain="acme",
        )

    with after_each_read(ctx, escalate, times=1):
        conversations.record_decision(
            ctx, agent_id, 9, decide(action="answered", reason="answered"), subdomain="acme"
        )

    assert _raw_conversation_counts(ctx, agent_id) == {"answered": 1}
    assert conversations.stats(ctx, agent_id, "acme")["total"] == (3 if first else 2)
    _assert_log_and_stats_agree(ctx, agent_id, range(9, 10))


def test_a_decision_that_keeps_losing_the_race_gives_up_with_the_counts_exact(
    ctx: Context, agent_id: str
) -> None:
    rivals = iter(["escalated", "ignored"] * 50)

    def move_the_conversation() -> None:
        action = next(rivals)
        conversations.record_decision(
            ctx, agent_id, 9, decide(action=action, reason="rival"), subdomain="acme"
        )

    with (
        after_each_read(ctx, move_the_conversation, times=100),
        pytest.raises(ConcurrentModificationError),
    ):
        conversations.record_decision(
            ctx, agent_id, 9, decide(action="answered", reason="answered"), subdomain="acme"
        )

    assert sum(_raw_conversation_counts(ctx, agent_id).values()) == 1
    _assert_log_and_stats_agree(ctx, agent_id, range(9, 10))
