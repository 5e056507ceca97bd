"""One checkpointed step of a Help Center sync per SQS message (KnowledgeSyncQueue, batch 1).

A step that raises is reported as a batch item failure and SQS redelivers it; it resumes from the
checkpoint. On the last delivery before the dead-letter queue the sync is marked failed instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# every invocation reads Help Center pages: the token provider, OAuth, HTTP client and page models
# load at the cold start, not at the first request (Context.zendesk_for builds them lazily)
from zdagent.adapters import tokens as _zendesk_access  # noqa: F401
from zdagent.adapters.zendesk import help_center as _help_center_pages  # noqa: F401
from zdagent.api.sqs import PartialItemFailureResponse, SQSRecord, process_records, receive_count
from zdagent.core.observability import logger, metrics
from zdagent.services import knowledge_sync
from zdagent.services.context import Context

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def run_record(ctx: Context, record: SQSRecord) -> str:
    return knowledge_sync.run_step_delivery(ctx, record.body, receive_count(record))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_records(event, context, run_record)
