"""The webhook receiver's hot path: a signed Zendesk delivery → verified, deduplicated, queued.

Runs the real WebhookFunction handler in-process on moto (tables and queues from template.yaml),
for a connected integration, and prints per-delivery wall time (p50/p95/max) for new deliveries
and for duplicates, plus the ratio of work to Zendesk's ~10 s webhook timeout. moto in-process is
slower than DynamoDB/SQS from a Lambda in the same region, so these figures are an upper bound
of our own work. Writes bench/results/webhook.json.

    .venv/bin/python -m bench.bench_webhook [--deliveries 500]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moto import mock_aws

RESULTS = Path(__file__).resolve().parent / "results"
QUIET = {
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _connected_agent() -> tuple[str, str]:
    from zdagent.adapters.secrets import WebhookSecret  # noqa: PLC0415
    from zdagent.domain.integration import Integration, ZendeskUserRef  # noqa: PLC0415
    from zdagent.services import agents  # noqa: PLC0415
    from zdagent.services.context import Context  # noqa: PLC0415

    ctx = Context()
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="bench"))
    now = datetime.now(UTC)
    # stored directly: creating it through the service checks the subdomain with Zendesk, and
    # the receiver measured here never talks to Zendesk
    created = ctx.integrations.create(
        Integration(
            agent_id=agent.agent_id,
            crm="zendesk_support",
            subdomain="acme",
            ai_agent_user_email="ai-agent@acme.test",
            created_at=now,
        )
    )
    user = ZendeskUserRef(id=10002, email="ai-agent@acme.test", name="AI")
    connected = created.authorized(user, now).with_trigger(1, "01WEBHOOK", "f", now)
    ctx.integrations.save(connected.with_engine(True, now))
    secret = "bench-signing-secret"
    ctx.vault.write_webhook_secret(
        agent.agent_id, WebhookSecret(webhook_id="01WEBHOOK", signing_secret=secret)
    )
    return agent.agent_id, secret


def _event(agent_id: str, secret: str, ticket_id: int, invocation: str) -> dict[str, Any]:
    from zdagent.domain.webhook import compute_signature  # noqa: PLC0415

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps(
        {
            "botId": agent_id,
            "message": "**Order** \n\n Where is my parcel?",
            "conversationId": str(ticket_id),
            "type": "message",
            "tags": "",
            "channel": "Mail",
            "requester": "10004",
            "currentUser": "10004",
            "submitterRole": "End-user",
            "authorRole": "End-user",
            "createdAt": stamp,
            "updatedAt": stamp,
        }
    )
    path = f"/webhooks/zendesk/{agent_id}"
    return {
        "version": "2.0",
        "routeKey": "POST /webhooks/zendesk/{agent_id}",
        "rawPath": path,
        "rawQueryString": "",
        "isBase64Encoded": False,
        "body": body,
        "pathParameters": {"agent_id": agent_id},
        "headers": {
            "content-type": "application/json",
            "x-zendesk-webhook-signature": compute_signature(secret, stamp, body.encode()),
            "x-zendesk-webhook-signature-timestamp": stamp,
            "x-zendesk-webhook-id": "01WEBHOOK",
            "x-zendesk-webhook-invocation-id": invocation,
            "x-zendesk-account-id": "1",
        },
        "requestContext": {
            "http": {"method": "POST", "path": path},
            "stage": "$default",
            "domainName": "api.example.com",
            "requestId": invocation,
        },
    }


def run(deliveries: int) -> dict[str, Any]:
    from zdlocal.aws import DUMMY_CREDENTIALS, MOTO_CONFIG  # noqa: PLC0415
    from zdlocal.lambdas import FunctionRuntime  # noqa: PLC0415
    from zdlocal.resources import AwsClients, create_resources  # noqa: PLC0415
    from zdlocal.template import Resolver, load_template, merged_environment  # noqa: PLC0415

    os.environ.update(DUMMY_CREDENTIALS | QUIET)
    import zdagent.core.observability  # noqa: F401, PLC0415 (its Logger reads the level once)

    os.environ.pop("AWS_ENDPOINT_URL", None)
    template = load_template()
    # Powertools prints metrics (EMF) to stdout on every invocation: keep the figures readable
    with mock_aws(config=MOTO_CONFIG), contextlib.redirect_stdout(io.StringIO()):  # type: ignore[arg-type]
        resources = create_resources(template, AwsClients.create())
        os.environ.update(merged_environment(template.functions(), Resolver(template, resources)))
        os.environ.update(QUIET)
        runtime = FunctionRuntime.from_template(template.functions(), resources)
        agent_id, secret = _connected_agent()
        runtime.invoke("WebhookFunction", _event(agent_id, secret, 1, "warm-up"))
        fresh, duplicate = [], []
        for n in range(deliveries):
            event = _event(agent_id, secret, 1000 + n, f"inv-{n}")
            started = time.perf_counter()
            answer = runtime.invoke("WebhookFunction", event)
            fresh.append((time.perf_counter() - started) * 1000)
            assert json.loads(answer["body"])["status"] == "accepted", answer
            started = time.perf_counter()
            again = runtime.invoke("WebhookFunction", event)
            duplicate.append((time.perf_counter() - started) * 1000)
            assert json.loads(again["body"])["reason"] == "duplicate", again
    figures = {
        "deliveries": deliveries,
        "accepted_ms": _summary(fresh),
        "duplicate_ms": _summary(duplicate),
        "share_of_zendesk_10s_timeout_p95": round(_percentile(fresh, 0.95) / 10_000, 5),
    }
    return figures


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(_percentile(values, 0.95), 2),
        "max": round(max(values), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=500)
    figures = run(parser.parse_args().deliveries)
    share = figures["share_of_zendesk_10s_timeout_p95"]
    print(f"webhook receiver on in-process moto, {figures['deliveries']} deliveries")
    for label, key in (
        ("accepted (verify, dedupe marks, enqueue)", "accepted_ms"),
        ("duplicate", "duplicate_ms"),
    ):
        values = figures[key]
        print(f"  {label}: p50 {values['p50']} ms, p95 {values['p95']} ms, max {values['max']} ms")
    print(f"  p95 as a share of Zendesk's 10 s timeout: {share:.3%}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "webhook.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written: {RESULTS / 'webhook.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
