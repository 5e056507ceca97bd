"""Routing of API Gateway HTTP API events (payload 2.0) to the API functions' route handlers.

The subset of Powertools' ``APIGatewayHttpResolver`` these functions use, with the same route
syntax (``/agents/<agent_id>``), matching (static routes before dynamic ones, whole path, same
characters allowed in a path parameter), exception handlers looked up along the exception's MRO,
a not-found handler, and the same result dictionary (``statusCode``, ``body``,
``isBase64Encoded``, ``headers``, ``cookies``). Why not Powertools': importing its
``event_handler`` package loads every resolver it has (AppSync with asyncio, Bedrock agents,
VPC Lattice...) and every event data class, about as much as ``import boto3`` again, in each API
function's cold start (bench/bench_cold_start.py). No CORS, middlewares, compression or data
validation: no function used them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Powertools' path-parameter pattern (event_handler/api_gateway.py), so routes match the same paths
_DYNAMIC_ROUTE = re.compile(r"(<\w+>)")
_SAFE_URI = "-._~()'!*:@,;=+&$"
_UNSAFE_URI = r"%<> \[\]{}|^"
_NAMED_GROUP = rf"(?P\1[{_SAFE_URI}{_UNSAFE_URI}\\w]+)"

type RouteHandler = Callable[..., Any]
type ErrorHandler = Callable[[Any], Response[str]]


class RouteNotFoundError(Exception):
    """No route has this method and path (given to the ``not_found`` handler)."""


class Response[T]:
    """A route's answer: status, content type, body and headers."""

    def __init__(
        self,
        status_code: int,
        content_type: str | None = None,
        body: T | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})
        if content_type:
            self.headers.setdefault("Content-Type", content_type)


@dataclass(frozen=True)
class RequestContext:
    domain_name: str
    stage: str


class HttpEvent:
    """The parts of an HTTP API (payload 2.0) event that routes read."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    @property
    def body(self) -> str | None:
        """As API Gateway sent it (base64 when ``isBase64Encoded``)."""
        body: str | None = self.raw.get("body")
        return body

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.raw.get("headers") or {})

    @property
    def query_string_parameters(self) -> dict[str, str]:
        return dict(self.raw.get("queryStringParameters") or {})

    @property
    def request_context(self) -> RequestContext:
        context = self.raw.get("requestContext") or {}
        return RequestContext(
            str(context.get("domainName", "")), str(context.get("stage", "$default"))
        )

    @property
    def http_method(self) -> str:
        http = (self.raw.get("requestContext") or {}).get("http") or {}
        return str(http.get("method", "")).upper()

    @property
    def path(self) -> str:
        """The path without the stage's prefix (``/prod/agents`` on stage ``prod``: ``/agents``),
        cut as Powertools cuts it: API Gateway's ``rawPath`` of a named stage starts with it."""
        raw_path = str(self.raw.get("rawPath") or "/")
        stage = self.request_context.stage
        if stage != "$default":
            return raw_path[len("/" + stage) :]
        return raw_path


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    func: RouteHandler
    dynamic: bool


@dataclass
class Router:
    """``@router.get("/agents/<agent_id>")`` routes; ``router.resolve(event, context)``."""

    _routes: list[_Route] = field(default_factory=list)
    _error_handlers: dict[type[BaseException], ErrorHandler] = field(default_factory=dict)
    current_event: HttpEvent = field(default_factory=lambda: HttpEvent({}))
    lambda_context: Any = None

    # ---- registration ----------------------------------------------------------------------
    def route(self, rule: str, method: str) -> Callable[[RouteHandler], RouteHandler]:
        def register(func: RouteHandler) -> RouteHandler:
            pattern = re.compile(f"^{_DYNAMIC_ROUTE.sub(_NAMED_GROUP, rule)}$")
            self._routes.append(_Route(method.upper(), pattern, func, "<" in rule))
            return func

        return register

    def get(self, rule: str) -> Callable[[RouteHandler], RouteHandler]:
        return self.route(rule, "GET")

    def post(self, rule: str) -> Callable[[RouteHandler], RouteHandler]:
        return self.route(rule, "POST")

    def put(self, rule: str) -> Callable[[RouteHandler], RouteHandler]:
        return self.route(rule, "PUT")

    def patch(self, rule: str) -> Callable[[RouteHandler], RouteHandler]:
        return self.route(rule, "PATCH")

    def delete(self, rule: str) -> Callable[[RouteHandler], RouteHandler]:
        return self.route(rule, "DELETE")

    def exception_handler(
        self, exc_type: type[BaseException]
    ) -> Callable[[ErrorHandler], ErrorHandler]:
        def register(func: ErrorHandler) -> ErrorHandler:
            self._error_handlers[exc_type] = func
            return func

        return register

    def not_found(self, func: ErrorHandler) -> ErrorHandler:
        self._error_handlers[RouteNotFoundError] = func
        return func

    # ---- resolving -------------------------------------------------------------------------
    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        self.current_event = HttpEvent(event)
        self.lambda_context = context
        try:
            return _result(self._respond())
        finally:
            self.current_event = HttpEvent({})
            self.lambda_context = None

    def _respond(self) -> Response[str]:
        try:
            return _as_response(self._call_route())
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise
            return handler(exc)

    def _call_route(self) -> object:
        method = self.current_event.http_method
        path = self.current_event.path
        for route in sorted(self._routes, key=lambda r: r.dynamic):  # static first, stable
            if route.method != method:
                continue
            match = route.pattern.match(path)
            if match:
                return route.func(**match.groupdict())
        raise RouteNotFoundError(f"{method} {path}")

    def _handler_for(self, exc: Exception) -> ErrorHandler | None:
        for kind in type(exc).__mro__:
            if kind in self._error_handlers:
                return self._error_handlers[kind]
        return None


def _as_response(result: object) -> Response[str]:
    """A route's return value: a Response as is, a dict as a 200 JSON body (as Powertools)."""
    if isinstance(result, Response):
        return result
    body = json.dumps(result, separators=(",", ":"))
    return Response(status_code=200, content_type="application/json", body=body)


def _result(response: Response[str]) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "body": response.body or "",
        "isBase64Encoded": False,
        "headers": dict(response.headers),
        "cookies": [],
    }
