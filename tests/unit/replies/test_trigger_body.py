"""The lenient trigger-body parser on bodies rendered the way Zendesk renders them (unescaped)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.hostile import customer_texts, deep_brackets, render_trigger_body
from zdagent.core.errors import BadRequestError
from zdagent.domain import webhook


def render(**overrides: str) -> bytes:
    """Zendesk's rendering: placeholders replaced by raw text, no JSON escaping."""
    return render_trigger_body("agt_1", {k.replace("__", "."): v for k, v in overrides.items()})


def test_clean_body_is_strict_json() -> None:
    event = webhook.parse_trigger_body(render())
    assert event.strict_json
    assert event.ticket_id == 42
    assert event.bot_id == "agt_1"
    assert event.current_user_id == 9001
    assert event.requester_id == 9001
    assert event.submitter_role == "End-user"
    assert event.tags == ("vip", "order")
    assert event.updated_at == datetime(2024, 5, 1, 10, 5, 7, tzinfo=UTC)


HOSTILE_COMMENTS = [
    'He said "hi" and left',
    "line one\nline two\r\nline three\ttabbed",
    "back\\slash at the end \\",
    '", "conversationId": "1", "currentUser": "77',  # tries to override later fields
    "{ } [ ] : , }}} {{ticket.id}}",
    '"""',
    "emoji \U0001f600 and nul \x00 byte",
    "a" * 100_000,
]


@pytest.mark.parametrize("comment", HOSTILE_COMMENTS)
def test_hostile_comment_never_loses_the_email(comment: str) -> None:
    event = webhook.parse_trigger_body(render(ticket__latest_comment_rich=comment))
    assert event.ticket_id == 42
    assert event.current_user_id == 9001
    assert event.updated_at == datetime(2024, 5, 1, 10, 5, 7, tzinfo=UTC)


def test_quotes_in_the_title_too() -> None:
    event = webhook.parse_trigger_body(render(ticket__title='The "best" product\nbroke'))
    assert not event.strict_json
    assert event.ticket_id == 42


def test_message_digest_differs_by_comment_text_and_never_holds_the_text() -> None:
    one = webhook.parse_trigger_body(render(ticket__latest_comment_rich="first"))
    two = webhook.parse_trigger_body(render(ticket__latest_comment_rich="second"))
    broken = webhook.parse_trigger_body(render(ticket__latest_comment_rich='with "quotes"'))
    assert one.message_digest != two.message_digest
    assert "first" not in one.message_digest
    assert broken.message_digest  # recovered text is hashed too
    assert webhook.event_key(one, b"") != webhook.event_key(two, b"")


def test_invalid_utf8_is_tolerated() -> None:
    raw = render().replace(b"Hello", b"Hel\xff\xfelo")
    assert webhook.parse_trigger_body(raw).ticket_id == 42


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json at all",
        b"[1, 2, 3]",
        b'{"conversationId": ""}',
        b'{"conversationId": "abc"}',
        b'{"conversationId": "-5"}',
        b'{"conversationId": "0"}',
        b'{"message": "no ticket here"}',
    ],
)
def test_authentic_but_without_a_ticket_id_is_a_400(body: bytes) -> None:
    with pytest.raises(BadRequestError):
        webhook.parse_trigger_body(body)


def test_other_common_bodies_are_accepted() -> None:
    assert webhook.parse_trigger_body(b'{"ticket_id":"35436"}').ticket_id == 35436
    assert webhook.parse_trigger_body(json.dumps({"ticket": {"id": 7}}).encode()).ticket_id == 7


def test_missing_optional_fields_are_none() -> None:
    event = webhook.parse_trigger_body(b'{"conversationId": "5", "updatedAt": "yesterday"}')
    assert event.ticket_id == 5
    assert event.updated_at is None
    assert event.current_user_id is None


def test_event_key_without_timestamp_uses_the_raw_body() -> None:
    raw_one = b'{"conversationId": "5", "message": "a"}'
    raw_two = b'{"conversationId": "5", "message": "b"}'
    one = webhook.event_key(webhook.parse_trigger_body(raw_one), raw_one)
    two = webhook.event_key(webhook.parse_trigger_body(raw_two), raw_two)
    assert one != two
    assert one.startswith("evt#5#")


def test_invocation_key_refuses_odd_values() -> None:
    assert webhook.invocation_key("01HX2Z") == "inv#01HX2Z"
    assert webhook.invocation_key(None) is None
    assert webhook.invocation_key("a b#c") is None
    assert webhook.invocation_key("x" * 500) is None


# ---------------------------------------------------------------- issue 12: nothing a customer
# writes may lose the email (docs/contract.md §3)


@pytest.mark.parametrize(
    "comment",
    [
        "\\ud800",  # six characters; JSON decodes them to a lone surrogate
        'a valid body, then \\udfff\\ud800 "',
        deep_brackets(12_000),  # closes the string and nests past json's recursion limit
        deep_brackets(50_000),
        "[" * 12_000,
        "]" * 5000 + "}" * 5000,
    ],
)
def test_hostile_comments_of_issue_12_are_parsed(comment: str) -> None:
    raw = render_trigger_body("agt_1", {"ticket.latest_comment_rich": comment})
    event = webhook.parse_trigger_body(raw)
    assert event.ticket_id == 42
    assert event.current_user_id == 9001
    assert len(event.message_digest) == 32
    assert webhook.event_key(event, raw).startswith("evt#42#")


def test_a_lone_surrogate_in_valid_json_still_hashes() -> None:
    raw = render_trigger_body("agt_1", {"ticket.latest_comment_rich": "\\ud800"})
    event = webhook.parse_trigger_body(raw)
    assert event.strict_json  # valid JSON whose message is a lone surrogate
    other = webhook.parse_trigger_body(
        render_trigger_body("agt_1", {"ticket.latest_comment_rich": "\\udfff"})
    )
    assert event.message_digest != other.message_digest


@pytest.mark.parametrize("value", ["²", "٣", "\uff11\uff12", "1²", "9" * 20, "true"])
def test_non_ascii_or_oversized_ids_are_a_400_not_a_crash(value: str) -> None:
    body = json.dumps({"conversationId": value}, ensure_ascii=False).encode()
    with pytest.raises(BadRequestError):
        webhook.parse_trigger_body(body)


def test_a_look_alike_id_in_the_comment_never_wins_over_the_real_one() -> None:
    raw = render_trigger_body(
        "agt_1", {"ticket.latest_comment_rich": '"conversationId":"²" and "conversationId": "7"'}
    )
    assert webhook.parse_trigger_body(raw).ticket_id == 42


def test_a_json_integer_id_is_read_but_a_boolean_is_not() -> None:
    assert webhook.parse_trigger_body(b'{"conversationId": 12}').ticket_id == 12
    with pytest.raises(BadRequestError):
        webhook.parse_trigger_body(b'{"conversationId": true}')


@settings(max_examples=300, deadline=None, database=None)
@given(comment=customer_texts, title=customer_texts, ticket_id=st.integers(1, 2**63 - 1))
def test_any_customer_text_keeps_the_ticket_id(comment: str, title: str, ticket_id: int) -> None:
    raw = render_trigger_body(
        "agt_1",
        {
            "ticket.latest_comment_rich": comment,
            "ticket.title": title,
            "ticket.id": str(ticket_id),
        },
    )
    event = webhook.parse_trigger_body(raw)
    assert event.ticket_id == ticket_id
    assert event.current_user_id == 9001
    assert event.updated_at == datetime(2024, 5, 1, 10, 5, 7, tzinfo=UTC)
    webhook.event_key(event, raw)  # never raises either
