"""Use cases: OAuth authorization of the AI agent user (PKCE), callback, revocation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from zdagent.adapters.dynamodb import take_item
from zdagent.adapters.keys import OAUTH_STATE_SK, oauth_state_pk
from zdagent.adapters.tokens import stored_from_token_set
from zdagent.adapters.zendesk.auth import BearerAuth, StaticTokenProvider
from zdagent.adapters.zendesk.client import ZendeskClient
from zdagent.adapters.zendesk.oauth import (
    TokenSet,
    authorize_url,
    code_challenge_s256,
    new_code_verifier,
)
from zdagent.adapters.zendesk.urls import base_url_for
from zdagent.core.errors import (
    IntegrationAuthorizedError,
    OAuthDeniedError,
    OAuthStateError,
    TokenUnavailableError,
    WrongZendeskUserError,
    ZendeskAuthError,
)
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain.integration import Integration, ZendeskUserRef
from zdagent.services.context import Context

if TYPE_CHECKING:  # the ticket and user models load when the client reads a user (callback only)
    from zdagent.adapters.zendesk.models import User

CALLBACK_PATH = "/oauth/zendesk/callback"


def redirect_uri(public_base_url: str) -> str:
    return public_base_url.rstrip("/") + CALLBACK_PATH


def start_authorization(ctx: Context, agent_id: str, public_base_url: str) -> str:
    """Return the Zendesk consent URL; remembers a single-use, expiring state with PKCE."""
    integration = ctx.integrations.get(agent_id)
    if integration.is_authorized:
        user = integration.authorization.user
        who = user.email if user else "the AI agent user"
        raise IntegrationAuthorizedError(
            f"already authorized as {who}; revoke the authorization first "
            f"(DELETE /agents/{agent_id}/integration/authorization) to authorize again"
        )
    state = secrets.token_urlsafe(32)
    verifier = new_code_verifier()
    now = ctx.now()
    ctx.store.put(
        {
            "pk": oauth_state_pk(state),
            "sk": OAUTH_STATE_SK,
            "agent_id": agent_id,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri(public_base_url),
            "created_at": int(now.timestamp()),
            "expires_at": int(now.timestamp()) + settings().oauth_state_ttl_seconds,
        }
    )
    client = ctx.vault.oauth_client()
    logger.info("authorization_started", extra={"agent_id": agent_id})
    return authorize_url(
        base_url_for(integration.subdomain, settings().zendesk_base_url_template),
        client_id=client.client_id,
        redirect_uri=redirect_uri(public_base_url),
        scope=settings().oauth_scopes,
        state=state,
        code_challenge=code_challenge_s256(verifier),
    )


@dataclass(frozen=True)
class PendingAuthorization:
    agent_id: str
    code_verifier: str
    redirect_uri: str


def _take_state(ctx: Context, state: str | None) -> PendingAuthorization:
    restart = "start again from the console: click 'Authorize Zendesk Support'"
    if not state or len(state) > 200:
        raise OAuthStateError(f"this authorization link has no valid state; {restart}")
    item = take_item(ctx.store, oauth_state_pk(state), OAUTH_STATE_SK)
    if not item:
        raise OAuthStateError(f"this authorization link was already used or is unknown; {restart}")
    if int(item["expires_at"]) < int(ctx.now().timestamp()):
        raise OAuthStateError(f"this authorization link has expired; {restart}")
    return PendingAuthorization(item["agent_id"], item["code_verifier"], item["redirect_uri"])


def complete_authorization(
    ctx: Context,
    *,
    state: str | None,
    code: str | None,
    error: str | None = None,
    error_description: str | None = None,
) -> Integration:
    """The OAuth callback: validate state, exchange the code, check the user, store tokens."""
    pending = _take_state(ctx, state)
    integration = ctx.integrations.get(pending.agent_id)
    if error:
        logger.info("authorization_denied", extra={"agent_id": pending.agent_id, "error": error})
        reason = error_description or error
        raise OAuthDeniedError(
            f"Zendesk did not authorize the connection ({reason}). Nothing was stored. To connect, "
            "sign in to Zendesk as the AI agent user, click 'Authorize Zendesk Support' and Allow."
        )
    if not code:
        raise OAuthStateError("Zendesk sent no authorization code; start the authorization again")
    tokens = _exchange(ctx, integration, pending, code)
    user = _token_owner(ctx, integration, tokens)
    if (user.email or "").lower() != integration.ai_agent_user_email:
        _revoke_quietly(ctx, integration, tokens)
        raise WrongZendeskUserError(
            f"you authorized as {user.email}, but this integration's AI agent user is "
            f"{integration.ai_agent_user_email}. That authorization was refused and revoked at "
            f"Zendesk. Sign in to Zendesk as {integration.ai_agent_user_email} (sign out first, or "
            "use a private window), then click 'Authorize Zendesk Support' again."
        )
    now = ctx.now()
    ctx.vault.write_tokens(integration.agent_id, stored_from_token_set(tokens, user.id, now))
    current = ctx.integrations.get(integration.agent_id)
    ref = ZendeskUserRef(id=user.id, email=user.email or "", name=user.name or "")
    saved = ctx.integrations.save(current.authorized(ref, now))
    logger.info("authorization_completed", extra={"agent_id": integration.agent_id})
    return saved


def _exchange(
    ctx: Context, integration: Integration, pending: PendingAuthorization, code: str
) -> TokenSet:
    endpoint = ctx.token_endpoint(integration.subdomain)
    try:
        return endpoint.exchange_code(
            code,
            pending.redirect_uri,
            pending.code_verifier,
            settings().oauth_scopes,
            expires_in=settings().access_token_ttl_seconds,
        )
    except ZendeskAuthError as exc:
        raise OAuthStateError(
            f"Zendesk refused the authorization code ({exc.detail}); codes are valid for 120 "
            "seconds and once only. Click 'Authorize Zendesk Support' again."
        ) from exc
    finally:
        endpoint.close()


def _static_client(ctx: Context, integration: Integration, access_token: str) -> ZendeskClient:
    return ZendeskClient.for_subdomain(
        integration.subdomain,
        auth=BearerAuth(StaticTokenProvider(access_token)),
        remaining_time=ctx.remaining_time,
        transport=ctx.zendesk_transport,
    )


def _token_owner(ctx: Context, integration: Integration, tokens: TokenSet) -> User:
    with _static_client(ctx, integration, tokens.access_token) as zendesk:
        return zendesk.me()


def _revoke_quietly(ctx: Context, integration: Integration, tokens: TokenSet) -> None:
    with _static_client(ctx, integration, tokens.access_token) as zendesk:
        zendesk.revoke_current_token(missing_ok=True)
    logger.warning("wrong_user_token_revoked", extra={"agent_id": integration.agent_id})


def revoke_authorization(ctx: Context, agent_id: str) -> Integration:
    """Revoke at Zendesk, delete the stored token, mark revoked. Idempotent."""
    integration = ctx.integrations.get(agent_id)
    integration.require_can_revoke()
    if ctx.vault.read_tokens(agent_id, cached=False) is not None:
        try:
            with ctx.zendesk_for(integration) as zendesk:
                zendesk.revoke_current_token(missing_ok=True)
        except TokenUnavailableError:
            logger.info("revoke_token_already_unusable", extra={"agent_id": agent_id})
        ctx.vault.delete_tokens(agent_id)
    current = ctx.integrations.get(agent_id)
    if current.authorization.status == "revoked":
        return current
    saved = ctx.integrations.save(current.revoked())
    logger.info("authorization_revoked", extra={"agent_id": agent_id})
    return saved


def authorization_expires(ctx: Context, agent_id: str) -> datetime | None:
    tokens = ctx.vault.read_tokens(agent_id)
    if not tokens or tokens.refresh_expires_at is None:
        return None
    return datetime.fromtimestamp(tokens.refresh_expires_at, tz=ctx.now().tzinfo)
