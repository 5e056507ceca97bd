"""The one mapping from errors to HTTP: RFC 9457 problem documents (``application/problem+json``).

Plain dictionaries, no web framework: the resolvers (``api.http``) wrap them in Powertools
responses, and the webhook receiver, one route that needs no resolver, returns them as API Gateway
HTTP API results directly (``proxy_result``).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from zdagent.core.errors import AppError, ZendeskError
from zdagent.core.observability import logger

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"


def problem_document(
    status: int, title: str, detail: str, code: str, **extra: object
) -> dict[str, object]:
    body: dict[str, object] = {"type": f"urn:zdagent:problem:{code}", "title": title}
    body["status"] = status
    body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def document_for(exc: AppError) -> dict[str, object]:
    extra: dict[str, object] = dict(exc.extra)
    if isinstance(exc, ZendeskError):
        extra["zendesk_status"] = exc.zendesk_status
        extra["zendesk_error"] = exc.zendesk_error
    return problem_document(exc.status, exc.title, exc.detail, exc.code, **extra)


def log_app_error(exc: AppError) -> None:
    log = logger.warning if exc.status < 500 else logger.error
    log("request_failed", extra={"error_code": exc.code, "status": exc.status})


def unexpected_document(exc: Exception) -> dict[str, object]:
    """A crash: logged with its type (never its message, which may quote input), answered 500."""
    logger.exception("request_crashed", extra={"error_type": type(exc).__name__})
    return problem_document(
        500,
        HTTPStatus.INTERNAL_SERVER_ERROR.phrase,
        "an unexpected error occurred; it has been logged",
        "internal_error",
    )


def proxy_result(status: int, body: object, content_type: str = JSON) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) result."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_type},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def proxy_problem(exc: Exception) -> dict[str, Any]:
    """``exc`` as an API Gateway result: our errors with their status, anything else 500."""
    if isinstance(exc, AppError):
        log_app_error(exc)
        document = document_for(exc)
    else:
        document = unexpected_document(exc)
    return proxy_result(int(str(document["status"])), document, PROBLEM_JSON)
