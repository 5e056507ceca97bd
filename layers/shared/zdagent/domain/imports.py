"""Imports of historical tickets into the conversation log: pure rules (issue 8).

No boto3, no httpx. The service (``services/imports.py``) feeds Zendesk data through these:

* ``ImportRequest`` (``domain/import_request.py``, pydantic: the admin API's body) /
  ``ImportFilters``: what the admin asked for, validated (422s that say what to change). Time
  frame is on the ticket's ``created_at``: ``start_time <= created_at < end_time``.
* ``TicketSummary.from_ticket`` + ``ImportFilters.matches``: which tickets of the export count.
* ``apply_comment`` (one comment at a time, as the ticket event export delivers them) and
  ``select_messages`` (a whole thread): the **depth** rule. Only public comments are part of a
  conversation (internal notes are never imported). An *agent response* is a public comment by
  anyone other than the ticket's requester. Depth ``d`` keeps every public comment up to and
  including the ``d``-th agent response and drops the rest; depth 0 keeps only the customer's
  messages before the first agent response.
* ``estimate_seconds_left``: progress, an upper bound. It counts the export requests still to
  make, each at the most it costs on the worker's schedule (an export slot plus the second the
  rounding of its delay adds at most, or the walk's own pace if slower), after the wait the
  import is in. The waits themselves (SQS
  ``DelaySeconds``, never a sleep) are ``domain/pacing.py``, shared with the Help Center sync.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from zdagent.core import records
from zdagent.core.errors import ValidationFailedError
from zdagent.domain.conversation import MessageRole

if TYPE_CHECKING:
    from zdagent.domain.import_request import ImportRequest

ImportStatus = Literal["running", "succeeded", "failed", "cancelled"]
ImportPhase = Literal["tickets", "events"]

DEFAULT_DEPTH = 2
MAX_DEPTH = 50
# Zendesk's export refuses a start_time within the last minute.
EXPORT_MIN_AGE_SECONDS = 60
COMMENTS_PAGE_SIZE = 100
EXPORT_PAGE_SIZE = 1000  # Zendesk's most per export page


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


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportFilters:
    """The validated, normalised form of an ``ImportRequest`` (stored with the import)."""

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

    @classmethod
    def from_json(cls, raw: object, where: str = "filters") -> ImportFilters:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, _FILTER_FIELDS, where)
        return cls(
            start_time=records.instant(data, "start_time", where),
            end_time=records.optional_instant(data, "end_time", where),
            max_conversations=records.optional_integer(data, "max_conversations", where),
            tag=records.optional_text(data, "tag", where),
            channels=records.optional_text_list(data, "channels", where),
            depth=records.integer(data, "depth", where, default=DEFAULT_DEPTH),
            import_tags=records.boolean(data, "import_tags", where, default=False),
            group_ids=records.optional_integer_list(data, "group_ids", where),
        )

    def to_json(self) -> dict[str, Any]:
        """Every field, as pydantic's ``model_dump(mode="json")`` wrote it (stored and shown)."""
        return {
            "start_time": records.instant_json(self.start_time),
            "end_time": records.instant_json(self.end_time),
            "max_conversations": self.max_conversations,
            "tag": self.tag,
            "channels": self.channels,
            "depth": self.depth,
            "import_tags": self.import_tags,
            "group_ids": self.group_ids,
        }

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


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketSummary:
    """What an import keeps of a ticket between steps (small: 100 fit in one table item)."""

    id: int
    requester_id: int | None = None
    subject: str = ""
    status: str | None = None
    channel: str | None = None
    group_id: int | None = None
    tags: list[str] = field(default_factory=list)
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_json(cls, raw: object, where: str = "ticket") -> TicketSummary:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, _SUMMARY_FIELDS, where)
        return cls(
            id=records.integer(data, "id", where),
            requester_id=records.optional_integer(data, "requester_id", where),
            subject=records.text(data, "subject", where, default=""),
            status=records.optional_text(data, "status", where),
            channel=records.optional_text(data, "channel", where),
            group_id=records.optional_integer(data, "group_id", where),
            tags=records.text_list(data, "tags", where),
            created_at=records.instant(data, "created_at", where),
            updated_at=records.instant(data, "updated_at", where),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "requester_id": self.requester_id,
            "subject": self.subject,
            "status": self.status,
            "channel": self.channel,
            "group_id": self.group_id,
            "tags": list(self.tags),
            "created_at": records.instant_json(self.created_at),
            "updated_at": records.instant_json(self.updated_at),
        }

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


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketProgress:
    """How far the depth rule got in one ticket's thread (kept between export pages)."""

    responses: int = 0  # agent responses kept
    kept: int = 0  # messages kept
    done: bool = False  # the depth is reached: later comments are not part of it

    @classmethod
    def from_json(cls, raw: object, where: str = "progress") -> TicketProgress:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, ("responses", "kept", "done"), where)
        return cls(
            responses=records.integer(data, "responses", where, default=0),
            kept=records.integer(data, "kept", where, default=0),
            done=records.boolean(data, "done", where, default=False),
        )

    def to_json(self) -> dict[str, Any]:
        return {"responses": self.responses, "kept": self.kept, "done": self.done}


def apply_comment(
    progress: TicketProgress,
    comment: CommentView,
    *,
    requester_id: int | None,
    depth: int,
    ai_agent_user_id: int | None = None,
) -> tuple[TicketProgress, KeptMessage | None]:
    """The depth rule for the next comment of a thread: the new progress, and the message to
    keep (None: an internal note, or the thread is past its depth)."""
    if progress.done or not comment.public:
        return progress, None
    role = role_of(comment.author_id, requester_id, ai_agent_user_id)
    if role == "visitor":
        return replace(progress, kept=progress.kept + 1), KeptMessage(comment, "visitor")
    if progress.responses >= depth:
        return replace(progress, done=True), None
    responses = progress.responses + 1
    kept = KeptMessage(comment, "ai_agent" if role == "ai_agent" else "human_agent")
    progressed = replace(
        progress, responses=responses, kept=progress.kept + 1, done=responses == depth
    )
    return progressed, kept


def select_messages(
    comments: Iterable[CommentView],
    *,
    requester_id: int | None,
    depth: int,
    ai_agent_user_id: int | None = None,
) -> Selection:
    """The depth rule over a whole thread. Consumes ``comments`` only as far as needed."""
    kept: list[KeptMessage] = []
    progress = TicketProgress()
    read = 0
    iterator: Iterator[CommentView] = iter(comments)
    for comment in iterator:
        read += 1
        progress, message = apply_comment(
            progress,
            comment,
            requester_id=requester_id,
            depth=depth,
            ai_agent_user_id=ai_agent_user_id,
        )
        if message is not None:
            kept.append(message)
        if progress.done:
            break
    return Selection(kept, read)


# --- progress ----------------------------------------------------------------------------------
# Zendesk's ticket export does not say how many updates a ticket had, and each update is one event
# of the event walk (its creation included). Until the event walk has covered some time itself,
# its size is taken as this many events per ticket seen (a ticket created with the first comment
# plus three updates, the 4 comments a ticket has in bench/bench_import.py); from its first page on
# the event walk is extrapolated from what it covered.
EVENTS_PER_TICKET_ASSUMED = 4


def paced_page_seconds(exports_per_minute: int) -> float:
    """The most a page costs while our processing of it takes less than an export slot: the step
    fetches its page at once, processes it for ``p`` seconds, then sets ``DelaySeconds`` to
    ``ceil(slot - p)`` (``pacing.export_delay``: whole seconds, never early), so the next page
    starts ``p + ceil(slot - p)`` later: at least a slot, less than a slot plus one second. Which
    fraction of that second a page adds depends on its processing time to the millisecond: an
    average of the pages so far is no bound for the pages to come (bench_import saw it 12 s short
    at 20,000 tickets on a busy machine)."""
    return 60.0 / exports_per_minute + 1.0


def estimate_seconds_left(
    *,
    phase: ImportPhase,
    start_time: datetime,
    cursor_time: datetime | None,
    horizon: datetime,
    pages_done: int,
    phase_seconds: float,
    exports_per_minute: int,
    wait_seconds: float = 0.0,
    elapsed_seconds: float = 0.0,
    conversations_imported: int = 0,
    max_conversations: int | None = None,
    walk_first_time: datetime | None = None,
    tickets_scanned: int = 0,
    page_size: int = EXPORT_PAGE_SIZE,
    last_page_seconds: float = 0.0,
) -> int | None:
    """Seconds left, pacing included; None while nothing can be said yet.

    It models the worker's schedule, as an upper bound: a running import always has its next step
    queued, due in ``wait_seconds``; that step and each after it fetch one page, and each page
    costs ``paced_page_seconds`` (an export slot, 6 s at Zendesk's 10 a minute, plus the second
    the rounding of its delay adds at most), or the pace of the walk under way if that was slower:
    ``phase_seconds`` (from its first page's due time to the queued step's) over ``pages_done``,
    SQS's delivery latency and our processing included. Between the walks, the last ticket page's
    time (``last_page_seconds``, from its start to the queued step's due time) stands for that
    pace. The last page's delay is counted although it is not waited out. So the estimate errs
    long: by what the rounding did not add (about half a second a page) and one delay.

    Both walks (the tickets, then their events) cover the time from ``start_time`` to
    ``horizon`` (now); ``cursor_time`` is how far the current one got in ``pages_done`` pages,
    from ``walk_first_time``, the time of the first item it found (nothing lies between
    ``start_time`` and it: a frame starting years before the account's first ticket must not make
    the pages so far look like a small part of the walk). The pages still to fetch are
    extrapolated from that (at least the one queued). During the ticket walk the event walk is
    counted from the tickets expected (``tickets_scanned`` extrapolated the same way) at
    ``EVENTS_PER_TICKET_ASSUMED`` events each, and at least as many pages as the ticket walk
    (each ticket has at least one event); so is it between the two walks, before its first page.
    """
    wait = max(0.0, wait_seconds)
    paced = paced_page_seconds(exports_per_minute)
    if phase == "events" and pages_done <= 0 and tickets_scanned > 0:
        cost = max(paced, last_page_seconds)
        return math.ceil(wait + _assumed_event_pages(tickets_scanned, page_size) * cost)
    if cursor_time is None or pages_done <= 0:
        return None
    anchor = max(start_time, walk_first_time) if walk_first_time else start_time
    covered = (cursor_time - anchor).total_seconds()
    remaining = max(0.0, (horizon - cursor_time).total_seconds())
    if covered <= 0:
        return None
    pages_left = max(1, math.ceil(pages_done * remaining / covered))
    pace = max(paced, phase_seconds / pages_done)
    left = pages_left * pace
    if phase == "tickets":
        tickets_expected = math.ceil(tickets_scanned * (covered + remaining) / covered)
        event_pages = max(
            pages_done + pages_left, _assumed_event_pages(tickets_expected, page_size)
        )
        left += event_pages * pace
    if max_conversations and conversations_imported > 0 and elapsed_seconds > 0:
        to_go = max(0, max_conversations - conversations_imported)
        left = min(left, to_go / (conversations_imported / elapsed_seconds))
    return math.ceil(wait + left)


def _assumed_event_pages(tickets: int, page_size: int) -> int:
    """Full pages, then the one that ends the stream (shorter than a page; empty if none is)."""
    return tickets * EVENTS_PER_TICKET_ASSUMED // page_size + 1


# --- the import and its checkpoint -------------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class ImportRecord:
    """An import: what was asked, where the job stands (its checkpoint) and its figures.

    ``step`` numbers the SQS messages of the job: the message for step ``k`` runs only while
    the checkpoint says ``step == k``; each step ends by writing ``step = k + 1`` (a versioned
    put) and then sending that message. ``phase`` says what step ``k`` does: ``tickets`` fetches
    the ticket export page at ``tickets_cursor`` (or at ``start_time``) and keeps its matching
    tickets; ``events`` fetches the ticket event page at ``events_time`` and imports the comments
    of matching tickets (``events_seen``: the ids of the events at ``events_time`` already done,
    since the next page starts again at that second).

    Mutable: a step updates its own copy (``clone``) and saves it. Read from the stored item by
    ``from_json`` (its keys and unknown fields ignored); ``to_json`` writes it as pydantic's
    ``model_dump(mode="json")`` did, without ``version`` (the store's).
    """

    import_id: str
    agent_id: str
    # the Zendesk account imported from (None: an import started before accounts were named,
    # taken as the current integration's)
    subdomain: str | None = None
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
    events_scanned: int = 0
    zendesk_requests: int = 0
    rate_limited: int = 0
    cursor_time: datetime | None = None  # how far the current walk got
    walk_first_time: datetime | None = None  # the time of the current walk's first item
    # checkpoint
    step: int = 0
    phase: ImportPhase = "tickets"
    tickets_cursor: str | None = None
    events_time: int | None = None
    events_seen: list[int] = field(default_factory=list)
    pages_done: int = 0  # export pages of the current phase
    phase_started_at: datetime | None = None
    last_export_at: datetime | None = None
    next_step_at: datetime | None = None  # when the queued step is due (its DelaySeconds)
    consecutive_failures: int = 0
    open_conversations: int = 0  # imported threads whose depth is not reached yet
    ai_agent_user_id: int | None = None
    version: int = 0

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> ImportRecord:
        data = records.mapping(raw, where)
        counts = {name: records.integer(data, name, where, default=0) for name in _RECORD_COUNTS}
        return cls(
            import_id=records.text(data, "import_id", where),
            agent_id=records.text(data, "agent_id", where),
            subdomain=records.optional_text(data, "subdomain", where),
            status=records.choice(data, "status", _STATUSES, where, default="running"),  # type: ignore[arg-type]
            filters=ImportFilters.from_json(data.get("filters"), _at(where, "filters")),
            created_at=records.instant(data, "created_at", where),
            started_at=records.instant(data, "started_at", where),
            finished_at=records.optional_instant(data, "finished_at", where),
            error=records.optional_text(data, "error", where),
            cursor_time=records.optional_instant(data, "cursor_time", where),
            walk_first_time=records.optional_instant(data, "walk_first_time", where),
            phase=records.choice(data, "phase", _PHASES, where, default="tickets"),  # type: ignore[arg-type]
            tickets_cursor=records.optional_text(data, "tickets_cursor", where),
            events_time=records.optional_integer(data, "events_time", where),
            events_seen=records.optional_integer_list(data, "events_seen", where) or [],
            phase_started_at=records.optional_instant(data, "phase_started_at", where),
            last_export_at=records.optional_instant(data, "last_export_at", where),
            next_step_at=records.optional_instant(data, "next_step_at", where),
            ai_agent_user_id=records.optional_integer(data, "ai_agent_user_id", where),
            **counts,
        )

    def to_json(self) -> dict[str, Any]:
        """The stored item's fields (every one but ``version``), as pydantic wrote them."""
        instants = {name: records.instant_json(getattr(self, name)) for name in _RECORD_INSTANTS}
        return {
            "import_id": self.import_id,
            "agent_id": self.agent_id,
            "subdomain": self.subdomain,
            "status": self.status,
            "filters": self.filters.to_json(),
            "error": self.error,
            "phase": self.phase,
            "tickets_cursor": self.tickets_cursor,
            "events_time": self.events_time,
            "events_seen": list(self.events_seen),
            "ai_agent_user_id": self.ai_agent_user_id,
            **{name: getattr(self, name) for name in _RECORD_COUNTS if name != "version"},
            **instants,
        }

    def clone(self) -> ImportRecord:
        """A copy a step may change without changing this one."""
        return replace(self, events_seen=list(self.events_seen))

    @property
    def is_running(self) -> bool:
        return self.status == "running"

    @property
    def max_reached(self) -> bool:
        limit = self.filters.max_conversations
        return limit is not None and self.conversations_imported >= limit

    def seconds_left(
        self, now: datetime, exports_per_minute: int, page_size: int = EXPORT_PAGE_SIZE
    ) -> int | None:
        if not self.is_running:
            return 0
        due = self.next_step_at or now
        phase_start = self.phase_started_at or self.started_at
        return estimate_seconds_left(
            phase=self.phase,
            start_time=self.filters.start_time,
            cursor_time=self.cursor_time,
            horizon=now,
            pages_done=self.pages_done,
            # the pages so far: from the first one's due time to the queued step's
            phase_seconds=(due - phase_start).total_seconds(),
            exports_per_minute=exports_per_minute,
            wait_seconds=(due - now).total_seconds(),
            elapsed_seconds=(now - self.started_at).total_seconds(),
            conversations_imported=self.conversations_imported,
            max_conversations=self.filters.max_conversations,
            walk_first_time=self.walk_first_time,
            tickets_scanned=self.tickets_scanned,
            page_size=page_size,
            last_page_seconds=(due - self.last_export_at).total_seconds()
            if self.last_export_at
            else 0.0,
        )

    def public(
        self, now: datetime, exports_per_minute: int = 10, page_size: int = EXPORT_PAGE_SIZE
    ) -> dict[str, Any]:
        """The JSON of ``GET .../imports/{id}``."""
        filters = self.filters.to_json()
        return {
            "import_id": self.import_id,
            "agent_id": self.agent_id,
            "status": self.status,
            "phase": self.phase,
            "tickets_scanned": self.tickets_scanned,
            "tickets_matched": self.tickets_matched,
            "events_scanned": self.events_scanned,
            "conversations_imported": self.conversations_imported,
            "messages_imported": self.messages_imported,
            "tickets_skipped": self.tickets_skipped,
            "zendesk_requests": self.zendesk_requests,
            "rate_limited": self.rate_limited,
            "cursor_time": _iso(self.cursor_time),
            "estimated_seconds_left": self.seconds_left(now, exports_per_minute, page_size),
            "next_step_at": _iso(self.next_step_at) if self.is_running else None,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "error": self.error,
            "parameters": filters,
        }


_FILTER_FIELDS = (
    "start_time",
    "end_time",
    "max_conversations",
    "tag",
    "channels",
    "depth",
    "import_tags",
    "group_ids",
)
_SUMMARY_FIELDS = (
    "id",
    "requester_id",
    "subject",
    "status",
    "channel",
    "group_id",
    "tags",
    "created_at",
    "updated_at",
)
_STATUSES: tuple[str, ...] = ("running", "succeeded", "failed", "cancelled")
_PHASES: tuple[str, ...] = ("tickets", "events")
_RECORD_COUNTS = (
    "tickets_scanned",
    "tickets_matched",
    "conversations_imported",
    "messages_imported",
    "tickets_skipped",
    "events_scanned",
    "zendesk_requests",
    "rate_limited",
    "step",
    "pages_done",
    "consecutive_failures",
    "open_conversations",
    "version",
)
_RECORD_INSTANTS = (
    "created_at",
    "started_at",
    "finished_at",
    "cursor_time",
    "walk_first_time",
    "phase_started_at",
    "last_export_at",
    "next_step_at",
)


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
