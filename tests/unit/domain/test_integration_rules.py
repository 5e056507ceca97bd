"""The ordering rules of docs/contract.md §2, as pure code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zdagent.core.errors import (
    EngineEnabledError,
    IntegrationAuthorizedError,
    IntegrationNotAuthorizedError,
    TriggerActiveError,
    TriggerExistsError,
    TriggerNotActiveError,
)
from zdagent.domain.integration import Integration, ZendeskUserRef, normalise_subdomain

NOW = datetime(2026, 1, 1, tzinfo=UTC)
USER = ZendeskUserRef(id=7, email="ai-agent@acme.test", name="AI")


def fresh() -> Integration:
    return Integration(
        agent_id="agt_1",
        subdomain="acme",
        ai_agent_user_email="AI-Agent@Acme.test",
        created_at=NOW,
    )


def connected() -> Integration:
    return fresh().authorized(USER, NOW).with_trigger(1, "w", "f", NOW).with_engine(True, NOW)


def test_new_integration_is_not_connected() -> None:
    integration = fresh()
    assert integration.ai_agent_user_email == "ai-agent@acme.test"
    assert integration.public()["connected"] is False
    assert integration.public()["authorization"]["status"] == "unauthorized"  # type: ignore[index]


def test_trigger_needs_authorization_and_names_the_step() -> None:
    with pytest.raises(
        IntegrationNotAuthorizedError, match="/agents/agt_1/integration/authorization"
    ):
        fresh().require_can_create_trigger()


def test_engine_on_needs_authorized_then_active_trigger() -> None:
    with pytest.raises(IntegrationNotAuthorizedError):
        fresh().with_engine(True, NOW)
    with pytest.raises(TriggerNotActiveError, match="integration/trigger"):
        fresh().authorized(USER, NOW).with_engine(True, NOW)
    assert connected().connected is True


def test_second_trigger_is_refused() -> None:
    with pytest.raises(TriggerExistsError):
        connected().require_can_create_trigger()


def test_deactivate_needs_engine_off() -> None:
    with pytest.raises(EngineEnabledError, match='"enabled": false'):
        connected().require_can_deactivate_trigger()
    connected().with_engine(False, NOW).require_can_deactivate_trigger()


def test_revoke_needs_engine_off_and_trigger_inactive() -> None:
    with pytest.raises(EngineEnabledError):
        connected().require_can_revoke()
    with pytest.raises(TriggerActiveError):
        connected().with_engine(False, NOW).require_can_revoke()
    connected().with_engine(False, NOW).trigger_deactivated().require_can_revoke()


def test_delete_needs_everything_undone() -> None:
    engine_off = connected().with_engine(False, NOW)
    with pytest.raises(TriggerActiveError):
        engine_off.require_can_delete()
    with pytest.raises(IntegrationAuthorizedError):
        engine_off.trigger_deactivated().require_can_delete()
    engine_off.trigger_deactivated().revoked().require_can_delete()


def test_losing_authorization_stops_the_engine_with_a_reason() -> None:
    lost = connected().authorization_lost("refresh refused", NOW)
    assert lost.engine.enabled is False
    assert lost.authorization.status == "unauthorized"
    assert lost.authorization.reason == "refresh refused"
    assert lost.connected is False


@pytest.mark.parametrize("raw", ["acme", "ACME", "acme.zendesk.com", " my-shop ", "a1"])
def test_subdomain_accepts_what_admins_paste(raw: str) -> None:
    assert normalise_subdomain(raw) == raw.strip().lower().removesuffix(".zendesk.com")


@pytest.mark.parametrize(
    "raw",
    [
        "evil.com",
        "acme/x",
        "acme:443",
        "https://acme",
        "127.0.0.1",
        "-acme",
        "acme-",
        "",
        "a" * 64,
        "acme.zendesk.com.evil.com",
        "acme@evil",
    ],
)
def test_subdomain_never_names_another_host(raw: str) -> None:
    with pytest.raises(ValueError, match="subdomain"):
        normalise_subdomain(raw)
