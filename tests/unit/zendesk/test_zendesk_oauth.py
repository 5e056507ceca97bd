"""OAuth: PKCE (RFC 7636 appendix B), the authorize URL and the token endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.unit.zendesk.zendesk_fakes import FakeSleep, FakeZendesk, oas_example, reply
from zdagent.adapters.zendesk.oauth import (
    OAuthTokenEndpoint,
    TokenSet,
    authorize_url,
    code_challenge_s256,
    new_code_verifier,
)
from zdagent.core.errors import (
    ValidationFailedError,
    ZendeskAuthError,
    ZendeskRateLimited,
    ZendeskServerError,
    ZendeskUnavailable,
)

INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "The provided access grant is invalid, expired, or revoked.",
}


def test_rfc7636_appendix_b_vector() -> None:
    assert (
        code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_new_code_verifier_is_fresh_and_valid() -> None:
    first, second = new_code_verifier(), new_code_verifier()
    assert first != second
    assert len(first) == 43
    assert len(code_challenge_s256(first)) == 43


@pytest.mark.parametrize("verifier", ["short", "x" * 129, "a" * 42 + "/"])
def test_bad_verifiers_are_refused(verifier: str) -> None:
    with pytest.raises(ValidationFailedError):
        code_challenge_s256(verifier)


def test_authorize_url() -> None:
    url = authorize_url(
        "http://127.0.0.1:3001/acme/",
        "zdg-agent",
        "http://127.0.0.1:3000/oauth/zendesk/callback",
        "read write",
        "st&ate",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        "127.0.0.1:3001",
        "/acme/oauth/authorizations/new",
    )
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "response_type": "code",
        "client_id": "zdg-agent",
        "redirect_uri": "http://127.0.0.1:3000/oauth/zendesk/callback",
        "scope": "read write",
        "state": "st&ate",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }


def _endpoint(fake: FakeZendesk, **kwargs: object) -> OAuthTokenEndpoint:
    return OAuthTokenEndpoint(
        "https://acme.zendesk.com",
        "zdg-agent",
        "client-secret",
        transport=fake.transport(),
        sleep=FakeSleep(),
        **kwargs,  # type: ignore[arg-type]
    )


FULL: dict[str, str | int] = {
    "access_token": "gErypPlm4dOVgGRvA1ZzMH5MQ3nLo8bo",
    "token_type": "bearer",
    "scope": "read write",
    "expires_in": 1800,
    "refresh_token": "af3t24tfj34h43s",
    "refresh_token_expires_in": 2592000,
}


def test_exchange_code_posts_json_and_parses_the_token_set() -> None:
    fake = FakeZendesk().on("POST", "/oauth/tokens", reply(201, FULL))
    tokens = _endpoint(fake).exchange_code(
        "the-code", "http://127.0.0.1:3000/oauth/zendesk/callback", "verifier", "read write"
    )
    request = fake.requests[0]
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "http://127.0.0.1:3000/oauth/zendesk/callback",
        "code_verifier": "verifier",
        "scope": "read write",
        "client_id": "zdg-agent",
        "client_secret": "client-secret",
    }
    assert tokens.refresh_token == "af3t24tfj34h43s"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert tokens.expires_at(now) == now + timedelta(seconds=1800)
    assert tokens.refresh_token_expires_at(now) == now + timedelta(days=30)


def test_minimal_documented_answer_parses_with_200() -> None:
    fake = FakeZendesk().on(
        "POST", "/oauth/tokens", reply(200, oas_example("OAuthTokenForGrantTypesResponseExample"))
    )
    tokens = _endpoint(fake).refresh("rt")
    assert tokens.refresh_token is None
    assert tokens.expires_at(datetime(2026, 1, 1, tzinfo=UTC)) is None
    assert tokens.refresh_token_expires_at(datetime(2026, 1, 1, tzinfo=UTC)) is None


def test_refresh_sends_expires_in_when_given() -> None:
    fake = FakeZendesk().on("POST", "/oauth/tokens", reply(201, FULL))
    _endpoint(fake).refresh("rt", expires_in=3600)
    assert json.loads(fake.requests[0].content) == {
        "grant_type": "refresh_token",
        "refresh_token": "rt",
        "expires_in": 3600,
        "client_id": "zdg-agent",
        "client_secret": "client-secret",
    }


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, INVALID_GRANT),
        (401, {"error": "invalid_client", "error_description": "The client identifier is invalid"}),
    ],
)
def test_refused_grants_are_auth_errors_with_the_description(
    status: int, body: dict[str, str]
) -> None:
    fake = FakeZendesk().on("POST", "/oauth/tokens", reply(status, body))
    with pytest.raises(ZendeskAuthError) as caught:
        _endpoint(fake).refresh("rt")
    assert body["error_description"] in caught.value.detail
    assert caught.value.zendesk_error == body["error"]
    assert caught.value.zendesk_status == status
    assert len(fake.requests) == 1


def test_token_requests_are_not_replayed_after_a_read_timeout_or_5xx() -> None:
    """A refresh rotates: replaying one that Zendesk processed would burn the new pair."""
    timeout = FakeZendesk().on("POST", "/oauth/tokens", httpx.ReadTimeout("timed out"))
    with pytest.raises(ZendeskUnavailable):
        _endpoint(timeout).refresh("rt")
    assert len(timeout.requests) == 1
    broken = FakeZendesk().on("POST", "/oauth/tokens", reply(500))
    with pytest.raises(ZendeskServerError):
        _endpoint(broken).refresh("rt")
    assert len(broken.requests) == 1


def test_token_requests_are_retried_on_429_and_connect_errors() -> None:
    fake = FakeZendesk().on(
        "POST",
        "/oauth/tokens",
        httpx.ConnectError("refused"),
        reply(429, headers={"Retry-After": "1"}),
        reply(201, FULL),
    )
    assert _endpoint(fake).refresh("rt").access_token == FULL["access_token"]
    assert len(fake.requests) == 3
    limited = FakeZendesk().on("POST", "/oauth/tokens", reply(429, headers={"Retry-After": "99"}))
    with pytest.raises(ZendeskRateLimited):
        _endpoint(limited).refresh("rt")


def test_success_without_access_token_is_an_error_that_does_not_quote_the_body() -> None:
    fake = FakeZendesk().on(
        "POST", "/oauth/tokens", reply(200, {"refresh_token": "secret-rt", "token_type": "bearer"})
    )
    with pytest.raises(Exception, match="without a token") as caught:
        _endpoint(fake).refresh("rt")
    assert "secret-rt" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_token_set_repr_hides_tokens() -> None:
    tokens = TokenSet.from_json(FULL)
    assert str(FULL["access_token"]) not in repr(tokens)
    assert str(FULL["refresh_token"]) not in repr(tokens)
    assert "client-secret" not in repr(_endpoint(FakeZendesk()))
