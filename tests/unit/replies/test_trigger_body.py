"""The lenient trigger-body parser on bodies rendered the way Zendesk renders them (unescaped)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from zdagent.core.errors import BadRequestError
from zdagent.domain import webhook
from zdagent.domain.trigger import webhook_body

VALUES = {
    "ticket.title": "Where is my order?",
    "ticket.latest_comment_rich": "Hello, my order has not arrived.",
    "ticket.id": "42",
    "ticket.tags": "vip order",
    "ticket.via": "Mail",
    "ticket.requester.id": "9001",
    "current_user.id": "9001",
    "ticket.submitter.role": "End-user",
    "ticket.comments.first.author.role": "End-user",
    "ticket.created_at_with_timestamp": "2024-05-01T10:00:00Z",
    "ticket.updated_at_with_timestamp": "2024-05-01T10:05:07Z",
}


def render(**overrides: str) -> bytes:
    """Zendesk's rendering: placeholders replaced by raw text, no JSON escaping."""
    values = VALUES | {k.replace("__", "."): v for k, v in overrides.items()}
    body = re.sub(
        r"\{\{([^}]+)\}\}", lambda m: values.get(m.group(1).strip(), ""), webhook_body("agt_1")
    )
    return body.encode()


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
