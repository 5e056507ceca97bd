"""The disconnect workflow's task Lambda: one step per invocation, named by ``step`` in the input.

Errors are not caught: Lambda reports them with ``errorType`` = the exception class name, which is
what the state machine's Retry and Catch match (statemachines/disconnect.asl.json).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.requests import context_for
from zdagent.core.observability import logger, metrics
from zdagent.services import disconnect_tasks

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = disconnect_tasks.DisconnectTask.from_json(event)
    return disconnect_tasks.run_task(context_for(context), task)
