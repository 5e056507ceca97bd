"""The integration as a stored record: read back as written, bad items refused field by field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from zdagent.core.errors import ValidationFailedError
from zdagent.domain.integration import Integration, ZendeskUserRef
from zdagent.domain.trigger import LoopGuard

NOW = datetime(2026, 11, 29, 20, 0, 0, 123456, tzinfo=UTC)
USER = ZendeskUserRef(id=901, email="ai@acme.com", name="AI")


def _connected() -> Integration:
    fresh = Integration(
        agent_id="agt_1", subdomain="acme", ai_agent_user_email="ai@acme.com", created_at=NOW
    )
    guard = LoopGuard(form="not_ai_agent_user", condition={"field": "role", "value": "901"})
    return (
        fresh.authorized(USER, NOW)
        .with_trigger(5, "01W", "fp", NOW, category_id="7", loop_guard=guard)
        .with_engine(True, NOW)
    )


@pytest.mark.parametrize("integration", [_connected(), _connected().revoked("gone")])
def test_an_integration_reads_back_as_written(integration: Integration) -> None:
    written = integration.to_json()
    assert written["created_at"] == "2026-11-29T20:00:00.123456Z"
    assert Integration.from_json(written) == integration


def test_a_stored_item_from_before_reads_with_the_defaults() -> None:
    item = {
        "agent_id": "agt_1",
        "subdomain": "acme",
        "ai_agent_user_email": "ai@acme.com",
        "created_at": "2026-01-01T00:00:00Z",
        "version": 3.0,  # DynamoDB numbers
    }
    integration = Integration.from_json(item)
    assert integration.version == 3
    assert integration.authorization.status == "unauthorized"
    assert integration.trigger.loop_guard is None
    assert integration.engine.enabled is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subdomain": "acme.example.com"}, "subdomain: Value error, subdomain must be"),
        ({"ai_agent_user_email": "nobody"}, "ai_agent_user_email: Value error"),
        ({"surprise": 1}, "surprise: unknown field"),
        ({"crm": "salesforce"}, "crm: must be one of 'zendesk_support'"),
        ({"authorization": {"status": "maybe"}}, "authorization.status: must be one of"),
        ({"authorization": {"status": "authorized", "user": {"id": "x"}}}, "user.id: must be an"),
        ({"trigger": {"trigger_id": True}}, "trigger.trigger_id: must be an integer"),
        ({"trigger": {"loop_guard": {"form": "x"}}}, "trigger.loop_guard.form: must be one of"),
        ({"engine": {"enabled": "yes"}}, "engine.enabled: must be a boolean"),
        ({"created_at": "yesterday"}, "created_at: must be an ISO 8601"),
        ({"agent_id": None}, "agent_id: Field required"),
    ],
)
def test_a_bad_item_is_refused_naming_its_field(change: dict[str, Any], message: str) -> None:
    item = _connected().to_json() | change
    with pytest.raises(ValidationFailedError, match=message):
        Integration.from_json(item)
