"""Retries: 429 with Retry-After, 5xx, transport errors, idempotency and the Lambda deadline."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from tests.unit.zendesk.zendesk_fakes import (
    FakeSleep,
    FakeZendesk,
    make_client,
    oas_example,
    reply,
)
from zdagent.adapters.zendesk.automation import Conditions, TriggerPayload, WebhookCreate
from zdagent.adapters.zendesk.models import CommentCreate, TicketUpdate
from zdagent.core.errors import (
    ZendeskRateLimited,
    ZendeskServerError,
    ZendeskUnavailable,
)

TICKET = oas_example("TicketResponseExample")
ME = oas_example("CurrentUserResponseExample")


def test_429_honours_retry_after_then_succeeds() -> None:
    fake = FakeZendesk().on(
        "GET",
        "/api/v2/users/me",
        reply(429, text="slow down", headers={"Retry-After": "3"}),
        reply(429, text="slow down", headers={"Retry-After": "5"}),
        reply(200, ME),
    )
    sleep = FakeSleep()
    assert make_client(fake, sleep=sleep).me().id == 35436
    assert sleep.slept == [3.0, 5.0]
    assert len(fake.requests) == 3


def test_429_after_max_retries_raises_rate_limited_with_retry_after() -> None:
    fake = FakeZendesk().on(
        "GET", "/api/v2/users/me", reply(429, text="slow down", headers={"Retry-After": "2"})
    )
    sleep = FakeSleep()
    with pytest.raises(ZendeskRateLimited) as caught:
        make_client(fake, sleep=sleep, max_retries=2).me()
    assert caught.value.retry_after == 2
    assert sleep.slept == [2.0, 2.0]
    assert len(fake.requests) == 3


def test_retry_after_beyond_the_cap_is_not_slept_but_reported() -> None:
    fake = FakeZendesk().on(
        "GET", "/api/v2/users/me", reply(429, text="slow down", headers={"Retry-After": "45"})
    )
    sleep = FakeSleep()
    with pytest.raises(ZendeskRateLimited) as caught:
        make_client(fake, sleep=sleep, retry_after_cap=30).me()
    assert caught.value.retry_after == 45
    assert sleep.slept == []
    assert len(fake.requests) == 1


def test_429_without_retry_after_backs_off_exponentially_and_reports_a_delay() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", reply(429, text="slow down"))
    sleep = FakeSleep()
    with pytest.raises(ZendeskRateLimited) as caught:
        make_client(fake, sleep=sleep, max_retries=4).me()
    # jitter pinned to its ceiling: base 0.5 * 2**attempt, capped at 8
    assert sleep.slept == [0.5, 1.0, 2.0, 4.0]
    assert caught.value.retry_after is not None


def test_full_jitter_draws_between_zero_and_the_ceiling() -> None:
    draws: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        draws.append((low, high))
        return low

    fake = FakeZendesk().on("GET", "/api/v2/users/me", reply(503), reply(503), reply(200, ME))
    sleep = FakeSleep()
    make_client(fake, sleep=sleep, uniform=uniform).me()
    assert draws == [(0.0, 0.5), (0.0, 1.0)]
    assert sleep.slept == [0.0, 0.0]


def test_503_with_retry_after_waits_that_long() -> None:
    fake = FakeZendesk().on(
        "GET",
        "/api/v2/tickets/1",
        reply(503, text="maintenance", headers={"Retry-After": "4"}),
        reply(200, TICKET),
    )
    sleep = FakeSleep()
    make_client(fake, sleep=sleep).get_ticket(1)
    assert sleep.slept == [4.0]


def test_5xx_exhausted_raises_server_error() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/tickets/1", reply(500, {"error": "Boom"}))
    sleep = FakeSleep()
    with pytest.raises(ZendeskServerError, match="Boom"):
        make_client(fake, sleep=sleep, max_retries=3).get_ticket(1)
    assert len(fake.requests) == 4
    assert len(sleep.slept) == 3


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
)
def test_get_retries_every_transport_error(failure: Exception) -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", failure, reply(200, ME))
    assert make_client(fake).me().id == 35436
    assert len(fake.requests) == 2


def test_transport_errors_exhausted_raise_unavailable() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", httpx.ConnectError("refused"))
    with pytest.raises(ZendeskUnavailable, match="ConnectError"):
        make_client(fake, max_retries=2).me()
    assert len(fake.requests) == 3


TRIGGER = TriggerPayload(title="t", conditions=Conditions(), actions=[])


def test_post_is_not_retried_after_a_read_timeout() -> None:
    fake = FakeZendesk().on("POST", "/api/v2/triggers", httpx.ReadTimeout("timed out"))
    with pytest.raises(ZendeskUnavailable):
        make_client(fake).create_trigger(TRIGGER)
    assert len(fake.requests) == 1


def test_post_is_not_retried_on_5xx() -> None:
    fake = FakeZendesk().on("POST", "/api/v2/webhooks", reply(502))
    with pytest.raises(ZendeskServerError):
        make_client(fake).create_webhook(WebhookCreate(name="w", endpoint="https://e/x"))
    assert len(fake.requests) == 1


def test_post_is_retried_on_connect_error_and_429() -> None:
    created = reply(201, oas_example("TriggerResponseExample"))
    fake = FakeZendesk().on(
        "POST",
        "/api/v2/triggers",
        httpx.ConnectError("refused"),
        reply(429, headers={"Retry-After": "1"}),
        created,
    )
    sleep = FakeSleep()
    assert make_client(fake, sleep=sleep).create_trigger(TRIGGER).id == 25
    assert len(fake.requests) == 3
    assert sleep.slept == [0.5, 1.0]


REPLY = TicketUpdate(comment=CommentCreate(html_body="<p>hi</p>", public=True, author_id=1))


def test_ticket_reply_is_not_replayed_after_a_read_timeout() -> None:
    """A replayed comment could reach the customer twice."""
    fake = FakeZendesk().on("PUT", "/api/v2/tickets/1", httpx.ReadTimeout("timed out"))
    with pytest.raises(ZendeskUnavailable):
        make_client(fake).update_ticket(1, REPLY)
    assert len(fake.requests) == 1


def test_ticket_reply_with_safe_update_is_replayed() -> None:
    from datetime import UTC, datetime  # noqa: PLC0415

    update = dataclasses.replace(
        REPLY, safe_update=True, updated_stamp=datetime(2024, 1, 1, tzinfo=UTC)
    )
    fake = FakeZendesk().on(
        "PUT", "/api/v2/tickets/1", httpx.ReadTimeout("timed out"), reply(200, TICKET)
    )
    make_client(fake).update_ticket(1, update)
    assert len(fake.requests) == 2


def test_ticket_update_without_comment_is_replayed_on_5xx() -> None:
    fake = FakeZendesk().on("PUT", "/api/v2/tickets/1", reply(500), reply(200, TICKET))
    make_client(fake).update_ticket(1, TicketUpdate(status="pending"))
    assert len(fake.requests) == 2


def test_no_sleep_past_the_lambda_deadline() -> None:
    fake = FakeZendesk().on(
        "GET", "/api/v2/users/me", reply(429, headers={"Retry-After": "10"}), reply(200, ME)
    )
    sleep = FakeSleep()
    with pytest.raises(ZendeskRateLimited) as caught:
        make_client(fake, sleep=sleep, remaining_time=lambda: 11.0).me()  # margin is 2 s
    assert sleep.slept == []
    assert caught.value.retry_after == 10
    assert len(fake.requests) == 1


def test_sleeps_that_fit_the_deadline_happen() -> None:
    remaining = iter([30.0, 8.5])
    fake = FakeZendesk().on(
        "GET",
        "/api/v2/users/me",
        reply(429, headers={"Retry-After": "6"}),
        reply(429, headers={"Retry-After": "7"}),
        reply(200, ME),
    )
    sleep = FakeSleep()
    with pytest.raises(ZendeskRateLimited):
        make_client(fake, sleep=sleep, remaining_time=lambda: next(remaining)).me()
    assert sleep.slept == [6.0]  # 7 s would leave less than the 2 s margin of 8.5 s
    assert len(fake.requests) == 2
