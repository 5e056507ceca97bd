"""Pydantic models of the Zendesk objects we read and the payloads we send.

Read models keep every field Zendesk sends (``extra="allow"``) and require only ``id``, so a new
or missing optional field never breaks a parse. Write models forbid unknown fields (a typo is
ours, not Zendesk's) and serialise without ``None`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from zdagent.adapters.zendesk.base import WritePayload, ZendeskObject


# --- users -----------------------------------------------------------------------------
class User(ZendeskObject):
    id: int
    name: str | None = None
    email: str | None = None
    role: str | None = None  # "end-user" | "agent" | "admin"
    role_type: int | None = None
    custom_role_id: int | None = None
    active: bool | None = None
    suspended: bool | None = None
    verified: bool | None = None
    default_group_id: int | None = None
    locale: str | None = None
    time_zone: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


# --- tickets and comments ------------------------------------------------------------------
class Via(ZendeskObject):
    channel: str | int | None = None
    source: dict[str, Any] | None = None


class Ticket(ZendeskObject):
    id: int
    url: str | None = None
    subject: str | None = None
    raw_subject: str | None = None
    description: str | None = None
    status: str | None = None
    custom_status_id: int | None = None
    priority: str | None = None
    type: str | None = None
    requester_id: int | None = None
    submitter_id: int | None = None
    assignee_id: int | None = None
    group_id: int | None = None
    organization_id: int | None = None
    brand_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    via: Via | None = None
    recipient: str | None = None
    is_public: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    generated_timestamp: int | None = None


class Comment(ZendeskObject):
    id: int
    type: str | None = None
    author_id: int | None = None
    body: str | None = None
    html_body: str | None = None
    plain_body: str | None = None
    public: bool | None = None
    audit_id: int | None = None
    via: Via | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime | None = None

    @property
    def flags(self) -> list[int]:
        """``metadata.flags`` (4 = automatically generated, notifications suppressed)."""
        flags = self.metadata.get("flags") or []
        return [f for f in flags if isinstance(f, int)]


class CommentCreate(WritePayload):
    """A comment to add: exactly one of ``html_body`` (preferred) and ``body``."""

    html_body: str | None = None
    body: str | None = None
    public: bool = True
    author_id: int | None = None

    @model_validator(mode="after")
    def _one_body(self) -> Self:
        if (self.html_body is None) == (self.body is None):
            raise ValueError("give exactly one of html_body and body")
        return self


class TicketUpdate(WritePayload):
    """The ``ticket`` object of ``PUT /api/v2/tickets/{id}`` (``TicketUpdateInput``).

    ``tags`` replaces every tag; prefer ``ZendeskClient.add_tags`` to add some.
    ``additional_tags`` is documented only for ``update_many`` (the OAS has no such property for
    a single update); it is here because the brief asks for it.
    ``safe_update`` with ``updated_stamp`` makes Zendesk answer 409 if the ticket changed since,
    which also makes a retried comment safe (the retry conflicts instead of posting twice).
    """

    comment: CommentCreate | None = None
    status: Literal["new", "open", "pending", "hold", "solved", "closed"] | None = None
    tags: list[str] | None = None
    additional_tags: list[str] | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    safe_update: bool | None = None
    updated_stamp: datetime | None = None

    @model_validator(mode="after")
    def _stamp_with_safe_update(self) -> Self:
        if self.safe_update and self.updated_stamp is None:
            raise ValueError("safe_update needs updated_stamp")
        return self

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        if self.updated_stamp is not None:
            # Zendesk's own form: 2019-09-12T21:45:16Z
            stamp = self.updated_stamp
            data["updated_stamp"] = (
                stamp.isoformat().replace("+00:00", "Z") if stamp.tzinfo else stamp.isoformat()
            )
        return data


class TicketAudit(ZendeskObject):
    """One ticket update of ``GET /api/v2/tickets/{ticket_id}/audits`` (``TicketAuditObject``).

    A comment is one of its ``events`` (``type`` ``Comment`` or ``VoiceComment``: id, author_id,
    body, html_body, plain_body, public, attachments, audit_id); the comment's time, channel
    (``via``, unless the event carries its own) and flags (``metadata.flags``) are the audit's.
    Sources: the Support OAS (``TicketAuditObject``, ``TicketAuditsForTicketResponseExample``),
    Zendesk's Ticket Audit events reference ("An event will have its own via object if it's
    different from the via object of the audit"; ``CommentPrivacyChange``: comment_id, public).
    """

    id: int
    ticket_id: int | None = None
    author_id: int | None = None
    created_at: datetime | None = None
    via: Via | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)


COMMENT_EVENT_TYPES = frozenset({"Comment", "VoiceComment"})
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def comments_from_audits(audits: list[TicketAudit]) -> list[Comment]:
    """The ticket's comments (public and internal), oldest first, as the comments list shows
    them: each audit's comment event with the audit's time, channel and flags, and its privacy
    as the latest ``CommentPrivacyChange`` left it (a comment made private later is private)."""
    comments: dict[int, Comment] = {}
    made: dict[int, bool] = {}
    for audit in sorted(audits, key=lambda a: (a.created_at or _EARLIEST, a.id)):
        for event in audit.events:
            kind = event.get("type")
            if kind in COMMENT_EVENT_TYPES and isinstance(event.get("id"), int):
                via = event.get("via") or (audit.via.model_dump() if audit.via else None)
                comments[event["id"]] = Comment.model_validate(
                    {
                        **event,
                        "audit_id": event.get("audit_id") or audit.id,
                        "via": via,
                        "metadata": audit.metadata,
                        "created_at": audit.created_at,
                    }
                )
            elif kind == "CommentPrivacyChange" and isinstance(event.get("comment_id"), int):
                made[event["comment_id"]] = bool(event.get("public"))
    for comment_id, public in made.items():
        if comment_id in comments:
            comments[comment_id] = comments[comment_id].model_copy(update={"public": public})
    return sorted(comments.values(), key=lambda c: (c.created_at or _EARLIEST, c.id))


@dataclass(frozen=True)
class TicketHistory:
    """A ticket as one read gives it: its fields, every comment (oldest first) and the users
    Zendesk sideloaded (by id)."""

    ticket: Ticket
    comments: list[Comment]
    users: dict[int, User]
