"""Time, injectable: services take a ``Clock`` so tests control 'now'."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def epoch_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def monotonic() -> float:
    return time.monotonic()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
