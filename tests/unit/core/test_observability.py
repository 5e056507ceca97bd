"""Our logger and metrics write what Powertools' Logger and Metrics wrote (which they replaced
for cold start, bench/bench_cold_start.py): the same keys, values and EMF documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools import Logger as PowertoolsLogger
from aws_lambda_powertools import Metrics as PowertoolsMetrics
from aws_lambda_powertools.logging import correlation_paths

from zdagent.core import observability
from zdagent.services import telemetry


class Context:
    function_name = "WebhookFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:WebhookFunction"
    aws_request_id = "req-1"


EVENT = {"requestContext": {"requestId": "api-req-9"}, "body": "never logged"}


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def _log_through(logger: Any, path: str) -> None:
    @logger.inject_lambda_context(correlation_id_path=path, clear_state=True)
    def handler(event: object, context: object) -> None:
        logger.info("webhook_accepted", extra={"agent_id": "agt_1", "ticket_id": 7})
        try:
            raise ValueError("bad")
        except ValueError:
            logger.exception("request_crashed", extra={"error_type": "ValueError"})

    handler(EVENT, Context())


def test_log_lines_have_powertools_keys_and_values(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
    _log_through(
        PowertoolsLogger(service="zendesk-ai-email-agent-pt"), correlation_paths.API_GATEWAY_HTTP
    )
    theirs = _lines(capsys)
    _log_through(
        observability.Logger(service="zendesk-ai-email-agent-ours"), "requestContext.requestId"
    )
    ours = _lines(capsys)
    assert len(ours) == len(theirs) == 2
    for mine, powertools in zip(ours, theirs, strict=True):
        assert set(mine) == set(powertools) - {"stack_trace"}
        for key in set(mine) - {"timestamp", "location", "exception", "service", "cold_start"}:
            assert mine[key] == powertools[key], key
        assert mine["timestamp"][-5:] == "+0000"
    assert ours[0]["correlation_id"] == "api-req-9"
    assert ours[0]["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert "never logged" not in json.dumps(ours)
    assert ours[1]["exception_name"] == "ValueError"


def test_emf_documents_are_powertools_ones(capsys: pytest.CaptureFixture[str]) -> None:
    theirs_metrics = PowertoolsMetrics(
        service="zendesk-ai-email-agent", namespace="ZendeskAIEmailAgent"
    )
    ours_metrics = observability.Metrics()
    for metrics in (theirs_metrics, ours_metrics):

        @metrics.log_metrics
        def handler(event: object, context: object, m: Any = metrics) -> None:
            m.add_metric(name="Received", unit="Count", value=1)
            m.add_metric(name="ReplyLatency", unit="Seconds", value=2.5)

        handler({}, Context())
    theirs, ours = _lines(capsys)
    for document in (theirs, ours):
        document["_aws"].pop("Timestamp")
    assert ours == theirs


def test_a_reason_metric_is_its_own_document(capsys: pytest.CaptureFixture[str]) -> None:
    telemetry.count_by_reason("WebhookIgnored", "duplicate")
    (document,) = _lines(capsys)
    assert document["reason"] == "duplicate"
    assert document["WebhookIgnored"] == [1.0]
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["reason"]]
