"""EMF metrics of the reply pipeline: received, answered, escalated, ignored by reason, latency."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from zdagent.core.observability import metrics

NAMESPACE = "ZendeskAIEmailAgent"


def count(name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def count_by_reason(name: str, reason: str) -> None:
    """One metric with a ``reason`` dimension (emitted at once, so dimensions do not mix)."""
    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=1,
        namespace=NAMESPACE,
        default_dimensions={"reason": reason},
    ):
        pass


def reply_latency(seconds: float) -> None:
    metrics.add_metric(name="ReplyLatency", unit=MetricUnit.Seconds, value=max(0.0, seconds))
