"""Use case: receive one Zendesk webhook call (docs/contract.md §3) and queue the reply job.

Fast by design: a cached secret read, one DynamoDB read (the agent's two items, projected), two
conditional writes and one SQS send; no Zendesk call. The reply itself is produced by the reply
worker.

Lean by design too: its cold start must stay within 1.3x ``import boto3``
(bench/bench_cold_start.py), so nothing on the accepted path imports pydantic. The agent and
integration are read as the four values the receiver decides on (``adapters.webhook_routes``),
the queued job is written by ``domain.reply_message`` (the worker validates it as a ``ReplyJob``),
and settings and secrets are plain typed records (``core.settings``, ``adapters.secrets``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from zdagent.adapters.keys import agent_pk, seen_sk
from zdagent.adapters.webhook_routes import read_agent_route
from zdagent.core.clock import epoch_seconds
from zdagent.core.errors import WebhookSignatureError
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain import webhook
from zdagent.domain.reply_message import reply_job_message
from zdagent.services import telemetry
from zdagent.services.context import Context

SEEN_TTL_SECONDS = 3 * 24 * 3600


@dataclass(frozen=True)
class InboundResult:
    status: Literal["accepted", "ignored"]
    reason: str | None = None
    ticket_id: int | None = None

    def body(self) -> dict[str, str]:
        if self.status == "accepted":
            return {"status": "accepted"}
        return {"status": "ignored", "reason": self.reason or "ignored"}


def receive_webhook(
    ctx: Context,
    agent_id: str,
    *,
    headers: dict[str, str] | None,
    body: str | None,
    is_base64_encoded: bool = False,
) -> InboundResult:
    config = settings()
    raw = webhook.raw_body_bytes(body, is_base64_encoded=is_base64_encoded)
    webhook.check_size(raw, config.webhook_max_body_bytes)
    secret = ctx.vault.read_webhook_secret(agent_id) if _plausible(agent_id) else None
    if secret is None:
        raise WebhookSignatureError("unknown agent, or it has no webhook")
    now = ctx.now()
    webhook.verify_signature(
        secret=secret.signing_secret,
        headers=headers,
        raw=raw,
        now=now,
        tolerance_seconds=config.webhook_timestamp_tolerance_seconds,
    )
    sent_by = webhook.header(headers, webhook.WEBHOOK_ID_HEADER)
    if sent_by and sent_by != secret.webhook_id:
        raise WebhookSignatureError("the call comes from another webhook than this agent's")
    event = webhook.parse_trigger_body(raw)
    telemetry.count("Received")
    log = {"agent_id": agent_id, "ticket_id": event.ticket_id, "strict_json": event.strict_json}

    route = read_agent_route(ctx.store, agent_id)
    integration = route.integration
    if integration is None or not integration.is_authorized:
        return _ignored("not_connected", event.ticket_id, log)
    if integration.ai_user_id is not None and event.current_user_id == integration.ai_user_id:
        return _ignored("own_comment", event.ticket_id, log)
    if not integration.engine_enabled:
        return _ignored_and_logged(
            ctx,
            agent_id,
            integration.subdomain,
            reason="engine_disabled",
            ticket_id=event.ticket_id,
            log=log,
        )
    delay = route.reply_delay
    if delay is None:
        return _ignored("not_connected", event.ticket_id, log)

    marks = [
        key
        for key in (
            webhook.invocation_key(webhook.header(headers, webhook.INVOCATION_ID_HEADER)),
            webhook.event_key(event, raw),
        )
        if key
    ]
    written: list[str] = []
    for key in marks:
        if not ctx.store.put_if_absent(
            {
                "pk": agent_pk(agent_id),
                "sk": seen_sk(integration.subdomain, key),
                "ticket_id": event.ticket_id,
                "expires_at": epoch_seconds(now) + SEEN_TTL_SECONDS,
            }
        ):
            return _ignored("duplicate", event.ticket_id, log)
        written.append(key)

    job = reply_job_message(
        agent_id=agent_id,
        subdomain=integration.subdomain,
        ticket_id=event.ticket_id,
        event_updated_at=event.updated_at,
        received_at=now,
        due_at=now + timedelta(seconds=delay),
        invocation_id=webhook.header(headers, webhook.INVOCATION_ID_HEADER),
    )
    try:
        ctx.reply_queue.send(job, delay_seconds=delay)
    except Exception:
        _forget(
            ctx, agent_id, integration.subdomain, written
        )  # Zendesk retries; the retry must not look duplicate
        raise
    logger.info("webhook_accepted", extra=log | {"delay_seconds": delay})
    return InboundResult("accepted", ticket_id=event.ticket_id)


def _plausible(agent_id: str) -> bool:
    return 0 < len(agent_id) <= 64 and all(c.isalnum() or c in "_-" for c in agent_id)


def _forget(ctx: Context, agent_id: str, subdomain: str, keys: list[str]) -> None:
    for key in keys:
        ctx.store.delete(agent_pk(agent_id), seen_sk(subdomain, key))


def _ignored_and_logged(
    ctx: Context,
    agent_id: str,
    subdomain: str,
    *,
    reason: str,
    ticket_id: int,
    log: dict[str, object],
) -> InboundResult:
    """Ignored, and written to the conversation log so the admin sees the email and why it was
    not answered. Only this branch pays for the conversation-log modules (imported here, not at
    module import, to keep the receiver's cold start and accepted path as they are)."""
    from zdagent.services.conversations import DecisionToLog, record_decision  # noqa: PLC0415

    record_decision(
        ctx,
        agent_id,
        ticket_id,
        DecisionToLog(action="ignored", reason=reason),
        subdomain=subdomain,
    )
    return _ignored(reason, ticket_id, log)


def _ignored(reason: str, ticket_id: int, log: dict[str, object]) -> InboundResult:
    logger.info("webhook_ignored", extra=log | {"reason": reason})
    telemetry.count_by_reason("WebhookIgnored", reason)
    return InboundResult("ignored", reason, ticket_id)
