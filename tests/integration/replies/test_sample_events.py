"""The sample events in events/ run through their handlers on moto (as `sam local invoke` would)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zdlocal.lambdas import FunctionRuntime
from zdlocal.template import ResourceMap, load_template

EVENTS = Path(__file__).resolve().parents[3] / "events"


def invoke(aws: ResourceMap, function_id: str, name: str) -> Any:
    runtime = FunctionRuntime.from_template(load_template().functions(), aws)
    return runtime.invoke(function_id, json.loads((EVENTS / name).read_text()))


def test_signed_webhook_sample_for_an_unknown_agent_is_401(aws: ResourceMap) -> None:
    answer = invoke(aws, "WebhookFunction", "webhook-zendesk-signed.json")
    assert answer["statusCode"] == 401
    assert json.loads(answer["body"])["type"].endswith("webhook_signature_invalid")


def test_reply_worker_sample_for_an_unknown_agent_is_consumed(aws: ResourceMap) -> None:
    assert invoke(aws, "ReplyWorkerFunction", "reply-worker-sqs.json") == {"batchItemFailures": []}


def test_stats_sample_for_an_unknown_agent_is_404(aws: ResourceMap) -> None:
    answer = invoke(aws, "ConversationsFunction", "conversations-stats.json")
    assert answer["statusCode"] == 404
