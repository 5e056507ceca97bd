"""Zendesk's error shapes, raised by handlers and rendered by the app."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """Root error: an HTTP answer with Zendesk's JSON body."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.text: str | None = None  # set: answered as text/plain instead of JSON


class Unauthorized(SandboxError):
    def __init__(self) -> None:
        super().__init__(401, {"error": "Couldn't authenticate you"})


class Forbidden(SandboxError):
    def __init__(self, description: str | None = None) -> None:
        super().__init__(
            403,
            {
                "error": "Forbidden",
                "description": description
                or "You do not have access to this page. Please contact the account owner "
                "of this help desk for further help.",
            },
        )


class NotFound(SandboxError):
    def __init__(self) -> None:
        super().__init__(404, {"error": "RecordNotFound", "description": "Not found"})


class RecordInvalid(SandboxError):
    def __init__(self, description: str, field: str = "base") -> None:
        super().__init__(
            422,
            {
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": {field: [{"description": description, "error": "InvalidValue"}]},
            },
        )


class BadRequest(SandboxError):
    def __init__(self, description: str, error: str = "InvalidParameter") -> None:
        super().__init__(400, {"error": error, "description": description})


class UpdateConflict(SandboxError):
    def __init__(self) -> None:
        super().__init__(
            409,
            {
                "error": "UpdateConflict",
                "description": "Safe Update prevented the update due to outdated ticket data. "
                "Please fetch the latest ticket data and try again.",
            },
        )


class RateLimited(SandboxError):
    """429 with ``Retry-After``. ``plain_text``: the body is the bare sentence, as some of
    Zendesk's limits answer (e.g. "You have exceeded the rate limit for updating a single
    unique user", reference notes section 7)."""

    def __init__(
        self,
        retry_after: int,
        headers: dict[str, str],
        description: str,
        *,
        plain_text: bool = False,
    ) -> None:
        all_headers = {"Retry-After": str(retry_after), **headers}
        super().__init__(429, {"error": "TooManyRequests", "description": description}, all_headers)
        self.text = description if plain_text else None


class ApiErrors(SandboxError):
    """The newer APIs' ``{"errors": [{"code", "title"}]}`` shape (OAS ``Errors``), e.g. the
    Trigger Categories API."""

    def __init__(self, status: int, code: str, title: str) -> None:
        super().__init__(status, {"errors": [{"code": code, "title": title}]})


class WebhookError(SandboxError):
    """The Webhooks API's JSON:API-style errors."""

    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(status, {"errors": [{"code": code, "title": title, "detail": detail}]})


class OAuthError(SandboxError):
    """RFC 6749 token-endpoint errors."""

    DESCRIPTIONS = {
        "invalid_grant": "The provided access grant is invalid, expired, or revoked (e.g. invalid "
        "assertion, expired authorization token, bad end-user password credentials, or "
        "mismatching authorization code and redirection URI).",
        "invalid_client": "The client identifier provided is invalid, the client failed to "
        "authenticate, the client did not include its credentials, provided multiple client "
        "credentials, or used unsupported credentials type.",
        "invalid_request": "The request is missing a required parameter, includes an unsupported "
        "parameter or parameter value, or is otherwise malformed.",
        "unsupported_grant_type": "The authorization grant type is not supported by the "
        "authorization server.",
        "invalid_scope": "The requested scope is invalid, unknown, or malformed.",
    }

    def __init__(self, error: str, status: int = 400, detail: str | None = None) -> None:
        description = self.DESCRIPTIONS.get(error, error)
        if detail:
            description = f"{description} {detail}"
        super().__init__(status, {"error": error, "error_description": description})
