"""Client details the OAS test does not cover: URLs, settings, lookups, payload rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.unit.zendesk.zendesk_fakes import FakeZendesk, make_client, oas_example, reply
from zdagent.adapters.zendesk.client import ZendeskClient
from zdagent.adapters.zendesk.models import CommentCreate, Ticket, TicketUpdate
from zdagent.adapters.zendesk.urls import base_url_for
from zdagent.core.errors import ValidationFailedError
from zdagent.core.settings import reset_settings_cache


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("https://{subdomain}.zendesk.com", "https://acme.zendesk.com"),
        ("http://127.0.0.1:3001/{subdomain}", "http://127.0.0.1:3001/acme"),
        ("http://127.0.0.1:3001/{subdomain}/", "http://127.0.0.1:3001/acme"),
    ],
)
def test_base_url_for(template: str, expected: str) -> None:
    assert base_url_for("acme", template) == expected


@pytest.mark.parametrize("subdomain", ["", "Acme", "evil.com/x", "a@b", "-acme", "acme-"])
def test_base_url_for_refuses_what_is_not_a_subdomain(subdomain: str) -> None:
    with pytest.raises(ValidationFailedError):
        base_url_for(subdomain, "https://{subdomain}.zendesk.com")


def test_for_subdomain_reads_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "t")
    monkeypatch.setenv("ZENDESK_BASE_URL_TEMPLATE", "http://127.0.0.1:3001/{subdomain}")
    monkeypatch.setenv("ZENDESK_MAX_RETRIES", "1")
    reset_settings_cache()
    try:
        fake = FakeZendesk(base_path="/acme").on("GET", "/api/v2/users/me", reply(500))
        client = ZendeskClient.for_subdomain("acme", auth=None, transport=fake.transport())
        client._runner._sleep = lambda _s: None
        assert client.base_url == "http://127.0.0.1:3001/acme"
        with pytest.raises(Exception, match="500"):
            client.me()
        assert len(fake.requests) == 2  # ZENDESK_MAX_RETRIES=1
    finally:
        reset_settings_cache()


def test_requests_carry_user_agent_and_accept() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", reply(200, {"user": {"id": 1}}))
    make_client(fake).me()
    headers = fake.requests[0].headers
    assert headers["accept"] == "application/json"
    assert headers["user-agent"].startswith("zendesk-ai-email-agent/")


def test_find_user_by_email_matches_exactly_and_case_insensitively() -> None:
    users = {
        "users": [
            {"id": 1, "email": "ai-agent-2@acme.test", "role": "admin"},
            {"id": 2, "email": "AI-Agent@acme.test", "role": "admin"},
        ]
    }
    fake = FakeZendesk().on("GET", "/api/v2/users/search", reply(200, users))
    user = make_client(fake).find_user_by_email("ai-agent@acme.test")
    assert user is not None
    assert (user.id, user.is_admin) == (2, True)
    assert dict(fake.requests[0].url.params) == {"query": "email:ai-agent@acme.test"}


def test_path_parameters_are_escaped() -> None:
    fake = FakeZendesk().on("GET", r"/api/v2/webhooks/.*", reply(200, {"webhook": {"id": "x"}}))
    make_client(fake).get_webhook("a/../b")
    assert fake.requests[0].url.raw_path == b"/api/v2/webhooks/a%2F..%2Fb"


def test_update_ticket_body() -> None:
    fake = FakeZendesk().on("PUT", "/api/v2/tickets/5", reply(200, {"ticket": {"id": 5}}))
    make_client(fake).update_ticket(
        5,
        TicketUpdate(
            comment=CommentCreate(html_body="<p>Hi</p>", author_id=9),
            safe_update=True,
            updated_stamp=datetime(2019, 9, 12, 21, 45, 16, tzinfo=UTC),
        ),
    )
    import json  # noqa: PLC0415

    assert json.loads(fake.requests[0].content) == {
        "ticket": {
            "comment": {"html_body": "<p>Hi</p>", "public": True, "author_id": 9},
            "safe_update": True,
            "updated_stamp": "2019-09-12T21:45:16Z",
        }
    }


def test_payload_rules() -> None:
    with pytest.raises(ValidationFailedError):
        CommentCreate(html_body="<p>a</p>", body="a")
    with pytest.raises(ValidationFailedError):
        CommentCreate()
    with pytest.raises(ValidationFailedError):
        TicketUpdate(safe_update=True)
    with pytest.raises(ValidationFailedError):
        TicketUpdate(status="opened")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        TicketUpdate(statuss="open")  # type: ignore[call-arg]


def test_incremental_arguments_are_checked() -> None:
    client = make_client(FakeZendesk())
    with pytest.raises(ValidationFailedError):
        client.incremental_tickets()
    with pytest.raises(ValidationFailedError):
        client.incremental_tickets(start_time=1, cursor="c")
    with pytest.raises(ValidationFailedError):
        client.incremental_tickets(start_time=1, per_page=1001)


def test_update_many_triggers_refuses_keys_zendesk_ignores() -> None:
    client = make_client(FakeZendesk())
    with pytest.raises(ValidationFailedError):
        client.update_many_triggers([{"id": 1, "title": "ignored by Zendesk"}])
    with pytest.raises(ValidationFailedError):
        client.update_many_triggers([{"position": 1}])


def test_update_webhook_status_refuses_unknown_status() -> None:
    with pytest.raises(ValidationFailedError):
        make_client(FakeZendesk()).update_webhook_status("w", "paused")


def test_unknown_fields_are_kept_and_email_via_parses() -> None:
    raw = oas_example("TicketResponseExample")["ticket"]
    raw["brand_new_field"] = {"x": 1}
    raw["via"] = {
        "channel": "email",
        "source": {"from": {"address": "c@example.com"}, "to": {}, "rel": None},
    }
    ticket = Ticket.from_json(raw)
    assert ticket.extra["brand_new_field"] == {"x": 1}
    assert ticket.via is not None
    assert ticket.via.channel == "email"


def test_comment_flags() -> None:
    comments = oas_example("TicketCommentsResponseExample")["comments"]
    from zdagent.adapters.zendesk.models import Comment  # noqa: PLC0415

    comment = Comment.from_json({**comments[0], "metadata": {"flags": [4, "x"]}})
    assert comment.flags == [4]


def test_trigger_parses_zendesk_variations() -> None:
    from zdagent.adapters.zendesk.automation import Trigger  # noqa: PLC0415

    trigger = Trigger.from_json(
        {
            "id": 1,
            "category_id": 10026,
            "conditions": {"all": [{"field": "status", "operator": "is", "value": None}]},
            "actions": [
                {"field": "notification_webhook", "value": ["01F", '{"a":1}']},
                {"field": "set_tags", "value": {"unexpected": "object"}},
            ],
        }
    )
    assert trigger.category_id == "10026"
    assert trigger.actions[0].value == ["01F", '{"a":1}']
    assert trigger.conditions.any == []
