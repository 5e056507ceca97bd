"""The agent's knowledge: its source (manual or the Zendesk Help Center), syncs and progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zdagent.api.bodies import parse_body
from zdagent.api.http import json_response, new_resolver
from zdagent.api.requests import context_for
from zdagent.api.router import Response
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics
from zdagent.domain.knowledge_source_request import KnowledgeSourceRequest
from zdagent.services import knowledge_sync

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = new_resolver()


@app.get("/agents/<agent_id>/knowledge")
def show(agent_id: str) -> Response[str]:
    ctx = context_for(app.lambda_context)
    return json_response(200, knowledge_sync.get_knowledge(ctx, agent_id))


@app.put("/agents/<agent_id>/knowledge/source")
def set_source(agent_id: str) -> Response[str]:
    request = parse_body(app.current_event.body, KnowledgeSourceRequest)
    ctx = context_for(app.lambda_context)
    return json_response(200, knowledge_sync.set_source(ctx, agent_id, request))


@app.post("/agents/<agent_id>/knowledge/sync")
def sync(agent_id: str) -> Response[str]:
    started = knowledge_sync.start_sync(context_for(app.lambda_context), agent_id)
    return json_response(202, {"sync_id": started.sync_id, "status": started.status})


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
