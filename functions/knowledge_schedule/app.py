"""The hourly schedule (EventBridge Scheduler): a Help Center sync for every agent that uses one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.requests import context_for
from zdagent.core.observability import logger, metrics
from zdagent.services import knowledge_sync

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = knowledge_sync.sync_all(context_for(context))
    return {"started": result.started, "skipped": result.skipped}
