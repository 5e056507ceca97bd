"""Nothing a customer writes makes the receiver lose the email (docs/contract.md §3, issue 12).

Customer texts from ``tests.support.hostile`` are rendered into the default trigger body exactly
as Zendesk renders it (unescaped), signed with the agent's real webhook secret and posted to the
real receiver (zdlocal's API emulation on moto): every delivery is accepted, never a 5xx.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import httpx
from hypothesis import HealthCheck, given, settings

from tests.integration.replies.conftest import Pipeline
from tests.integration.replies.test_webhook_receiver import secret_of
from tests.support.hostile import customer_texts, deep_brackets, render_trigger_body
from zdagent.domain.webhook import compute_signature


def _post(pipeline: Pipeline, agent_id: str, secret: str, body: bytes, n: int) -> httpx.Response:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {
        "Content-Type": "application/json",
        "x-zendesk-webhook-invocation-id": f"inv-hostile-{n}",
        "x-zendesk-webhook-signature-timestamp": stamp,
        "x-zendesk-webhook-signature": compute_signature(secret, stamp, body),
    }
    return httpx.post(
        f"{pipeline.api.url}/webhooks/zendesk/{agent_id}", content=body, headers=headers, timeout=10
    )


def test_issue_12_bodies_are_accepted(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    secret = secret_of(shop)
    for n, comment in enumerate(["\\ud800", deep_brackets(12_000), deep_brackets(50_000)]):
        body = render_trigger_body(
            shop.agent_id, {"ticket.latest_comment_rich": comment, "ticket.id": str(100 + n)}
        )
        response = _post(pipeline, shop.agent_id, secret, body, n)
        assert (response.status_code, response.json()) == (200, {"status": "accepted"})


def test_a_non_ascii_ticket_id_is_a_400_not_a_500(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    body = '{"conversationId":"²","message":"hi"}'.encode()
    response = _post(pipeline, shop.agent_id, secret_of(shop), body, 0)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_any_customer_text_is_accepted(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    secret = secret_of(shop)
    ticket_ids = itertools.count(1000)

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(comment=customer_texts, title=customer_texts)
    def delivery(comment: str, title: str) -> None:
        ticket_id = next(ticket_ids)  # one ticket each: no delivery is a duplicate of another
        body = render_trigger_body(
            shop.agent_id,
            {
                "ticket.latest_comment_rich": comment,
                "ticket.title": title,
                "ticket.id": str(ticket_id),
                "current_user.id": "9001",
            },
        )
        if len(body) > 256 * 1024:
            return  # over the documented size limit: a 413 by contract
        response = _post(pipeline, shop.agent_id, secret, body, ticket_id)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "accepted"}

    delivery()
