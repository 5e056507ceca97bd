"""BatchWriteItem in chunks of 25, re-sending what DynamoDB left unprocessed; TransactWriteItems
re-sent while another transaction holds one of its items, never after a failed condition."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from zdagent.adapters.dynamodb import StateStore, StoreUnavailableError
from zdagent.core.errors import ConcurrentModificationError


class FakeClient:
    def __init__(self, unprocessed_rounds: int) -> None:
        self.calls: list[int] = []
        self.written: list[dict[str, Any]] = []
        self.unprocessed_rounds = unprocessed_rounds

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (requests,) = RequestItems.values()
        self.calls.append(len(requests))
        if self.unprocessed_rounds:
            self.unprocessed_rounds -= 1
            keep, left = requests[:-1], requests[-1:]
            self.written += [r["PutRequest"]["Item"] for r in keep]
            return {"UnprocessedItems": {"state": left}}
        self.written += [r["PutRequest"]["Item"] for r in requests]
        return {"UnprocessedItems": {}}


class FakeTransactions:
    """Cancels the first transactions sent, each for ``reasons``, then accepts."""

    def __init__(self, cancelled: int, *reasons: str) -> None:
        self.sent = 0
        self.cancelled = cancelled
        self.reasons = reasons

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        self.sent += 1
        if self.sent <= self.cancelled:
            response = {
                "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                "CancellationReasons": [{"Code": r} for r in self.reasons],
            }
            raise ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]
        return {}


class FakeStore(StateStore):
    def __init__(self, client: FakeClient | FakeTransactions) -> None:
        super().__init__("state")
        self._fake = SimpleNamespace(name="state", meta=SimpleNamespace(client=client))

    @property
    def table(self) -> Any:
        return self._fake


def items(count: int) -> list[dict[str, Any]]:
    return [{"pk": "AGENT#a", "sk": f"KB#{i}", "score": 0.5} for i in range(count)]


def test_chunks_of_25_and_unprocessed_items_are_resent() -> None:
    client = FakeClient(unprocessed_rounds=2)
    FakeStore(client).batch_put(items(60))
    assert client.calls[:1] == [25]
    assert sorted(i["sk"] for i in client.written) == sorted(f"KB#{i}" for i in range(60))
    assert len(client.calls) == 3 + 2  # three chunks, two re-sends


def test_items_that_never_go_through_raise_a_clear_error() -> None:
    client = FakeClient(unprocessed_rounds=100)
    with pytest.raises(StoreUnavailableError, match="unprocessed"):
        FakeStore(client).batch_put(items(3), max_attempts=3)


def test_a_transaction_meeting_another_is_sent_again() -> None:
    client = FakeTransactions(2, "None", "TransactionConflict")
    FakeStore(client).transact_write([{"Put": {"Item": {"pk": "a", "sk": "b"}}}])
    assert client.sent == 3


def test_a_transaction_whose_condition_failed_is_not_sent_again() -> None:
    client = FakeTransactions(1, "ConditionalCheckFailed", "TransactionConflict")
    with pytest.raises(ConcurrentModificationError):
        FakeStore(client).transact_write([{"Put": {"Item": {"pk": "a", "sk": "b"}}}])
    assert client.sent == 1


def test_a_transaction_that_keeps_meeting_others_gives_up() -> None:
    client = FakeTransactions(100, "TransactionConflict")
    with pytest.raises(ConcurrentModificationError):
        FakeStore(client).transact_write([], max_attempts=3)
    assert client.sent == 3
