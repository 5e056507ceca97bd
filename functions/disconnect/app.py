"""Disconnect: start the workflow and report its progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.bodies import parse_body
from zdagent.api.http import json_response, new_resolver
from zdagent.api.requests import context_for
from zdagent.api.router import Response
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.services import disconnect

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = new_resolver()


@app.post("/agents/<agent_id>/integration/disconnect")
def start(agent_id: str) -> Response[str]:
    request = parse_body(
        app.current_event.body, disconnect.StartDisconnectRequest, allow_empty=True
    )
    run = disconnect.start_disconnect(context_for(app.lambda_context), agent_id, request)
    return json_response(202, {"disconnect_id": run.disconnect_id, "status": run.status})


@app.get("/agents/<agent_id>/integration/disconnect")
def status(agent_id: str) -> Response[str]:
    run = disconnect.disconnect_status(context_for(app.lambda_context), agent_id)
    return json_response(200, run.public())


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
