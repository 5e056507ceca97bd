"""The simulated clock of step-chain tests and benchmarks: real time plus the SQS delays skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SimClock:
    """Our side's clock (``Context.now``): real time plus the SQS delays the driver skipped."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.skipped)
