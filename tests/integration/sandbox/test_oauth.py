"""OAuth against the sandbox: consent, code + PKCE, refresh rotation, revoke, expiry, scopes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from tests.integration.sandbox.sandbox_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    Account,
    ApiClient,
    FakeClock,
    new_account,
    pkce_pair,
)
from zdsandbox.server import SandboxServer


def test_code_pkce_exchange_gives_a_working_bearer_token(account: Account) -> None:
    token = account.token("ai-agent")
    assert token["token_type"] == "bearer"
    assert token["scope"] == "read write"
    assert token["expires_in"] == 1800
    assert token["refresh_token_expires_in"] == 30 * 86400
    me = ApiClient(account, token["access_token"]).get("/api/v2/users/me.json")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == f"ai-agent@{account.subdomain}.test"
    assert me.json()["user"]["role"] == "admin"


def test_code_is_single_use(account: Account) -> None:
    code, verifier = account.code_for(f"admin@{account.subdomain}.test")
    assert account.exchange(code, verifier).status_code == 201
    again = account.exchange(code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert "error_description" in again.json()


def test_wrong_verifier_and_wrong_redirect_are_invalid_grant(account: Account) -> None:
    code, _ = account.code_for(f"admin@{account.subdomain}.test")
    wrong, _ = pkce_pair()
    assert account.exchange(code, wrong).json()["error"] == "invalid_grant"
    code, verifier = account.code_for(f"admin@{account.subdomain}.test")
    response = account.exchange(code, verifier, redirect_uri="http://127.0.0.1:1/other")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_wrong_client_secret_is_invalid_client_401(account: Account) -> None:
    code, verifier = account.code_for(f"admin@{account.subdomain}.test")
    response = account.exchange(code, verifier, client_secret="nope")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_rotates_and_invalidates_the_old_pair(account: Account) -> None:
    first = account.token("ai-agent")
    refreshed = account.client.post(
        account.path("/oauth/tokens"),
        json={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert refreshed.status_code == 201, refreshed.text
    second = refreshed.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    old = ApiClient(account, first["access_token"]).get("/api/v2/users/me")
    assert old.status_code == 401
    assert old.json() == {"error": "Couldn't authenticate you"}
    assert ApiClient(account, second["access_token"]).get("/api/v2/users/me").status_code == 200
    reuse = account.client.post(
        account.path("/oauth/tokens"),
        json={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert (reuse.status_code, reuse.json()["error"]) == (400, "invalid_grant")


def test_revoke_current_token(account: Account) -> None:
    api = account.api("ai-agent")
    current = api.get("/api/v2/oauth/tokens/current.json")
    assert current.status_code == 200
    assert current.json()["token"]["scopes"] == ["read", "write"]
    assert current.json()["token"]["user_id"] == account.user_id("ai-agent")
    assert api.delete("/api/v2/oauth/tokens/current.json").status_code == 204
    assert api.get("/api/v2/users/me").status_code == 401
    listed = account.client.get(account.path("/_sandbox/oauth_tokens")).json()["oauth_tokens"]
    assert [t["revoked"] for t in listed] == [True]
    assert listed[0]["user_email"] == f"ai-agent@{account.subdomain}.test"
    assert api.access_token not in str(listed)


def test_consent_page_lists_agents_and_allow_redirects_with_code(account: Account) -> None:
    _, challenge = pkce_pair()
    params = account.authorize_params(code_challenge=challenge, code_challenge_method="S256")
    page = account.client.get(account.path("/oauth/authorizations/new"), params=params)
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert f"ai-agent@{account.subdomain}.test" in page.text
    assert "customer@example.com" not in page.text
    assert "value='allow'" in page.text
    assert "value='deny'" in page.text
    form = {**params, "user_id": str(account.user_id("admin")), "decision": "allow"}
    allowed = account.client.post(account.path("/oauth/authorizations/new"), data=form)
    assert allowed.status_code == 302
    location = allowed.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    assert parse_qs(urlparse(location).query)["state"] == ["state-123"]
    assert re.search(r"[?&]code=\w+", location)


def test_consent_deny_redirects_with_access_denied(account: Account) -> None:
    params = account.authorize_params()
    denied = account.client.post(
        account.path("/oauth/authorizations/new"), data={**params, "decision": "deny"}
    )
    assert denied.status_code == 302
    query = parse_qs(urlparse(denied.headers["location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["state-123"]
    assert query["error_description"]


def test_unregistered_redirect_or_client_is_refused_without_redirect(account: Account) -> None:
    bad_redirect = account.authorize_params(redirect_uri="https://evil.example/cb")
    response = account.client.get(account.path("/oauth/authorizations/new"), params=bad_redirect)
    assert response.status_code == 400
    assert "location" not in response.headers
    bad_client = account.authorize_params(client_id="someone-else")
    response = account.client.get(account.path("/oauth/authorizations/new"), params=bad_client)
    assert response.status_code == 400


def test_only_the_registered_redirect_url_is_accepted(account: Account) -> None:
    for uri in (
        "http://127.0.0.1:54321/oauth/zendesk/callback",  # another loopback port
        REDIRECT_URI + "/",
        REDIRECT_URI.replace("127.0.0.1", "localhost"),
    ):
        response = account.client.get(
            account.path("/oauth/authorizations/new"),
            params=account.authorize_params(
                redirect_uri=uri, sandbox_login=f"admin@{account.subdomain}.test"
            ),
        )
        assert response.status_code == 400, uri
        assert "location" not in response.headers


def _refresh(account: Account, refresh_token: str, **extra: Any) -> httpx.Response:
    body = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **extra,
    }
    return account.client.post(
        account.path("/oauth/tokens"), json={k: v for k, v in body.items() if v is not None}
    )


def test_a_refresh_without_the_client_secret_is_refused(account: Account) -> None:
    first = account.token("ai-agent")
    refused = _refresh(account, first["refresh_token"], client_secret=None)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert _refresh(account, first["refresh_token"]).status_code == 201  # the pair still works


def test_refresh_token_expires_in_must_be_more_than_seven_days(account: Account) -> None:
    token = account.token("ai-agent")["refresh_token"]
    exactly = _refresh(account, token, refresh_token_expires_in=604_800)
    assert (exactly.status_code, exactly.json()["error"]) == (400, "invalid_request")
    not_above_access = _refresh(
        account, token, expires_in=172_000, refresh_token_expires_in=100_000
    )
    assert not_above_access.status_code == 400
    ok = _refresh(account, token, refresh_token_expires_in=604_801)
    assert ok.status_code == 201, ok.text
    assert ok.json()["refresh_token_expires_in"] == 604_801


def test_the_consent_page_preselects_nobody(account: Account) -> None:
    page = account.client.get(
        account.path("/oauth/authorizations/new"), params=account.authorize_params()
    )
    assert page.status_code == 200
    assert page.text.count("type='radio'") >= 2
    assert "checked" not in page.text
    assert "value='deny' formnovalidate" in page.text  # Deny needs nobody chosen
    unchosen = {**account.authorize_params(), "decision": "allow"}
    refused = account.client.post(account.path("/oauth/authorizations/new"), data=unchosen)
    assert refused.status_code == 400  # Allow with nobody chosen signs nobody in
    assert "location" not in refused.headers


def test_expired_code_and_expired_access_token(
    make_sandbox: Callable[..., SandboxServer],
) -> None:
    clock = FakeClock()
    server = make_sandbox(clock=clock)
    with httpx.Client(base_url=server.url) as http:
        account = new_account(server, http)
        code, verifier = account.code_for(f"admin@{account.subdomain}.test")
        clock.advance(121)
        assert account.exchange(code, verifier).json()["error"] == "invalid_grant"
        api = account.api("admin")
        assert api.get("/api/v2/users/me").status_code == 200
        clock.advance(1801)
        expired = api.get("/api/v2/users/me")
        assert expired.status_code == 401
        assert expired.json() == {"error": "Couldn't authenticate you"}
        tokens = http.get(account.path("/_sandbox/oauth_tokens")).json()["oauth_tokens"]
        assert tokens[0]["expired"] is True


def test_read_scope_cannot_write(account: Account) -> None:
    email = account.email()
    reader = account.api("ai-agent", scope="read")
    assert reader.get(f"/api/v2/tickets/{email['ticket_id']}").status_code == 200
    refused = reader.put(
        f"/api/v2/tickets/{email['ticket_id']}", json={"ticket": {"status": "open"}}
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "Forbidden"
    scoped = account.api("ai-agent", scope="tickets:read tickets:write")
    allowed = scoped.put(
        f"/api/v2/tickets/{email['ticket_id']}", json={"ticket": {"status": "open"}}
    )
    assert allowed.status_code == 200


def test_missing_or_foreign_token_is_401(account: Account, sandbox: SandboxServer) -> None:
    no_token = account.client.get(account.path("/api/v2/users/me"))
    assert (no_token.status_code, no_token.json()) == (401, {"error": "Couldn't authenticate you"})
    other = new_account(sandbox, account.client)
    foreign = ApiClient(other, account.token()["access_token"]).get("/api/v2/users/me")
    assert foreign.status_code == 401
