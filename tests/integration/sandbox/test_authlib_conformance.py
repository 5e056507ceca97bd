"""Conformance: authlib (a standard OAuth 2.0 client, written by nobody here) runs the sandbox's
OAuth as it would run Zendesk's: authorization code with PKCE S256, refresh rotation, and the
client authenticating with ``client_secret_post`` (Zendesk's token requests carry the client id
and secret in the body)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.integration.sandbox.sandbox_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    Account,
)

authlib_requests = pytest.importorskip("authlib.integrations.requests_client")
OAuthError = authlib_requests.OAuthError


def oauth_session(account: Account, **overrides: Any) -> Any:
    settings = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        "scope": "read write",
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": "client_secret_post",
        **overrides,
    }
    return authlib_requests.OAuth2Session(**settings)


def test_authorization_code_with_pkce_then_refresh_rotation(account: Account) -> None:
    root = f"{str(account.client.base_url).rstrip('/')}/{account.subdomain}"
    session = oauth_session(account)
    verifier = "v" * 64
    url, state = session.create_authorization_url(
        f"{root}/oauth/authorizations/new", code_verifier=verifier
    )
    login = urlencode({"sandbox_login": f"ai-agent@{account.subdomain}.test"})
    approved = httpx.get(f"{url}&{login}")  # the sandbox's way to sign in without a browser
    assert approved.status_code == 302, approved.text
    token = session.fetch_token(
        f"{root}/oauth/tokens",
        authorization_response=approved.headers["location"],
        code_verifier=verifier,
        state=state,
    )
    assert token["token_type"] == "bearer" and token["refresh_token"]
    me = session.get(f"{root}/api/v2/users/me.json")
    assert me.json()["user"]["email"] == f"ai-agent@{account.subdomain}.test"
    first = dict(token)
    refreshed = session.refresh_token(f"{root}/oauth/tokens", refresh_token=first["refresh_token"])
    assert refreshed["access_token"] != first["access_token"]
    stale = httpx.get(
        f"{root}/api/v2/users/me.json",
        headers={"Authorization": f"Bearer {first['access_token']}"},
    )
    assert stale.status_code == 401
    assert session.get(f"{root}/api/v2/users/me.json").status_code == 200
    revoked = session.delete(f"{root}/api/v2/oauth/tokens/current.json")
    assert revoked.status_code == 204
    assert session.get(f"{root}/api/v2/users/me.json").status_code == 401


def test_a_public_client_refresh_without_the_secret_is_refused(account: Account) -> None:
    root = f"{str(account.client.base_url).rstrip('/')}/{account.subdomain}"
    token = account.token("ai-agent")
    public = oauth_session(account, client_secret=None, token_endpoint_auth_method="none")
    with pytest.raises(OAuthError, match="invalid_client"):
        public.refresh_token(f"{root}/oauth/tokens", refresh_token=token["refresh_token"])
