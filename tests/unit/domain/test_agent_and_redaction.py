from __future__ import annotations

import pytest
from pydantic import ValidationError

from zdagent.core.errors import ValidationFailedError
from zdagent.domain import agent as record
from zdagent.domain import knowledge
from zdagent.domain.redaction import luhn_valid, redact
from zdagent.services.agent_schemas import AgentSettings, KnowledgeArticle


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


def test_the_record_and_the_api_schema_have_the_same_fields_and_defaults() -> None:
    """domain.agent.AgentSettings (what functions read) and the API's pydantic rules are twins."""
    assert tuple(AgentSettings.model_fields) == record.SETTINGS_FIELDS
    assert AgentSettings().to_record() == record.AgentSettings()
    assert AgentSettings().model_dump(mode="json") == record.AgentSettings().to_json()
    validated = AgentSettings.model_validate(
        {"languages": ["fr", "en"], "handover_group_id": 9, "mode": "shadow"}
    )
    stored = validated.to_record().to_json()
    assert stored == validated.model_dump(mode="json")
    assert record.AgentSettings.from_json(stored) == validated.to_record()


def test_the_article_record_and_the_upload_schema_agree() -> None:
    uploaded = KnowledgeArticle.model_validate(
        {"id": "a1", "title": "Retours", "body": "b", "locale": "fr", "labels": ["x"]}
    )
    article = uploaded.to_record()
    assert tuple(KnowledgeArticle.model_fields) == knowledge.ARTICLE_FIELDS
    assert article.to_json() == uploaded.model_dump(mode="json")
    assert article.canonical_json() == uploaded.model_dump_json()  # stored content hashes
    assert knowledge.KnowledgeArticle.from_json(article.to_json()) == article
    with pytest.raises(ValidationFailedError, match=r"article\.title: must have at least 1"):
        knowledge.KnowledgeArticle.from_json(article.to_json() | {"title": ""})


def test_a_stored_settings_item_with_a_bad_field_is_refused() -> None:
    with pytest.raises(ValidationFailedError, match=r"settings\.mode: must be one of"):
        record.AgentSettings.from_json({"mode": "loud"})
    with pytest.raises(ValidationFailedError, match=r"settings\.surprise: unknown field"):
        record.AgentSettings.from_json({"surprise": 1})


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Card 4111 1111 1111 1111 exp 12/27", "Card [card] exp 12/27"),
        ("4111-1111-1111-1111", "[card]"),
        ("paid with 4111111111111111.", "paid with [card]."),
        ("amex 3782 822463 10005", "amex [card]"),
        ("4111 1111 1111 1111 123", "[card] 123"),  # the security code after it
        ("5555555555554444 and 4012888888881881", "[card] and [card]"),
        ("order 1234567890123456", "order 1234567890123456"),  # not Luhn-valid
        ("tracking 1Z999AA10123456784", "tracking 1Z999AA10123456784"),
        ("total 1,234.56 on 2024-03-05", "total 1,234.56 on 2024-03-05"),
    ],
)
def test_luhn_valid_card_numbers_are_redacted_and_order_numbers_kept(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


def test_luhn_checksum() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112")
