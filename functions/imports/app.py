"""Imports of historical tickets: start (202), progress, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.bodies import parse_body
from zdagent.api.http import json_response, new_resolver
from zdagent.api.requests import context_for
from zdagent.api.router import Response
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.domain.import_request import ImportRequest
from zdagent.services import imports

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = new_resolver()


@app.post("/agents/<agent_id>/integration/imports")
def start(agent_id: str) -> Response[str]:
    request = parse_body(app.current_event.body, ImportRequest)
    ctx = context_for(app.lambda_context)
    started = imports.start_import(ctx, agent_id, request)
    return json_response(202, imports.public_view(ctx, started))


@app.get("/agents/<agent_id>/integration/imports/<import_id>")
def show(agent_id: str, import_id: str) -> Response[str]:
    ctx = context_for(app.lambda_context)
    return json_response(
        200, imports.public_view(ctx, imports.get_import(ctx, agent_id, import_id))
    )


@app.post("/agents/<agent_id>/integration/imports/<import_id>/cancel")
def cancel(agent_id: str, import_id: str) -> Response[str]:
    ctx = context_for(app.lambda_context)
    return json_response(
        200, imports.public_view(ctx, imports.cancel_import(ctx, agent_id, import_id))
    )


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
