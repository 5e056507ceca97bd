"""Bearer authentication for Zendesk as an ``httpx.Auth`` that refreshes once on 401.

The token itself comes from a ``TokenProvider`` (the service layer's, backed by Secrets Manager
and a refresh lock). On a 401 the auth asks the provider once for a refreshed token, passing the
token Zendesk rejected so the provider can tell whether another worker already rotated it, and
replays the request once. A second 401 raises ``ZendeskAuthError``. Tokens are never logged.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Protocol, runtime_checkable

import httpx

from zdagent.adapters.zendesk.errors import error_from_response
from zdagent.core.errors import ZendeskAuthError
from zdagent.core.observability import logger

# Request extension that turns the refresh off (revoking a token must not refresh it).
NO_REFRESH = "zdagent_no_refresh"


@runtime_checkable
class TokenProvider(Protocol):
    def access_token(self) -> str:
        """A currently valid access token (refreshing first if it is about to expire)."""
        ...

    def refreshed_access_token(self, rejected_token: str) -> str:
        """A token other than ``rejected_token``; refresh unless another worker already did.

        Raise ``ZendeskAuthError`` (or another ``AppError``) when no new token can be had.
        """
        ...


class StaticTokenProvider:
    """One fixed token, no refresh (e.g. a token just obtained in the OAuth callback)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticTokenProvider(<token>)"

    def access_token(self) -> str:
        return self._token

    def refreshed_access_token(self, rejected_token: str) -> str:
        raise ZendeskAuthError(
            "Zendesk refused the access token and it cannot be refreshed",
            zendesk_status=401,
        )


class BearerAuth(httpx.Auth):
    requires_response_body = True

    def __init__(self, provider: TokenProvider) -> None:
        self._provider = provider

    def __repr__(self) -> str:
        return f"BearerAuth({type(self._provider).__name__})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._provider.access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401 or request.extensions.get(NO_REFRESH):
            return
        logger.info(
            "zendesk refused the access token, refreshing once",
            extra={"method": request.method, "status": 401},
        )
        fresh = self._provider.refreshed_access_token(token)
        request.headers["Authorization"] = f"Bearer {fresh}"
        response = yield request
        if response.status_code == 401:
            raise error_from_response(
                response, operation=f"{request.method} {request.url.path} (after a refresh)"
            )
