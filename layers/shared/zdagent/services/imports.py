"""Use cases: import historical tickets into the conversation log (issue 8).

The import is a resumable job, not one long Lambda: a chain of SQS messages on ImportQueue, one
per step, each ``{"import_id", "agent_id", "step"}``. The import item (``IMPORT#<id>``, versioned)
is the checkpoint; a step runs only when its number is the checkpoint's ``step`` and ends with
a versioned write of ``step + 1`` followed by sending that message with a ``DelaySeconds`` that
keeps us under Zendesk's limits. Nothing sleeps to wait for a rate limit: a 429 ends the step and
the next one is sent with ``Retry-After`` as its delay.

Steps (``ImportRecord.phase``):

* ``export``: one page (<= 1,000 tickets) of ``GET /api/v2/incremental/tickets/cursor`` at the
  saved cursor; the matching tickets are kept as page items (``IMPORTPAGE#<id>#<page>#<chunk>``,
  100 per item, TTL) and the cursor moves on. Export requests are spaced ``60 / exports per
  minute`` seconds apart (6 s for Zendesk's 10/min).
* ``comments``: the comments of matching tickets from ``position`` on, within a budget of one
  minute's worth of our request share (``IMPORT_REQUESTS_PER_MINUTE``) and the step's time
  budget; conversations are written with BatchWriteItem, then ``position`` is checkpointed and the
  next step waits out the rest of that minute.

Crash safety: conversation, message and page items are keyed by ticket, comment and page, so a
step that ran its writes but died before its checkpoint is re-run from the same checkpoint and
writes the same items again (no duplicates) and counts them once. A step whose checkpoint was
written but whose successor message was lost is redelivered, sees ``step == its own + 1`` and
sends the successor again; if both copies run, the versioned checkpoint lets only one win.

One running import per agent: the lock item ``IMPORTLOCK`` (conditional put), released when the
import succeeds, fails or is cancelled. The export walks tickets by *update* time from
``start_time`` to now, because a ticket created in the time frame may have been updated since;
the ``created_at`` frame is applied to each ticket.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from zdagent.adapters.aws import client as aws_client
from zdagent.adapters.conversations import ConversationRepository
from zdagent.adapters.dynamodb import StateStore, agent_pk
from zdagent.adapters.zendesk.client import ZendeskClient
from zdagent.adapters.zendesk.models import Comment
from zdagent.core.errors import (
    ConcurrentModificationError,
    ImportNotFoundError,
    ImportNotRunningError,
    ImportRunningError,
    TokenUnavailableError,
    ZendeskClientError,
    ZendeskNotFound,
    ZendeskRateLimited,
    ZendeskTransientError,
)
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain.conversation import Conversation, LoggedMessage
from zdagent.domain.imports import (
    CommentView,
    ImportFilters,
    ImportRecord,
    ImportRequest,
    TicketSummary,
    export_delay,
    prune_log,
    request_window_delay,
    retry_after_delay,
    select_messages,
    step_request_budget,
    transient_delay,
)
from zdagent.domain.integration import Integration
from zdagent.domain.redaction import redact
from zdagent.services.context import Context

CHUNK_SIZE = 100  # tickets per page item
FLUSH_AT = 100  # conversation items buffered before a BatchWriteItem run
PAGE_TTL_SECONDS = 7 * 86400
MAX_TRANSIENT_FAILURES = 8
DEADLINE_MARGIN_SECONDS = 30.0
LOCK_SK = "IMPORTLOCK"

__all__ = [
    "ImportRequest",
    "SqsStepQueue",
    "StepMessage",
    "StepQueue",
    "cancel_import",
    "fail_import",
    "get_import",
    "run_step",
    "start_import",
]


# --- messages and the queue --------------------------------------------------------------------
class StepMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    import_id: str = Field(min_length=1, max_length=100)
    agent_id: str = Field(min_length=1, max_length=100)
    step: int = Field(ge=0)


class StepQueue(Protocol):
    def send(self, message: StepMessage, delay_seconds: int) -> None: ...


class SqsStepQueue:
    """ImportQueue (``IMPORT_QUEUE_URL``)."""

    def send(self, message: StepMessage, delay_seconds: int) -> None:
        aws_client("sqs").send_message(
            QueueUrl=settings().import_queue_url,
            MessageBody=message.model_dump_json(),
            DelaySeconds=delay_seconds,
        )


# --- persistence -------------------------------------------------------------------------------
def _import_sk(import_id: str) -> str:
    return f"IMPORT#{import_id}"


def _page_sk(import_id: str, page: int, chunk: int) -> str:
    return f"IMPORTPAGE#{import_id}#{page:06d}#{chunk:03d}"


@dataclass
class ImportRepository:
    store: StateStore

    def find(self, agent_id: str, import_id: str) -> ImportRecord | None:
        item = self.store.get(agent_pk(agent_id), _import_sk(import_id))
        return ImportRecord.model_validate(item) if item else None

    def get(self, agent_id: str, import_id: str) -> ImportRecord:
        found = self.find(agent_id, import_id)
        if found is None:
            raise ImportNotFoundError(f"agent {agent_id} has no import {import_id}")
        return found

    def _item(self, record: ImportRecord) -> dict[str, Any]:
        body = record.model_dump(mode="json", exclude={"version"})
        return body | {
            "pk": agent_pk(record.agent_id),
            "sk": _import_sk(record.import_id),
            "kind": "import",
        }

    def create(self, record: ImportRecord) -> ImportRecord:
        self.store.put_new(self._item(record))
        return record.model_copy(update={"version": 1})

    def save(self, record: ImportRecord) -> ImportRecord:
        """Versioned write; ConcurrentModificationError if it changed since it was read."""
        version = self.store.put_versioned(self._item(record), record.version)
        return record.model_copy(update={"version": version})

    # the lock: one running import per agent
    def lock(self, agent_id: str) -> dict[str, Any] | None:
        return self.store.get(agent_pk(agent_id), LOCK_SK)

    def take_lock(self, agent_id: str, import_id: str, held: dict[str, Any] | None) -> None:
        item = {"pk": agent_pk(agent_id), "sk": LOCK_SK, "import_id": import_id}
        if held is None:
            self.store.put_new(item)
        else:
            self.store.put_versioned(item, int(held["version"]))

    def release_lock(self, agent_id: str, import_id: str) -> None:
        held = self.lock(agent_id)
        if held is None or held.get("import_id") != import_id:
            return
        try:
            self.store.delete(agent_pk(agent_id), LOCK_SK, expected_version=int(held["version"]))
        except ConcurrentModificationError:
            logger.info("import_lock_changed", extra={"agent_id": agent_id})

    # the matching tickets of the current export page
    def put_page(
        self, record: ImportRecord, page: int, tickets: list[TicketSummary], now: datetime
    ) -> None:
        expires = int(now.timestamp()) + PAGE_TTL_SECONDS
        items = [
            {
                "pk": agent_pk(record.agent_id),
                "sk": _page_sk(record.import_id, page, start // CHUNK_SIZE),
                "kind": "import_page",
                "tickets": [t.model_dump(mode="json") for t in tickets[start : start + CHUNK_SIZE]],
                "expires_at": expires,
            }
            for start in range(0, len(tickets), CHUNK_SIZE)
        ]
        self.store.batch_put(items)

    def page_chunk(self, record: ImportRecord, chunk: int) -> list[TicketSummary]:
        item = self.store.get(
            agent_pk(record.agent_id), _page_sk(record.import_id, record.page_number, chunk)
        )
        if item is None:
            raise ConcurrentModificationError(
                f"import {record.import_id}: page {record.page_number} chunk {chunk} is missing"
            )
        return [TicketSummary.model_validate(t) for t in item["tickets"]]


def _imports(ctx: Context) -> ImportRepository:
    return ImportRepository(ctx.store)


# --- API use cases -----------------------------------------------------------------------------
def _new_import_id(now: datetime) -> str:
    return f"imp_{int(now.timestamp()):010x}{secrets.token_hex(5)}"


def start_import(
    ctx: Context, agent_id: str, request: ImportRequest, queue: StepQueue | None = None
) -> ImportRecord:
    """202: the import exists and its first step is queued. 409 if one is running or the
    integration is not authorized; 422 for a bad time frame."""
    integration = ctx.integrations.get(agent_id)
    integration.require_authorized("importing tickets")
    now = ctx.now()
    filters = ImportFilters.from_request(request, now)
    repo = _imports(ctx)
    import_id = _new_import_id(now)
    held = repo.lock(agent_id)
    if held is not None:
        running = repo.find(agent_id, str(held.get("import_id")))
        if running is not None and running.is_running:
            raise ImportRunningError(
                f"import {running.import_id} is still running; wait until it ends "
                f"(GET /agents/{agent_id}/integration/imports/{running.import_id}) or cancel it "
                f"(POST /agents/{agent_id}/integration/imports/{running.import_id}/cancel)"
            )
    try:
        repo.take_lock(agent_id, import_id, held)
    except ConcurrentModificationError as exc:
        raise ImportRunningError(
            "another import was started at the same moment; check it and cancel it first"
        ) from exc
    user = integration.authorization.user
    record = repo.create(
        ImportRecord(
            import_id=import_id,
            agent_id=agent_id,
            filters=filters,
            created_at=now,
            started_at=now,
            ai_agent_user_id=user.id if user else None,
        )
    )
    try:
        (queue or SqsStepQueue()).send(
            StepMessage(import_id=import_id, agent_id=agent_id, step=0), 0
        )
    except Exception:
        _finish(ctx, record, "failed", "the import could not be queued; start it again")
        raise
    logger.info("import_started", extra={"agent_id": agent_id, "import_id": import_id})
    return record


def get_import(ctx: Context, agent_id: str, import_id: str) -> ImportRecord:
    ctx.agents.get(agent_id)
    return _imports(ctx).get(agent_id, import_id)


def cancel_import(ctx: Context, agent_id: str, import_id: str) -> ImportRecord:
    """Stop a running import; the next step sees the status and ends the chain."""
    repo = _imports(ctx)
    for attempt in range(5):
        record = repo.get(agent_id, import_id)
        if not record.is_running:
            raise ImportNotRunningError(
                f"import {import_id} already ended with status {record.status}; nothing to cancel"
            )
        try:
            return _finish(ctx, record, "cancelled", None)
        except ConcurrentModificationError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _finish(
    ctx: Context,
    record: ImportRecord,
    status: Literal["succeeded", "failed", "cancelled"],
    error: str | None,
) -> ImportRecord:
    now = ctx.now()
    ended = record.model_copy(update={"status": status, "error": error, "finished_at": now})
    saved = _imports(ctx).save(ended)
    _imports(ctx).release_lock(record.agent_id, record.import_id)
    logger.info(
        "import_ended",
        extra={
            "agent_id": record.agent_id,
            "import_id": record.import_id,
            "status": status,
            "conversations_imported": record.conversations_imported,
        },
    )
    return saved


def fail_import(ctx: Context, agent_id: str, import_id: str, error: str) -> None:
    """Mark a running import failed (the worker's last resort after repeated crashes)."""
    record = _imports(ctx).find(agent_id, import_id)
    if record is not None and record.is_running:
        _finish(ctx, record, "failed", error)


# --- the worker: one step ------------------------------------------------------------------------
StepResult = Literal[
    "advanced", "finished", "failed", "not_running", "missing", "stale", "resent", "superseded"
]


def import_client(ctx: Context, integration: Integration) -> ZendeskClient:
    """Like ``Context.zendesk_for``, but a 429 is never slept on: with a Retry-After cap of 0 the
    client raises ``ZendeskRateLimited`` at once and the step re-queues itself with that delay."""
    return ctx.zendesk_for(integration, retry_after_cap=0.0)


def run_step(
    ctx: Context,
    message: StepMessage,
    queue: StepQueue | None = None,
    *,
    client_factory: Callable[[Context, Integration], ZendeskClient] = import_client,
) -> StepResult:
    """Run the step ``message`` names, if the checkpoint says it is due (module docstring)."""
    repo = _imports(ctx)
    queue = queue or SqsStepQueue()
    keys = {"agent_id": message.agent_id, "import_id": message.import_id, "step": message.step}
    record = repo.find(message.agent_id, message.import_id)
    not_due = _not_due(record, message, queue, keys)
    if not_due is not None or record is None:
        return not_due or "missing"
    integration = ctx.integrations.find(message.agent_id)
    if integration is None or not integration.is_authorized:
        return _fail_step(ctx, record, _reauthorize(message.agent_id))
    zendesk = client_factory(ctx, integration)
    step = _Step(ctx, repo, record.model_copy(deep=True), zendesk)
    try:
        outcome = step.run()
    except (TokenUnavailableError, ZendeskClientError) as exc:
        if isinstance(exc, ZendeskClientError) and exc.zendesk_status not in (401, 403):
            detail = f"Zendesk refused a request ({exc.detail}); start the import again"
        else:
            detail = _reauthorize(message.agent_id)
        return _fail_step(ctx, record, detail)
    finally:
        zendesk.close()
    return _commit(ctx, repo=repo, queue=queue, record=step.record, outcome=outcome, keys=keys)


def _not_due(
    record: ImportRecord | None, message: StepMessage, queue: StepQueue, keys: dict[str, Any]
) -> StepResult | None:
    """Why this message must not run now (None: it is the step the checkpoint expects)."""
    if record is None:
        logger.warning("import_step_unknown_import", extra=keys)
        return "missing"
    if not record.is_running:
        logger.info("import_step_dropped", extra=keys | {"status": record.status})
        return "not_running"
    if message.step == record.step - 1:
        # Our checkpoint was written; the successor may have been lost with the crash.
        queue.send(_message(record), 0)
        logger.info("import_step_resent", extra=keys)
        return "resent"
    if message.step != record.step:
        logger.info("import_step_stale", extra=keys | {"checkpoint_step": record.step})
        return "stale"
    return None


def _reauthorize(agent_id: str) -> str:
    return (
        "the Zendesk authorization is no longer valid; authorize again "
        f"(POST /agents/{agent_id}/integration/authorization), then start the import again"
    )


def _fail_step(ctx: Context, record: ImportRecord, detail: str) -> StepResult:
    try:
        _finish(ctx, record, "failed", detail)
    except ConcurrentModificationError:
        return "superseded"
    return "failed"


def _message(record: ImportRecord) -> StepMessage:
    return StepMessage(import_id=record.import_id, agent_id=record.agent_id, step=record.step)


@dataclass
class _Outcome:
    done: bool = False
    delay: int = 0
    failed: str | None = None


def _commit(
    ctx: Context,
    *,
    repo: ImportRepository,
    queue: StepQueue,
    record: ImportRecord,
    outcome: _Outcome,
    keys: dict[str, Any],
) -> StepResult:
    """Checkpoint (versioned), then hand over to the next step or end the import."""
    try:
        if outcome.failed is not None:
            _finish(ctx, record, "failed", outcome.failed)
            return "failed"
        if outcome.done:
            _finish(ctx, record, "succeeded", None)
            return "finished"
        record.step += 1
        saved = repo.save(record)
    except ConcurrentModificationError:
        # Cancelled meanwhile, or a duplicate of this step won: its writes and ours are the same.
        logger.info("import_step_superseded", extra=keys)
        return "superseded"
    queue.send(_message(saved), outcome.delay)
    logger.info(
        "import_step_done",
        extra=keys
        | {
            "phase": saved.phase,
            "delay_s": outcome.delay,
            "tickets_scanned": saved.tickets_scanned,
            "conversations_imported": saved.conversations_imported,
        },
    )
    return "advanced"


@dataclass
class _Step:
    ctx: Context
    repo: ImportRepository
    record: ImportRecord
    zendesk: ZendeskClient
    started: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.ctx.now()

    def run(self) -> _Outcome:
        if self.record.phase == "export":
            return self._export()
        return self._comments()

    # -- export page ---------------------------------------------------------------------------
    def _export(self) -> _Outcome:
        rec, now = self.record, self.ctx.now()
        per_minute = settings().import_exports_per_minute
        wait = export_delay(rec.last_export_at, now, per_minute)
        if wait > 0:
            return _Outcome(delay=wait)
        rec.zendesk_requests += 1
        rec.last_export_at = now
        self.log_requests(1)
        try:
            if rec.export_cursor is None:
                start = int(rec.filters.start_time.timestamp())
                page = self.zendesk.incremental_tickets(start_time=start)
            else:
                page = self.zendesk.incremental_tickets(cursor=rec.export_cursor)
        except ZendeskRateLimited as exc:
            rec.rate_limited += 1
            return _Outcome(delay=retry_after_delay(exc.retry_after))
        except ZendeskTransientError:
            return self._transient()
        rec.consecutive_failures = 0
        summaries = [TicketSummary.from_ticket(t) for t in page.tickets]
        del page.tickets[:]
        matching = [s for s in summaries if rec.filters.matches(s)]
        rec.tickets_scanned += len(summaries)
        rec.tickets_matched += len(matching)
        rec.page_number += 1
        if matching:
            self.repo.put_page(rec, rec.page_number, matching, now)
        rec.export_cursor = page.after_cursor or rec.export_cursor
        rec.end_of_stream = page.end_of_stream
        if summaries:
            rec.page_end_time = summaries[-1].updated_at
        rec.pending_count, rec.position = len(matching), 0
        if matching:
            rec.phase = "comments"
            rec.cursor_time = _later(rec.cursor_time, matching[0].updated_at)
            return _Outcome()
        rec.cursor_time = rec.page_end_time or rec.cursor_time
        if rec.end_of_stream:
            return _Outcome(done=True)
        return _Outcome(delay=export_delay(rec.last_export_at, self.ctx.now(), per_minute))

    # -- comments of matching tickets ------------------------------------------------------------
    def _comments(self) -> _Outcome:
        rec = self.record
        budget, time_budget = self._budgets()
        if budget <= 0:
            return _Outcome(delay=self._window_delay())
        conversations = ConversationRepository(self.ctx.store)
        pending = _PendingTickets(self.repo, conversations, rec)
        buffer: list[dict[str, Any]] = []
        requests = 0
        stop: _Outcome | None = None
        while rec.position < rec.pending_count and not rec.max_reached:
            if requests >= budget or (requests and self._elapsed() >= time_budget):
                break
            ticket, has_live_log = pending.current()
            if has_live_log:
                rec.tickets_skipped += 1
            else:
                used, stop = self._import_ticket(conversations, ticket, buffer)
                requests += used
                if stop is not None:
                    break
            self._done_with(ticket)
            if len(buffer) >= FLUSH_AT:
                conversations.write_batch(buffer)
                buffer = []
        if buffer:
            conversations.write_batch(buffer)
        self.log_requests(requests)
        return stop or self._after_slice()

    def _budgets(self) -> tuple[int, float]:
        """Requests (what the sliding minute leaves, at most a step's share) and seconds."""
        config = settings()
        seconds = config.import_step_seconds
        if self.ctx.remaining_time is not None:
            seconds = min(seconds, self.ctx.remaining_time() - DEADLINE_MARGIN_SECONDS)
        log = self.record.recent_requests
        return step_request_budget(log, self.ctx.now(), config.import_requests_per_minute), seconds

    def log_requests(self, requests: int) -> None:
        """Count this step's requests in the sliding minute (at the step's end)."""
        now = self.ctx.now()
        log = prune_log(self.record.recent_requests, now)
        if requests:
            log.append((now.timestamp(), requests))
        self.record.recent_requests = log

    def _import_ticket(
        self, conversations: ConversationRepository, ticket: TicketSummary, buffer: list[Any]
    ) -> tuple[int, _Outcome | None]:
        """Requests used, and the outcome that ends the step if this ticket could not be done."""
        rec = self.record
        try:
            items, pages = self._conversation_items(conversations, ticket)
        except ZendeskRateLimited as exc:
            rec.zendesk_requests += 1
            rec.rate_limited += 1
            return 1, _Outcome(delay=retry_after_delay(exc.retry_after))
        except ZendeskNotFound:
            rec.zendesk_requests += 1
            rec.tickets_skipped += 1  # deleted since the export listed it
            return 1, None
        except ZendeskTransientError:
            return 1, self._transient()
        rec.zendesk_requests += pages
        rec.consecutive_failures = 0
        if items:
            buffer.extend(items)
            rec.conversations_imported += 1
            rec.messages_imported += len(items) - 1
        else:
            rec.tickets_skipped += 1
        return pages, None

    def _window_delay(self) -> int:
        per_minute = settings().import_requests_per_minute
        return request_window_delay(self.record.recent_requests, self.ctx.now(), per_minute)

    def _after_slice(self) -> _Outcome:
        rec = self.record
        if rec.max_reached:
            return _Outcome(done=True)
        delay = self._window_delay()
        if rec.position < rec.pending_count:
            return _Outcome(delay=delay)
        rec.cursor_time = rec.page_end_time or rec.cursor_time
        if rec.end_of_stream:
            return _Outcome(done=True)
        rec.phase = "export"
        exports = settings().import_exports_per_minute
        wait = export_delay(rec.last_export_at, self.ctx.now(), exports)
        return _Outcome(delay=max(delay, wait))

    def _done_with(self, ticket: TicketSummary) -> None:
        self.record.position += 1
        self.record.cursor_time = _later(self.record.cursor_time, ticket.updated_at)

    def _transient(self) -> _Outcome:
        rec = self.record
        rec.consecutive_failures += 1
        if rec.consecutive_failures > MAX_TRANSIENT_FAILURES:
            return _Outcome(
                failed=(
                    f"Zendesk kept failing ({rec.consecutive_failures} times in a row); "
                    "check Zendesk's status and start the import again"
                )
            )
        return _Outcome(delay=transient_delay(rec.consecutive_failures))

    def _elapsed(self) -> float:
        return (self.ctx.now() - self.started).total_seconds()

    def _conversation_items(
        self, conversations: ConversationRepository, ticket: TicketSummary
    ) -> tuple[list[dict[str, Any]], int]:
        """The header and message items of one ticket (empty if nothing public to keep), and the
        number of comment pages that took."""
        rec = self.record
        selection = select_messages(
            _views(self.zendesk.list_comments(ticket.id)),
            requester_id=ticket.requester_id,
            depth=rec.filters.depth,
            ai_agent_user_id=rec.ai_agent_user_id,
        )
        if not selection.messages:
            return [], selection.pages_read
        messages = [
            LoggedMessage(
                message_id=str(kept.comment.id),
                role=kept.role,
                text=redact(kept.comment.text),
                public=True,
                created_at=kept.comment.created_at,
            )
            for kept in selection.messages
        ]
        header = Conversation(
            agent_id=rec.agent_id,
            ticket_id=ticket.id,
            source="imported",
            status="imported",
            subject=redact(ticket.subject),
            channel=ticket.channel,
            labels=list(ticket.tags) if rec.filters.import_tags else [],
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
        )
        items = [conversations.header_item(header)]
        items.extend(conversations.message_item(rec.agent_id, ticket.id, m) for m in messages)
        return items, selection.pages_read


class _PendingTickets:
    """The matching tickets of the current page, one 100-ticket item at a time, each with
    whether a live conversation log exists for it (those are never overwritten)."""

    def __init__(
        self, repo: ImportRepository, conversations: ConversationRepository, record: ImportRecord
    ) -> None:
        self._repo, self._conversations, self._record = repo, conversations, record
        self._index = -1
        self._chunk: list[TicketSummary] = []
        self._live: set[int] = set()

    def current(self) -> tuple[TicketSummary, bool]:
        position = self._record.position
        if position // CHUNK_SIZE != self._index:
            self._index = position // CHUNK_SIZE
            self._chunk = self._repo.page_chunk(self._record, self._index)
            rest = [t.id for t in self._chunk[position % CHUNK_SIZE :]]
            sources = self._conversations.sources_of(self._record.agent_id, rest)
            self._live = {ticket for ticket, source in sources.items() if source != "imported"}
        ticket = self._chunk[position % CHUNK_SIZE]
        return ticket, ticket.id in self._live


def _views(comments: Iterable[Comment]) -> Iterator[CommentView]:
    for comment in comments:
        yield CommentView(
            id=comment.id,
            author_id=comment.author_id,
            public=bool(comment.public),
            created_at=comment.created_at or datetime.fromtimestamp(0, UTC),
            text=comment.plain_body or comment.body or "",
        )


def _later(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None else max(current, candidate)


def parse_step_message(body: str) -> StepMessage:
    return StepMessage.model_validate(json.loads(body))


# ImportQueue's RedrivePolicy maxReceiveCount (template.yaml): the last delivery before the DLQ.
MAX_RECEIVES = 5


def run_step_delivery(ctx: Context, body: str, receive_count: int) -> str:
    """One SQS delivery of a step. A crash is raised so SQS redelivers it; on the last delivery
    before the DLQ the import is marked failed instead, so it never stays 'running' forever."""
    message = parse_step_message(body)
    try:
        return run_step(ctx, message)
    except Exception as exc:
        logger.exception(
            "import_step_crashed",
            extra={"import_id": message.import_id, "step": message.step, "receives": receive_count},
        )
        if receive_count < MAX_RECEIVES:
            raise
        fail_import(
            ctx,
            message.agent_id,
            message.import_id,
            f"the import stopped after repeated internal errors ({type(exc).__name__}); "
            "start it again",
        )
        return "failed"
