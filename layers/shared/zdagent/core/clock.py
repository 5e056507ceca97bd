"""Time conversions shared by the services (``Context.now`` is the injectable clock)."""

from __future__ import annotations

from datetime import datetime


def epoch_seconds(moment: datetime) -> int:
    return int(moment.timestamp())
