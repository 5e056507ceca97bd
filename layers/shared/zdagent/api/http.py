"""The router every API function uses (``api.router``), with the error mapping of
``api.problems`` registered, and the JSON bodies' parsing.

Errors are RFC 9457 problem documents (``application/problem+json``) with a ``detail`` a person can
act on. Request validation failures never show pydantic internals: they are summarised per field.
"""

from __future__ import annotations

import json
import math
from typing import Any

from zdagent.api.problems import (
    PROBLEM_JSON,
    document_for,
    log_app_error,
    problem_document,
    unexpected_document,
)
from zdagent.api.router import Response, Router
from zdagent.core.errors import AppError, ValidationFailedError


def problem(status: int, title: str, detail: str, code: str, **extra: object) -> Response[str]:
    return _problem_response(problem_document(status, title, detail, code, **extra))


def problem_for(exc: AppError) -> Response[str]:
    return _problem_response(document_for(exc))


def _problem_response(document: dict[str, object]) -> Response[str]:
    status = int(str(document["status"]))
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(document))


MAX_BODY_DEPTH = 64  # deeper than any admin body; far below json's recursion limit


def parse_json_object(raw: str | None) -> dict[str, Any]:
    """The body as a JSON object, or a 422 naming what is wrong: not JSON, nested absurdly deep,
    a number JSON cannot carry (``NaN``, ``1e309``, 5,000 digits) or text that is not text (a
    lone UTF-16 surrogate such as ``"\\ud800"``, which no store or Zendesk accepts)."""
    if not raw or not raw.strip():
        raise ValidationFailedError("a JSON body is required")
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise ValidationFailedError(f"the body is not valid JSON: {exc.msg} at {exc.pos}") from exc
    except RecursionError as exc:
        raise ValidationFailedError(
            f"the body is nested too deep (at most {MAX_BODY_DEPTH} levels)"
        ) from exc
    except ValueError as exc:  # numbers: NaN, infinities, over 4,300 digits
        raise ValidationFailedError(f"the body has a number JSON cannot carry: {exc}") from exc
    if not isinstance(data, dict):
        raise ValidationFailedError("the body must be a JSON object")
    _check_values(data)
    return data


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text[:40]} is out of range")
    return value


def _check_values(data: dict[str, Any]) -> None:
    """Depth and text of every value, iteratively (no recursion on hostile input)."""
    pending: list[tuple[object, str, int]] = [(data, "body", 1)]
    while pending:
        value, where, depth = pending.pop()
        if depth > MAX_BODY_DEPTH:
            raise ValidationFailedError(
                f"the body is nested too deep (at most {MAX_BODY_DEPTH} levels)"
            )
        if isinstance(value, str):
            _check_text(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, where)
                pending.append((item, f"{where}.{key[:40]}", depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationFailedError(
            f"{where.removeprefix('body.')}: contains a lone UTF-16 surrogate "
            f"(\\u{ord(text[exc.start]):04x} at character {exc.start}); send text as UTF-8"
        ) from exc


def json_response(status: int, body: object) -> Response[str]:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body))


def html_response(status: int, html: str) -> Response[str]:
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=html,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def new_resolver() -> Router:
    """An HTTP API router with our error mapping registered."""
    app = Router()

    @app.exception_handler(AppError)
    def _app_error(exc: AppError) -> Response[str]:
        log_app_error(exc)
        return problem_for(exc)

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        return problem(404, "Not found", "no such route", "route_not_found")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[str]:
        return _problem_response(unexpected_document(exc))

    return app
