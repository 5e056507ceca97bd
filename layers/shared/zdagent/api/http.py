"""The resolver every API function with several routes uses, with the error mapping of
``api.problems`` registered.

Errors are RFC 9457 problem documents (``application/problem+json``) with a ``detail`` a person can
act on. Request validation failures never show pydantic internals: they are summarised per field.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel

from zdagent.api.problems import (
    PROBLEM_JSON,
    document_for,
    log_app_error,
    problem_document,
    unexpected_document,
)
from zdagent.core.errors import AppError, ValidationFailedError
from zdagent.core.validation import describe_validation_errors, validate_model


def problem(status: int, title: str, detail: str, code: str, **extra: object) -> Response[str]:
    return _problem_response(problem_document(status, title, detail, code, **extra))


def problem_for(exc: AppError) -> Response[str]:
    return _problem_response(document_for(exc))


def _problem_response(document: dict[str, object]) -> Response[str]:
    status = int(str(document["status"]))
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(document))


def parse_json_object(raw: str | None) -> dict[str, Any]:
    if not raw or not raw.strip():
        raise ValidationFailedError("a JSON body is required")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationFailedError(f"the body is not valid JSON: {exc.msg} at {exc.pos}") from exc
    if not isinstance(data, dict):
        raise ValidationFailedError("the body must be a JSON object")
    return data


def parse_body[M: BaseModel](raw: str | None, model: type[M], *, allow_empty: bool = False) -> M:
    """Parse a JSON body into ``model``; unknown fields and bad values become a 422."""
    if not raw or not raw.strip():
        if allow_empty:
            return model.model_validate({})
        raise ValidationFailedError("a JSON body is required")
    return validate_model(model, parse_json_object(raw))


def json_response(status: int, body: object) -> Response[str]:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body))


def html_response(status: int, html: str) -> Response[str]:
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=html,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def new_resolver() -> APIGatewayHttpResolver:
    """An HTTP API resolver with our error mapping registered."""
    app = APIGatewayHttpResolver()

    @app.exception_handler(AppError)
    def _app_error(exc: AppError) -> Response[str]:
        log_app_error(exc)
        return problem_for(exc)

    @app.exception_handler(RequestValidationError)
    def _validation(exc: RequestValidationError) -> Response[str]:
        detail = describe_validation_errors(list(exc.errors()))
        return problem(422, "Invalid request", detail, "validation_failed")

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        return problem(404, "Not found", "no such route", "route_not_found")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[str]:
        return _problem_response(unexpected_document(exc))

    return app
