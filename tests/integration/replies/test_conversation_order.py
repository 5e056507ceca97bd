"""GET conversation returns messages in thread order, as stored in DynamoDB (issue 12 item 6)."""

from __future__ import annotations

from datetime import UTC, datetime

from zdagent.adapters.conversations import ConversationRepository
from zdagent.adapters.dynamodb import StateStore
from zdagent.domain.conversation import Conversation, LogAccount, LoggedMessage
from zdlocal.template import ResourceMap

SECOND = datetime(2026, 1, 5, 10, 0, 5, tzinfo=UTC)
ACCOUNT = LogAccount("agt_1", "acme")


def test_an_ai_reply_in_the_same_second_is_listed_after_the_customer(aws: ResourceMap) -> None:
    repository = ConversationRepository(StateStore())
    repository.save(
        Conversation(
            agent_id="agt_1", subdomain="acme", ticket_id=7, created_at=SECOND, updated_at=SECOND
        )
    )
    customer = LoggedMessage(message_id="1001", role="visitor", text="hi", created_at=SECOND)
    reply = LoggedMessage(
        message_id="ai-1001",
        role="ai_agent",
        text="hello",
        created_at=SECOND.replace(microsecond=420_000),
    )
    follow_up = LoggedMessage(
        message_id="1002", role="visitor", text="thanks", created_at=SECOND.replace(second=6)
    )
    repository.write_batch(
        [repository.message_item(ACCOUNT, 7, m) for m in (follow_up, reply, customer)]
    )
    detail = repository.get(ACCOUNT, 7)
    assert [m.message_id for m in detail.messages] == ["1001", "ai-1001", "1002"]
