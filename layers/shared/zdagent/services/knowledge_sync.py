"""Use cases: the agent's knowledge source and the Help Center sync (issue 14).

The sync is a resumable job like the import (``services/imports.py``): a chain of SQS messages on
KnowledgeSyncQueue, one per step, each ``{"agent_id", "sync_id", "step"}``. The agent's knowledge
item (``KNOWLEDGE``, versioned) holds the checkpoint (``SyncRecord``); a step runs only when its
number is the checkpoint's ``step``, and ends with a versioned write of ``step + 1`` followed by
the next message, delayed to keep our share of the account's Help Center budget
(``KNOWLEDGE_REQUESTS_PER_MINUTE``, counted in a sliding minute with the import's rules). A 429
ends the step; the next one waits ``Retry-After``.

A sync (phases of ``SyncRecord``):

1. ``locales``: the chosen locales, or every locale of the Help Center (one request).
2. ``export``: the incremental article export from the previous sync's start (skipped on the first
   sync): what changed is applied at once (edits, new articles, drafts and articles moved out
   removed).
3. ``sweep``: every article of each locale, cursor-paginated (100 a page); each page's article ids
   are kept (one small item per page) and unchanged articles are not written again. Zendesk's export
   never lists archived (deleted) articles, so only a sweep can tell that one is gone
   (https://github.com/dust-tt/dust/issues/8656).
4. ``prune``: stored articles this sync did not see are removed (deleted, archived, unpublished,
   moved out of the chosen sections or labels, locale no longer chosen, manual uploads).

Articles that qualify (``HelpCenterArticle.qualifies``) are stored in the engines' shape; after
every step that changed something the agent's ``knowledge_version`` changes, so the reply engines
rebuild their index and answer from the new text.

The chain's mechanism (checkpoint, re-send, back-off, refusals, the last delivery) is
``services/step_chain.py``; this module holds the sync's own rules.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from zdagent.adapters.knowledge_store import KnowledgeStateRepository, SyncedArticles
from zdagent.adapters.queues import ReplyQueue
from zdagent.adapters.repositories import knowledge_version
from zdagent.core import records
from zdagent.core.errors import (
    AgentNotFoundError,
    ConcurrentModificationError,
    ConfigurationError,
    IntegrationNotAuthorizedError,
    IntegrationNotFoundError,
    KnowledgeSourceManualError,
    KnowledgeSyncRunningError,
    ValidationFailedError,
    ZendeskClientError,
    ZendeskNotFound,
)
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain.agent import Agent
from zdagent.domain.integration import Integration
from zdagent.domain.knowledge_source import (
    HelpCenterArticle,
    KnowledgeSource,
    KnowledgeState,
    SyncRecord,
    zendesk_locale,
)
from zdagent.domain.pacing import prune_log, request_window_delay, step_request_budget
from zdagent.services import step_chain
from zdagent.services.context import Context
from zdagent.services.step_chain import Outcome, StepResult

if TYPE_CHECKING:
    from zdagent.adapters.zendesk.client import ZendeskClient
    from zdagent.domain.knowledge_source_request import KnowledgeSourceRequest

DEADLINE_MARGIN_SECONDS = 20.0
# The export's start: a little before the previous sync began, so an edit made while it ran is
# read again (re-reading an unchanged article writes nothing).
WATERMARK_OVERLAP_SECONDS = 120
ABANDONED_AFTER_SECONDS = 2 * 3600
TERMS = step_chain.ChainTerms(
    log_prefix="knowledge_step",
    job="sync",
    requests="a Help Center request",
    again="sync again",
    restart="sync again",
)

__all__ = [
    "SyncMessage",
    "get_knowledge",
    "require_manual_source",
    "run_step",
    "run_step_delivery",
    "set_source",
    "start_sync",
    "sync_all",
]


@dataclass(frozen=True, slots=True)
class SyncMessage:
    """One step of a sync on the queue (unknown fields ignored)."""

    agent_id: str
    sync_id: str
    step: int

    @classmethod
    def from_message(cls, body: str) -> SyncMessage:
        data = records.json_object(body)
        return cls(
            agent_id=records.text(data, "agent_id", min_length=1, max_length=100),
            sync_id=records.text(data, "sync_id", min_length=1, max_length=100),
            step=records.integer(data, "step", minimum=0),
        )

    def body(self) -> str:
        return json.dumps(
            {"agent_id": self.agent_id, "sync_id": self.sync_id, "step": self.step},
            separators=(",", ":"),
        )


class SyncQueue:
    """KnowledgeSyncQueue (``KNOWLEDGE_SYNC_QUEUE_URL``)."""

    def send(self, message: SyncMessage, delay_seconds: int) -> None:
        url = settings().knowledge_sync_queue_url
        if not url:
            raise ConfigurationError("KNOWLEDGE_SYNC_QUEUE_URL is not set")
        ReplyQueue(url=url).send(message.body(), delay_seconds=delay_seconds)


def _states(ctx: Context) -> KnowledgeStateRepository:
    return KnowledgeStateRepository(ctx.store)


# --- API use cases -----------------------------------------------------------------------------
def get_knowledge(ctx: Context, agent_id: str) -> dict[str, Any]:
    """``GET /agents/{id}/knowledge``. The sync's record is read before the agent: the last step
    publishes the article count on the agent, then marks the sync succeeded, so a summary that
    says succeeded counts what that sync published (read the other way round, a sync ending
    between the two reads showed as succeeded with the count from before it)."""
    state = _states(ctx).get(agent_id)
    agent = ctx.agents.get(agent_id)
    return state.public(agent.knowledge_articles, agent.knowledge_version)


def require_manual_source(ctx: Context, agent_id: str) -> None:
    """Uploading articles needs the manual source (a sync would replace them): 409."""
    if _states(ctx).get(agent_id).source.is_help_center:
        raise KnowledgeSourceManualError(
            "the agent's knowledge comes from the Zendesk Help Center, and the next sync would "
            "replace uploaded articles; switch to the manual source first "
            f'(PUT /agents/{agent_id}/knowledge/source {{"kind": "manual"}})'
        )


def set_source(ctx: Context, agent_id: str, request: KnowledgeSourceRequest) -> dict[str, Any]:
    """``PUT /agents/{id}/knowledge/source``: 409 for the Help Center without an authorized
    integration. A new source starts from scratch: the next sync reads every article again (and
    a sync still running for the old source is stopped)."""
    agent = ctx.agents.get(agent_id)
    source = KnowledgeSource.from_request(request)
    if source.is_help_center:
        integration = ctx.integrations.find(agent_id)
        if integration is None:
            raise IntegrationNotAuthorizedError(
                f"agent '{agent_id}' has no integration: create it and authorize Zendesk Support "
                f"(POST /agents/{agent_id}/integration) before using its Help Center"
            )
        integration.require_authorized("reading the Help Center")
    state = _states(ctx).get(agent_id)
    if state.source != source:
        state.source, state.watermark = source, None
        if state.last_sync is not None and state.last_sync.is_running:
            _end(state.last_sync, ctx.now(), "failed", "the knowledge source changed; sync again")
    state = _states(ctx).save(state)
    logger.info("knowledge_source_set", extra={"agent_id": agent_id, "kind": source.kind})
    return state.public(agent.knowledge_articles, agent.knowledge_version)


def start_sync(
    ctx: Context,
    agent_id: str,
    *,
    trigger: Literal["api", "schedule"] = "api",
    queue: SyncQueue | None = None,
) -> SyncRecord:
    """``POST /agents/{id}/knowledge/sync``: 202, the first step queued. 409 if one is running,
    the source is manual or the integration is not authorized."""
    ctx.agents.get(agent_id)
    state = _states(ctx).get(agent_id)
    if not state.source.is_help_center:
        raise KnowledgeSourceManualError(
            "the knowledge source is manual (articles uploaded with PUT "
            f"/agents/{agent_id}/knowledge); choose the Help Center first "
            f'(PUT /agents/{agent_id}/knowledge/source {{"kind": "zendesk_help_center"}})'
        )
    ctx.integrations.get(agent_id).require_authorized("syncing the Help Center")
    running = state.last_sync
    now = ctx.now()
    if running is not None and running.is_running and _abandoned(running, now):
        _end(running, now, "failed", "the sync stopped making progress; a new sync replaced it")
    elif running is not None and running.is_running:
        raise KnowledgeSyncRunningError(
            f"sync {running.sync_id} is still running; wait until it ends "
            f"(GET /agents/{agent_id}/knowledge)"
        )
    record = SyncRecord(
        sync_id=f"syn_{int(now.timestamp()):010x}{secrets.token_hex(5)}",
        trigger=trigger,
        started_at=now,
        progressed_at=now,
        phase="locales",
        export_start=state.watermark,
    )
    state.last_sync = record
    try:
        state = _states(ctx).save(state)
    except ConcurrentModificationError as exc:
        raise KnowledgeSyncRunningError(
            f"another sync was started at the same moment; check GET /agents/{agent_id}/knowledge"
        ) from exc
    message = SyncMessage(agent_id=agent_id, sync_id=record.sync_id, step=0)
    try:
        (queue or SyncQueue()).send(message, 0)
    except Exception:
        _end(record, ctx.now(), "failed", "the sync could not be queued; start it again")
        _states(ctx).save(state)
        raise
    logger.info("knowledge_sync_started", extra={"agent_id": agent_id, "sync_id": record.sync_id})
    return record


def _abandoned(record: SyncRecord, now: datetime) -> bool:
    """No step checkpointed for longer than any wait a step can ask for (SQS's 15 minutes, a
    few times over): its message was lost for good."""
    last = record.progressed_at or record.started_at
    return (now - last).total_seconds() > ABANDONED_AFTER_SECONDS


@dataclass
class ScheduleResult:
    started: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def sync_all(ctx: Context, queue: SyncQueue | None = None) -> ScheduleResult:
    """The schedule: a sync for every agent whose knowledge comes from the Help Center (agents
    whose sync is running or whose integration is not authorized are skipped and logged)."""
    result = ScheduleResult()
    for agent_id in _states(ctx).help_center_agents():
        try:
            start_sync(ctx, agent_id, trigger="schedule", queue=queue)
        except (KnowledgeSyncRunningError, KnowledgeSourceManualError) as exc:
            result.skipped[agent_id] = exc.code
        except (
            AgentNotFoundError,
            IntegrationNotFoundError,
            IntegrationNotAuthorizedError,
            ConcurrentModificationError,
        ) as exc:
            result.skipped[agent_id] = exc.code
        except Exception as exc:  # one agent's failure never stops the others
            logger.exception("knowledge_schedule_failed", extra={"agent_id": agent_id})
            result.skipped[agent_id] = type(exc).__name__
        else:
            result.started.append(agent_id)
    skipped = result.skipped
    logger.info(
        "knowledge_schedule_ran",
        extra={"started": len(result.started), "skipped": len(skipped), "reasons": skipped},
    )
    return result


# --- the worker: one step ------------------------------------------------------------------------
def run_step(
    ctx: Context,
    message: SyncMessage,
    queue: SyncQueue | None = None,
    *,
    client_factory: Callable[[Context, Integration], ZendeskClient] = step_chain.no_sleep_client,
) -> StepResult:
    """Run the step ``message`` names if the checkpoint says it is due (module docstring)."""
    queue = queue or SyncQueue()
    keys = {"agent_id": message.agent_id, "sync_id": message.sync_id, "step": message.step}
    state = _states(ctx).get(message.agent_id)
    not_due = _not_due(state.last_sync, message, queue, keys)
    if not_due is not None or state.last_sync is None:
        return not_due or "not_running"
    integration = ctx.integrations.find(message.agent_id)
    if integration is None or not integration.is_authorized or not state.source.is_help_center:
        return _fail(ctx, state, _reauthorize(message.agent_id))
    zendesk = client_factory(ctx, integration)
    step = _Step(ctx, state, zendesk)
    return step_chain.run_with_client(
        zendesk,
        step.run,
        fail=lambda detail: _fail(ctx, state, detail),
        commit=lambda outcome: _commit(ctx, state, queue, outcome, keys),
        terms=TERMS,
        reauthorize=_reauthorize(message.agent_id),
    )


def _not_due(
    record: SyncRecord | None, message: SyncMessage, queue: SyncQueue, keys: dict[str, Any]
) -> StepResult | None:
    if record is None or record.sync_id != message.sync_id or not record.is_running:
        logger.info("knowledge_step_dropped", extra=keys)
        return "not_running"
    return step_chain.out_of_turn(
        message.step,
        record.step,
        lambda: queue.send(_message(message.agent_id, record), 0),
        terms=TERMS,
        keys=keys,
    )


def _reauthorize(agent_id: str) -> str:
    return (
        "Zendesk refused the Help Center reads: the authorization is missing, revoked or lacks "
        f"the hc:read scope; authorize again (POST /agents/{agent_id}/integration/authorization), "
        "then sync again"
    )


def _message(agent_id: str, record: SyncRecord) -> SyncMessage:
    return SyncMessage(agent_id=agent_id, sync_id=record.sync_id, step=record.step)


def _end(
    record: SyncRecord, now: datetime, status: Literal["succeeded", "failed"], error: str | None
) -> None:
    record.status, record.error, record.finished_at = status, error, now


def _fail(ctx: Context, state: KnowledgeState, detail: str) -> StepResult:
    if state.last_sync is None:
        return "not_running"
    _end(state.last_sync, ctx.now(), "failed", detail)
    try:
        _states(ctx).save(state)
    except ConcurrentModificationError:
        return "superseded"
    logger.info("knowledge_sync_failed", extra={"agent_id": state.agent_id})
    return "failed"


def _commit(
    ctx: Context, state: KnowledgeState, queue: SyncQueue, outcome: Outcome, keys: dict[str, Any]
) -> StepResult:
    record = state.last_sync
    assert record is not None
    if outcome.failed is not None:
        return _fail(ctx, state, outcome.failed)
    record.progressed_at = ctx.now()
    if outcome.done:
        _end(record, ctx.now(), "succeeded", None)
        state.watermark = int(record.started_at.timestamp()) - WATERMARK_OVERLAP_SECONDS
    else:
        record.step += 1
    try:
        state = _states(ctx).save(state)
    except ConcurrentModificationError:
        logger.info("knowledge_step_superseded", extra=keys)
        return "superseded"
    saved = state.last_sync
    assert saved is not None
    figures = {
        "phase": saved.phase,
        "added": saved.articles_added,
        "updated": saved.articles_updated,
        "removed": saved.articles_removed,
    }
    if outcome.done:
        logger.info("knowledge_sync_succeeded", extra=keys | figures)
        return "finished"
    queue.send(_message(state.agent_id, saved), outcome.delay)
    logger.info("knowledge_step_done", extra=keys | figures | {"delay_s": outcome.delay})
    return "advanced"


class _Step:
    """One step: requests within the sliding-minute budget and the time budget."""

    def __init__(self, ctx: Context, state: KnowledgeState, zendesk: ZendeskClient) -> None:
        assert state.last_sync is not None
        self.ctx, self.state, self.zendesk = ctx, state, zendesk
        self.record: SyncRecord = state.last_sync
        self.articles = SyncedArticles(ctx.store, state.agent_id)
        self.started = ctx.now()
        self.requests = 0

    def run(self) -> Outcome:
        budget, seconds = self._budgets()
        outcome = Outcome()
        try:
            if budget <= 0 and self.record.phase != "prune":
                return Outcome(delay=self._window_delay())
            while not outcome.done:
                if self.record.phase != "prune" and (
                    self.requests >= budget or (self.requests and self._elapsed() >= seconds)
                ):
                    outcome = Outcome(delay=self._window_delay())
                    break
                outcome = self._unit()
        except step_chain.StopStep as stop:
            outcome = stop.outcome
        finally:
            self.articles.flush()
            self._log_requests()
            # The last step publishes whatever is stored, changed here or not: a step whose
            # publish failed after its writes is redelivered with nothing left to change.
            if self.articles.changed or outcome.done:
                self._publish_version()
        return outcome

    def _unit(self) -> Outcome:
        """One request's worth of work (or the prune); done only when the sync is."""
        phase = self.record.phase
        if phase == "locales":
            self._locales()
        elif phase == "export":
            self._export_page()
        elif phase == "sweep":
            self._sweep_page()
        else:
            self.record.articles_removed += self.articles.prune(self.record.sync_id)
            return Outcome(done=True)
        return Outcome()

    # -- phases ------------------------------------------------------------------------------
    def _locales(self) -> None:
        chosen = self.state.source.locales
        if chosen:
            self.record.locales = list(chosen)
        else:
            self.record.locales = sorted(
                {zendesk_locale(x) for x in self._call(self.zendesk.help_center_locales)}
            )
        self.record.phase = "export" if self.record.export_start is not None else "sweep"

    def _export_page(self) -> None:
        rec = self.record
        start = int(rec.export_start or 0)
        page = self._call(lambda: self.zendesk.help_center_incremental_articles(start))
        for raw in page.articles:
            self._apply(raw)
        if page.has_next_page and page.end_time is not None and page.end_time > start:
            rec.export_start = page.end_time
        else:
            rec.phase = "sweep"

    def _sweep_page(self) -> None:
        rec = self.record
        if rec.locale_index >= len(rec.locales):
            rec.phase = "prune"
            return
        locale = rec.locales[rec.locale_index]
        try:
            page = self._call(
                lambda: self.zendesk.help_center_articles_page(locale, after=rec.page_after)
            )
        except ZendeskNotFound:
            logger.info("knowledge_locale_missing", extra={"agent_id": self.state.agent_id})
            page = None
        except ZendeskClientError as exc:
            if exc.zendesk_status != 400 or rec.page_after is None or rec.sweep_restarts >= 3:
                raise
            # The cursor's article went away mid-sweep: walk the locale again (marks are
            # idempotent, so nothing is counted twice).
            rec.sweep_restarts += 1
            rec.page_after = None
            return
        listed = [self._apply(raw) for raw in (page.articles if page else [])]
        rec.pages_seen += 1
        now = int(self.ctx.now().timestamp())
        self.articles.record_seen(rec.sync_id, rec.pages_seen, [i for i in listed if i], now)
        if page is not None and page.has_more and page.after_cursor:
            rec.page_after = str(page.after_cursor)
            return
        rec.locale_index += 1
        rec.page_after = None
        if rec.locale_index >= len(rec.locales):
            rec.phase = "prune"

    def _apply(self, raw: dict[str, Any]) -> str | None:
        """Store or remove one listed article; its knowledge id (None if unreadable)."""
        try:
            article = HelpCenterArticle.from_json(raw)
        except ValidationFailedError:
            logger.warning("knowledge_article_unreadable", extra={"agent_id": self.state.agent_id})
            return None
        knowledge = (
            article.to_knowledge()
            if article.qualifies(self.state.source, self.record.locales)
            else None
        )
        if knowledge is None:
            if self.articles.remove(article.knowledge_id):
                self.record.articles_removed += 1
            return article.knowledge_id
        change = self.articles.upsert(knowledge)
        if change == "added":
            self.record.articles_added += 1
        elif change == "updated":
            self.record.articles_updated += 1
        return article.knowledge_id

    # -- requests and pacing -----------------------------------------------------------------
    def _call[T](self, request: Callable[[], T]) -> T:
        """One request of this step (counted against its budget; ``step_chain.call_zendesk``)."""
        self.requests += 1
        return step_chain.call_zendesk(self.record, request, TERMS)

    def _budgets(self) -> tuple[int, float]:
        config = settings()
        seconds = config.knowledge_step_seconds
        if self.ctx.remaining_time is not None:
            seconds = min(seconds, self.ctx.remaining_time() - DEADLINE_MARGIN_SECONDS)
        log = self.record.recent_requests
        per_minute = config.knowledge_requests_per_minute
        return step_request_budget(log, self.ctx.now(), per_minute), seconds

    def _window_delay(self) -> int:
        per_minute = settings().knowledge_requests_per_minute
        return request_window_delay(self.record.recent_requests, self.ctx.now(), per_minute)

    def _log_requests(self) -> None:
        now = self.ctx.now()
        log = prune_log(self.record.recent_requests, now)
        if self.requests:
            log.append((now.timestamp(), self.requests))
        self.record.recent_requests = log

    def _elapsed(self) -> float:
        return (self.ctx.now() - self.started).total_seconds()

    def _publish_version(self) -> None:
        """The agent answers from the new text: a new knowledge version (engines re-index)."""
        articles = self.ctx.knowledge.articles(self.state.agent_id)
        version = knowledge_version(articles) if articles else ""
        for attempt in range(5):
            agent = self.ctx.agents.get(self.state.agent_id)
            changed = _with_knowledge(agent, version, len(articles), self.ctx.now())
            try:
                self.ctx.agents.save(changed)
                return
            except ConcurrentModificationError:
                if attempt == 4:
                    raise


def _with_knowledge(agent: Agent, version: str, count: int, now: datetime) -> Agent:
    return replace(agent, knowledge_version=version, knowledge_articles=count, updated_at=now)


# --- SQS delivery --------------------------------------------------------------------------------
def run_step_delivery(ctx: Context, body: str, receive_count: int) -> str:
    """One SQS delivery of a step (``step_chain.deliver``): on the last delivery before the DLQ
    a crashing step marks the sync failed (if it is still the agent's sync)."""
    message = SyncMessage.from_message(body)

    def give_up(detail: str) -> None:
        state = _states(ctx).get(message.agent_id)
        if state.last_sync is not None and state.last_sync.sync_id == message.sync_id:
            _fail(ctx, state, detail)

    return step_chain.deliver(
        lambda: run_step(ctx, message),
        give_up,
        receive_count=receive_count,
        terms=TERMS,
        keys={"sync_id": message.sync_id, "step": message.step},
    )
