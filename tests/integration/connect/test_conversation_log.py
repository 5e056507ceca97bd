"""The conversation log as the console reads it: messages in the order they were written, stats
that add up with the log's rows, decisions counted per day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zdagent.services import agents, conversation_queries, conversations
from zdagent.services.context import Context

SECOND = datetime(2026, 3, 2, 9, 30, 5, tzinfo=UTC)


def _agent(ctx: Context) -> str:
    return agents.create_agent(ctx, agents.CreateAgentRequest(name="Log")).agent_id


def test_a_reply_within_the_second_of_the_question_comes_after_it(ctx: Context) -> None:
    agent_id = _agent(ctx)
    ctx.now = lambda: SECOND + timedelta(milliseconds=400)
    question = conversations.MessageToLog("c-1", "visitor", "Where is my parcel?", True, SECOND)
    answer = conversations.MessageToLog("ai-1", "ai_agent", "Here.", True, ctx.now())
    conversations.record_decision(
        ctx,
        agent_id,
        7,
        conversations.DecisionToLog(action="answered", reason="answered", comment_id=1),
        subdomain="acme",
        subject="Parcel",
        messages=[question, answer],
    )
    detail = conversations.get_conversation(ctx, agent_id, 7, "acme")
    assert [m.role for m in detail.messages] == ["visitor", "ai_agent"]


def test_conversation_counts_add_up_with_the_log(ctx: Context) -> None:
    agent_id = _agent(ctx)
    ctx.now = lambda: SECOND
    decide = conversations.DecisionToLog
    conversations.record_decision(
        ctx, agent_id, 1, decide(action="answered", reason="answered"), subdomain="acme"
    )
    conversations.record_decision(
        ctx, agent_id, 1, decide(action="answered", reason="answered"), subdomain="acme"
    )
    conversations.record_decision(
        ctx,
        agent_id,
        1,
        decide(action="escalated", reason="customer_requested_human"),
        subdomain="acme",
    )
    conversations.record_decision(
        ctx, agent_id, 2, decide(action="ignored", reason="auto_reply"), subdomain="acme"
    )

    stats = conversations.stats(ctx, agent_id, "acme")
    assert stats["total"] == 4  # decisions
    assert stats["conversations"] == {
        "by_status": {"answered": 0, "escalated": 1, "processed": 0, "ignored": 1},
        "total": 2,
    }
    listed = conversations.list_conversations(
        ctx, agent_id, conversation_queries.ListConversationsQuery(subdomain="acme")
    )["items"]
    assert len(listed) == stats["conversations"]["total"]
    day = next(d for d in stats["by_day"] if d["date"] == SECOND.date().isoformat())
    assert (day["answered"], day["escalated"], day["ignored"]) == (2, 1, 1)
    assert len(stats["by_day"]) == conversations.STATS_DAYS
