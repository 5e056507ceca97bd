"""Request context, route declarations and JSON helpers shared by the handler modules."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from zdsandbox.engine import Sandbox
from zdsandbox.errors import BadRequest, NotFound
from zdsandbox.models import OAuthToken, User
from zdsandbox.state import Account

JSON = "application/json; charset=utf-8"


@dataclass
class Ctx:
    """One request as a handler sees it."""

    sandbox: Sandbox
    request: Request
    account_or_none: Account | None = None
    user_or_none: User | None = None
    token: OAuthToken | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def account(self) -> Account:
        if self.account_or_none is None:
            raise NotFound()
        return self.account_or_none

    @property
    def user(self) -> User:
        if self.user_or_none is None:
            raise NotFound()
        return self.user_or_none

    @property
    def base(self) -> str:
        """The account's Zendesk base URL inside the sandbox, e.g. http://127.0.0.1:3001/acme."""
        return f"{self.request.host_url.rstrip('/')}/{self.account.subdomain}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    @property
    def args(self) -> dict[str, str]:
        return dict(self.request.args.items())

    def body(self) -> dict[str, Any]:
        raw = self.request.get_data(cache=True)
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BadRequest("Request body is not valid JSON", error="InvalidJSON") from exc
        if not isinstance(data, dict):
            raise BadRequest("Request body must be a JSON object", error="InvalidJSON")
        return data


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    """kind: "api" (bearer auth, faults, rate limits), "oauth" and "anonymous" (faults,
    no token), "control", "global"."""

    rule: str
    methods: tuple[str, ...]
    handler: Handler
    kind: str
    role: str | None = None  # None: any signed-in user; "agent"; "admin"


class RouteTable:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self, rule: str, methods: str, kind: str = "api", role: str | None = "agent"
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(rule, tuple(methods.split()), handler, kind, role))
            return handler

        return register


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = "" if data is None else json.dumps(data)
    response = Response(body, status=status, content_type=JSON if data is not None else None)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def no_content() -> Response:
    return Response(status=204)


def int_or_400(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{name} must be an integer") from exc
