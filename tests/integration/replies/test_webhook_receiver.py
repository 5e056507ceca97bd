"""The webhook receiver over HTTP (zdlocal's API emulation), signed like Zendesk signs."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.integration.replies.conftest import Connected, Pipeline
from zdagent.adapters.secrets import SecretVault
from zdagent.domain.trigger import webhook_body
from zdagent.domain.webhook import compute_signature


def _stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def post(
    pipeline: Pipeline,
    agent_id: str,
    body: bytes,
    *,
    secret: str | None = None,
    invocation_id: str = "inv-1",
    timestamp: str | None = None,
    content_type: str = "application/json",
) -> httpx.Response:
    stamp = timestamp or _stamp()
    headers = {
        "Content-Type": content_type,
        "x-zendesk-webhook-invocation-id": invocation_id,
        "x-zendesk-webhook-signature-timestamp": stamp,
    }
    if secret is not None:
        headers["x-zendesk-webhook-signature"] = compute_signature(secret, stamp, body)
    return httpx.post(
        f"{pipeline.api.url}/webhooks/zendesk/{agent_id}", content=body, headers=headers, timeout=10
    )


def secret_of(shop: Connected) -> str:
    stored = SecretVault().read_webhook_secret(shop.agent_id, cached=False)
    assert stored is not None
    return stored.signing_secret


def rendered(ticket_id: int, *, current_user: int = 555, message: str = "hi") -> bytes:
    values = {
        "{{ticket.id}}": str(ticket_id),
        "{{current_user.id}}": str(current_user),
        "{{ticket.latest_comment_rich}}": message,
        "{{ticket.updated_at_with_timestamp}}": _stamp(),
    }
    body = webhook_body("agt")
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return body.encode()


def test_the_answers_of_contract_section_3(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    secret = secret_of(shop)
    good = rendered(1, message='He said "hello"\nand left')  # not valid JSON, still accepted

    accepted = post(pipeline, shop.agent_id, good, secret=secret)
    assert (accepted.status_code, accepted.json()) == (200, {"status": "accepted"})

    unsigned = post(pipeline, shop.agent_id, good, invocation_id="inv-2")
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"].startswith("application/problem+json")
    wrong = post(pipeline, shop.agent_id, good, secret="not-the-secret", invocation_id="inv-3")
    assert wrong.status_code == 401
    unknown = post(pipeline, "agt_unknown", good, secret=secret, invocation_id="inv-4")
    assert unknown.status_code == 401
    stale = post(
        pipeline,
        shop.agent_id,
        good,
        secret=secret,
        invocation_id="inv-5",
        timestamp=_stamp(datetime.now(UTC) - timedelta(minutes=6)),
    )
    assert stale.status_code == 401
    malformed = post(pipeline, shop.agent_id, b"this is not a trigger body", secret=secret)
    assert malformed.status_code == 400
    huge = post(pipeline, shop.agent_id, b'{"x": "' + b"a" * (256 * 1024) + b'"}', secret=secret)
    assert huge.status_code == 413

    # Only the accepted call produced a job.
    assert pipeline.queue_counts()["ApproximateNumberOfMessages"] == 1


def test_base64_encoded_body_is_verified_on_its_bytes(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    body = rendered(7, message="caf\u00e9 cr\u00e8me").replace(b"}", b" }")
    answer = post(
        pipeline,
        shop.agent_id,
        body,
        secret=secret_of(shop),
        content_type="application/octet-stream",  # API Gateway base64-encodes this
    )
    assert (answer.status_code, answer.json()["status"]) == (200, "accepted")


def test_own_comment_and_engine_off_are_ignored(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    secret = secret_of(shop)
    own = post(pipeline, shop.agent_id, rendered(3, current_user=shop.ai_user_id), secret=secret)
    assert own.json() == {"status": "ignored", "reason": "own_comment"}
    from zdagent.services import engine  # noqa: PLC0415

    engine.toggle_engine(pipeline.ctx, shop.agent_id, False)
    off = post(pipeline, shop.agent_id, rendered(3), secret=secret, invocation_id="inv-9")
    assert off.json() == {"status": "ignored", "reason": "engine_disabled"}
    assert not any(pipeline.queue_counts().values())
    from zdagent.services import conversations  # noqa: PLC0415

    logged = conversations.get_conversation(pipeline.ctx, shop.agent_id, 3)  # the admin sees it
    assert [(d.action, d.reason) for d in logged.decisions] == [("ignored", "engine_disabled")]


def test_duplicate_deliveries_also_concurrent_give_one_reply(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    ticket_id = shop.email("Where is my order? I want to track my parcel.")["ticket_id"]
    [delivery] = shop.delivered(ticket_id)
    body = delivery["body"].encode()
    secret = secret_of(shop)

    # Zendesk retries the same invocation, and may invoke twice for one action: 5 more
    # deliveries of the same event, at once, with the same and with other invocation ids.
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def deliver(index: int) -> None:
        invocation = delivery["invocation_id"] if index % 2 else f"other-{index}"
        response = post(pipeline, shop.agent_id, body, secret=secret, invocation_id=invocation)
        with lock:
            answers.append({"status_code": response.status_code} | response.json())

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a["status_code"] for a in answers] == [200] * 5
    assert all(
        a == {"status_code": 200, "status": "ignored", "reason": "duplicate"} for a in answers
    )

    pipeline.drain()
    assert len(shop.ai_comments(ticket_id)) == 1


def test_duplicate_jobs_processed_concurrently_give_one_reply(pipeline: Pipeline) -> None:
    """Past the receiver (SQS delivers at least once): five copies of the job, five workers."""
    shop = pipeline.connect()
    ticket_id = shop.email("Where is my order? I want to track my parcel.")["ticket_id"]
    shop.delivered(ticket_id)
    [message] = pipeline.sqs.receive_message(QueueUrl=pipeline.queue_url)["Messages"]
    job = json.loads(message["Body"])
    pipeline.sqs.delete_message(QueueUrl=pipeline.queue_url, ReceiptHandle=message["ReceiptHandle"])

    from zdagent.core.errors import ConcurrentModificationError  # noqa: PLC0415
    from zdagent.domain.reply_job import ReplyJob  # noqa: PLC0415
    from zdagent.services import replies  # noqa: PLC0415

    statuses: list[str] = []
    errors: list[str] = []

    def work() -> None:
        try:
            statuses.append(
                replies.process_reply(pipeline.ctx, ReplyJob.from_message(json.dumps(job))).status
            )
        except (replies.ReplyInProgressError, ConcurrentModificationError) as exc:
            # raised to SQS: the message comes back later. (moto's conditional writes are not
            # atomic across threads, so a claim can be lost here where DynamoDB would refuse it.)
            errors.append(type(exc).__name__)

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses.count("answered") == 1, (statuses, errors)
    assert len(shop.ai_comments(ticket_id)) == 1
    # A late copy is a duplicate.
    again = replies.process_reply(pipeline.ctx, ReplyJob.from_message(json.dumps(job)))
    assert again.status == "duplicate"
    assert len(shop.ai_comments(ticket_id)) == 1
