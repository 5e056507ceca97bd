"""The HTTP API, emulated: every ``HttpApi`` route of the template, served by a threaded Werkzeug
server that hands each request to the function as an API Gateway HTTP API payload v2.0 event.

The JWT authorizer is emulated with one static bearer token (``ADMIN_TOKEN``): routes whose event
has no ``Auth: {Authorizer: NONE}`` answer 401 ``{"message":"Unauthorized"}`` without it, as API
Gateway does; an unknown route is 404 ``{"message":"Not Found"}``.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from zdlocal.serving import BackgroundServer
from zdlocal.template import ACCOUNT_ID, HttpRoute

log = logging.getLogger("zdlocal.api")

MAX_REQUEST_BYTES = 10 * 1024 * 1024
Invoke = Callable[[str, dict[str, Any]], Any]

_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(json|xml|javascript|x-www-form-urlencoded|graphql|problem\+json"
    r"|[\w.+-]+\+(json|xml))|multipart/form-data)(\s*;.*)?$",
    re.IGNORECASE,
)
_SEGMENT_PARAM = re.compile(r"^\{([A-Za-z0-9_.-]+)(\+?)\}$")


def _json_response(status: int, body: dict[str, Any], **headers: str) -> Response:
    response = Response(json.dumps(body), status=status, content_type="application/json")
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def is_text_content_type(content_type: str | None) -> bool:
    """Whether API Gateway passes a body of this type as text (else base64)."""
    if not content_type:
        return True
    return bool(_TEXT_TYPES.match(content_type.strip()))


# ----------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class _CompiledRoute:
    route: HttpRoute
    segments: tuple[tuple[str, str], ...]  # (kind, value): kind literal|param|greedy

    @property
    def specificity(self) -> tuple[Any, ...]:
        # Fewer/later variables sort first; a greedy path variable last; ANY after a method.
        order = {"literal": 0, "param": 1, "greedy": 2}
        return (
            any(kind == "greedy" for kind, _ in self.segments),
            tuple(order[kind] for kind, _ in self.segments),
            -len(self.segments),
            self.route.method == "ANY",
        )

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for index, (kind, value) in enumerate(self.segments):
            if kind == "greedy":
                rest = parts[index:]
                if not rest or rest == [""]:
                    return None
                params[value] = "/".join(rest)
                return params
            if index >= len(parts):
                return None
            if kind == "literal":
                if parts[index] != value:
                    return None
            else:
                if parts[index] == "":
                    return None
                params[value] = unquote(parts[index])
        return params if len(parts) == len(self.segments) else None


def _compile(route: HttpRoute) -> _CompiledRoute:
    segments: list[tuple[str, str]] = []
    for part in route.path.strip("/").split("/") if route.path != "/" else []:
        found = _SEGMENT_PARAM.match(part)
        if found:
            segments.append(("greedy" if found.group(2) else "param", found.group(1)))
        else:
            segments.append(("literal", part))
    return _CompiledRoute(route=route, segments=tuple(segments))


class Router:
    """API Gateway's route selection: most specific route first, greedy ``{proxy+}`` last."""

    def __init__(self, routes: Iterable[HttpRoute]) -> None:
        self._routes = sorted((_compile(r) for r in routes), key=lambda r: r.specificity)

    def match(self, method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
        parts = path.strip("/").split("/") if path.strip("/") else []
        for compiled in self._routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            params = compiled.match(parts)
            if params is not None:
                return compiled.route, params
        return None


# ----------------------------------------------------------------------------- events


def _request_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def build_event(
    request: Request,
    route: HttpRoute,
    path_parameters: dict[str, str],
    *,
    domain: str,
    claims: dict[str, str] | None,
) -> dict[str, Any]:
    """API Gateway HTTP API payload format 2.0 for one request."""
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    raw_path = str(raw_uri).split("?", 1)[0] if raw_uri else request.path
    raw_query = request.environ.get("QUERY_STRING", "")
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers.items():
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    now = time.time()
    request_id = base64.b64encode(secrets.token_bytes(10)).decode()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0].split(":", 1)[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.headers.get("User-Agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": _request_time(now),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    body = request.get_data(cache=False)
    if body:
        if is_text_content_type(request.content_type):
            try:
                event["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(body).decode()
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


def to_response(result: Any) -> Response:
    """Map a handler's return value to HTTP as API Gateway does for payload format 2.0."""
    if not (isinstance(result, dict) and "statusCode" in result):
        body = result if isinstance(result, str) else json.dumps(result)
        return Response(body, status=200, content_type="application/json")
    raw_body = result.get("body")
    if raw_body is None:
        data = b""
    elif result.get("isBase64Encoded"):
        data = base64.b64decode(str(raw_body))
    else:
        data = str(raw_body).encode("utf-8")
    response = Response(data, status=int(result["statusCode"]))
    response.headers.remove("Content-Type")
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        response.headers[name] = ",".join(str(v) for v in values)
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", str(cookie))
    if "Content-Type" not in response.headers and data:
        response.headers["Content-Type"] = "application/json"
    return response


# ----------------------------------------------------------------------------- server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged by the application, with keys."""


class ApiServer:
    """A threaded Werkzeug server for the template's HTTP API routes."""

    def __init__(
        self,
        routes: Iterable[HttpRoute],
        invoke: Invoke,
        *,
        admin_token: str,
        host: str = "127.0.0.1",
        port: int = 3000,
        claims: dict[str, str] | None = None,
    ) -> None:
        self.router = Router(routes)
        self.invoke = invoke
        self.admin_token = admin_token
        self.host = host
        self.port = port
        self.claims = claims or {"sub": "local-admin", "scope": "admin"}
        self._background = BackgroundServer()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.admin_token.encode()
        )

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        started = time.monotonic()
        response, function_id = self._handle(request)
        log.info(
            "api request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "function": function_id,
                "ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return response(environ, start_response)

    def _handle(self, request: Request) -> tuple[Response, str | None]:  # noqa: PLR0911
        matched = self.router.match(request.method, request.path)
        if matched is None:
            return _json_response(404, {"message": "Not Found"}), None
        route, params = matched
        if (request.content_length or 0) > MAX_REQUEST_BYTES:
            return _json_response(413, {"message": "Request Entity Too Large"}), None
        claims = None
        if route.auth == "admin":
            if not self._authorized(request):
                return (
                    _json_response(401, {"message": "Unauthorized"}, www_authenticate="Bearer"),
                    None,
                )
            claims = dict(self.claims)
        event = build_event(
            request, route, params, domain=f"{self.host}:{self.port}", claims=claims
        )
        if len(event.get("body", "")) > MAX_REQUEST_BYTES * 4 // 3 + 4:
            return _json_response(413, {"message": "Request Entity Too Large"}), None
        try:
            result = self.invoke(route.function_id, event)
        except Exception as exc:  # API Gateway's answer to a failed integration
            log.exception(
                "function error", extra={"function": route.function_id, "error": repr(exc)}
            )
            return _json_response(500, {"message": "Internal Server Error"}), route.function_id
        try:
            return to_response(result), route.function_id
        except (TypeError, ValueError, KeyError) as exc:
            log.error(
                "malformed function response",
                extra={"function": route.function_id, "error": repr(exc)},
            )
            return _json_response(500, {"message": "Internal Server Error"}), route.function_id

    def start(self) -> None:
        """Bind (``OSError`` if the port is taken) and serve in a thread."""
        server = make_server(
            self.host, self.port, self.wsgi_app, threaded=True, request_handler=_QuietHandler
        )
        self.port = self._background.serve(server, "api-server")

    def stop(self) -> None:
        self._background.stop()
