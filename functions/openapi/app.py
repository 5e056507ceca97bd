"""``GET /openapi.json``: the admin API's OpenAPI 3.1 document (no admin token needed).

The document is written at build time by ``make docs`` (``zdagent.api.openapi`` from the route
catalog and the use cases' pydantic models) into ``openapi.json`` beside this file, so this
function imports none of the services; a unit test fails when the file is stale.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zdagent.api.http import new_resolver
from zdagent.api.router import Response
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

DOCUMENT = Path(__file__).with_name("openapi.json")

app = new_resolver()


@cache
def document_text() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@app.get("/openapi.json")
def document() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=document_text())


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
