"""One checkpointed step of an import per SQS message (ImportQueue, batch size 1).

A step that raises is reported as a batch item failure and SQS redelivers it after the visibility
timeout; it resumes from the checkpoint. On the last delivery before the dead-letter queue the
import is marked failed instead, so its lock is released and GET shows the error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# every invocation calls Zendesk: its token provider, OAuth and HTTP client load at the cold start,
# not at the first request (Context.zendesk_for builds them lazily; bench_cold_start checks it), and
# so does the integration's repository (it names the account; Context loads it lazily)
from zdagent.adapters import integration_repository as _integration  # noqa: F401
from zdagent.adapters import tokens as _zendesk_access  # noqa: F401
from zdagent.api.sqs import PartialItemFailureResponse, SQSRecord, process_records, receive_count
from zdagent.core.observability import logger, metrics
from zdagent.services import import_steps
from zdagent.services.context import Context

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def run_record(ctx: Context, record: SQSRecord) -> str:
    return import_steps.run_step_delivery(ctx, record.body, receive_count(record))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_records(event, context, run_record)
