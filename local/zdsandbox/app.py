"""The WSGI application: routing, the Zendesk request pipeline and error rendering."""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from zdsandbox import (
    api_help_center,
    api_oauth,
    api_rules,
    api_ticket_events,
    api_tickets,
    api_trigger_categories,
    api_users,
    control,
    limits,
    ui,
)
from zdsandbox.config import SandboxConfig
from zdsandbox.engine import Sandbox
from zdsandbox.errors import Forbidden, NotFound, RateLimited, SandboxError, Unauthorized
from zdsandbox.models import OAuthToken
from zdsandbox.state import Account
from zdsandbox.web import Ctx, Route, json_response

log = logging.getLogger("zdsandbox")
READ_METHODS = ("GET", "HEAD", "OPTIONS")
SCOPE_RESOURCES = {
    "incremental": "tickets",
    "group_memberships": "users",
    "groups": "users",
    "trigger_categories": "triggers",
    "help_center": "hc",
}
# Resources whose reads need their own scope (a plain "read" is not enough): the Help Center
# (hc:read), as the product asks for it explicitly. Stricter than Zendesk if "read" covers it.
OWN_SCOPE_RESOURCES = frozenset({"hc"})
# Ticket audits need the global scope: "You can't access the endpoints using the
# "auditlogs:read" or "tickets:read" scopes" (Zendesk's Ticket Audits page, Required OAuth scope).
GLOBAL_SCOPE_PATHS = re.compile(r"^/api/v2/(ticket_audits|tickets/\d+/audits)(/|$)")
SCOPE_FREE = ("/api/v2/users/me", "/api/v2/oauth/tokens/current")
TABLES = (
    api_oauth.table,
    api_users.table,
    api_tickets.table,
    api_ticket_events.table,
    api_rules.table,
    api_trigger_categories.table,
    api_help_center.table,
    control.table,
    ui.table,
)

StartResponse = Any


class SandboxApp:
    """A WSGI callable; ``.sandbox`` is its state, ``.close()`` stops webhook delivery."""

    def __init__(self, config: SandboxConfig) -> None:
        self.sandbox = Sandbox(config)
        self._routes: dict[str, Route] = {}
        rules = []
        for table in TABLES:
            for route in table.routes:
                endpoint = f"{route.handler.__module__}.{route.handler.__name__}"
                self._routes[endpoint] = route
                rules.append(Rule(route.rule, endpoint=endpoint, methods=list(route.methods)))
        self._map = Map(rules, strict_slashes=False, merge_slashes=False)

    def close(self) -> None:
        self.sandbox.close()

    def zendesk_routes(self) -> list[tuple[str, str]]:
        """(method, rule) of every Zendesk API path served, e.g. ("GET", "/<sub>/api/v2/groups")."""
        return sorted(
            (method, route.rule)
            for route in self._routes.values()
            if route.kind in ("api", "oauth", "anonymous")
            for method in route.methods
        )

    def rule_for(self, method: str, path: str) -> str | None:
        """The route rule that serves ``method path`` (``.json`` optional), or None."""
        try:
            endpoint, _ = self._map.bind("sandbox").match(path.removesuffix(".json"), method=method)
        except HTTPException:
            return None
        return self._routes[str(endpoint)].rule

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        ctx = Ctx(self.sandbox, request)
        try:
            route, params = self._match(request)
            response = self._run(ctx, route, params)
        except SandboxError as error:
            response = error_response(error)
        except Exception:
            log.exception("sandbox handler failed", extra={"path": request.path})
            response = json_response(
                {"error": "InternalError", "description": "The sandbox failed; see its log"}, 500
            )
        for name, value in ctx.headers.items():
            response.headers.setdefault(name, value)
        return response

    def _match(self, request: Request) -> tuple[Route, dict[str, Any]]:
        path = request.path
        if path.endswith(".json"):
            path = path[: -len(".json")]
        adapter = self._map.bind("sandbox")
        try:
            endpoint, params = adapter.match(path, method=request.method)
        except MethodNotAllowed as exc:
            raise SandboxError(
                405, {"error": "MethodNotAllowed", "description": "Method not allowed"}
            ) from exc
        except HTTPException as exc:
            raise NotFound() from exc
        return self._routes[str(endpoint)], dict(params)

    def _run(self, ctx: Ctx, route: Route, params: dict[str, Any]) -> Response:
        subdomain = params.pop("sub", None)
        if subdomain is not None:
            ctx.account_or_none = self.sandbox.registry.get(str(subdomain))
            if ctx.account_or_none is None:
                if route.kind in ("control", "global"):
                    raise NotFound()
                return no_such_account(str(subdomain))
        if route.kind in ("control", "global"):
            return self._locked(ctx, route, params)
        fault_response = self._fault(ctx)
        if fault_response is not None:
            return fault_response
        if route.kind == "api":
            self._authenticate(ctx, route)
        return self._locked(ctx, route, params)

    def _locked(self, ctx: Ctx, route: Route, params: dict[str, Any]) -> Response:
        if ctx.account_or_none is None:
            return route.handler(ctx, **params)
        with ctx.account.lock:
            return route.handler(ctx, **params)

    def _fault(self, ctx: Ctx) -> Response | None:
        account = ctx.account
        with account.lock:
            fault = next(
                (
                    f
                    for f in account.faults
                    if f.path_regex.search(ctx.request.path)
                    and (f.method is None or f.method == ctx.request.method)
                ),
                None,
            )
            if fault is None:
                return None
            fault.times -= 1
            if fault.times <= 0:
                account.faults.remove(fault)
        if fault.delay_ms:
            time.sleep(fault.delay_ms / 1000)
        if fault.status < 400:
            return None
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if fault.status == 429:
            headers.setdefault("Retry-After", "1")
        description = f"Injected fault ({fault.status})"
        error = SandboxError(fault.status, {"error": "SandboxFault", "description": description})
        error.headers, error.text = headers, description if fault.plain_text else None
        return error_response(error)

    def _authenticate(self, ctx: Ctx, route: Route) -> None:
        account, now = ctx.account, self.sandbox.now()
        header = ctx.request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        with account.lock:
            token = (
                account.tokens_by_access.get(value.strip()) if scheme.lower() == "bearer" else None
            )
            if token is None or token.revoked or (token.expires_at and token.expires_at <= now):
                raise Unauthorized()
            user = account.users.get(token.user_id)
            if user is None:
                raise Unauthorized()
            token.used_at = now
            ctx.user_or_none, ctx.token = user, token
            try:
                ctx.headers.update(limits.account_requests(account, now))
            except RateLimited as limited:
                ctx.headers.update(limited.headers)
                raise
        self._authorize(ctx, route, token)

    def _authorize(self, ctx: Ctx, route: Route, token: OAuthToken) -> None:
        path = ctx.request.path.removeprefix(f"/{ctx.account.subdomain}").removesuffix(".json")
        if path not in SCOPE_FREE and not _scope_allows(token.scopes, ctx.request.method, path):
            raise Forbidden()
        user = ctx.user
        if route.role == "admin" and user.role != "admin":
            raise Forbidden()
        if route.role == "agent" and not user.is_agent:
            raise Forbidden()


def error_response(error: SandboxError) -> Response:
    if error.text is None:
        return json_response(error.body, error.status, error.headers)
    response = Response(error.text, status=error.status, content_type="text/plain; charset=utf-8")
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def no_such_account(subdomain: str) -> Response:
    """What a subdomain with no Zendesk account answers: 404 and an HTML page, not the API's
    JSON. Zendesk shows unclaimed subdomains a "Help Center Closed" page (the fingerprint
    third parties use to spot them); its exact API answer is not documented [3p]."""
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Help Center Closed</title>"
        "</head><body><h1>Oops! This help center no longer exists</h1>"
        f"<p>There is no Zendesk account at <b>{html.escape(subdomain)}</b>.zendesk.com.</p>"
        "</body></html>"
    )
    return Response(page, status=404, content_type="text/html; charset=utf-8")


def _scope_allows(scopes: list[str], method: str, path: str) -> bool:
    need = "read" if method in READ_METHODS else "write"
    if GLOBAL_SCOPE_PATHS.match(path):
        return need in scopes
    segment = path.removeprefix("/api/v2/").split("/")[0]
    resource = SCOPE_RESOURCES.get(segment, segment)
    if need in scopes and resource not in OWN_SCOPE_RESOURCES:
        return True
    return f"{resource}:{need}" in scopes


def create_app(config: SandboxConfig) -> SandboxApp:
    """The sandbox as a WSGI application (seeded with ``config.seed_subdomains``)."""
    return SandboxApp(config)


def account_of(app: SandboxApp, subdomain: str) -> Account | None:
    return app.sandbox.registry.get(subdomain)
