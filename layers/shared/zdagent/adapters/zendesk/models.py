"""The Zendesk objects we read and the payloads we send, as frozen dataclasses.

Read records (``from_json``) keep every field Zendesk sends (the unknown ones in ``extra``) and
require only ``id``, so a new or missing optional field never breaks a parse; numbers are taken
where text is expected (ids vary), and a body that does not read is a ``ZendeskError`` naming
the field. Write payloads refuse what Zendesk would not take and serialise without ``None``.
Not pydantic: the reply worker reads these on every call and pydantic's import is a third of
the cold start it must keep within 2x ``import boto3`` (bench/bench_cold_start.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, Literal, Self

from zdagent.adapters.zendesk.readers import BOOLEAN as _BOOL
from zdagent.adapters.zendesk.readers import INSTANT as _TIME
from zdagent.adapters.zendesk.readers import INTEGER as _INT
from zdagent.adapters.zendesk.readers import TEXTS as _TAGS
from zdagent.adapters.zendesk.readers import Reader
from zdagent.adapters.zendesk.readers import text as _text
from zdagent.core import records
from zdagent.core.errors import ValidationFailedError, ZendeskError


def _text_or_number(data: Mapping[str, Any], name: str, where: str) -> str | int:
    value = data[name]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return records.text(data, name, where)


def _object(data: Mapping[str, Any], name: str, where: str) -> dict[str, Any]:
    return dict(records.mapping(data[name], f"{where}.{name}"))


def _objects(data: Mapping[str, Any], name: str, where: str) -> list[dict[str, Any]]:
    return [
        dict(records.mapping(item, f"{where}.{name}.{index}"))
        for index, item in enumerate(records.object_list(data, name, where))
    ]


def _read(cls: type[Any], raw: object, where: str, readers: Mapping[str, Reader]) -> Any:
    """``cls`` from Zendesk's JSON: each known field read by its reader, the rest in ``extra``."""
    try:
        data = records.mapping(raw, where)
        values = {
            name: read(data, name, where)
            for name, read in readers.items()
            if data.get(name) is not None or name == "id"
        }
    except ValidationFailedError as exc:
        raise ZendeskError(f"Zendesk answered {where} that does not read: {exc.detail}") from exc
    values["extra"] = {k: v for k, v in data.items() if k not in readers}
    return cls(**values)


# --- users -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class User:
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
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> User:
        return _read(cls, raw, "user", _USER)  # type: ignore[no-any-return]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


_USER: dict[str, Reader] = {
    "id": _INT,
    "name": _text,
    "email": _text,
    "role": _text,
    "role_type": _INT,
    "custom_role_id": _INT,
    "active": _BOOL,
    "suspended": _BOOL,
    "verified": _BOOL,
    "default_group_id": _INT,
    "locale": _text,
    "time_zone": _text,
}


# --- tickets and comments ------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Via:
    channel: str | int | None = None
    source: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "source": self.source} | self.extra


_VIA: dict[str, Reader] = {"channel": _text_or_number, "source": _object}


def _via(data: Mapping[str, Any], name: str, where: str) -> Via:
    return _read(Via, data[name], f"{where}.{name}", _VIA)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ticket:
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
    tags: list[str] = field(default_factory=list)
    via: Via | None = None
    recipient: str | None = None
    is_public: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    generated_timestamp: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Ticket:
        return _read(cls, raw, "ticket", _TICKET)  # type: ignore[no-any-return]


_TICKET: dict[str, Reader] = {
    "id": _INT,
    "url": _text,
    "subject": _text,
    "raw_subject": _text,
    "description": _text,
    "status": _text,
    "custom_status_id": _INT,
    "priority": _text,
    "type": _text,
    "requester_id": _INT,
    "submitter_id": _INT,
    "assignee_id": _INT,
    "group_id": _INT,
    "organization_id": _INT,
    "brand_id": _INT,
    "tags": _TAGS,
    "via": _via,
    "recipient": _text,
    "is_public": _BOOL,
    "created_at": _TIME,
    "updated_at": _TIME,
    "generated_timestamp": _INT,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Comment:
    id: int
    type: str | None = None
    author_id: int | None = None
    body: str | None = None
    html_body: str | None = None
    plain_body: str | None = None
    public: bool | None = None
    audit_id: int | None = None
    via: Via | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Comment:
        return _read(cls, raw, "comment", _COMMENT)  # type: ignore[no-any-return]

    @property
    def flags(self) -> list[int]:
        """``metadata.flags`` (4 = automatically generated, notifications suppressed)."""
        flags = self.metadata.get("flags") or []
        return [f for f in flags if isinstance(f, int)]


_COMMENT: dict[str, Reader] = {
    "id": _INT,
    "type": _text,
    "author_id": _INT,
    "body": _text,
    "html_body": _text,
    "plain_body": _text,
    "public": _BOOL,
    "audit_id": _INT,
    "via": _via,
    "metadata": _object,
    "attachments": _objects,
    "created_at": _TIME,
}


def _without_none(payload: object) -> dict[str, Any]:
    return {
        f.name: getattr(payload, f.name)
        for f in fields(payload)  # type: ignore[arg-type]
        if getattr(payload, f.name) is not None
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentCreate:
    """A comment to add: exactly one of ``html_body`` (preferred) and ``body``."""

    html_body: str | None = None
    body: str | None = None
    public: bool = True
    author_id: int | None = None

    def __post_init__(self) -> None:
        if (self.html_body is None) == (self.body is None):
            raise ValidationFailedError("comment: give exactly one of html_body and body")

    def to_json(self) -> dict[str, Any]:
        return _without_none(self)


TicketStatus = Literal["new", "open", "pending", "hold", "solved", "closed"]
TICKET_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketUpdate:
    """The ``ticket`` object of ``PUT /api/v2/tickets/{id}`` (``TicketUpdateInput``).

    ``tags`` replaces every tag; prefer ``ZendeskClient.add_tags`` to add some.
    ``additional_tags`` is documented only for ``update_many`` (the OAS has no such property for
    a single update); it is here because the brief asks for it.
    ``safe_update`` with ``updated_stamp`` makes Zendesk answer 409 if the ticket changed since,
    which also makes a retried comment safe (the retry conflicts instead of posting twice).
    """

    comment: CommentCreate | None = None
    status: TicketStatus | None = None
    tags: list[str] | None = None
    additional_tags: list[str] | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    safe_update: bool | None = None
    updated_stamp: datetime | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in TICKET_STATUSES:
            raise ValidationFailedError(f"status: must be one of {', '.join(TICKET_STATUSES)}")
        if self.safe_update and self.updated_stamp is None:
            raise ValidationFailedError("safe_update needs updated_stamp")

    def to_json(self) -> dict[str, Any]:
        data = _without_none(self)
        if self.comment is not None:
            data["comment"] = self.comment.to_json()
        if self.updated_stamp is not None:
            # Zendesk's own form: 2019-09-12T21:45:16Z
            stamp = self.updated_stamp
            data["updated_stamp"] = (
                stamp.isoformat().replace("+00:00", "Z") if stamp.tzinfo else stamp.isoformat()
            )
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketAudit:
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
    metadata: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Self:
        return _read(cls, raw, "ticket audit", _AUDIT)  # type: ignore[no-any-return]


_AUDIT: dict[str, Reader] = {
    "id": _INT,
    "ticket_id": _INT,
    "author_id": _INT,
    "created_at": _TIME,
    "via": _via,
    "metadata": _object,
    "events": _objects,
}


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
                via = event.get("via") or (audit.via.to_json() if audit.via else None)
                comments[event["id"]] = Comment.from_json(
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
            comments[comment_id] = replace(comments[comment_id], public=public)
    return sorted(comments.values(), key=lambda c: (c.created_at or _EARLIEST, c.id))


@dataclass(frozen=True)
class TicketHistory:
    """A ticket as one read gives it: its fields, every comment (oldest first) and the users
    Zendesk sideloaded (by id)."""

    ticket: Ticket
    comments: list[Comment]
    users: dict[int, User]
