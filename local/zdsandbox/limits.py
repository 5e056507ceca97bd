"""Rate limits: per account per minute, ticket updates, incremental exports, audit lists."""

from __future__ import annotations

from zdsandbox.errors import RateLimited
from zdsandbox.state import Account, WindowResult


def _header(result: WindowResult) -> str:
    return f"total={result.limit}; remaining={result.remaining}; resets={result.resets}"


def account_requests(account: Account, now: float) -> dict[str, str]:
    limit = account.settings.rate_limit_per_minute
    result = account.windows.hit("account", limit, 60.0, now)
    headers = {
        "X-Rate-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(result.remaining),
        "ratelimit-limit": str(limit),
        "ratelimit-remaining": str(result.remaining),
        "ratelimit-reset": str(result.resets),
    }
    if not result.allowed:
        raise RateLimited(
            result.resets, headers, "Number of allowed API requests per minute exceeded"
        )
    return headers


def ticket_update(account: Account, ticket_id: int, user_id: int, now: float) -> dict[str, str]:
    settings = account.settings
    per_account = account.windows.hit(
        "tickets-update", settings.ticket_updates_per_minute, 60.0, now
    )
    headers = {"Zendesk-RateLimit-tickets-update": _header(per_account)}
    if not per_account.allowed:
        raise RateLimited(
            per_account.resets, headers, "Number of allowed ticket updates per minute exceeded"
        )
    per_ticket = account.windows.hit(
        f"ticket-user:{ticket_id}:{user_id}",
        settings.ticket_updates_per_ticket_user_per_10min,
        600.0,
        now,
    )
    if not per_ticket.allowed:
        raise RateLimited(
            per_ticket.resets,
            headers,
            "You have exceeded the rate limit for updating a single ticket",
            plain_text=True,
        )
    return headers


def incremental_export(account: Account, now: float) -> dict[str, str]:
    limit = account.settings.incremental_exports_per_minute
    result = account.windows.hit("incremental", limit, 60.0, now)
    headers = {"zendesk-ratelimit-incremental-exports": _header(result)}
    if not result.allowed:
        raise RateLimited(
            result.resets,
            headers,
            "Number of allowed incremental export API requests per minute exceeded",
        )
    return headers


def audit_lists(account: Account, now: float) -> None:
    """List Audits: 500 a minute per account (Zendesk's endpoint rate limits), besides the
    account's own limit. Zendesk documents no header for it."""
    result = account.windows.hit("audits", account.settings.audit_lists_per_minute, 60.0, now)
    if not result.allowed:
        raise RateLimited(result.resets, {}, "Number of allowed audit list requests exceeded")
