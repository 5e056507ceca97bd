"""Authorization on moto + the sandbox: success, wrong user, denied, replayed, expired, revoke."""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest

from tests.integration.connect.conftest import FakeClock, approve, sandbox_tokens
from zdagent.core.errors import (
    IntegrationAuthorizedError,
    OAuthDeniedError,
    OAuthStateError,
    WrongZendeskUserError,
)
from zdagent.domain.integration import Integration
from zdagent.services import authorization
from zdagent.services.context import Context
from zdlocal.template import ResourceMap
from zdsandbox.server import SandboxServer


def table_dump(aws: ResourceMap) -> str:
    table = boto3.resource("dynamodb").Table(aws["StateTable"].ref)
    return repr(table.scan()["Items"])


def test_authorize_stores_tokens_in_secrets_manager_only(
    ctx: Context, authorized: Integration, aws: ResourceMap, sandbox: SandboxServer
) -> None:
    assert authorized.authorization.status == "authorized"
    assert authorized.authorization.user is not None
    assert authorized.authorization.user.email == "ai-agent@acme.test"
    stored = ctx.vault.read_tokens(authorized.agent_id, cached=False)
    assert stored is not None and stored.refresh_token and stored.expires_at
    dump = table_dump(aws)
    assert stored.access_token not in dump and stored.refresh_token not in dump
    (token,) = [t for t in sandbox_tokens(sandbox) if not t["revoked"]]
    assert token["user_id"] == authorized.authorization.user.id


def test_wrong_user_is_refused_and_its_token_revoked(
    ctx: Context, new_integration: Callable[..., Integration], sandbox: SandboxServer
) -> None:
    created = new_integration()
    params = approve(ctx, created.agent_id, "admin@acme.test")
    with pytest.raises(WrongZendeskUserError, match=r"Sign in to Zendesk as ai-agent@acme\.test"):
        authorization.complete_authorization(ctx, state=params["state"], code=params["code"])
    tokens = sandbox_tokens(sandbox)
    assert tokens and all(t["revoked"] for t in tokens)
    assert ctx.vault.read_tokens(created.agent_id, cached=False) is None
    assert ctx.integrations.get(created.agent_id).authorization.status == "unauthorized"


def test_denied_consent_stores_nothing(
    ctx: Context, new_integration: Callable[..., Integration]
) -> None:
    created = new_integration()
    authorization.start_authorization(ctx, created.agent_id, "http://127.0.0.1:9")
    url = authorization.start_authorization(ctx, created.agent_id, "http://127.0.0.1:9")
    state = url.split("state=")[1].split("&")[0]
    with pytest.raises(OAuthDeniedError, match="Nothing was stored"):
        authorization.complete_authorization(
            ctx, state=state, code=None, error="access_denied", error_description="denied"
        )
    assert ctx.vault.read_tokens(created.agent_id, cached=False) is None


def test_replayed_state_is_refused(
    ctx: Context, new_integration: Callable[..., Integration]
) -> None:
    created = new_integration()
    params = approve(ctx, created.agent_id, "ai-agent@acme.test")
    authorization.complete_authorization(ctx, state=params["state"], code=params["code"])
    with pytest.raises(OAuthStateError, match="already used"):
        authorization.complete_authorization(ctx, state=params["state"], code=params["code"])


def test_expired_code_is_refused_with_advice(
    ctx: Context,
    new_integration: Callable[..., Integration],
    sandbox_clock: FakeClock,
) -> None:
    created = new_integration()
    params = approve(ctx, created.agent_id, "ai-agent@acme.test")
    sandbox_clock.now += 121
    with pytest.raises(OAuthStateError, match="120"):
        authorization.complete_authorization(ctx, state=params["state"], code=params["code"])
    assert ctx.integrations.get(created.agent_id).authorization.status == "unauthorized"


def test_authorize_twice_needs_revoke_first(ctx: Context, authorized: Integration) -> None:
    with pytest.raises(IntegrationAuthorizedError, match="revoke"):
        authorization.start_authorization(ctx, authorized.agent_id, "http://127.0.0.1:9")


def test_revoke_revokes_at_zendesk_and_deletes_the_secret(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    revoked = authorization.revoke_authorization(ctx, authorized.agent_id)
    assert revoked.authorization.status == "revoked"
    assert all(t["revoked"] for t in sandbox_tokens(sandbox))
    assert ctx.vault.read_tokens(authorized.agent_id, cached=False) is None
    again = authorization.revoke_authorization(ctx, authorized.agent_id)  # idempotent
    assert again.authorization.status == "revoked"
