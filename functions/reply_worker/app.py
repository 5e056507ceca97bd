"""Reply worker: one batch of reply jobs from SQS, partial failures reported back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# every invocation calls Zendesk: its token provider, OAuth and HTTP client load at the cold start,
# not at the first request (Context.zendesk_for builds them lazily; bench_cold_start checks it), and
# so do the state repositories (the integration names the account, the agent its settings; Context
# loads them lazily)
from zdagent.adapters import repositories as _state  # noqa: F401
from zdagent.adapters import tokens as _zendesk_access  # noqa: F401

# every message that reaches a decision runs the engine's retrieval (engines/knowledge.py: the
# default engine, and the first half of the Bedrock one): get_engine builds it lazily; loaded here
from zdagent.adapters.engines import knowledge as _engine_retrieval  # noqa: F401
from zdagent.api.sqs import SQSRecord, process_records, receive_count
from zdagent.core.observability import logger, metrics
from zdagent.services import replies
from zdagent.services.context import Context

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def run_record(ctx: Context, record: SQSRecord) -> str:
    receives = receive_count(record)
    return replies.handle_message(ctx, record.body, record.receipt_handle, receives).status


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_records(event, context, run_record))
