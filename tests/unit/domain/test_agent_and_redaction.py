from __future__ import annotations

import pytest
from pydantic import ValidationError

from zdagent.domain.agent import AgentSettings
from zdagent.domain.redaction import redact


def test_settings_defaults_are_the_contract_defaults() -> None:
    assert AgentSettings().model_dump() | {} == AgentSettings().model_dump()
    s = AgentSettings()
    assert (s.reply_delay_seconds, s.stale_after_days, s.max_replies_per_ticket) == (0, 3, 3)
    assert (s.confidence_threshold, s.mode, s.handover_group_id) == (0.5, "live", None)
    assert (s.handover_tag, s.reply_tag, s.answer_agent_submitted) == (
        "ai_agent_escalated",
        "ai_agent_replied",
        False,
    )
    assert (s.signature, s.languages) == ("", None)  # null: every language of the knowledge


def test_languages_null_or_empty_means_every_language_of_the_knowledge() -> None:
    assert AgentSettings.model_validate({"languages": None}).languages is None
    assert AgentSettings.model_validate({"languages": []}).languages is None
    assert AgentSettings.model_validate({"languages": ["fr", "fr"]}).languages == ["fr"]


@pytest.mark.parametrize(
    "patch",
    [
        {"mode": "loud"},
        {"confidence_threshold": 1.5},
        {"handover_tag": "has space"},
        {"languages": ["english"]},
        {"unknown": 1},
        {"reply_delay_seconds": -1},
    ],
)
def test_bad_settings_are_refused(patch: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AgentSettings.model_validate(patch)


def test_redaction_removes_emails_and_phones_but_keeps_dates_and_order_numbers() -> None:
    text = "Reach me at jo.doe@example.com or +33 6 12 34 56 78. Order 12345 placed 2024-03-05."
    assert redact(text) == "Reach me at [email] or [phone]. Order 12345 placed 2024-03-05."
