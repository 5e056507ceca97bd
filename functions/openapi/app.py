"""``GET /openapi.json``: the admin API's OpenAPI 3.1 document (no admin token needed)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from zdagent.api.http import json_response, new_resolver
from zdagent.api.openapi import openapi_document
from zdagent.core.observability import logger, metrics

app = new_resolver()


@app.get("/openapi.json")
def document() -> Response[str]:
    return json_response(200, openapi_document())


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
