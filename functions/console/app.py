"""Health check and the admin web console (a static page served from this function's bundle)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from zdagent.api.http import html_response, json_response, new_resolver
from zdagent.core.observability import logger, tracer

CONSOLE_PAGE = Path(__file__).with_name("console.html")

app = new_resolver()


@cache
def console_html() -> str:
    return CONSOLE_PAGE.read_text(encoding="utf-8")


@app.get("/health")
def health() -> Response[str]:
    return json_response(200, {"status": "ok"})


@app.get("/console")
def console() -> Response[str]:
    return html_response(200, console_html())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
