"""Sandbox state: accounts (each with its own lock) and the registry of accounts."""

from __future__ import annotations

import itertools
import math
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from zdsandbox.config import SandboxConfig
from zdsandbox.help_center import HelpCenter
from zdsandbox.models import (
    AuthorizationCode,
    Delivery,
    Fault,
    Group,
    GroupMembership,
    OAuthToken,
    Ticket,
    Trigger,
    TriggerCategory,
    User,
    Webhook,
)


@dataclass
class AccountSettings:
    rate_limit_per_minute: int
    ticket_updates_per_minute: int
    ticket_updates_per_ticket_user_per_10min: int
    incremental_exports_per_minute: int
    audit_lists_per_minute: int = 500
    # What the "Current user" (``role``) trigger condition offers besides the roles: every
    # agent by id ("user_ids") or the roles only ("roles_only"). See triggers.py.
    current_user_condition: str = "user_ids"

    @classmethod
    def from_config(cls, config: SandboxConfig) -> AccountSettings:
        return cls(
            rate_limit_per_minute=config.rate_limit_per_minute,
            ticket_updates_per_minute=config.ticket_updates_per_minute,
            ticket_updates_per_ticket_user_per_10min=config.ticket_updates_per_ticket_user_per_10min,
            incremental_exports_per_minute=config.incremental_exports_per_minute,
            audit_lists_per_minute=config.audit_lists_per_minute,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WindowResult:
    allowed: bool
    limit: int
    remaining: int
    resets: int


class SlidingWindows:
    """Per-key sliding windows of hit timestamps."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, limit: int, window: float, now: float) -> WindowResult:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            resets = max(1, math.ceil(hits[0] + window - now))
            return WindowResult(False, limit, 0, resets)
        hits.append(now)
        resets = max(1, math.ceil(hits[0] + window - now))
        return WindowResult(True, limit, limit - len(hits), resets)

    def clear(self) -> None:
        self._hits.clear()


@dataclass
class Account:
    """One Zendesk account (subdomain) and everything in it."""

    subdomain: str
    account_id: int
    settings: AccountSettings
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: dict[int, User] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    memberships: dict[int, GroupMembership] = field(default_factory=dict)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    triggers: dict[int, Trigger] = field(default_factory=dict)
    trigger_categories: dict[str, TriggerCategory] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    tokens: dict[int, OAuthToken] = field(default_factory=dict)
    tokens_by_access: dict[str, OAuthToken] = field(default_factory=dict)
    tokens_by_refresh: dict[str, OAuthToken] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    windows: SlidingWindows = field(default_factory=SlidingWindows)
    help_center: HelpCenter = field(default_factory=HelpCenter)
    user_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10001))
    group_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(20001))
    membership_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(30001))
    ticket_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    comment_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000001))
    audit_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5000001))
    trigger_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(40001))
    category_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10001))
    token_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(50001))
    fault_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    event_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(9000001))

    def user_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        for user in self.users.values():
            if user.email.lower() == wanted:
                return user
        return None

    def group_by_name(self, name: str) -> Group | None:
        return next((g for g in self.groups.values() if g.name == name), None)

    def categories_in_order(self) -> list[TriggerCategory]:
        return sorted(self.trigger_categories.values(), key=lambda c: (c.position, int(c.id)))

    def triggers_in_order(self) -> list[Trigger]:
        """Firing order: categories by position, then triggers by position within each."""
        rank = {c.id: i for i, c in enumerate(self.categories_in_order())}
        return sorted(
            self.triggers.values(),
            key=lambda t: (rank.get(t.category_id, len(rank)), t.position, t.id),
        )


class Registry:
    """Every account of one sandbox, by subdomain."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, Account] = {}
        self._account_ids = itertools.count(9000001)

    def get(self, subdomain: str) -> Account | None:
        with self._lock:
            return self._accounts.get(subdomain)

    def add(self, subdomain: str, settings: AccountSettings) -> Account | None:
        """A new, empty account, or None when the subdomain is taken."""
        with self._lock:
            if subdomain in self._accounts:
                return None
            account = Account(subdomain, next(self._account_ids), settings)
            self._accounts[subdomain] = account
            return account

    def all(self) -> list[Account]:
        with self._lock:
            return list(self._accounts.values())
