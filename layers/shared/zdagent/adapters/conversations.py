"""Conversation log storage: a header item per ticket, one item per message and per decision,
and atomic counters for statistics (imported conversations never touch the counters), all per
Zendesk account (``LogAccount``). Their keys are ``keys.py``'s (``CONV#<subdomain>#...``,
``STATS#<subdomain>``, ``CONVACCOUNT#<subdomain>``); counters are ``status_<s>``,
``reason_<r>``, ``day_<date>_<action>`` and ``conv_<s>``.

A live decision is written in one transaction (``log_decision``): the log and the statistics
never disagree, and a decision racing another on the same ticket fails instead of counting the
conversation from a status it has left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from zdagent.adapters.aws import client
from zdagent.adapters.dynamodb import (
    MAX_TRANSACTION_ACTIONS,
    StateStore,
    StoreUnavailableError,
    decode_token,
    encode_token,
    map_client_error,
)
from zdagent.adapters.keys import (
    CONVERSATION_ACCOUNT_PREFIX,
    agent_pk,
    conversation_account_sk,
    conversation_sk,
    conversations_index_pk,
    conversations_index_sk,
    decision_sk,
    message_sk,
    stats_sk,
)
from zdagent.core.errors import NotFoundError
from zdagent.domain.conversation import (
    Conversation,
    ConversationDetail,
    ConversationStatus,
    Decision,
    LogAccount,
    LoggedMessage,
    as_utc,
    in_thread_order,
)

_KEYS = {"pk", "sk", "gsi1pk", "gsi1sk", "expires_at", "version", "kind"}


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _KEYS}


def decision_counters(
    status: str, decision: Decision, previously: ConversationStatus | None
) -> dict[str, int]:
    """What one decision adds: by status and reason, per day by action, and the conversation
    moved from the status it was counted under (``previously``) to ``status``."""
    counters = {
        f"status_{status}": 1,
        f"day_{decision.at.date().isoformat()}_{decision.action}": 1,
    }
    if decision.reason:
        counters[f"reason_{decision.reason}"] = 1
    if previously != status:
        counters[f"conv_{status}"] = 1
        if previously:
            counters[f"conv_{previously}"] = -1
    return counters


def _unchanged(read: Conversation | None) -> tuple[str, dict[str, str]]:
    """The header's write condition (and its values): still counted as when ``read`` (None:
    still absent)."""
    if read is None:
        return "attribute_not_exists(pk)", {}
    if read.counted_as is None:
        return "attribute_exists(pk) AND attribute_not_exists(counted_as)", {}
    return "counted_as = :counted", {":counted": read.counted_as}


@dataclass
class ConversationRepository:
    store: StateStore

    def header_item(self, conversation: Conversation) -> dict[str, Any]:
        account = conversation.account
        body = conversation.to_json()
        return body | {
            "pk": agent_pk(account.agent_id),
            "sk": conversation_sk(account.subdomain, conversation.ticket_id),
            "kind": "conversation",
            "gsi1pk": conversations_index_pk(account.agent_id, account.subdomain),
            "gsi1sk": conversations_index_sk(body["updated_at"], conversation.ticket_id),
        }

    def message_item(
        self, account: LogAccount, ticket_id: int, message: LoggedMessage
    ) -> dict[str, Any]:
        body = message.to_json()
        sk = message_sk(account.subdomain, ticket_id, body["created_at"], message.message_id)
        return body | {"pk": agent_pk(account.agent_id), "sk": sk, "kind": "message"}

    def decision_item(
        self, account: LogAccount, ticket_id: int, decision: Decision
    ) -> dict[str, Any]:
        body = decision.to_json()
        sk = decision_sk(account.subdomain, ticket_id, body["at"], decision.decision_id)
        return body | {"pk": agent_pk(account.agent_id), "sk": sk, "kind": "decision"}

    def account_item(self, account: LogAccount, at: datetime) -> dict[str, Any]:
        """Marks ``account`` as one the log holds conversations of (written with each batch)."""
        return {
            "pk": agent_pk(account.agent_id),
            "sk": conversation_account_sk(account.subdomain),
            "kind": "conversation_account",
            "subdomain": account.subdomain,
            "last_activity_at": as_utc(at).isoformat(),
        }

    def accounts(self, agent_id: str) -> list[dict[str, str]]:
        """The accounts the log holds conversations of, the most recently active first:
        ``[{"subdomain", "last_activity_at"}]``."""
        found = [
            {"subdomain": str(item["subdomain"]), "last_activity_at": str(item["last_activity_at"])}
            for item in self.store.iter_prefix(agent_pk(agent_id), CONVERSATION_ACCOUNT_PREFIX)
        ]
        return sorted(found, key=lambda a: a["last_activity_at"], reverse=True)

    def find(self, account: LogAccount, ticket_id: int) -> Conversation | None:
        item = self.store.get(
            agent_pk(account.agent_id), conversation_sk(account.subdomain, ticket_id)
        )
        return Conversation.from_json(_clean(item)) if item else None

    def save(self, conversation: Conversation) -> None:
        self.store.put(self.header_item(conversation))

    def write_batch(self, items: Sequence[dict[str, Any]]) -> None:
        """Headers, messages and decisions prepared with the *_item methods, in one batch."""
        self.store.batch_put(items)

    def get(self, account: LogAccount, ticket_id: int) -> ConversationDetail:
        header: dict[str, Any] | None = None
        messages: list[LoggedMessage] = []
        decisions: list[Decision] = []
        pk, sk = agent_pk(account.agent_id), conversation_sk(account.subdomain, ticket_id)
        for item in self.store.iter_prefix(pk, sk):
            kind = item.get("kind")
            if kind == "conversation":
                header = _clean(item)
            elif kind == "message":
                messages.append(LoggedMessage.from_json(_clean(item)))
            elif kind == "decision":
                decisions.append(Decision.from_json(_clean(item)))
        if header is None:
            raise NotFoundError(
                f"no conversation for ticket {ticket_id} of the Zendesk account "
                f"'{account.subdomain}'"
            )
        # not by key: a key's text order puts "…:05.4Z" before "…:05Z" (a reply written within
        # the second of the customer's comment would come first)
        decisions.sort(key=lambda d: as_utc(d.at))
        return ConversationDetail.of(
            Conversation.from_json(header), in_thread_order(messages), decisions
        )

    def list(
        self,
        account: LogAccount,
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
                conversations_index_pk(account.agent_id, account.subdomain),
                limit=max(limit * 2, 20),
                start_key=start,
            )
            for item in items:
                conversation = Conversation.from_json(_clean(item))
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

    def sources_of(self, account: LogAccount, ticket_ids: Sequence[int]) -> dict[int, str]:
        """``{ticket_id: source}`` of the conversations that exist (BatchGetItem, 100 keys per
        call, unprocessed keys retried); tickets without a conversation are absent."""
        pk = agent_pk(account.agent_id)
        table = self.store.table.name
        found: dict[int, str] = {}
        unique = list(dict.fromkeys(ticket_ids))
        for start in range(0, len(unique), 100):
            keys = [
                {"pk": {"S": pk}, "sk": {"S": conversation_sk(account.subdomain, t)}}
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

    # ---- live decisions and statistics -------------------------------------------------
    def log_decision(
        self,
        conversation: Conversation,
        decision: Decision,
        messages: Sequence[LoggedMessage],
        *,
        read: Conversation | None,
    ) -> None:
        """One live decision on ``conversation`` (its header as it is to be written) in one
        transaction with the counters it adds to, provided the stored header is still counted
        as it was in ``read`` (None: there was no header). ConcurrentModificationError if not
        (another decision came in between: read again and retry).

        The newest messages go in the transaction (96 of at most 4,000 characters each stay
        far below its 4 MB); those that do not fit (a long thread) are written in a batch after
        it (idempotent: a message's item is the same at every write).
        """
        account = conversation.account
        pk = agent_pk(account.agent_id)
        previously = read.counted_as if read else None
        decisive = [
            self.store.put_action(self.header_item(conversation), *_unchanged(read)),
            self.store.put_action(self.decision_item(account, conversation.ticket_id, decision)),
            self.store.put_action(self.account_item(account, decision.at)),
            self.store.add_counters_action(
                pk,
                stats_sk(account.subdomain),
                decision_counters(conversation.status, decision, previously),
            ),
        ]
        room = MAX_TRANSACTION_ACTIONS - len(decisive)
        items = [self.message_item(account, conversation.ticket_id, m) for m in messages]
        self.store.transact_write(decisive + [self.store.put_action(i) for i in items[-room:]])
        if items[:-room]:
            self.write_batch(items[:-room])

    def stats(self, account: LogAccount) -> dict[str, Any]:
        item = self.store.get(agent_pk(account.agent_id), stats_sk(account.subdomain)) or {}
        by_status = {k[7:]: int(v) for k, v in item.items() if k.startswith("status_")}
        by_reason = {k[7:]: int(v) for k, v in item.items() if k.startswith("reason_")}
        conversations = {k[5:]: int(v) for k, v in item.items() if k.startswith("conv_")}
        by_day: dict[str, dict[str, int]] = {}
        for key, value in item.items():
            if key.startswith("day_"):
                day, _, action = key[4:].partition("_")
                by_day.setdefault(day, {})[action] = int(value)
        return {
            "by_status": by_status,
            "by_reason": by_reason,
            "conversations": conversations,
            "by_day": by_day,
        }
