"""Conversation log storage: a header item per ticket, one item per message and per decision,
and atomic counters for statistics (imported conversations never touch the counters). Their
keys are ``keys.py``'s (``CONV#...``, ``STATS``); counters are ``status_<s>`` and ``reason_<r>``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from zdagent.adapters.aws import client
from zdagent.adapters.dynamodb import StateStore, StoreUnavailableError, map_client_error
from zdagent.adapters.keys import (
    STATS_SK,
    agent_pk,
    conversation_sk,
    conversations_index_pk,
    conversations_index_sk,
    decision_sk,
    message_sk,
)
from zdagent.core.errors import NotFoundError, ValidationFailedError
from zdagent.domain.conversation import (
    Conversation,
    ConversationDetail,
    Decision,
    LoggedMessage,
)

_KEYS = {"pk", "sk", "gsi1pk", "gsi1sk", "expires_at", "version", "kind"}


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _KEYS}


def encode_token(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def decode_token(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailedError("next_token: not a token this API returned") from exc
    if not isinstance(value, dict):
        raise ValidationFailedError("next_token: not a token this API returned")
    return value


@dataclass
class ConversationRepository:
    store: StateStore

    def header_item(self, conversation: Conversation) -> dict[str, Any]:
        pk = agent_pk(conversation.agent_id)
        body = conversation.model_dump(mode="json")
        return body | {
            "pk": pk,
            "sk": conversation_sk(conversation.ticket_id),
            "kind": "conversation",
            "gsi1pk": conversations_index_pk(conversation.agent_id),
            "gsi1sk": conversations_index_sk(body["updated_at"], conversation.ticket_id),
        }

    def message_item(self, agent_id: str, ticket_id: int, message: LoggedMessage) -> dict[str, Any]:
        body = message.model_dump(mode="json")
        sk = message_sk(ticket_id, body["created_at"], message.message_id)
        return body | {"pk": agent_pk(agent_id), "sk": sk, "kind": "message"}

    def decision_item(self, agent_id: str, ticket_id: int, decision: Decision) -> dict[str, Any]:
        body = decision.model_dump(mode="json")
        sk = decision_sk(ticket_id, body["at"], decision.decision_id)
        return body | {"pk": agent_pk(agent_id), "sk": sk, "kind": "decision"}

    def find(self, agent_id: str, ticket_id: int) -> Conversation | None:
        item = self.store.get(agent_pk(agent_id), conversation_sk(ticket_id))
        return Conversation.model_validate(_clean(item)) if item else None

    def save(self, conversation: Conversation) -> None:
        self.store.put(self.header_item(conversation))

    def add_messages(
        self, agent_id: str, ticket_id: int, messages: Sequence[LoggedMessage]
    ) -> None:
        """Idempotent: a message is keyed by its time and Zendesk comment id."""
        self.store.batch_put([self.message_item(agent_id, ticket_id, m) for m in messages])

    def add_decision(self, agent_id: str, ticket_id: int, decision: Decision) -> None:
        self.store.put(self.decision_item(agent_id, ticket_id, decision))

    def write_batch(self, items: Sequence[dict[str, Any]]) -> None:
        """Headers, messages and decisions prepared with the *_item methods, in one batch."""
        self.store.batch_put(items)

    def get(self, agent_id: str, ticket_id: int) -> ConversationDetail:
        header: dict[str, Any] | None = None
        messages: list[LoggedMessage] = []
        decisions: list[Decision] = []
        for item in self.store.iter_prefix(agent_pk(agent_id), conversation_sk(ticket_id)):
            kind = item.get("kind")
            if kind == "conversation":
                header = _clean(item)
            elif kind == "message":
                messages.append(LoggedMessage.model_validate(_clean(item)))
            elif kind == "decision":
                decisions.append(Decision.model_validate(_clean(item)))
        if header is None:
            raise NotFoundError(f"no conversation for ticket {ticket_id}")
        return ConversationDetail.model_validate(
            header | {"messages": messages, "decisions": decisions}
        )

    def list(
        self,
        agent_id: str,
        *,
        source: str | None = None,
        status: str | None = None,
        limit: int = 50,
        next_token: str | None = None,
    ) -> tuple[list[Conversation], str | None]:
        """Newest first, filtered; pages through the index until ``limit`` items match."""
        start = decode_token(next_token)
        found: list[Conversation] = []
        while len(found) < limit:
            items, start = self.store.query_index(
                conversations_index_pk(agent_id), limit=max(limit * 2, 20), start_key=start
            )
            for item in items:
                conversation = Conversation.model_validate(_clean(item))
                if (source and conversation.source != source) or (
                    status and conversation.status != status
                ):
                    continue
                found.append(conversation)
                if len(found) == limit:
                    start = {k: item[k] for k in ("pk", "sk", "gsi1pk", "gsi1sk")}
                    break
            if not start:
                break
        return found, encode_token(start)

    def sources_of(self, agent_id: str, ticket_ids: Sequence[int]) -> dict[int, str]:
        """``{ticket_id: source}`` of the conversations that exist (BatchGetItem, 100 keys per
        call, unprocessed keys retried); tickets without a conversation are absent."""
        pk = agent_pk(agent_id)
        table = self.store.table.name
        found: dict[int, str] = {}
        unique = list(dict.fromkeys(ticket_ids))
        for start in range(0, len(unique), 100):
            keys = [
                {"pk": {"S": pk}, "sk": {"S": conversation_sk(t)}}
                for t in unique[start : start + 100]
            ]
            request: dict[str, Any] = {
                table: {
                    "Keys": keys,
                    "ProjectionExpression": "ticket_id, #s",
                    "ExpressionAttributeNames": {"#s": "source"},
                }
            }
            for _ in range(8):
                try:
                    answer = client("dynamodb").batch_get_item(RequestItems=request)
                except ClientError as exc:
                    raise map_client_error(exc) from exc
                for item in answer.get("Responses", {}).get(table, []):
                    found[int(item["ticket_id"]["N"])] = item.get("source", {}).get("S", "live")
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise StoreUnavailableError("DynamoDB kept keys unprocessed; try again shortly")
        return found

    # ---- statistics ----------------------------------------------------------------------
    def count(self, agent_id: str, *, status: str, reason: str | None = None) -> None:
        counters = {f"status_{status}": 1}
        if reason:
            counters[f"reason_{reason}"] = 1
        self.store.add_counters(agent_pk(agent_id), STATS_SK, counters)

    def stats(self, agent_id: str) -> dict[str, dict[str, int]]:
        item = self.store.get(agent_pk(agent_id), STATS_SK) or {}
        by_status = {k[7:]: int(v) for k, v in item.items() if k.startswith("status_")}
        by_reason = {k[7:]: int(v) for k, v in item.items() if k.startswith("reason_")}
        return {"by_status": by_status, "by_reason": by_reason}
