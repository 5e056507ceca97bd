"""Imports of historical tickets into the conversation log: pure rules (issue 8).

No boto3, no httpx. The service (``services/imports.py``) feeds Zendesk data through these:

* ``ImportRequest`` / ``ImportFilters``: what the admin asked for, validated (422s that say what to
  change). Time frame is on the ticket's ``created_at``: ``start_time <= created_at < end_time``.
* ``TicketSummary.from_ticket`` + ``ImportFilters.matches``: which tickets of the export count.
* ``select_messages``: the **depth** rule. Only public comments are part of a conversation
  (internal notes are never imported). An *agent response* is a public comment by anyone other
  than the ticket's requester. Depth ``d`` keeps every public comment up to and including the
  ``d``-th agent response and drops the rest; depth 0 keeps only the customer's messages before
  the first agent response. Iteration stops at that point, so later comment pages are never
  fetched.
* ``estimate_seconds_left`` and the ``*_delay`` functions: progress and rate-limit scheduling
  (SQS ``DelaySeconds``, never a sleep).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zdagent.core.errors import ValidationFailedError
from zdagent.domain.conversation import MessageRole

ImportStatus = Literal["running", "succeeded", "failed", "cancelled"]
ImportPhase = Literal["export", "comments"]

DEFAULT_DEPTH = 2
MAX_DEPTH = 50
MAX_SQS_DELAY_SECONDS = 900
# Zendesk's export refuses a start_time within the last minute.
EXPORT_MIN_AGE_SECONDS = 60
COMMENTS_PAGE_SIZE = 100


# --- the request -------------------------------------------------------------------------------
def parse_time(value: int | float | str, field: str) -> datetime:
    """Epoch seconds (number or digits) or ISO-8601 (``Z`` or an offset; naive means UTC)."""
    if isinstance(value, bool):
        raise ValidationFailedError(f"{field}: give epoch seconds or an ISO-8601 time")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise ValidationFailedError(f"{field}: epoch seconds must be a positive number")
        return datetime.fromtimestamp(value, UTC)
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailedError(
            f"{field}: {value!r} is neither epoch seconds nor an ISO-8601 time "
            "(e.g. 2024-05-01T00:00:00Z)"
        ) from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class ImportRequest(BaseModel):
    """The body of ``POST /agents/{id}/integration/imports`` (docs/contract.md §2)."""

    model_config = ConfigDict(extra="forbid")

    start_time: int | float | str
    end_time: int | float | str | None = None
    max_conversations: int | None = Field(default=None, ge=1, le=1_000_000)
    tag: str | None = Field(default=None, min_length=1, max_length=255)
    channels: list[str] | None = Field(default=None, min_length=1, max_length=20)
    depth: int = Field(default=DEFAULT_DEPTH, ge=0, le=MAX_DEPTH)
    import_tags: bool = False
    group_ids: list[int] | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [c.strip().lower() for c in value]
        if any(not c for c in cleaned):
            raise ValueError("channels must be non-empty names such as 'email', 'web', 'api'")
        return sorted(set(cleaned))

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is None:
            return None
        tag = value.strip().lower()
        if not tag or any(ch.isspace() for ch in tag):
            raise ValueError("tag must be one Zendesk tag (no spaces)")
        return tag


class ImportFilters(BaseModel):
    """The validated, normalised form of an ``ImportRequest`` (stored with the import)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_time: datetime
    end_time: datetime | None = None
    max_conversations: int | None = None
    tag: str | None = None
    channels: list[str] | None = None
    depth: int = DEFAULT_DEPTH
    import_tags: bool = False
    group_ids: list[int] | None = None

    @classmethod
    def from_request(cls, request: ImportRequest, now: datetime) -> ImportFilters:
        start = parse_time(request.start_time, "start_time")
        end = parse_time(request.end_time, "end_time") if request.end_time is not None else None
        if start.timestamp() > now.timestamp() - EXPORT_MIN_AGE_SECONDS:
            raise ValidationFailedError(
                "start_time: must be at least one minute in the past (Zendesk's export does not "
                "serve the most recent minute)"
            )
        if end is not None and end <= start:
            raise ValidationFailedError("end_time: must be after start_time")
        return cls(
            start_time=start,
            end_time=end,
            max_conversations=request.max_conversations,
            tag=request.tag,
            channels=request.channels,
            depth=request.depth,
            import_tags=request.import_tags,
            group_ids=sorted(set(request.group_ids)) if request.group_ids else None,
        )

    def matches(self, ticket: TicketSummary) -> bool:
        if ticket.status == "deleted":
            return False
        if ticket.created_at < self.start_time:
            return False
        if self.end_time is not None and ticket.created_at >= self.end_time:
            return False
        if self.channels is not None and (ticket.channel or "") not in self.channels:
            return False
        if self.tag is not None and self.tag not in ticket.tags:
            return False
        return self.group_ids is None or ticket.group_id in self.group_ids


# --- tickets and comments ----------------------------------------------------------------------
class TicketLike(Protocol):
    """What ``TicketSummary.from_ticket`` reads (the Zendesk client's ``Ticket`` fits)."""

    @property
    def id(self) -> int: ...
    @property
    def requester_id(self) -> int | None: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def group_id(self) -> int | None: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def via(self) -> Any: ...
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def updated_at(self) -> datetime | None: ...


class TicketSummary(BaseModel):
    """What an import keeps of a ticket between steps (small: 100 fit in one table item)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    requester_id: int | None = None
    subject: str = ""
    status: str | None = None
    channel: str | None = None
    group_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_ticket(cls, ticket: TicketLike, *, subject_limit: int = 500) -> TicketSummary:
        created = ticket.created_at or datetime.fromtimestamp(0, UTC)
        via = ticket.via
        channel = getattr(via, "channel", None) if via is not None else None
        return cls(
            id=ticket.id,
            requester_id=ticket.requester_id,
            subject=(ticket.subject or "")[:subject_limit],
            status=ticket.status,
            channel=str(channel).lower() if channel is not None else None,
            group_id=ticket.group_id,
            tags=[str(t).lower() for t in ticket.tags],
            created_at=created,
            updated_at=ticket.updated_at or created,
        )


@dataclass(frozen=True, slots=True)
class CommentView:
    """A comment as the depth rule sees it (the service maps the client's ``Comment``)."""

    id: int
    author_id: int | None
    public: bool
    created_at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class KeptMessage:
    comment: CommentView
    role: MessageRole


@dataclass(frozen=True, slots=True)
class Selection:
    messages: list[KeptMessage]
    comments_read: int  # how many comments were consumed from the iterator

    @property
    def pages_read(self) -> int:
        """Comment pages fetched (lazily, ``COMMENTS_PAGE_SIZE`` each; at least one)."""
        return max(1, math.ceil(self.comments_read / COMMENTS_PAGE_SIZE))


def role_of(author_id: int | None, requester_id: int | None, ai_agent_user_id: int | None) -> str:
    if author_id is not None and author_id == requester_id:
        return "visitor"
    if ai_agent_user_id is not None and author_id == ai_agent_user_id:
        return "ai_agent"
    return "human_agent"


def select_messages(
    comments: Iterable[CommentView],
    *,
    requester_id: int | None,
    depth: int,
    ai_agent_user_id: int | None = None,
) -> Selection:
    """The depth rule (module docstring). Consumes ``comments`` only as far as needed."""
    kept: list[KeptMessage] = []
    responses = 0
    read = 0
    iterator: Iterator[CommentView] = iter(comments)
    for comment in iterator:
        read += 1
        if not comment.public:
            continue
        role = role_of(comment.author_id, requester_id, ai_agent_user_id)
        if role == "visitor":
            kept.append(KeptMessage(comment, "visitor"))
            continue
        if responses >= depth:
            break
        responses += 1
        kept.append(KeptMessage(comment, "ai_agent" if role == "ai_agent" else "human_agent"))
        if responses == depth:
            break
    return Selection(kept, read)


# --- progress ----------------------------------------------------------------------------------
def estimate_seconds_left(
    *,
    start_time: datetime,
    cursor_time: datetime | None,
    horizon: datetime,
    elapsed_seconds: float,
    conversations_imported: int = 0,
    max_conversations: int | None = None,
) -> int | None:
    """Seconds left, from the observed rate; None while nothing can be said yet.

    The export walks tickets by update time from ``start_time`` to ``horizon`` (now); the rate is
    how much of that span the import covered per second so far. With ``max_conversations`` the
    estimate is also bounded by the rate of imported conversations.
    """
    if cursor_time is None or elapsed_seconds <= 0:
        return None
    covered = (cursor_time - start_time).total_seconds()
    remaining = max(0.0, (horizon - cursor_time).total_seconds())
    estimates: list[float] = []
    if covered > 0:
        estimates.append(remaining / (covered / elapsed_seconds))
    if max_conversations and conversations_imported > 0:
        left = max(0, max_conversations - conversations_imported)
        estimates.append(left / (conversations_imported / elapsed_seconds))
    if not estimates:
        return None
    return max(0, math.ceil(min(estimates)))


# --- scheduling (SQS DelaySeconds) ---------------------------------------------------------------
def clamp_delay(seconds: float) -> int:
    """An SQS delay: whole seconds in [0, 900], rounded up (never early)."""
    if not math.isfinite(seconds) or seconds <= 0:
        return 0
    return min(MAX_SQS_DELAY_SECONDS, math.ceil(seconds - 1e-9))


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


# --- the import and its checkpoint -------------------------------------------------------------
class ImportRecord(BaseModel):
    """An import: what was asked, where the job stands (its checkpoint) and its figures.

    ``step`` numbers the SQS messages of the job: the message for step ``k`` runs only while
    the checkpoint says ``step == k``; each step ends by writing ``step = k + 1`` (a versioned
    put) and then sending that message. ``phase`` says what step ``k`` does: ``export`` fetches
    the page at ``export_cursor`` (or at ``start_time`` when there is no cursor yet) and keeps
    its matching tickets; ``comments`` imports matching tickets ``position..pending_count`` of
    page ``page_number``.
    """

    model_config = ConfigDict(extra="ignore")

    import_id: str
    agent_id: str
    status: ImportStatus = "running"
    filters: ImportFilters
    created_at: datetime
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = None
    # figures
    tickets_scanned: int = 0
    tickets_matched: int = 0
    conversations_imported: int = 0
    messages_imported: int = 0
    tickets_skipped: int = 0  # matched, but nothing to import (no public comment, live log)
    zendesk_requests: int = 0
    rate_limited: int = 0
    cursor_time: datetime | None = None
    # checkpoint
    step: int = 0
    phase: ImportPhase = "export"
    export_cursor: str | None = None
    end_of_stream: bool = False
    page_number: int = 0
    pending_count: int = 0
    position: int = 0
    page_end_time: datetime | None = None
    last_export_at: datetime | None = None
    consecutive_failures: int = 0
    recent_requests: list[tuple[float, int]] = Field(default_factory=list)  # (end time, count)
    ai_agent_user_id: int | None = None
    version: int = 0

    @property
    def is_running(self) -> bool:
        return self.status == "running"

    @property
    def max_reached(self) -> bool:
        limit = self.filters.max_conversations
        return limit is not None and self.conversations_imported >= limit

    def public(self, now: datetime) -> dict[str, Any]:
        """The JSON of ``GET .../imports/{id}``."""
        until = self.finished_at or now
        eta: int | None
        if self.is_running:
            eta = estimate_seconds_left(
                start_time=self.filters.start_time,
                cursor_time=self.cursor_time,
                horizon=now,
                elapsed_seconds=(until - self.started_at).total_seconds(),
                conversations_imported=self.conversations_imported,
                max_conversations=self.filters.max_conversations,
            )
        else:
            eta = 0
        filters = self.filters.model_dump(mode="json")
        return {
            "import_id": self.import_id,
            "agent_id": self.agent_id,
            "status": self.status,
            "tickets_scanned": self.tickets_scanned,
            "tickets_matched": self.tickets_matched,
            "conversations_imported": self.conversations_imported,
            "messages_imported": self.messages_imported,
            "tickets_skipped": self.tickets_skipped,
            "zendesk_requests": self.zendesk_requests,
            "rate_limited": self.rate_limited,
            "cursor_time": _iso(self.cursor_time),
            "estimated_seconds_left": eta,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "error": self.error,
            "parameters": filters,
        }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
