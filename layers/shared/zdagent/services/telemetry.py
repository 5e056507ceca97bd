"""EMF metrics of the reply pipeline: received, answered, escalated, ignored by reason, latency."""

from __future__ import annotations

from zdagent.core.observability import NAMESPACE, emit_emf, metrics

COUNT = "Count"
SECONDS = "Seconds"


def count(name: str) -> None:
    metrics.add_metric(name=name, unit=COUNT, value=1)


def count_by_reason(name: str, reason: str) -> None:
    """One metric with a ``reason`` dimension (emitted at once, so dimensions do not mix)."""
    emit_emf(NAMESPACE, {"reason": reason}, {name: (COUNT, [1.0])})


def reply_latency(seconds: float) -> None:
    metrics.add_metric(name="ReplyLatency", unit=SECONDS, value=max(0.0, seconds))
