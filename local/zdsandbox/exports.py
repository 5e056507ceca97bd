"""Rules every incremental export shares (tickets today, ticket_events next).

Zendesk's incremental exports reference: "start_time must be more than one minute in the past"
and the most recent minute is never returned (it is held back until it is a minute old), so an
export never shows a change that could still be followed by another in the same second.
"""

from __future__ import annotations

from zdsandbox.errors import BadRequest

HOLD_BACK_SECONDS = 60


def horizon(now: float) -> float:
    """The newest change time an export may return now."""
    return now - HOLD_BACK_SECONDS


def is_exportable(changed_at: float, now: float) -> bool:
    """Whether a change made at ``changed_at`` is old enough to be exported."""
    return changed_at <= horizon(now)


def check_start_time(start_time: int, now: float) -> None:
    """400 like Zendesk for a ``start_time`` within the held-back minute (or in the future)."""
    if start_time > horizon(now):
        raise BadRequest(
            "Too recent start_time. Use a start_time older than 1 minute", error="InvalidValue"
        )
