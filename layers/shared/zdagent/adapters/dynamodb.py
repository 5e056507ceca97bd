"""The state table: single-table layout, optimistic locking, and the ClientError mapping.

The key scheme (every pk / sk string) is ``keys.py``s.
Every versioned item carries ``version``; writes are conditional on the version read.
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from zdagent.adapters.aws import dynamodb_table
from zdagent.adapters.keys import agent_pk, lease_sk
from zdagent.core.errors import (
    AppError,
    ConcurrentModificationError,
    StoreUnavailableError,
    ValidationFailedError,
)
from zdagent.core.settings import settings

__all__ = [
    "MAX_TRANSACTION_ACTIONS",
    "StateStore",
    "StoreUnavailableError",
    "agent_pk",
    "decode_token",
    "encode_token",
    "from_dynamo",
    "map_client_error",
    "take_item",
    "to_dynamo",
]

# concurrent BatchWriteItem calls of one batch_put (boto3 clients are thread-safe)
BATCH_WRITERS = 8
# TransactWriteItems: at most this many actions per call
MAX_TRANSACTION_ACTIONS = 100

_BUSY_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
}
# a transaction's per-action cancellation reasons (CancellationReasons[].Code)
_CHANGED_REASONS = {"ConditionalCheckFailed", "TransactionConflict"}
_BUSY_REASONS = {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}


def map_client_error(exc: ClientError) -> AppError:
    """The one mapping of DynamoDB ClientError codes to our errors."""
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "TransactionCanceledException":
        reasons = _cancellation_reasons(exc)
        if reasons & _CHANGED_REASONS:
            code = "ConditionalCheckFailedException"
        elif reasons & _BUSY_REASONS:
            code = "ThrottlingException"
    if code in {"ConditionalCheckFailedException", "TransactionConflictException"}:
        return ConcurrentModificationError(
            "the item changed while we were updating it; reload and try again"
        )
    if code in _BUSY_CODES:
        return StoreUnavailableError(f"DynamoDB is busy ({code}); try again shortly")
    return AppError(f"DynamoDB error {code}")


def _cancellation_reasons(exc: ClientError) -> set[str]:
    """Why a transaction's actions were cancelled (``None``: that action was not the cause)."""
    reasons = exc.response.get("CancellationReasons") or []
    return {str(r.get("Code")) for r in reasons} - {"None"}


def _only_conflicts(exc: ClientError) -> bool:
    """A transaction cancelled only because another one was writing some of its items."""
    return _cancellation_reasons(exc) == {"TransactionConflict"}


def _projection(paths: Sequence[str]) -> dict[str, Any]:
    """A ProjectionExpression of document paths, every name a placeholder (reserved words such as
    ``status`` or ``name`` are refused otherwise)."""
    names: dict[str, str] = {}
    expressions = []
    for path in paths:
        parts = []
        for name in path.split("."):
            placeholder = next((k for k, v in names.items() if v == name), f"#p{len(names)}")
            names[placeholder] = name
            parts.append(placeholder)
        expressions.append(".".join(parts))
    return {"ProjectionExpression": ", ".join(expressions), "ExpressionAttributeNames": names}


def from_dynamo(value: Any) -> Any:
    """DynamoDB returns Decimal; give callers ints and floats back."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    return value


def to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [to_dynamo(v) for v in value]
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items() if v is not None}
    return value


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


class StateStore:
    """Typed access to the state table. One instance per process is enough."""

    def __init__(self, table_name: str | None = None) -> None:
        self._table_name = table_name

    @property
    def table(self) -> Any:
        return dynamodb_table(self._table_name or settings().table_name)

    def get(self, pk: str, sk: str, *, consistent: bool = True) -> dict[str, Any] | None:
        try:
            item = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=consistent)
        except ClientError as exc:
            raise map_client_error(exc) from exc
        found = item.get("Item")
        return from_dynamo(found) if found else None

    def put_new(self, item: Mapping[str, Any]) -> None:
        """Create; fails with ConcurrentModificationError if the key exists."""
        self._put(dict(item) | {"version": 1}, "attribute_not_exists(pk)", {})

    def put_versioned(self, item: Mapping[str, Any], expected_version: int) -> int:
        """Replace the item if its version is still ``expected_version``; returns the new one."""
        new_version = expected_version + 1
        self._put(
            dict(item) | {"version": new_version},
            "attribute_exists(pk) AND version = :v",
            {":v": expected_version},
        )
        return new_version

    def put(self, item: Mapping[str, Any]) -> None:
        """Unconditional write (logs, marks, checkpoints owned by one writer)."""
        self._put(dict(item), None, {})

    def put_if_absent(self, item: Mapping[str, Any]) -> bool:
        """True if written, False if an item with that key was already there."""
        try:
            self._put(dict(item), "attribute_not_exists(pk)", {})
        except ConcurrentModificationError:
            return False
        return True

    def _put(self, item: dict[str, Any], condition: str | None, values: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {"Item": to_dynamo(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
        if values:
            kwargs["ExpressionAttributeValues"] = to_dynamo(values)
        try:
            self.table.put_item(**kwargs)
        except ClientError as exc:
            raise map_client_error(exc) from exc

    def delete(self, pk: str, sk: str, *, expected_version: int | None = None) -> None:
        kwargs: dict[str, Any] = {"Key": {"pk": pk, "sk": sk}}
        if expected_version is not None:
            kwargs["ConditionExpression"] = "version = :v"
            kwargs["ExpressionAttributeValues"] = {":v": expected_version}
        try:
            self.table.delete_item(**kwargs)
        except ClientError as exc:
            raise map_client_error(exc) from exc

    # ---- transactions (TransactWriteItems) -----------------------------------------------
    def put_action(
        self,
        item: Mapping[str, Any],
        condition: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A Put of ``item`` for ``transact_write``, conditional on ``condition`` (its
        ``:placeholders`` in ``values``)."""
        put: dict[str, Any] = {"TableName": self.table.name, "Item": to_dynamo(dict(item))}
        if condition:
            put["ConditionExpression"] = condition
        if values:
            put["ExpressionAttributeValues"] = to_dynamo(dict(values))
        return {"Put": put}

    def add_counters_action(self, pk: str, sk: str, counters: Mapping[str, int]) -> dict[str, Any]:
        """An Update for ``transact_write`` atomically adding to numeric attributes (each
        created at 0); ``counters`` must not be empty."""
        names = {f"#c{i}": name for i, name in enumerate(counters)}
        values = {f":c{i}": amount for i, amount in enumerate(counters.values())}
        expression = "ADD " + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True))
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": {"pk": pk, "sk": sk},
                "UpdateExpression": expression,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def transact_write(
        self, actions: Sequence[Mapping[str, Any]], *, max_attempts: int = 4
    ) -> None:
        """All of ``actions`` (``put_action``, ``add_counters_action``; at most
        ``MAX_TRANSACTION_ACTIONS``, no two on one item) or none of them. Sent again, after a
        short random pause, while it is cancelled only because another transaction was writing
        one of its items; a failed condition (or a conflict on the last attempt) is a
        ConcurrentModificationError."""
        for attempt in range(max_attempts):
            try:
                self.table.meta.client.transact_write_items(TransactItems=list(actions))
            except ClientError as exc:
                if attempt + 1 == max_attempts or not _only_conflicts(exc):
                    raise map_client_error(exc) from exc
                time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 (jitter)
            else:
                return

    def query_prefix(
        self,
        pk: str,
        sk_prefix: str,
        *,
        newest_first: bool = False,
        limit: int | None = None,
        start_key: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of items whose sk starts with ``sk_prefix`` (every item of ``pk`` if empty:
        DynamoDB refuses ``begins_with`` on an empty string)."""
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": pk, ":prefix": sk_prefix},
            "ScanIndexForward": not newest_first,
        }
        if not sk_prefix:
            kwargs["KeyConditionExpression"] = "pk = :pk"
            kwargs["ExpressionAttributeValues"] = {":pk": pk}
        if limit:
            kwargs["Limit"] = limit
        return self._query_page(kwargs, start_key)

    def iter_prefix(self, pk: str, sk_prefix: str) -> Iterator[dict[str, Any]]:
        start: dict[str, Any] | None = None
        while True:
            items, start = self.query_prefix(pk, sk_prefix, start_key=start)
            yield from items
            if not start:
                return

    def query_index(
        self,
        gsi1pk: str,
        *,
        newest_first: bool = True,
        limit: int = 50,
        start_key: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        kwargs: dict[str, Any] = {
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": {":pk": gsi1pk},
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        return self._query_page(kwargs, start_key)

    def _query_page(
        self, kwargs: dict[str, Any], start_key: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One Query page from ``start_key``: its items and the key to continue from."""
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        try:
            page = self.table.query(**kwargs)
        except ClientError as exc:
            raise map_client_error(exc) from exc
        return [from_dynamo(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")

    def batch_put(self, items: Sequence[Mapping[str, Any]], *, max_attempts: int = 8) -> None:
        """BatchWriteItem in chunks of 25 (up to ``BATCH_WRITERS`` at a time), retrying
        unprocessed items with backoff."""
        chunks = [
            [{"PutRequest": {"Item": to_dynamo(dict(i))}} for i in items[start : start + 25]]
            for start in range(0, len(items), 25)
        ]
        if len(chunks) <= 1:
            for chunk in chunks:
                self._batch_write(chunk, max_attempts)
            return
        with ThreadPoolExecutor(max_workers=min(BATCH_WRITERS, len(chunks))) as pool:
            for done in [pool.submit(self._batch_write, c, max_attempts) for c in chunks]:
                done.result()

    def batch_get(
        self,
        keys: Sequence[tuple[str, str]],
        *,
        attributes: Sequence[str] = (),
        max_attempts: int = 8,
    ) -> list[dict[str, Any]]:
        """BatchGetItem (strongly consistent) in chunks of 100 keys, unprocessed keys retried;
        the items that exist, in no particular order. ``attributes`` (document paths, e.g.
        ``engine.enabled``) projects them to those and their keys."""
        found: list[dict[str, Any]] = []
        unique = list(dict.fromkeys(keys))
        projection = _projection(["pk", "sk", *attributes]) if attributes else {}
        for start in range(0, len(unique), 100):
            chunk = [{"pk": pk, "sk": sk} for pk, sk in unique[start : start + 100]]
            request = {"Keys": chunk, "ConsistentRead": True, **projection}
            pending: dict[str, Any] = {self.table.name: request}
            for attempt in range(max_attempts):
                try:
                    answer = self.table.meta.client.batch_get_item(RequestItems=pending)
                except ClientError as exc:
                    raise map_client_error(exc) from exc
                for items in (answer.get("Responses") or {}).values():
                    found.extend(from_dynamo(item) for item in items)
                pending = answer.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(2.0, 0.05 * 2**attempt))
            else:
                raise StoreUnavailableError("DynamoDB kept keys unprocessed; try again shortly")
        return found

    def _batch_write(self, requests: list[dict[str, Any]], max_attempts: int) -> None:
        # The resource's own client speaks plain Python values (no typed AttributeValues).
        pending: dict[str, Any] = {self.table.name: requests}
        for attempt in range(max_attempts):
            try:
                answer = self.table.meta.client.batch_write_item(RequestItems=pending)
            except ClientError as exc:
                raise map_client_error(exc) from exc
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                return
            time.sleep(min(2.0, 0.05 * 2**attempt))
        raise StoreUnavailableError("DynamoDB kept items unprocessed; try again shortly")

    # ---- leases --------------------------------------------------------------------------
    def acquire_lease(self, pk: str, name: str, seconds: int) -> str | None:
        """A short exclusive lease (e.g. token refresh). Returns the owner id or None if held."""
        owner = uuid.uuid4().hex
        now = int(time.time())
        try:
            self.table.put_item(
                Item={
                    "pk": pk,
                    "sk": lease_sk(name),
                    "owner": owner,
                    "lease_until": now + seconds,
                    "expires_at": now + 3600,
                },
                ConditionExpression="attribute_not_exists(pk) OR lease_until < :now",
                ExpressionAttributeValues={":now": now},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise map_client_error(exc) from exc
        return owner

    def release_lease(self, pk: str, name: str, owner: str) -> None:
        try:
            self.table.delete_item(
                Key={"pk": pk, "sk": lease_sk(name)},
                ConditionExpression="#o = :owner",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":owner": owner},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise map_client_error(exc) from exc


def take_item(store: StateStore, pk: str, sk: str) -> dict[str, Any] | None:
    """Delete an item and return what it was, atomically (single-use tokens such as OAuth
    state); None if it was not there."""
    try:
        answer = store.table.delete_item(
            Key={"pk": pk, "sk": sk},
            ConditionExpression="attribute_exists(pk)",
            ReturnValues="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return None
        raise map_client_error(exc) from exc
    old = answer.get("Attributes")
    return from_dynamo(old) if old else None
