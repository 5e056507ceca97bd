"""Each Zendesk error status becomes our typed error, carrying Zendesk's own message."""

from __future__ import annotations

import httpx
import pytest

from tests.unit.zendesk.zendesk_fakes import FakeZendesk, make_client, reply
from zdagent.adapters.zendesk.errors import error_from_response, parse_retry_after
from zdagent.core.errors import (
    ZendeskAuthError,
    ZendeskClientError,
    ZendeskConflict,
    ZendeskError,
    ZendeskForbidden,
    ZendeskInvalidRecord,
    ZendeskNotFound,
    ZendeskRateLimited,
    ZendeskServerError,
)

RECORD_INVALID = {
    "error": "RecordInvalid",
    "description": "Record validation errors",
    "details": {
        "base": [
            {
                "description": "Assignee cannot be set while the ticket is being routed",
                "error": "InvalidValue",
            }
        ]
    },
}


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "words"),
    [
        (
            401,
            {"error": "Couldn't authenticate you"},
            ZendeskAuthError,
            "Couldn't authenticate you",
            "Couldn't authenticate you",
        ),
        (
            403,
            {"error": "Forbidden", "description": "You do not have access to this page."},
            ZendeskForbidden,
            "Forbidden",
            "You do not have access to this page.",
        ),
        (
            404,
            {"error": "RecordNotFound", "description": "Not found"},
            ZendeskNotFound,
            "RecordNotFound",
            "Not found",
        ),
        (
            404,
            {
                "error": {
                    "title": "No help desk at acme.zendesk.com",
                    "message": "There is no help desk configured at this address.",
                }
            },
            ZendeskNotFound,
            "No help desk at acme.zendesk.com",
            "There is no help desk configured",
        ),
        (
            409,
            {"error": "UpdateConflict", "description": "Ticket was updated by another user"},
            ZendeskConflict,
            "UpdateConflict",
            "Ticket was updated by another user",
        ),
        (
            422,
            RECORD_INVALID,
            ZendeskInvalidRecord,
            "RecordInvalid",
            "base: Assignee cannot be set while the ticket is being routed",
        ),
        (
            400,
            {"error": "InvalidPaginationParameter", "description": "page[size] is too big"},
            ZendeskClientError,
            "InvalidPaginationParameter",
            "page[size] is too big",
        ),
        (
            403,
            {
                "errors": [
                    {
                        "code": "WebhookLimitExceeded",
                        "title": "Webhook Limit Exceeded",
                        "detail": "Account limit on number of webhooks has been reached",
                    }
                ]
            },
            ZendeskForbidden,
            "WebhookLimitExceeded",
            "Webhook Limit Exceeded: Account limit on number of webhooks has been reached",
        ),
        (
            500,
            {"error": "InternalServerError"},
            ZendeskServerError,
            "InternalServerError",
            "InternalServerError",
        ),
    ],
)
def test_status_maps_to_error_class_with_zendesks_message(
    status: int, body: object, cls: type[ZendeskError], code: str, words: str
) -> None:
    response = httpx.Response(status, json=body, request=httpx.Request("GET", "https://x/a"))
    error = error_from_response(response, operation="GET /api/v2/tickets/{ticket_id}")
    assert type(error) is cls
    assert error.zendesk_status == status
    assert error.zendesk_error == code
    assert words in error.detail
    assert error.detail.startswith(f"GET /api/v2/tickets/{{ticket_id}}: Zendesk answered {status}")


def test_plain_text_rate_limit_body_and_retry_after() -> None:
    response = httpx.Response(
        429,
        text="You have exceeded the rate limit for updating a single unique user",
        headers={"Retry-After": "7"},
        request=httpx.Request("PUT", "https://x/api/v2/users/1"),
    )
    error = error_from_response(response)
    assert isinstance(error, ZendeskRateLimited)
    assert error.retry_after == 7
    assert "exceeded the rate limit" in error.detail
    assert "PUT /api/v2/users/1" in error.detail


def test_token_endpoint_shape_keeps_error_description() -> None:
    response = httpx.Response(
        400,
        json={
            "error": "invalid_grant",
            "error_description": "The provided access grant is invalid",
        },
        request=httpx.Request("POST", "https://x/oauth/tokens"),
    )
    error = error_from_response(response)
    assert error.zendesk_error == "invalid_grant"
    assert "The provided access grant is invalid" in error.detail


def test_empty_body_falls_back_to_reason_phrase() -> None:
    error = error_from_response(httpx.Response(502, request=httpx.Request("GET", "https://x/")))
    assert isinstance(error, ZendeskServerError)
    assert "Bad Gateway" in error.detail


def test_very_long_messages_are_cut() -> None:
    response = httpx.Response(500, text="x" * 5000, request=httpx.Request("GET", "https://x/"))
    assert len(error_from_response(response).detail) < 1200


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("12", 12.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("soon", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    now = 1445412450.0  # 2015-10-21T07:27:30Z
    assert parse_retry_after(header, now=now) == seconds


def test_client_raises_typed_error_without_retrying_client_errors() -> None:
    fake = FakeZendesk().on("PUT", r"/api/v2/tickets/1", reply(422, RECORD_INVALID))
    client = make_client(fake)
    from zdagent.adapters.zendesk.models import TicketUpdate  # noqa: PLC0415

    with pytest.raises(ZendeskInvalidRecord, match="Assignee cannot be set") as caught:
        client.update_ticket(1, TicketUpdate(assignee_id=5))
    assert caught.value.zendesk_status == 422
    assert "PUT /api/v2/tickets/{ticket_id}" in caught.value.detail
    assert len(fake.requests) == 1


def test_non_json_success_body_is_a_zendesk_error() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", reply(200, text="<html>maintenance</html>"))
    with pytest.raises(ZendeskError, match="not JSON"):
        make_client(fake).me()
