"""Tokens refresh before expiry and on 401, rotation-safe under concurrency; a refresh that
Zendesk refuses marks the integration unauthorized with the reason and stops the engine."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from tests.integration.connect.conftest import FakeClock, sandbox_tokens
from zdagent.adapters.secrets import clear_secret_cache
from zdagent.adapters.tokens import IntegrationTokenProvider
from zdagent.core.errors import TokenUnavailableError
from zdagent.domain.integration import Integration
from zdagent.services.context import Context
from zdsandbox.server import SandboxServer


def provider(ctx: Context, integration: Integration) -> IntegrationTokenProvider:
    return ctx.token_provider(integration)


def live_tokens(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [t for t in sandbox_tokens(sandbox) if not t["revoked"]]


def test_token_is_refreshed_before_it_expires(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    before = ctx.vault.read_tokens(authorized.agent_id, cached=False)
    assert before is not None and before.expires_at is not None
    later = datetime.fromtimestamp(before.expires_at - 60, tz=UTC)  # inside the 5 min margin
    tokens_provider = provider(ctx, authorized)
    tokens_provider._now = lambda: later
    fresh = tokens_provider.access_token()
    assert fresh != before.access_token
    assert len(live_tokens(sandbox)) == 1  # the old pair was rotated away


def test_client_refreshes_once_on_401_and_keeps_working(
    ctx: Context, authorized: Integration, sandbox: SandboxServer, sandbox_clock: FakeClock
) -> None:
    sandbox_clock.now += 1801  # Zendesk expired the access token; our clock has not noticed
    with ctx.zendesk_for(authorized) as zendesk:
        assert zendesk.me().email == "ai-agent@acme.test"
    assert len(live_tokens(sandbox)) == 1


def test_concurrent_refreshes_do_not_lose_the_token(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    rejected = ctx.vault.read_tokens(authorized.agent_id, cached=False)
    assert rejected is not None
    results: list[str] = []
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            results.append(provider(ctx, authorized).refreshed_access_token(rejected.access_token))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(set(results)) == 1, "every worker must end with the same, single new token"
    clear_secret_cache()
    with ctx.zendesk_for(authorized) as zendesk:
        assert zendesk.me().email == "ai-agent@acme.test"
    assert len(live_tokens(sandbox)) == 1


def test_refused_refresh_marks_unauthorized_and_stops_engine(
    ctx: Context, connected: Integration, sandbox: SandboxServer, sandbox_clock: FakeClock
) -> None:
    assert connected.engine.enabled is True
    authorized = connected
    sandbox_clock.now += 31 * 86400  # the refresh token (30 days) has expired too
    zendesk = ctx.zendesk_for(authorized)
    with pytest.raises(TokenUnavailableError, match="authorize Zendesk Support again"):
        zendesk.me()
    zendesk.close()
    after = ctx.integrations.get(authorized.agent_id)
    assert after.authorization.status == "unauthorized"
    assert after.authorization.reason and "refresh" in after.authorization.reason
    assert after.engine.enabled is False
