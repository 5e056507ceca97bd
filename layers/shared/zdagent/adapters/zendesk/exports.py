"""Zendesk's export pages, as frozen dataclasses: the incremental ticket and ticket event exports
(import), apart from the ticket models' module so that a function which exports nothing does not
build them at its cold start. Read as ``models.py`` reads (unknown fields kept in ``extra``; a
body that does not read is a ``ZendeskError`` naming the field), not by pydantic: the import
worker reads a page on every call (bench/bench_cold_start.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from zdagent.adapters.zendesk import models, readers
from zdagent.adapters.zendesk.models import Comment, Ticket
from zdagent.core import records
from zdagent.core.errors import ValidationFailedError, ZendeskError


@dataclass(frozen=True, slots=True, kw_only=True)
class IncrementalTicketPage:
    tickets: list[Ticket]
    after_cursor: str | None = None
    end_of_stream: bool

    @classmethod
    def from_json(cls, body: object) -> IncrementalTicketPage:
        """The page from the export's body (``tickets``, ``after_cursor``, ``end_of_stream``)."""
        body = _page(body)
        return cls(
            tickets=[Ticket.from_json(t) for t in _list(body, "tickets")],
            after_cursor=_read_page(records.optional_text, body, "after_cursor"),
            end_of_stream=bool(body.get("end_of_stream")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketEvent:
    """One ticket update (an audit) of ``GET /api/v2/incremental/ticket_events``."""

    id: int
    ticket_id: int
    timestamp: int
    created_at: datetime | None = None
    updater_id: int | None = None
    event_type: str | None = None
    child_events: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> TicketEvent:
        if isinstance(raw, Mapping):
            for name in ("ticket_id", "timestamp"):
                if raw.get(name) is None:
                    raise _unreadable("a ticket event", f"ticket_event.{name}: Field required")
        return models._read(cls, raw, "ticket_event", _TICKET_EVENT)  # type: ignore[no-any-return]

    def comments(self) -> list[Comment]:
        """The comments among the child events (only with the ``comment_events`` sideload; the
        export without it says only ``comment_present``)."""
        return [
            Comment.from_json(child)
            for child in self.child_events
            if child.get("event_type") == "Comment" and "author_id" in child
        ]


_TICKET_EVENT: dict[str, readers.Reader] = {
    "id": records.integer,
    "ticket_id": records.integer,
    "timestamp": records.integer,
    "created_at": records.instant,
    "updater_id": records.integer,
    "event_type": readers.text,
    "child_events": models._objects,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketEventsPage:
    """A page of the time-based ticket event export; the next starts at ``end_time``."""

    ticket_events: list[TicketEvent]
    end_time: int | None = None
    end_of_stream: bool
    count: int = 0

    @classmethod
    def from_json(cls, body: object) -> TicketEventsPage:
        """The page from the export's body (``ticket_events``, ``end_time``, ``count``...)."""
        body = _page(body)
        return cls(
            ticket_events=[TicketEvent.from_json(e) for e in _list(body, "ticket_events")],
            end_time=_read_page(records.optional_integer, body, "end_time"),
            end_of_stream=bool(body.get("end_of_stream")),
            count=_read_page(records.optional_integer, body, "count") or 0,
        )


def _page(body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise _unreadable("an export page", "export: must be an object")
    return body


def _list(body: Mapping[str, Any], name: str) -> list[Any]:
    return _read_page(records.object_list, body, name)  # type: ignore[no-any-return]


def _read_page(read: Any, body: Mapping[str, Any], name: str) -> Any:
    try:
        return read(body, name, "export")
    except ValidationFailedError as exc:
        raise _unreadable("an export page", exc.detail) from exc


def _unreadable(what: str, detail: str) -> ZendeskError:
    return ZendeskError(f"Zendesk answered {what} that does not read: {detail}")
