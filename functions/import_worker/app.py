"""One checkpointed step of an import per SQS message (ImportQueue, batch size 1).

A step that raises is reported as a batch item failure and SQS redelivers it after the visibility
timeout; it resumes from the checkpoint. On the last delivery before the dead-letter queue the
import is marked failed instead, so its lock is released and GET shows the error.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from zdagent.api.requests import context_for
from zdagent.core.observability import logger, metrics
from zdagent.services import import_steps

processor = BatchProcessor(event_type=EventType.SQS)


def run_record(record: SQSRecord, lambda_context: LambdaContext | None = None) -> str:
    receives = int(record.attributes.approximate_receive_count or "1")
    return import_steps.run_step_delivery(context_for(lambda_context), record.body, receives)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=run_record, processor=processor, context=context
    )
