"""SQS-driven handlers: one use case per record, the failed records reported back to SQS
(ReportBatchItemFailures) so that only they are delivered again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from zdagent.api.requests import context_for
from zdagent.services.context import Context

__all__ = ["SQSRecord", "process_records", "receive_count"]

# (context, record) -> a short outcome (logged by Powertools; a raise fails the record)
RecordUseCase = Callable[[Context, SQSRecord], str]


def receive_count(record: SQSRecord) -> int:
    """How many times SQS has delivered this message (1 the first time)."""
    return int(record.attributes.approximate_receive_count or "1")


def process_records(
    event: dict[str, Any], lambda_context: Any, use_case: RecordUseCase
) -> PartialItemFailureResponse:
    """Run ``use_case`` on every record of ``event`` with this invocation's context; the
    records whose use case raised are the batch item failures."""
    ctx = context_for(lambda_context)

    def record_handler(record: SQSRecord) -> str:
        return use_case(ctx, record)

    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=lambda_context,
    )
