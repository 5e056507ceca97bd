"""Pydantic models of Zendesk's export pages: the incremental ticket and ticket event exports
(import), apart from the ticket models' module so that a function which exports nothing does not
build them at its cold start."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from zdagent.adapters.zendesk.base import ZendeskObject
from zdagent.adapters.zendesk.models import Comment, Ticket


class IncrementalTicketPage(BaseModel):
    tickets: list[Ticket]
    after_cursor: str | None = None
    end_of_stream: bool


class TicketEvent(ZendeskObject):
    """One ticket update (an audit) of ``GET /api/v2/incremental/ticket_events``."""

    id: int
    ticket_id: int
    timestamp: int
    created_at: datetime | None = None
    updater_id: int | None = None
    event_type: str | None = None
    child_events: list[dict[str, Any]] = Field(default_factory=list)

    def comments(self) -> list[Comment]:
        """The comments among the child events (only with the ``comment_events`` sideload; the
        export without it says only ``comment_present``)."""
        return [
            Comment.from_json(child)
            for child in self.child_events
            if child.get("event_type") == "Comment" and "author_id" in child
        ]


class TicketEventsPage(BaseModel):
    """A page of the time-based ticket event export; the next starts at ``end_time``."""

    ticket_events: list[TicketEvent]
    end_time: int | None = None
    end_of_stream: bool
    count: int = 0
