"""Pacing a step chain against Zendesk's limits with SQS delays: the arithmetic the import and
the Help Center sync share (``services/step_chain.py`` runs the chains).

Every wait is an SQS ``DelaySeconds`` (whole seconds, at most 15 minutes): a step never sleeps.
"""

from __future__ import annotations

import math
from datetime import datetime

MAX_SQS_DELAY_SECONDS = 900


def clamp_delay(seconds: float) -> int:
    """An SQS delay: whole seconds in [0, 900], rounded up (never early)."""
    if not math.isfinite(seconds) or seconds <= 0:
        return 0
    return min(MAX_SQS_DELAY_SECONDS, math.ceil(seconds - 1e-9))


# (Used by the Help Center knowledge sync; the import itself makes only export requests.)
# Zendesk counts requests in a sliding minute. Each step logs ``(end time, requests)``; all of a
# step's requests are counted at its end (conservative), and a step may use what the last minute
# left of the budget. Steps take a quarter of the budget each so that the wait for the window to
# slide is short (throughput ~ budget * 60 / (60 + a quarter of a step's duration)).
STEP_SHARE = 4
WINDOW_SECONDS = 60.0
# Kept free in every minute for requests a step does not log (OAuth token refreshes).
RESERVED_PER_MINUTE = 2

RequestLog = list[tuple[float, int]]


def prune_log(log: RequestLog, now: datetime) -> RequestLog:
    """The entries still inside the sliding minute."""
    since = now.timestamp() - WINDOW_SECONDS
    return [(end, n) for end, n in log if end > since]


def step_request_budget(log: RequestLog, now: datetime, per_minute: int) -> int:
    """Requests this step may make now: what the sliding minute left, at most a step's share."""
    usable = _usable(per_minute)
    used = sum(n for _, n in prune_log(log, now))
    return max(0, min(usable - used, max(1, usable // STEP_SHARE)))


def _usable(per_minute: int) -> int:
    return max(1, per_minute - RESERVED_PER_MINUTE)


def request_window_delay(log: RequestLog, now: datetime, per_minute: int) -> int:
    """Seconds until a step's share of requests is free in the sliding minute."""
    usable = _usable(per_minute)
    want = max(1, usable // STEP_SHARE)
    live = sorted(prune_log(log, now))
    used = sum(n for _, n in live)
    wait = 0.0
    for end, n in live:
        if usable - used >= want:
            break
        used -= n
        wait = end + WINDOW_SECONDS - now.timestamp()
    return clamp_delay(wait)


def export_delay(last_export_at: datetime | None, now: datetime, per_minute: int) -> int:
    """Seconds until the next export request is allowed (10/min: 6 s apart)."""
    if last_export_at is None:
        return 0
    return clamp_delay((last_export_at - now).total_seconds() + 60.0 / per_minute)


def retry_after_delay(retry_after: float | None, *, fallback: float = 60.0) -> int:
    """Zendesk's Retry-After (at least 1 s); ``fallback`` when it sent none."""
    return max(1, clamp_delay(retry_after if retry_after is not None else fallback))


def transient_delay(consecutive_failures: int) -> int:
    """Backoff for 5xx / unreachable: 15 s, 30 s, 60 s, ... capped at SQS's 900 s."""
    return clamp_delay(15.0 * 2 ** max(0, consecutive_failures - 1))
