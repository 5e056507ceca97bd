"""OAuth: consent page, token endpoint (code + PKCE, refresh rotation), current-token routes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from zdsandbox.errors import OAuthError
from zdsandbox.models import AuthorizationCode, OAuthToken
from zdsandbox.state import Account
from zdsandbox.util import iso, token
from zdsandbox.views import token_json
from zdsandbox.web import Ctx, RouteTable, json_response, no_content

table = RouteTable()
CLIENT_NUMERIC_ID = 1
SCOPE_WORDS = {"read", "write", "impersonate"}
RESOURCES = {
    "tickets",
    "users",
    "groups",
    "organizations",
    "webhooks",
    "triggers",
    "hc",
    "auditlogs",
    "apps",
    "macros",
    "requests",
    "satisfaction_ratings",
    "any_channel",
    "dynamic_content",
    "targets",
    "views",
    "automations",
    "zis",
    "web_widget",
}
ACCESS_DENIED = "The end-user or authorization server denied the request."
AUTH_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def valid_scopes(scope: str) -> list[str] | None:
    words = scope.split()
    for word in words:
        resource, _, access = word.partition(":")
        if word not in SCOPE_WORDS and not (resource in RESOURCES and access in ("read", "write")):
            return None
    return words or None


def _html_page(title: str, body: str, status: int = 200) -> Response:
    page = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;max-width:40em;"
        "margin:3em auto}} button{{margin-right:1em;padding:.5em 1.5em}}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(page, status=status, content_type="text/html; charset=utf-8")


def _redirect(uri: str, params: dict[str, str | None]) -> Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    separator = "&" if "?" in uri else "?"
    return Response(status=302, headers={"Location": f"{uri}{separator}{query}"})


def _request_error(ctx: Ctx, params: dict[str, str]) -> Response | None:
    """Errors that must not redirect (unknown client or redirect URL) answer an HTML page."""
    config = ctx.sandbox.config
    if params.get("client_id") != config.client_id:
        return _html_page("Invalid OAuth request", "<p>Unknown client_id.</p>", 400)
    if not config.redirect_uri_allowed(params.get("redirect_uri", "")):
        return _html_page(
            "Invalid OAuth request",
            "<p>redirect_uri is not a registered Redirect URL of this client.</p>",
            400,
        )
    return None


def _redirect_error(params: dict[str, str]) -> Response | None:
    uri, state = params["redirect_uri"], params.get("state")
    if params.get("response_type") != "code":
        return _redirect(
            uri,
            {
                "error": "unsupported_response_type",
                "error_description": "response_type must be code",
                "state": state,
            },
        )
    if valid_scopes(params.get("scope", "")) is None:
        return _redirect(
            uri,
            {
                "error": "invalid_scope",
                "error_description": OAuthError.DESCRIPTIONS["invalid_scope"],
                "state": state,
            },
        )
    if params.get("code_challenge") and params.get("code_challenge_method", "S256") != "S256":
        return _redirect(
            uri,
            {
                "error": "invalid_request",
                "error_description": "code_challenge_method must be S256",
                "state": state,
            },
        )
    return None


def _approve(ctx: Ctx, params: dict[str, str], user_id: int) -> Response:
    account = ctx.account
    code = AuthorizationCode(
        code=token(24),
        user_id=user_id,
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        scopes=valid_scopes(params["scope"]) or [],
        code_challenge=params.get("code_challenge") or None,
        expires_at=ctx.sandbox.now() + ctx.sandbox.config.authorization_code_ttl_seconds,
    )
    account.codes[code.code] = code
    return _redirect(params["redirect_uri"], {"code": code.code, "state": params.get("state")})


def _deny(params: dict[str, str]) -> Response:
    return _redirect(
        params["redirect_uri"],
        {
            "error": "access_denied",
            "error_description": ACCESS_DENIED,
            "state": params.get("state"),
        },
    )


@table.add("/<sub>/oauth/authorizations/new", "GET POST", kind="oauth")
def authorize(ctx: Ctx) -> Response:
    source = ctx.request.form if ctx.request.method == "POST" else ctx.request.args
    params = {name: source[name] for name in AUTH_PARAMS if source.get(name) is not None}
    problem = _request_error(ctx, params) or _redirect_error(params)
    if problem is not None:
        return problem
    account = ctx.account
    login = source.get("sandbox_login")
    if ctx.request.method == "GET" and not login:
        return _consent_page(ctx, params)
    if ctx.request.method == "POST" and source.get("decision") != "allow":
        return _deny(params)
    user = account.user_by_email(login) if login else _user_by_id(account, source.get("user_id"))
    if user is None or not user.is_agent:
        return _html_page("Sign-in failed", "<p>No agent or admin with that identity.</p>", 400)
    return _approve(ctx, params, user.id)


def _user_by_id(account: Account, raw: str | None) -> Any:
    return account.users.get(int(raw)) if raw and raw.isdigit() else None


def _consent_page(ctx: Ctx, params: dict[str, str]) -> Response:
    agents = [u for u in ctx.account.users.values() if u.is_agent]
    hidden = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in params.items()
    )
    choices = "".join(
        f"<p><label><input type='radio' name='user_id' value='{u.id}' required>"
        f" {html.escape(u.name)} &lt;{html.escape(u.email)}&gt; ({html.escape(u.role)})"
        "</label></p>"
        for u in agents
    )
    body = (
        f"<p>Sandbox account <b>{html.escape(ctx.account.subdomain)}</b>. An application "
        f"(<code>{html.escape(params['client_id'])}</code>) asks for access with scope "
        f"<code>{html.escape(params.get('scope', ''))}</code>.</p>"
        f"<form method='post'>{hidden}<fieldset><legend>Sign in as</legend>{choices}"
        "</fieldset><p><button type='submit' name='decision' value='allow'>Allow</button>"
        "<button type='submit' name='decision' value='deny' formnovalidate>Deny</button></p></form>"
    )
    return _html_page("Authorize access to Zendesk Support", body)


# ---------------------------------------------------------------- token endpoint


def _token_request(ctx: Ctx) -> dict[str, Any]:
    if ctx.request.mimetype == "application/x-www-form-urlencoded":
        return dict(ctx.request.form.items())
    try:
        return ctx.body()
    except Exception as exc:
        raise OAuthError("invalid_request") from exc


def _check_client(ctx: Ctx, data: dict[str, Any], secret_required: bool) -> None:
    config = ctx.sandbox.config
    if data.get("client_id") != config.client_id:
        raise OAuthError("invalid_client", 401)
    secret = data.get("client_secret")
    if secret is None and not secret_required:
        return
    if not isinstance(secret, str) or not hmac.compare_digest(secret, config.client_secret):
        raise OAuthError("invalid_client", 401)


def _ttls(ctx: Ctx, data: dict[str, Any]) -> tuple[int, int]:
    config = ctx.sandbox.config
    access = data.get("expires_in") or config.access_token_ttl_seconds
    refresh = data.get("refresh_token_expires_in") or config.refresh_token_ttl_seconds
    if not isinstance(access, int) or not isinstance(refresh, int):
        raise OAuthError("invalid_request", detail="expires_in must be an integer.")
    if "expires_in" in data and not 300 < access < 172_800:
        raise OAuthError("invalid_request", detail="expires_in must be >300 and <172800.")
    # Grant-type tokens reference: "Must be more than 604800 (7 days) or more than the value
    # of expires_in, and less than 7776000 (90 days)" -- exactly 604800 is refused.
    if "refresh_token_expires_in" in data and not (
        refresh > max(604_800, access) and refresh < 7_776_000
    ):
        raise OAuthError(
            "invalid_request",
            detail="refresh_token_expires_in must be >604800, >expires_in and <7776000.",
        )
    return access, refresh


def issue_token(ctx: Ctx, user_id: int, scopes: list[str], ttls: tuple[int, int]) -> OAuthToken:
    account, now = ctx.account, ctx.sandbox.now()
    issued = OAuthToken(
        id=next(account.token_ids),
        access_token=token(),
        refresh_token=token(),
        user_id=user_id,
        client_id=ctx.sandbox.config.client_id,
        scopes=scopes,
        created_at=now,
        expires_at=now + ttls[0],
        refresh_expires_at=now + ttls[1],
    )
    account.tokens[issued.id] = issued
    account.tokens_by_access[issued.access_token] = issued
    if issued.refresh_token:
        account.tokens_by_refresh[issued.refresh_token] = issued
    return issued


def _token_response(issued: OAuthToken, ttls: tuple[int, int]) -> Response:
    return json_response(
        {
            "access_token": issued.access_token,
            "token_type": "bearer",
            "scope": " ".join(issued.scopes),
            "expires_in": ttls[0],
            "refresh_token": issued.refresh_token,
            "refresh_token_expires_in": ttls[1],
        },
        201,
        {"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _pkce_ok(challenge: str, verifier: Any) -> bool:
    if not isinstance(verifier, str) or not 43 <= len(verifier) <= 128:
        return False
    digest = hashlib.sha256(verifier.encode()).digest()
    computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return hmac.compare_digest(computed, challenge)


def _grant_code(ctx: Ctx, data: dict[str, Any]) -> Response:
    account = ctx.account
    code = account.codes.get(str(data.get("code", "")))
    _check_client(ctx, data, secret_required=code is None or code.code_challenge is None)
    if (
        code is None
        or code.used
        or code.expires_at <= ctx.sandbox.now()
        or code.client_id != data.get("client_id")
        or code.redirect_uri != data.get("redirect_uri")
    ):
        raise OAuthError("invalid_grant")
    if code.code_challenge and not _pkce_ok(code.code_challenge, data.get("code_verifier")):
        raise OAuthError("invalid_grant", detail="PKCE verification failed.")
    ttls = _ttls(ctx, data)
    code.used = True
    return _token_response(issue_token(ctx, code.user_id, code.scopes, ttls), ttls)


def _grant_refresh(ctx: Ctx, data: dict[str, Any]) -> Response:
    # The refresh example of CreateTokenForGrantType carries client_secret; a confidential
    # client (the global client is one) must authenticate on every refresh.
    _check_client(ctx, data, secret_required=True)
    now = ctx.sandbox.now()
    old = ctx.account.tokens_by_refresh.get(str(data.get("refresh_token", "")))
    if (
        old is None
        or old.revoked
        or old.refresh_expires_at is None
        or old.refresh_expires_at <= now
    ):
        raise OAuthError("invalid_grant")
    requested = data.get("scope") or data.get("scopes")
    scopes = valid_scopes(str(requested)) if requested else list(old.scopes)
    if scopes is None or not set(scopes) <= set(old.scopes):
        raise OAuthError("invalid_scope")
    ttls = _ttls(ctx, data)
    old.revoked, old.revoked_reason = True, "rotated"
    return _token_response(issue_token(ctx, old.user_id, scopes, ttls), ttls)


@table.add("/<sub>/oauth/tokens", "POST", kind="oauth")
def create_token(ctx: Ctx) -> Response:
    data = _token_request(ctx)
    grant = data.get("grant_type")
    if grant == "authorization_code":
        return _grant_code(ctx, data)
    if grant == "refresh_token":
        return _grant_refresh(ctx, data)
    if not grant:
        raise OAuthError("invalid_request", detail="grant_type is missing.")
    raise OAuthError("unsupported_grant_type")


@table.add("/<sub>/api/v2/oauth/tokens/current", "GET", role=None)
def show_current_token(ctx: Ctx) -> Response:
    assert ctx.token is not None
    return json_response({"token": token_json(ctx.token, ctx.base, CLIENT_NUMERIC_ID)})


@table.add("/<sub>/api/v2/oauth/tokens/current", "DELETE", role=None)
def revoke_current_token(ctx: Ctx) -> Response:
    assert ctx.token is not None
    ctx.token.revoked, ctx.token.revoked_reason = True, "revoked"
    return no_content()


@table.add("/<sub>/_sandbox/oauth_tokens", "GET", kind="control")
def list_tokens(ctx: Ctx) -> Response:
    now = ctx.sandbox.now()
    users = ctx.account.users
    items = [
        {
            "id": t.id,
            "user_id": t.user_id,
            "user_email": users[t.user_id].email if t.user_id in users else None,
            "client_id": t.client_id,
            "scopes": list(t.scopes),
            "created_at": iso(t.created_at),
            "expires_at": iso(t.expires_at) if t.expires_at else None,
            "refresh_token_expires_at": iso(t.refresh_expires_at) if t.refresh_expires_at else None,
            "expired": bool(t.expires_at and t.expires_at <= now),
            "revoked": t.revoked,
            "revoked_reason": t.revoked_reason,
            "used_at": iso(t.used_at) if t.used_at else None,
        }
        for t in ctx.account.tokens.values()
    ]
    return json_response({"oauth_tokens": items})
