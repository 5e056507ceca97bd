"""The sandbox's records. Plain mutable dataclasses guarded by their account's lock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ROLE_TEXT = {"end-user": "End-user", "agent": "Agent", "admin": "Admin"}
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
VIA_IDS = {"web": 0, "email": 4, "api": 5, "rule": 8}
VIA_TEXT = {"web": "Web Form", "email": "Mail", "api": "Web Service", "rule": "Trigger"}
FLAG_AUTO_GENERATED = 4


@dataclass(slots=True)
class User:
    id: int
    name: str
    email: str
    role: str  # "end-user" | "agent" | "admin"
    created_at: float
    updated_at: float
    default_group_id: int | None = None

    @property
    def is_agent(self) -> bool:
        return self.role in ("agent", "admin")


@dataclass(slots=True)
class Group:
    id: int
    name: str
    created_at: float
    updated_at: float
    description: str = ""
    default: bool = False


@dataclass(slots=True)
class GroupMembership:
    id: int
    user_id: int
    group_id: int
    default: bool
    created_at: float
    updated_at: float


@dataclass(slots=True)
class Comment:
    id: int
    author_id: int
    body: str
    html_body: str
    plain_body: str
    public: bool
    channel: str  # "email" | "web" | "api"
    via_source: dict[str, Any]
    created_at: float
    audit_id: int
    flags: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Audit:
    """One update of a ticket, as the Ticket Audits API lists it: who made it, when, through
    which channel, the comment it added (the comment record itself, so the event shows the
    comment as it is now) and its other events (``Create``, ``Change``)."""

    id: int
    ticket_id: int
    author_id: int
    created_at: float
    channel: str
    via_source: dict[str, Any]
    comment: Comment | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Ticket:
    id: int
    subject: str
    description: str
    status: str
    requester_id: int
    submitter_id: int
    assignee_id: int | None
    group_id: int | None
    tags: list[str]
    channel: str
    via_source: dict[str, Any]
    created_at: float
    updated_at: float
    comments: list[Comment] = field(default_factory=list)
    priority: str | None = None
    type: str | None = None
    followup_source_id: int | None = None
    # absent from tickets restored from snapshots older than it: read it with audits.of
    audits: list[Audit] = field(default_factory=list)


@dataclass(slots=True)
class Webhook:
    id: str
    name: str
    endpoint: str
    http_method: str
    request_format: str
    status: str
    subscriptions: list[str]
    secret: str
    created_at: float
    updated_at: float
    created_by: str
    description: str = ""
    authentication: dict[str, Any] | None = None
    custom_headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Trigger:
    id: int
    title: str
    active: bool
    position: int
    conditions: dict[str, list[dict[str, Any]]]
    actions: list[dict[str, Any]]
    created_at: float
    updated_at: float
    description: str | None = None
    category_id: str = ""


@dataclass(slots=True)
class TriggerCategory:
    """Trigger Categories API object (OAS ``TriggerCategory``): ids are strings."""

    id: str
    name: str
    position: int
    created_at: float
    updated_at: float


@dataclass(slots=True)
class AuthorizationCode:
    code: str
    user_id: int
    client_id: str
    redirect_uri: str
    scopes: list[str]
    code_challenge: str | None
    expires_at: float
    used: bool = False


@dataclass(slots=True)
class OAuthToken:
    id: int
    access_token: str
    refresh_token: str | None
    user_id: int
    client_id: str
    scopes: list[str]
    created_at: float
    expires_at: float | None
    refresh_expires_at: float | None
    revoked: bool = False
    revoked_reason: str | None = None
    used_at: float | None = None


@dataclass(slots=True)
class DeliveryAttempt:
    at: float
    status_code: int | None
    error: str | None


@dataclass(slots=True)
class Delivery:
    invocation_id: str
    webhook_id: str
    trigger_id: int | None
    ticket_id: int | None
    endpoint: str
    http_method: str
    body: str
    created_at: float
    status: str = "pending"  # pending | success | failed
    status_code: int | None = None
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    completed_at: float | None = None


@dataclass(slots=True)
class Fault:
    id: int
    path_regex: re.Pattern[str]
    status: int
    times: int
    retry_after: int | None = None
    delay_ms: int = 0
    method: str | None = None
    plain_text: bool = False
