"""OAuth tokens of one integration: read from the vault, refreshed before expiry and on 401.

Zendesk rotates refresh tokens: each refresh invalidates the old pair. Two workers refreshing at
once would lose the token, so a refresh happens under a short DynamoDB lease, and a worker that
did not get the lease waits for the other's result (re-reading the vault) instead of refreshing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from zdagent.adapters.dynamodb import StateStore, agent_pk
from zdagent.adapters.secrets import SecretVault, StoredTokens
from zdagent.adapters.zendesk.oauth import OAuthTokenEndpoint, TokenSet
from zdagent.core.errors import TokenUnavailableError, ZendeskAuthError
from zdagent.core.observability import logger
from zdagent.core.settings import settings

LEASE_NAME = "token-refresh"
LEASE_SECONDS = 20
WAIT_FOR_OTHER_REFRESH_SECONDS = 15.0


def stored_from_token_set(tokens: TokenSet, user_id: int | None, now: datetime) -> StoredTokens:
    expires = tokens.expires_at(now)
    refresh_expires = tokens.refresh_token_expires_at(now)
    return StoredTokens(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=int(expires.timestamp()) if expires else None,
        refresh_expires_at=int(refresh_expires.timestamp()) if refresh_expires else None,
        scope=tokens.scope or "",
        user_id=user_id,
    )


class IntegrationTokenProvider:
    """``TokenProvider`` for BearerAuth, backed by the vault and the refresh lease."""

    def __init__(
        self,
        agent_id: str,
        *,
        vault: SecretVault,
        store: StateStore,
        token_endpoint: Callable[[], OAuthTokenEndpoint],
        on_authorization_lost: Callable[[str], None],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._agent_id = agent_id
        self._vault = vault
        self._store = store
        self._token_endpoint = token_endpoint
        self._on_lost = on_authorization_lost
        self._now = now
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"IntegrationTokenProvider(agent_id={self._agent_id!r})"

    def access_token(self) -> str:
        tokens = self._read(cached=True)
        if self._expiring(tokens):
            tokens = self._refresh(rejected=tokens.access_token)
        return tokens.access_token

    def refreshed_access_token(self, rejected_token: str) -> str:
        return self._refresh(rejected=rejected_token).access_token

    # ---- internals -----------------------------------------------------------------------
    def _read(self, *, cached: bool) -> StoredTokens:
        tokens = self._vault.read_tokens(self._agent_id, cached=cached)
        if tokens is None:
            raise TokenUnavailableError(
                "Zendesk Support is not authorized for this agent: authorize it again "
                f"(POST /agents/{self._agent_id}/integration/authorization)"
            )
        return tokens

    def _expiring(self, tokens: StoredTokens) -> bool:
        if tokens.expires_at is None:
            return False
        margin = settings().token_refresh_margin_seconds
        return tokens.expires_at - margin <= int(self._now().timestamp())

    def _refresh(self, *, rejected: str) -> StoredTokens:
        pk = agent_pk(self._agent_id)
        deadline = time.monotonic() + WAIT_FOR_OTHER_REFRESH_SECONDS
        while True:
            current = self._read(cached=False)
            if current.access_token != rejected and not self._expiring(current):
                return current  # somebody else already rotated the pair
            owner = self._store.acquire_lease(pk, LEASE_NAME, LEASE_SECONDS)
            if owner:
                try:
                    return self._refresh_holding_lease(rejected)
                finally:
                    self._store.release_lease(pk, LEASE_NAME, owner)
            if time.monotonic() > deadline:
                raise TokenUnavailableError(
                    "another worker is refreshing the Zendesk token and did not finish; try again"
                )
            self._sleep(0.2)

    def _refresh_holding_lease(self, rejected: str) -> StoredTokens:
        current = self._read(cached=False)
        if current.access_token != rejected and not self._expiring(current):
            return current
        if not current.refresh_token:
            return self._lost("the Zendesk token expired and Zendesk issued no refresh token")
        endpoint = self._token_endpoint()
        try:
            fresh = endpoint.refresh(
                current.refresh_token, expires_in=settings().access_token_ttl_seconds
            )
        except ZendeskAuthError as exc:
            return self._lost(f"Zendesk refused to refresh the token: {exc.detail}")
        finally:
            endpoint.close()
        stored = stored_from_token_set(fresh, current.user_id, self._now())
        self._vault.write_tokens(self._agent_id, stored)
        logger.info("zendesk_token_refreshed", extra={"agent_id": self._agent_id})
        return stored

    def _lost(self, reason: str) -> StoredTokens:
        logger.warning("zendesk_authorization_lost", extra={"agent_id": self._agent_id})
        self._on_lost(reason)
        raise TokenUnavailableError(
            f"{reason}; authorize Zendesk Support again signed in as the AI agent user "
            f"(POST /agents/{self._agent_id}/integration/authorization)"
        )
