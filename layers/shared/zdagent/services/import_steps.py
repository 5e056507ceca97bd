"""The import worker: one checkpointed step of an import per ImportQueue message.

An import is a chain of SQS messages, one per step, each ``{"import_id", "agent_id", "step"}``.
The import item is the checkpoint; a step runs only when its number is the checkpoint's ``step``
and ends with a versioned write of ``step + 1`` followed by sending that message with a
``DelaySeconds`` that keeps us under Zendesk's limits. Nothing sleeps: a 429 ends the step and the
next one is sent with ``Retry-After`` as its delay.

The chain's mechanism (checkpoint, re-send, back-off, refusals, the last delivery) is
``services/step_chain.py``; this module holds the import's own rules. Every step makes one export
request, so the import runs at Zendesk's export limit (10 requests a
minute, 6 s apart; ``IMPORT_EXPORTS_PER_MINUTE``) with 1,000 items a page:

* ``tickets``: a page of ``GET /api/v2/incremental/tickets/cursor`` from ``start_time`` (by update
  time: a ticket created in the frame may have been updated since). The tickets that match the
  filters (created in the frame, tag, channels, groups) are kept, one item each.
* ``events``: then a page of ``GET /api/v2/incremental/ticket_events?include=comment_events`` from
  ``start_time``: up to 1,000 ticket updates with their comments. The comments of matching
  tickets go through the depth rule in order (each ticket's progress is kept between pages) and
  the kept ones are written as conversation messages, redacted like live logs. A ticket with a
  live conversation log is left alone. The walk ends at the end of the stream (Zendesk holds the
  last minute back), or once ``max_conversations`` are imported and all their threads complete.

Crash safety: message and header items are keyed by ticket and comment, and each ticket's item
keeps its progress from before the step that last changed it, so a step that wrote its items but
died before its checkpoint runs again from the same checkpoint, writes the same items and counts
them once. A step whose checkpoint was written but whose successor message was lost is
redelivered, sees ``step == its own + 1`` and sends the successor again; if both copies run, the
versioned checkpoint lets only one win.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from zdagent.adapters.conversations import ConversationRepository
from zdagent.adapters.import_queue import SqsStepQueue, StepMessage, StepQueue, parse_step_message
from zdagent.adapters.imports_repository import ImportRepository, ImportTicket
from zdagent.adapters.zendesk.client import ZendeskClient
from zdagent.adapters.zendesk.exports import TicketEvent
from zdagent.adapters.zendesk.models import Comment
from zdagent.core.errors import ConcurrentModificationError
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain.conversation import Conversation, LogAccount, LoggedMessage
from zdagent.domain.imports import (
    CommentView,
    ImportRecord,
    KeptMessage,
    TicketProgress,
    TicketSummary,
    apply_comment,
)
from zdagent.domain.integration import Integration
from zdagent.domain.pacing import export_delay
from zdagent.domain.redaction import redact
from zdagent.services import step_chain
from zdagent.services.context import Context
from zdagent.services.imports import fail_import, finish_import, repository
from zdagent.services.step_chain import Outcome, StepResult

TERMS = step_chain.ChainTerms(
    log_prefix="import_step",
    job="import",
    requests="a request",
    again="start the import again",
    restart="start it again",
)


def run_step_delivery(ctx: Context, body: str, receive_count: int) -> str:
    """One SQS delivery of a step (``step_chain.deliver``): on the last delivery before the DLQ
    a crashing step marks the import failed."""
    message = parse_step_message(body)
    return step_chain.deliver(
        lambda: run_step(ctx, message),
        lambda detail: fail_import(ctx, message.agent_id, message.import_id, detail),
        receive_count=receive_count,
        terms=TERMS,
        keys={"import_id": message.import_id, "step": message.step},
    )


def run_step(
    ctx: Context,
    message: StepMessage,
    queue: StepQueue | None = None,
    *,
    client_factory: Callable[[Context, Integration], ZendeskClient] = step_chain.no_sleep_client,
) -> StepResult:
    """Run the step ``message`` names, if the checkpoint says it is due (module docstring)."""
    repo = repository(ctx)
    queue = queue or SqsStepQueue()
    keys = {"agent_id": message.agent_id, "import_id": message.import_id, "step": message.step}
    record = repo.find(message.agent_id, message.import_id)
    not_due = _not_due(record, message, queue, keys)
    if not_due is not None or record is None:
        return not_due or "missing"
    integration = ctx.integrations.find(message.agent_id)
    if integration is None or not integration.is_authorized:
        return _fail_step(ctx, record, _reauthorize(message.agent_id))
    if record.subdomain not in (None, integration.subdomain):
        return _fail_step(ctx, record, _another_account(record.subdomain, integration.subdomain))
    zendesk = client_factory(ctx, integration)
    account = LogAccount(record.agent_id, record.subdomain or integration.subdomain)
    step = _Step(ctx, repo, record.clone(), zendesk, account)
    return step_chain.run_with_client(
        zendesk,
        step.run,
        fail=lambda detail: _fail_step(ctx, record, detail),
        commit=lambda outcome: _commit(
            ctx, repo=repo, queue=queue, record=step.record, outcome=outcome, keys=keys
        ),
        terms=TERMS,
        reauthorize=_reauthorize(message.agent_id),
    )


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
    return step_chain.out_of_turn(
        message.step,
        record.step,
        lambda: queue.send(_message(record), 0),
        terms=TERMS,
        keys=keys,
    )


def _reauthorize(agent_id: str) -> str:
    return (
        "the Zendesk authorization is no longer valid; authorize again "
        f"(POST /agents/{agent_id}/integration/authorization), then start the import again"
    )


def _another_account(imported_from: str | None, now_connected: str) -> str:
    return (
        f"the agent is now connected to the Zendesk account '{now_connected}', not "
        f"'{imported_from}' this import read from; start a new import for '{now_connected}'"
    )


def _fail_step(ctx: Context, record: ImportRecord, detail: str) -> StepResult:
    try:
        finish_import(ctx, record, "failed", detail)
    except ConcurrentModificationError:
        return "superseded"
    return "failed"


def _message(record: ImportRecord) -> StepMessage:
    return StepMessage(import_id=record.import_id, agent_id=record.agent_id, step=record.step)


def _commit(
    ctx: Context,
    *,
    repo: ImportRepository,
    queue: StepQueue,
    record: ImportRecord,
    outcome: Outcome,
    keys: dict[str, Any],
) -> StepResult:
    """Checkpoint (versioned), then hand over to the next step or end the import."""
    try:
        if outcome.failed is not None:
            finish_import(ctx, record, "failed", outcome.failed)
            return "failed"
        if outcome.done:
            finish_import(ctx, record, "succeeded", None)
            return "finished"
        record.step += 1
        record.next_step_at = ctx.now() + timedelta(seconds=outcome.delay)
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
            "events_scanned": saved.events_scanned,
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
    account: LogAccount  # the Zendesk account imported from: the log's conversations are its
    started: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.ctx.now()

    def run(self) -> Outcome:
        rec = self.record
        wait = export_delay(rec.last_export_at, self.started, settings().import_exports_per_minute)
        if wait > 0:
            return Outcome(delay=wait)
        rec.last_export_at = self.started
        try:
            if rec.phase == "tickets":
                return self._tickets_page()
            return self._events_page()
        except step_chain.StopStep as stop:
            return stop.outcome

    def _export[T](self, request: Callable[[], T]) -> T:
        """The step's one export request (``step_chain.call_zendesk``)."""
        return step_chain.call_zendesk(self.record, request, TERMS)

    def _next_export(self) -> Outcome:
        per_minute = settings().import_exports_per_minute
        return Outcome(delay=export_delay(self.record.last_export_at, self.ctx.now(), per_minute))

    # -- the ticket walk -------------------------------------------------------------------------
    def _tickets_page(self) -> Outcome:
        rec, config = self.record, settings()
        per_page = config.import_export_page_size
        if rec.tickets_cursor is None:
            start = int(rec.filters.start_time.timestamp())
            page = self._export(
                lambda: self.zendesk.incremental_tickets(start_time=start, per_page=per_page)
            )
        else:
            cursor = rec.tickets_cursor
            page = self._export(
                lambda: self.zendesk.incremental_tickets(cursor=cursor, per_page=per_page)
            )
        summaries = [TicketSummary.from_ticket(t) for t in page.tickets]
        del page.tickets[:]
        matching = [ImportTicket(ticket=s) for s in summaries if rec.filters.matches(s)]
        if matching:
            self.repo.put_tickets(rec, matching, self.ctx.now())
        rec.tickets_scanned += len(summaries)
        rec.tickets_matched += len(matching)
        rec.pages_done += 1
        rec.tickets_cursor = page.after_cursor or rec.tickets_cursor
        if summaries:
            rec.cursor_time = _later(rec.cursor_time, summaries[-1].updated_at)
            rec.walk_first_time = rec.walk_first_time or min(s.updated_at for s in summaries)
        if not page.end_of_stream:
            return self._next_export()
        if rec.tickets_matched == 0:
            return Outcome(done=True)  # nothing in the frame: no comments to read
        rec.phase, rec.pages_done = "events", 0
        rec.events_time = int(rec.filters.start_time.timestamp())
        rec.cursor_time, rec.walk_first_time = rec.filters.start_time, None
        return self._next_export()

    # -- the event walk --------------------------------------------------------------------------
    def _events_page(self) -> Outcome:
        rec, config = self.record, settings()
        start = rec.events_time or int(rec.filters.start_time.timestamp())
        per_page = config.import_export_page_size
        page = self._export(lambda: self.zendesk.ticket_events(start_time=start, per_page=per_page))
        seen = set(rec.events_seen)
        fresh = [e for e in page.ticket_events if not (e.timestamp == start and e.id in seen)]
        rec.events_scanned += len(fresh)
        if rec.pages_done == 0:  # the walk's pace (for its ETA): from its first page's due time
            rec.phase_started_at = rec.next_step_at or self.started
        rec.pages_done += 1
        if fresh and rec.walk_first_time is None:
            rec.walk_first_time = datetime.fromtimestamp(min(e.timestamp for e in fresh), UTC)
        self._import_events(fresh)
        end_time = page.end_time if page.end_time is not None else start
        if page.ticket_events and not fresh and not page.end_of_stream and end_time == start:
            # A full page of events already done, all in one second: step past that second.
            logger.warning("import_events_second_skipped", extra={"start_time": start})
            end_time += 1
        previous = seen if end_time == start else set()
        rec.events_seen = sorted(
            previous | {e.id for e in page.ticket_events if e.timestamp == end_time}
        )
        rec.events_time = end_time
        rec.cursor_time = _later(rec.cursor_time, datetime.fromtimestamp(end_time, UTC))
        if page.end_of_stream or (rec.max_reached and rec.open_conversations == 0):
            return Outcome(done=True)
        return self._next_export()

    def _import_events(self, events: list[TicketEvent]) -> None:
        """Apply the comments of ``events`` to their matching tickets and write what is kept."""
        rec = self.record
        by_ticket: dict[int, list[Comment]] = {}
        for event in events:
            comments = event.comments()
            if comments:
                by_ticket.setdefault(event.ticket_id, []).extend(comments)
        if not by_ticket:
            return
        tickets = self.repo.tickets(rec, by_ticket)
        if not tickets:
            return
        conversations = ConversationRepository(self.ctx.store)
        sources = conversations.sources_of(self.account, list(tickets))
        live = {t for t, source in sources.items() if source != "imported"}
        items: list[dict[str, Any]] = []
        changed: list[ImportTicket] = []
        for ticket_id, item in tickets.items():
            base = item.base_for(rec.step)
            progress, kept = self._thread(
                item.ticket, base, by_ticket[ticket_id], ticket_id in live
            )
            self._count(base, progress)
            items.extend(self._conversation_items(conversations, item.ticket, base, kept))
            changed.append(replace(item, before=base, progress=progress, step=rec.step))
        if items:  # conversations of this account are written: the log lists the account
            items.append(conversations.account_item(self.account, self.ctx.now()))
        items.extend(self.repo.ticket_items(rec, changed, self.ctx.now()))
        conversations.write_batch(items)

    def _thread(
        self,
        ticket: TicketSummary,
        progress: TicketProgress,
        comments: list[Comment],
        live: bool,
    ) -> tuple[TicketProgress, list[KeptMessage]]:
        rec = self.record
        if progress.done:
            return progress, []
        if live or (progress.kept == 0 and rec.max_reached):
            return replace(progress, done=True), []
        kept: list[KeptMessage] = []
        for comment in comments:
            progress, message = apply_comment(
                progress,
                _view(comment),
                requester_id=ticket.requester_id,
                depth=rec.filters.depth,
                ai_agent_user_id=rec.ai_agent_user_id,
            )
            if message is not None:
                kept.append(message)
            if progress.done:
                break
        return progress, kept

    def _count(self, base: TicketProgress, progress: TicketProgress) -> None:
        rec = self.record
        if base.kept == 0 and progress.kept > 0:
            rec.conversations_imported += 1
        rec.messages_imported += progress.kept - base.kept
        rec.open_conversations += _is_open(progress) - _is_open(base)

    def _conversation_items(
        self,
        conversations: ConversationRepository,
        ticket: TicketSummary,
        base: TicketProgress,
        kept: list[KeptMessage],
    ) -> list[dict[str, Any]]:
        """The header (with the first message) and the message items of one ticket."""
        rec = self.record
        items: list[dict[str, Any]] = []
        if kept and base.kept == 0:
            header = Conversation(
                agent_id=rec.agent_id,
                subdomain=self.account.subdomain,
                ticket_id=ticket.id,
                source="imported",
                status="imported",
                subject=redact(ticket.subject),
                channel=ticket.channel,
                labels=list(ticket.tags) if rec.filters.import_tags else [],
                created_at=ticket.created_at,
                updated_at=ticket.updated_at,
            )
            items.append(conversations.header_item(header))
        for message in kept:
            logged = LoggedMessage(
                message_id=str(message.comment.id),
                role=message.role,
                text=redact(message.comment.text),
                public=True,
                created_at=message.comment.created_at,
            )
            items.append(conversations.message_item(self.account, ticket.id, logged))
        return items


def _is_open(progress: TicketProgress) -> int:
    return 1 if progress.kept > 0 and not progress.done else 0


def _view(comment: Comment) -> CommentView:
    return CommentView(
        id=comment.id,
        author_id=comment.author_id,
        public=bool(comment.public),
        created_at=comment.created_at or datetime.fromtimestamp(0, UTC),
        text=comment.plain_body or comment.body or "",
    )


def _later(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None else max(current, candidate)
