"""Map Zendesk's error responses to our error classes, keeping Zendesk's own words.

Zendesk answers errors in several shapes (see docs/reference/zendesk-api-notes.md section 8):

* Support API: ``{"error": "RecordInvalid", "description": "...", "details": {field: [...]}}``
* some 404s:   ``{"error": {"title": "...", "message": "..."}}``
* Webhooks and newer APIs: ``{"errors": [{"code", "title", "detail"}]}``
* the token endpoint (RFC 6749): ``{"error": "invalid_grant", "error_description": "..."}``
* plain text (rate limits, proxies): the body itself.

``error_from_response`` turns any of them into one ``ZendeskError`` subclass whose ``detail``
names the request (method and path template, never the query or a token) and Zendesk's message.
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from zdagent.core.errors import (
    ZendeskAuthError,
    ZendeskClientError,
    ZendeskConflict,
    ZendeskError,
    ZendeskForbidden,
    ZendeskInvalidRecord,
    ZendeskNotFound,
    ZendeskRateLimited,
    ZendeskServerError,
)

_MAX_MESSAGE_CHARS = 1000

_BY_STATUS: dict[int, type[ZendeskError]] = {
    401: ZendeskAuthError,
    403: ZendeskForbidden,
    404: ZendeskNotFound,
    409: ZendeskConflict,
    422: ZendeskInvalidRecord,
    429: ZendeskRateLimited,
}


@dataclass(frozen=True, slots=True)
class ZendeskMessage:
    """What Zendesk said: a machine code (``RecordInvalid``, ``invalid_grant``) and a message."""

    code: str | None
    message: str


def _details_text(details: Any) -> str:
    """Flatten ``details`` of a RecordInvalid: ``{"base": [{"description": ...}], ...}``."""
    if not isinstance(details, dict):
        return ""
    parts: list[str] = []
    for field, problems in details.items():
        items = problems if isinstance(problems, list) else [problems]
        for problem in items:
            if isinstance(problem, dict):
                text = problem.get("description") or problem.get("error") or ""
            else:
                text = str(problem)
            if text:
                parts.append(f"{field}: {text}")
    return "; ".join(parts)


def _from_json(body: Any) -> ZendeskMessage | None:
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        code = first.get("code") or first.get("title")
        texts = []
        for item in errors:
            if isinstance(item, dict):
                title, detail = item.get("title"), item.get("detail")
                texts.append(": ".join(str(t) for t in (title, detail) if t))
            else:
                texts.append(str(item))
        return ZendeskMessage(str(code) if code else None, "; ".join(t for t in texts if t))
    error = body.get("error")
    if isinstance(error, dict):
        title, message = error.get("title"), error.get("message")
        return ZendeskMessage(
            str(title) if title else None,
            ": ".join(str(t) for t in (title, message) if t),
        )
    if isinstance(error, str):
        described = body.get("error_description") or body.get("description")
        details = _details_text(body.get("details"))
        message = "; ".join(str(t) for t in (described, details) if t) or error
        return ZendeskMessage(error, message)
    if isinstance(body.get("description"), str):
        return ZendeskMessage(None, body["description"])
    return None


def zendesk_message(response: httpx.Response) -> ZendeskMessage:
    """Zendesk's own code and message from an error response, whatever its shape."""
    text = response.text.strip()
    message: ZendeskMessage | None = None
    if text:
        try:
            message = _from_json(json.loads(text))
        except ValueError:
            message = None
    if message is None:
        message = ZendeskMessage(None, text or response.reason_phrase or "no message")
    if len(message.message) > _MAX_MESSAGE_CHARS:
        message = ZendeskMessage(message.code, message.message[:_MAX_MESSAGE_CHARS] + "...")
    return message


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds (Zendesk's form) or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds)


def error_class_for(status: int) -> type[ZendeskError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ZendeskServerError
    if 400 <= status < 500:
        return ZendeskClientError
    return ZendeskError


def error_from_response(response: httpx.Response, *, operation: str | None = None) -> ZendeskError:
    """The typed error for a non-2xx response. ``operation`` is e.g. ``"PUT /api/v2/x/{id}"``."""
    said = zendesk_message(response)
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if operation is None:
        try:
            operation = f"{response.request.method} {response.request.url.path}"
        except RuntimeError:  # a response built without a request
            operation = "Zendesk request"
    where = operation
    code = f" {said.code}" if said.code else ""
    detail = f"{where}: Zendesk answered {status}{code}: {said.message}"
    cls = error_class_for(status)
    return cls(
        detail,
        zendesk_status=status,
        zendesk_error=said.code,
        retry_after=retry_after,
        extra={"zendesk_message": said.message},
    )
