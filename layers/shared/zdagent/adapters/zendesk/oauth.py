"""Zendesk OAuth: the authorization URL, PKCE (RFC 7636) and the token endpoint.

``POST /oauth/tokens`` takes JSON. Zendesk documents 201; any 2xx is accepted. Refresh tokens
rotate (a refresh invalidates the previous pair), so callers refresh under a lock and store the
new refresh token every time. Errors follow RFC 6749 (``{"error", "error_description"}``):
``invalid_grant`` / ``invalid_client`` / ``unauthorized_client`` become ``ZendeskAuthError``
carrying Zendesk's description; 429 and 5xx the usual transient errors.

A token exchange is not idempotent (a code is single use, a refresh rotates), so it is retried
only on 429 and on connection failures before the request left.
"""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from zdagent.adapters.zendesk.client import DEFAULT_USER_AGENT, zendesk_http
from zdagent.adapters.zendesk.retry import RequestRunner, RetryPolicy
from zdagent.core import records
from zdagent.core.errors import ValidationFailedError, ZendeskAuthError, ZendeskError

TOKEN_PATH = "/oauth/tokens"  # noqa: S105 (a path, not a secret)
AUTHORIZE_PATH = "/oauth/authorizations/new"
_AUTH_ERRORS = frozenset(
    {"invalid_grant", "invalid_client", "unauthorized_client", "unsupported_grant_type"}
)
_VERIFIER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


# --- PKCE ----------------------------------------------------------------------------------
def new_code_verifier() -> str:
    """A fresh RFC 7636 code verifier: 43 characters of base64url from 32 random bytes."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")


def code_challenge_s256(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` without padding (RFC 7636 section 4.2)."""
    if not 43 <= len(verifier) <= 128 or not set(verifier) <= _VERIFIER_CHARS:
        raise ValidationFailedError("a PKCE code verifier is 43-128 unreserved characters")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(  # noqa: PLR0917 (the order of the query string)
    base_url: str,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str,
    code_challenge: str,
) -> str:
    """Where to send the admin's browser: Zendesk's consent page with PKCE S256."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{base_url.rstrip('/')}{AUTHORIZE_PATH}?{query}"


# --- token endpoint ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TokenSet:
    """What the token endpoint answers. Tokens stay out of ``repr``."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int | None = None
    refresh_token_expires_in: int | None = None
    scope: str | None = None
    token_type: str = "bearer"  # noqa: S105

    @classmethod
    def from_json(cls, raw: object) -> TokenSet:
        """The endpoint's answer; a ValidationFailedError naming the field (never its value)."""
        data = records.mapping(raw)
        return cls(
            access_token=records.text(data, "access_token", min_length=1),
            refresh_token=records.optional_text(data, "refresh_token"),
            expires_in=records.optional_integer(data, "expires_in"),
            refresh_token_expires_in=records.optional_integer(data, "refresh_token_expires_in"),
            scope=records.optional_text(data, "scope"),
            token_type=records.text(data, "token_type", default="bearer"),
        )

    def expires_at(self, now: datetime) -> datetime | None:
        """When the access token expires, counted from ``now`` (None: it never does)."""
        return None if self.expires_in is None else now + timedelta(seconds=self.expires_in)

    def refresh_token_expires_at(self, now: datetime) -> datetime | None:
        if self.refresh_token is None or self.refresh_token_expires_in is None:
            return None
        return now + timedelta(seconds=self.refresh_token_expires_in)


class OAuthTokenEndpoint:
    """``POST {base_url}/oauth/tokens`` for one Zendesk account and one OAuth client."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10,
        max_retries: int = 2,
        remaining_time: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        uniform: Callable[[float, float], float] = random.uniform,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = zendesk_http(
            self.base_url, timeout=timeout, transport=transport, user_agent=user_agent
        )
        self._runner = RequestRunner(
            self._http,
            RetryPolicy(max_retries=max_retries),
            remaining_time=remaining_time,
            sleep=sleep,
            uniform=uniform,
        )

    def __repr__(self) -> str:
        return f"OAuthTokenEndpoint({self.base_url!r}, client_id={self._client_id!r})"

    def close(self) -> None:
        self._http.close()

    def exchange_code(
        self,
        code: str,
        redirect_uri: str,
        code_verifier: str,
        scope: str,
        *,
        expires_in: int | None = None,
        refresh_token_expires_in: int | None = None,
    ) -> TokenSet:
        """Trade an authorization code (valid 120 s, single use) for a token set.

        Pass ``expires_in`` for OAuth clients without an enforced default TTL, or Zendesk
        issues a never-expiring token and no refresh token.
        """
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
                "scope": scope,
                "expires_in": expires_in,
                "refresh_token_expires_in": refresh_token_expires_in,
            }
        )

    def refresh(self, refresh_token: str, expires_in: int | None = None) -> TokenSet:
        """A new pair for ``refresh_token``; the old pair stops working (rotation)."""
        return self._token_request(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "expires_in": expires_in,
            }
        )

    def _token_request(self, fields: dict[str, Any]) -> TokenSet:
        body = {
            **{k: v for k, v in fields.items() if v is not None},
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        try:
            response = self._runner.send(
                "POST", TOKEN_PATH, url=TOKEN_PATH, idempotent=False, json=body
            )
        except ZendeskError as exc:
            if exc.zendesk_error in _AUTH_ERRORS and not isinstance(exc, ZendeskAuthError):
                raise ZendeskAuthError(
                    exc.detail,
                    zendesk_status=exc.zendesk_status,
                    zendesk_error=exc.zendesk_error,
                    extra=exc.extra,
                ) from exc
            raise
        try:
            return TokenSet.from_json(response.json())
        except (ValueError, ValidationFailedError):
            # not chained: a validation error would quote the body, tokens included
            raise ZendeskError(
                f"POST {TOKEN_PATH}: Zendesk answered {response.status_code} without a token",
                zendesk_status=response.status_code,
            ) from None
