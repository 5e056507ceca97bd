"""Zendesk webhook receiver: verify, deduplicate, queue (docs/contract.md §3)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from zdagent.api.http import json_response, new_resolver
from zdagent.api.requests import context_for
from zdagent.core.observability import logger, metrics, tracer
from zdagent.services import inbound

app = new_resolver()


@app.post("/webhooks/zendesk/<agent_id>")
def receive(agent_id: str) -> Response[str]:
    event = app.current_event
    result = inbound.receive_webhook(
        context_for(app.lambda_context),
        agent_id,
        headers=dict(event.headers or {}),
        body=event.body,
        is_base64_encoded=bool(event.is_base64_encoded),
    )
    return json_response(200, result.body())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
