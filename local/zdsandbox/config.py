"""Sandbox settings: one dataclass, every field with the default a newcomer wants."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_REDIRECT_URI = "http://127.0.0.1:3000/oauth/zendesk/callback"


@dataclass
class SandboxConfig:
    """Everything the sandbox can be tuned with. ``clock`` returns epoch seconds (injectable)."""

    port: int = 3001
    host: str = "127.0.0.1"
    seed_subdomains: tuple[str, ...] = ("acme",)
    client_id: str = "zdg-local-ai-agent"
    client_secret: str = "local-oauth-client-secret"
    redirect_uris: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URI])
    access_token_ttl_seconds: int = 1800
    refresh_token_ttl_seconds: int = 30 * 86400
    authorization_code_ttl_seconds: int = 120
    rate_limit_per_minute: int = 700
    ticket_updates_per_minute: int = 100
    ticket_updates_per_ticket_user_per_10min: int = 30
    incremental_exports_per_minute: int = 10
    audit_lists_per_minute: int = 500  # List Audits (Zendesk's endpoint rate limits)
    webhook_retries: int = 3
    webhook_retry_backoff_seconds: float = 1.0
    webhook_max_retry_after_seconds: float = 60.0
    webhook_timeout_seconds: float = 10.0
    webhook_workers: int = 4
    # Every new account's trigger categories (by position). Real accounts that organise their
    # triggers have several, and then refuse PUT /api/v2/triggers/reorder (LimitOneCategory):
    # seeding three makes every client of the sandbox meet that case.
    seed_trigger_categories: tuple[str, ...] = ("Notifications", "Escalations", "Follow-ups")
    clock: Callable[[], float] = time.time

    def redirect_uri_allowed(self, uri: str) -> bool:
        """Only the client's registered Redirect URLs, exactly (as Zendesk checks them)."""
        return uri in self.redirect_uris
