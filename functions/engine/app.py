"""The automation engine switch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.bodies import parse_body
from zdagent.api.http import json_response, new_resolver
from zdagent.api.requests import context_for
from zdagent.api.router import Response
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.services import engine

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = new_resolver()


@app.put("/agents/<agent_id>/integration/engine")
def toggle(agent_id: str) -> Response[str]:
    request = parse_body(app.current_event.body, engine.ToggleEngineRequest)
    toggled = engine.toggle_engine(context_for(app.lambda_context), agent_id, request.enabled)
    return json_response(200, toggled.public())


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
