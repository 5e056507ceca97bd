"""Reply worker: one batch of reply jobs from SQS, partial failures reported back."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from zdagent.api.requests import context_for
from zdagent.core.observability import logger, metrics
from zdagent.services import replies

processor = BatchProcessor(event_type=EventType.SQS)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    ctx = context_for(context)

    def record_handler(record: SQSRecord) -> str:
        receives = int(record.attributes.approximate_receive_count or "1")
        return replies.handle_message(ctx, record.body, record.receipt_handle, receives).status

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
