"""SQS-driven handlers: one use case per record, the failed records reported back to SQS
(ReportBatchItemFailures) so that only they are delivered again.

What Powertools' ``BatchProcessor`` with ``process_partial_response`` did for our standard
queues, written here: importing Powertools' batch utility (with asyncio and every event class)
cost each worker about a fifth of ``import boto3`` at cold start (bench/bench_cold_start.py).
Same answer: ``{"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]}``, and when every
record failed the invocation fails (``BatchFailedError``) so Lambda reports an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from zdagent.api.requests import context_for
from zdagent.core.observability import logger
from zdagent.services.context import Context

__all__ = [
    "BatchFailedError",
    "PartialItemFailureResponse",
    "SQSRecord",
    "process_records",
    "receive_count",
]


class BatchFailedError(Exception):
    """Every record of the batch failed (Powertools' ``BatchProcessingError``)."""


class _ItemFailure(TypedDict):
    itemIdentifier: str


class PartialItemFailureResponse(TypedDict):
    batchItemFailures: list[_ItemFailure]


@dataclass(frozen=True)
class SQSRecord:
    """One SQS message of a Lambda event."""

    raw: Mapping[str, Any]

    @property
    def message_id(self) -> str:
        return str(self.raw.get("messageId", ""))

    @property
    def body(self) -> str:
        return str(self.raw.get("body", ""))

    @property
    def receipt_handle(self) -> str:
        return str(self.raw.get("receiptHandle", ""))


# (context, record) -> a short outcome (a raise fails the record)
RecordUseCase = Callable[[Context, SQSRecord], str]


def receive_count(record: SQSRecord) -> int:
    """How many times SQS has delivered this message (1 the first time)."""
    attributes = record.raw.get("attributes") or {}
    return int(attributes.get("ApproximateReceiveCount") or "1")


def process_records(
    event: dict[str, Any], lambda_context: Any, use_case: RecordUseCase
) -> PartialItemFailureResponse:
    """Run ``use_case`` on every record of ``event`` with this invocation's context; the
    records whose use case raised are the batch item failures."""
    ctx = context_for(lambda_context)
    records = [SQSRecord(raw) for raw in event.get("Records") or []]
    failures: list[_ItemFailure] = []
    for record in records:
        try:
            use_case(ctx, record)
        except Exception as exc:
            # the error's type only: its message may quote the record's body
            logger.warning(
                "record_failed",
                extra={"message_id": record.message_id, "error_type": type(exc).__name__},
            )
            failures.append({"itemIdentifier": record.message_id})
    if records and len(failures) == len(records):
        raise BatchFailedError(f"all {len(records)} records of the batch failed")
    return {"batchItemFailures": failures}
