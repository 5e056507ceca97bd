"""Use case: process one queued reply job: ignore, hand over or answer the latest customer comment.

Exactly once per customer comment, whatever the queue and Zendesk do:
- a claim per (ticket, comment) in DynamoDB serialises workers and survives crashes (lease);
- the plan is stored before the Zendesk write; the write is a ``safe_update`` (409 if the ticket
  changed since we read it, which also makes the client's retry of a 5xx safe);
- the ticket is read in one request (its audits with the ticket and users sideloaded: fields,
  every comment, every author's role); a comment by the AI agent user after the customer's
  comment means it was already handled (a worker died after writing): only the bookkeeping of
  the stored plan is finished.
Zendesk 429/5xx that outlast the client's retries propagate: the message comes back after
``Retry-After`` (visibility change), then goes to the DLQ after the queue's maxReceiveCount.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from zdagent.adapters.engines import get_engine
from zdagent.adapters.engines.email_form import compose_reply, html_to_text, render_markdown_safe
from zdagent.adapters.queues import MAX_DELAY_SECONDS
from zdagent.adapters.reply_claims import Claim, ReplyClaims
from zdagent.adapters.zendesk.models import Comment, CommentCreate, Ticket, TicketUpdate, User
from zdagent.core.errors import (
    AgentNotFoundError,
    ReplyInProgressError,
    ValidationFailedError,
    ZendeskConflict,
    ZendeskInvalidRecord,
    ZendeskNotFound,
    ZendeskTransientError,
)
from zdagent.core.observability import logger
from zdagent.domain import reply_rules as rules
from zdagent.domain.agent import Agent, AgentSettings
from zdagent.domain.conversation import DecisionAction, MessageRole
from zdagent.domain.engine import (
    ConversationMessage,
    EngineRequest,
    EngineResult,
    KnowledgeBase,
)
from zdagent.domain.integration import Integration
from zdagent.domain.reply_job import ReplyJob
from zdagent.domain.reply_plan import MAX_PLAN_TEXT, ReplyPlan
from zdagent.services import telemetry
from zdagent.services.context import Context
from zdagent.services.conversations import DecisionToLog, MessageToLog, record_decision

MAX_CONFLICT_RETRIES = 3
DEFAULT_LEASE_SECONDS = 120
HISTORY_MESSAGES = 10
HISTORY_CHARS = 4000
BUSY_RETRY_SECONDS = 30
TRANSIENT_RETRY_SECONDS = 30.0

Status = Literal["answered", "drafted", "escalated", "ignored", "deferred", "duplicate"]


@dataclass(frozen=True)
class ReplyResult:
    status: Status
    reason: str | None = None
    ticket_id: int | None = None
    comment_id: int | None = None


# ---------------------------------------------------------------- entry points


# ReplyQueue's RedrivePolicy maxReceiveCount (template.yaml): the last delivery before the DLQ.
MAX_RECEIVES = 5


def handle_message(
    ctx: Context, body: str, receipt_handle: str | None = None, receive_count: int = 1
) -> ReplyResult:
    """One SQS message. Raises to make it come back (after Retry-After when Zendesk said so).
    On the last delivery before the dead-letter queue, a job that keeps failing is handed over
    to a person instead (``processing_failed``): the email is never silently dropped."""
    try:
        job = ReplyJob.from_message(body)
    except ValidationFailedError:
        logger.error("reply_job_invalid", extra={"body_chars": len(body)})
        return ReplyResult("ignored", "invalid_job")
    try:
        return _process_with_retries(ctx, job, receipt_handle)
    except ReplyInProgressError:
        raise  # the claim's holder finishes it
    except Exception as exc:
        if receive_count < MAX_RECEIVES:
            raise
        return hand_over_after_failures(ctx, job, exc)


def _process_with_retries(ctx: Context, job: ReplyJob, receipt_handle: str | None) -> ReplyResult:
    try:
        return process_reply(ctx, job)
    except ZendeskTransientError as exc:
        if receipt_handle:
            ctx.reply_queue.retry_later(receipt_handle, exc.retry_after or TRANSIENT_RETRY_SECONDS)
        logger.warning(
            "reply_retry_later",
            extra={
                "agent_id": job.agent_id,
                "ticket_id": job.ticket_id,
                "error_code": exc.code,
                "retry_after": exc.retry_after,
            },
        )
        raise
    except ReplyInProgressError:
        # another worker holds this comment's claim (or crashed holding it: the lease runs out);
        # look again soon instead of after the queue's whole visibility timeout
        if receipt_handle:
            ctx.reply_queue.retry_later(receipt_handle, BUSY_RETRY_SECONDS)
        raise


def process_reply(ctx: Context, job: ReplyJob) -> ReplyResult:
    now = ctx.now()
    log = {"agent_id": job.agent_id, "ticket_id": job.ticket_id}
    if job.due_at > now + timedelta(seconds=1):
        wait = (job.due_at - now).total_seconds()
        again = replace(job, requeues=job.requeues + 1)
        ctx.reply_queue.send(again.body(), delay_seconds=min(MAX_DELAY_SECONDS, int(wait) + 1))
        logger.info("reply_deferred", extra=log | {"wait_seconds": round(wait)})
        return ReplyResult("deferred", ticket_id=job.ticket_id)
    try:
        agent = ctx.agents.get(job.agent_id)
    except AgentNotFoundError:
        logger.info("reply_dropped", extra=log | {"reason": "agent_deleted"})
        return ReplyResult("ignored", "not_connected", job.ticket_id)
    integration = ctx.integrations.find(job.agent_id)
    user = integration.authorization.user if integration else None
    if integration is None or user is None or not _connected_to_job_account(integration, job):
        return _ignore_without_ticket(ctx, job, "not_connected", integration)
    if not integration.engine.enabled:
        return _ignore_without_ticket(ctx, job, "engine_disabled", integration)
    for attempt in range(MAX_CONFLICT_RETRIES):
        try:
            return _Run(ctx, job, agent, integration, user.id).run()
        except ZendeskConflict:
            # The ticket changed between our read and our write (a person, or our own earlier
            # write whose response was lost): read it again and decide again.
            logger.info("reply_conflict_reread", extra=log | {"attempt": attempt + 1})
    raise ReplyInProgressError(f"ticket {job.ticket_id} keeps changing; will retry")


def hand_over_after_failures(ctx: Context, job: ReplyJob, error: Exception) -> ReplyResult:
    """The last line of defence: tag the ticket for a person and say why in an internal note
    (no engine, no rules but the connection). If even this fails, the error propagates and the
    job goes to the dead-letter queue (alarm, redrive)."""
    log = {"agent_id": job.agent_id, "ticket_id": job.ticket_id}
    logger.error("reply_gave_up", extra=log | {"error_type": type(error).__name__})
    agent = ctx.agents.get(job.agent_id)
    integration = ctx.integrations.find(job.agent_id)
    user = integration.authorization.user if integration else None
    if integration is None or user is None or not _connected_to_job_account(integration, job):
        return _ignore_without_ticket(ctx, job, "not_connected", integration)
    tag = agent.settings.handover_tag
    note = (
        "<p><strong>AI agent handover:</strong> the AI agent could not process this email "
        f"after {MAX_RECEIVES} attempts ({html.escape(type(error).__name__)}); please answer "
        "it (reason <code>processing_failed</code>).</p>"
    )
    with ctx.zendesk_for(integration) as zendesk:
        ticket = zendesk.get_ticket(job.ticket_id)
        tags = None if tag in ticket.tags else [*ticket.tags, tag]
        zendesk.update_ticket(
            job.ticket_id,
            TicketUpdate(
                comment=CommentCreate(html_body=note, public=False, author_id=user.id), tags=tags
            ),
        )
    record_decision(
        ctx,
        job.agent_id,
        job.ticket_id,
        DecisionToLog(action="escalated", reason="processing_failed"),
        subdomain=integration.subdomain,
        subject=ticket.subject or "",
    )
    telemetry.count_by_reason("Escalated", "processing_failed")
    return ReplyResult("escalated", "processing_failed", job.ticket_id)


def _connected_to_job_account(integration: Integration, job: ReplyJob) -> bool:
    """Authorized, and on the Zendesk account the job's ticket belongs to (after a reconnect to
    another account, its ticket with the same id is another ticket)."""
    same = job.subdomain is None or job.subdomain == integration.subdomain
    return integration.is_authorized and same


def _ignore_without_ticket(
    ctx: Context, job: ReplyJob, reason: str, integration: Integration | None
) -> ReplyResult:
    """Engine off (or not connected): drop the job without reading the ticket, logged on the
    job's account (unknown for a job of an agent without integration: not logged)."""
    subdomain = job.subdomain or (integration.subdomain if integration else None)
    if subdomain is not None:
        record_decision(
            ctx,
            job.agent_id,
            job.ticket_id,
            DecisionToLog(action="ignored", reason=reason),
            subdomain=subdomain,
        )
    telemetry.count_by_reason("Ignored", reason)
    logger.info("reply_ignored", extra={"agent_id": job.agent_id, "reason": reason})
    return ReplyResult("ignored", reason, job.ticket_id)


# ---------------------------------------------------------------- one run over a fresh read


class _Run:
    def __init__(
        self, ctx: Context, job: ReplyJob, agent: Agent, integration: Integration, ai_user_id: int
    ) -> None:
        self.ctx = ctx
        self.job = job
        self.agent = agent
        self.settings: AgentSettings = agent.settings
        self.integration = integration
        self.ai = ai_user_id
        self.claims = ReplyClaims(ctx.store, integration.subdomain)
        self.owner = uuid.uuid4().hex
        self.roles: dict[int, rules.Role] = {ai_user_id: "admin"}
        self.names: dict[int, str] = {}

    @property
    def log(self) -> dict[str, object]:
        return {"agent_id": self.job.agent_id, "ticket_id": self.job.ticket_id}

    def run(self) -> ReplyResult:
        with self.ctx.zendesk_for(self.integration) as zendesk:
            self.zendesk = zendesk
            try:
                # one read (a page per 100 updates): the ticket, its comments, their authors
                history = zendesk.ticket_history(self.job.ticket_id)
            except ZendeskNotFound:
                return self._ignore(None, "ticket_not_found", subject="")
            ticket = history.ticket
            self._remember(history.users.values())
            facts = self._facts(ticket, history.comments)
            self.ticket, self.facts = ticket, facts
            situation = rules.Situation(
                ai_user_id=self.ai,
                settings=self.settings,
                now=self.ctx.now(),
                engine_enabled=True,
                event_updated_at=self.job.event_updated_at,
            )
            screening = rules.screen(facts, situation)
            target = facts.target_for(self.ai)
            if target is None:
                reason = screening.reason if isinstance(screening, rules.Ignore) else "no_comment"
                return self._ignore(None, reason, subject=facts.subject)
            if isinstance(screening, rules.Ignore) and screening.reason == "superseded":
                # the newer comment belongs to its own job: leave its claim alone
                return self._ignore(target, "superseded", subject=facts.subject, claim=False)
            claim = self.claims.claim(
                self.job.agent_id,
                self.job.ticket_id,
                target.id,
                owner=self.owner,
                lease_seconds=self._lease_seconds(),
            )
            if claim.status == "done":
                logger.info("reply_duplicate", extra=self.log | {"comment_id": target.id})
                return ReplyResult("duplicate", "already_handled", self.job.ticket_id, target.id)
            if claim.status == "busy":
                raise ReplyInProgressError(
                    f"another worker is handling comment {target.id} of ticket {self.job.ticket_id}"
                )
            try:
                return self._decide(claim, screening, target)
            except Exception:
                self.claims.release(self.job.agent_id, self.job.ticket_id, target.id, self.owner)
                raise

    def _lease_seconds(self) -> int:
        remaining = self.ctx.remaining_time() if self.ctx.remaining_time else None
        if remaining is None:
            return DEFAULT_LEASE_SECONDS
        return max(10, int(remaining) + 5)

    # ---- reading -----------------------------------------------------------------------
    def _remember(self, users: Iterable[User]) -> None:
        """Roles and names of users Zendesk sideloaded (the AI agent user keeps 'admin')."""
        for user in users:
            if user.id != self.ai:
                role = user.role if user.role in ("end-user", "agent", "admin") else "unknown"
                self.roles[user.id] = role  # type: ignore[assignment]
            if user.name:
                self.names[user.id] = user.name

    def _role(self, user_id: int | None) -> rules.Role:
        """The user's role: sideloaded with the comments, else one lookup (a user Zendesk did
        not sideload, e.g. a submitter who wrote no comment)."""
        if user_id is None:
            return "unknown"
        if user_id not in self.roles:
            try:
                user = self.zendesk.get_user(user_id)
            except ZendeskNotFound:
                self.roles[user_id] = "unknown"
            else:
                self._remember([user])
        return self.roles.get(user_id, "unknown")

    def _facts(self, ticket: Ticket, comments: list[Comment]) -> rules.TicketFacts:
        requester = ticket.requester_id
        facts: list[rules.CommentFact] = []
        for comment in comments:
            public = bool(comment.public)
            author = comment.author_id
            # Every author's role: a person's internal note cancels a pending reply too.
            role: rules.Role = self._role(author)
            source = (comment.via.source if comment.via else None) or {}
            sender = source.get("from") if isinstance(source, dict) else None
            address = sender.get("address") if isinstance(sender, dict) else None
            facts.append(
                rules.CommentFact(
                    id=comment.id,
                    author_id=author,
                    author_role=role,
                    public=public,
                    created_at=comment.created_at,
                    text=comment.plain_body or comment.body or "",
                    from_address=str(address) if address else None,
                    flags=tuple(comment.flags),
                )
            )
        submitter = ticket.submitter_id
        submitter_role: rules.Role = (
            "end-user" if submitter is None or submitter == requester else self._role(submitter)
        )
        return rules.TicketFacts(
            ticket_id=ticket.id,
            subject=ticket.subject or ticket.raw_subject or "",
            created_at=ticket.created_at,
            tags=tuple(ticket.tags),
            requester_id=requester,
            submitter_id=submitter,
            submitter_role=submitter_role,
            comments=tuple(facts),
        )

    # ---- deciding ----------------------------------------------------------------------
    def _decide(
        self, claim: Claim, screening: rules.Screening, target: rules.CommentFact
    ) -> ReplyResult:
        if claim.plan and rules.ai_comments_after(self.facts, target, self.ai):
            return self._finish_recovered(claim.plan, target)
        if isinstance(screening, rules.Ignore):
            return self._ignore(target, screening.reason, subject=self.facts.subject)
        if isinstance(screening, rules.Handover):
            return self._handover(target, screening, engine=None)
        outcome = self._ask_engine(target)
        if isinstance(outcome, rules.Ignore):
            return self._ignore(target, outcome.reason, subject=self.facts.subject)
        if isinstance(outcome, rules.Handover):
            return self._handover(target, outcome, engine=self.settings.engine)
        return self._answer(target, outcome)

    def _ask_engine(self, target: rules.CommentFact) -> rules.Outcome:
        request = EngineRequest(
            agent_id=self.agent.agent_id,
            agent_name=self.agent.name,
            subject=self.facts.subject,
            latest_message=target.text,
            history=self._history(target),
            requester_name=self._customer_name(target),
            tags=list(self.facts.tags),
            languages=list(self.settings.languages) if self.settings.languages else None,
            default_language=self.agent.default_language,
            confidence_threshold=self.settings.confidence_threshold,
            instructions=self.settings.instructions,
        )
        try:
            knowledge = self._knowledge()
            result: EngineResult = get_engine(self.settings.engine).respond(request, knowledge)
        except Exception as exc:  # an engine must not make us lose the email: a person takes it
            logger.exception("engine_failed", extra=self.log | {"error_type": type(exc).__name__})
            return rules.engine_failed(type(exc).__name__)
        return rules.after_engine(result, self.settings)

    def _knowledge(self) -> KnowledgeBase:
        version = self.agent.knowledge_version or "empty"
        if not self.agent.knowledge_version:
            return KnowledgeBase(agent_id=self.agent.agent_id, version=version)
        return self.ctx.knowledge.load(self.agent.agent_id, version)

    def _history(self, target: rules.CommentFact) -> list[ConversationMessage]:
        earlier = []
        for comment in self.facts.public_comments:
            if comment.id == target.id:
                break
            earlier.append(
                ConversationMessage(
                    role=self._message_role(comment),
                    text=comment.text[:HISTORY_CHARS],
                    created_at=comment.created_at,
                )
            )
        return earlier[-HISTORY_MESSAGES:]

    def _message_role(self, comment: rules.CommentFact) -> MessageRole:
        if comment.author_id == self.ai:
            return "ai_agent"
        return "human_agent" if rules.is_staff(comment.author_role) else "visitor"

    def _customer_name(self, target: rules.CommentFact) -> str | None:
        if target.author_id is not None:
            self._role(target.author_id)
            return self.names.get(target.author_id)
        return None

    # ---- acting ------------------------------------------------------------------------
    def _signature(self) -> str:
        """The agent's signature, or its name: an email never ends on a bare 'Best regards,'."""
        return self.settings.signature.strip() or self.agent.name

    def _update(self, update: TicketUpdate) -> Ticket:
        return self.zendesk.update_ticket(self.job.ticket_id, update)

    def _safe(self, ticket: Ticket) -> dict[str, Any]:
        if ticket.updated_at is None:
            return {}
        return {"safe_update": True, "updated_stamp": ticket.updated_at}

    def _tags_plus(self, tag: str) -> list[str] | None:
        tags = list(self.ticket.tags)
        return None if tag in tags else [*tags, tag]

    def _answer(self, target: rules.CommentFact, outcome: rules.Answer) -> ReplyResult:
        answer = outcome.result
        email = compose_reply(
            answer.markdown,
            language=answer.language,
            customer_name=self._customer_name(target),
            signature=self._signature(),
            sources=list(answer.sources),
        )
        shadow = self.settings.mode == "shadow"
        action: DecisionAction = "drafted" if shadow else "answered"
        plan = ReplyPlan(
            action=action,
            reason="shadow_draft" if shadow else "answered",
            confidence=answer.confidence,
            engine=self.settings.engine,
            language=answer.language,
            sources=outcome.sources,
            text=email.text[:MAX_PLAN_TEXT],
            public=not shadow,
        )
        self._save_plan(target, plan)
        if shadow:
            note = (
                "<p><strong>AI agent draft (shadow mode; not sent to the customer). "
                f"Confidence {answer.confidence:.2f}.</strong></p>\n<hr>\n{email.html}"
            )
            comment = CommentCreate(html_body=note, public=False, author_id=self.ai)
            self._update(TicketUpdate(comment=comment, **self._safe(self.ticket)))
        else:
            comment = CommentCreate(html_body=email.html, public=True, author_id=self.ai)
            self._update(
                TicketUpdate(
                    comment=comment,
                    tags=self._tags_plus(self.settings.reply_tag),
                    **self._safe(self.ticket),
                )
            )
        return self._finish(target, plan)

    def _handover(
        self, target: rules.CommentFact, handover: rules.Handover, *, engine: str | None
    ) -> ReplyResult:
        reason_text = rules.handover_reason_text(handover.reason)
        note = (
            f"<p><strong>AI agent handover:</strong> {html.escape(reason_text)} "
            f"(reason <code>{html.escape(handover.reason)}</code>).</p>\n"
            f"<p>{html.escape(handover.summary[:1000])}</p>"
        )
        public_text = None
        if self.settings.handover_public_message:
            public_text = handover_message(
                handover.language or self.agent.default_language, self._signature()
            )
        plan = ReplyPlan(
            action="escalated",
            reason=handover.reason,
            confidence=handover.confidence,
            engine=engine,
            language=handover.language,
            text=html_to_text(public_text)[:MAX_PLAN_TEXT] if public_text else "",
            public=bool(public_text),
        )
        self._save_plan(target, plan)
        updated = self._hand_over(note, self.settings.handover_group_id)
        if public_text:
            try:
                self._update(
                    TicketUpdate(
                        comment=CommentCreate(
                            html_body=public_text, public=True, author_id=self.ai
                        ),
                        **self._safe(updated),
                    )
                )
            except (ZendeskConflict, ZendeskTransientError) as exc:
                # The handover itself is done; the courtesy message is at most once.
                logger.warning(
                    "handover_message_not_sent", extra=self.log | {"error_type": type(exc).__name__}
                )
                plan = replace(plan, public=False, text="")
        return self._finish(target, plan)

    def _hand_over(self, note: str, group_id: int | None) -> Ticket:
        """The internal note, the handover tag and the group. Handover is the last line of
        defence: when Zendesk refuses the group (422: deleted, never existed), hand over
        without it and say why in the note, instead of retrying until the dead-letter queue."""

        def update(html_body: str, group: int | None) -> Ticket:
            return self._update(
                TicketUpdate(
                    comment=CommentCreate(html_body=html_body, public=False, author_id=self.ai),
                    tags=self._tags_plus(self.settings.handover_tag),
                    group_id=group,
                    **self._safe(self.ticket),
                )
            )

        if group_id is None:
            return update(note, None)
        try:
            return update(note, group_id)
        except ZendeskInvalidRecord as exc:
            logger.warning(
                "handover_group_refused",
                extra=self.log | {"group_id": group_id, "zendesk_error": exc.zendesk_error},
            )
            why = (
                f"<p><strong>The handover group {group_id} was refused by Zendesk</strong> "
                f"({html.escape(exc.detail[:300])}): the ticket was handed over without a "
                "group. Please route it by hand, and fix the AI agent's handover group "
                "(settings.handover_group_id).</p>"
            )
            return update(note + "\n" + why, None)

    def _save_plan(self, target: rules.CommentFact, plan: ReplyPlan) -> None:
        self.claims.save_plan(self.job.agent_id, self.job.ticket_id, target.id, self.owner, plan)

    # ---- bookkeeping -------------------------------------------------------------------
    def _finish(self, target: rules.CommentFact, plan: ReplyPlan) -> ReplyResult:
        action, reason = plan.action, plan.reason
        now = self.ctx.now()
        messages = self._history_to_log(target)
        if plan.text:
            messages.append(
                MessageToLog(
                    message_id=f"ai-{target.id}",
                    role="ai_agent",
                    text=plan.text,
                    public=plan.public,
                    created_at=now,
                )
            )
        sent = rules.replies_sent(self.facts, self.ai) + (1 if plan.public else 0)
        record_decision(
            self.ctx,
            self.job.agent_id,
            self.job.ticket_id,
            DecisionToLog(
                action=action,
                reason=reason,
                comment_id=target.id,
                confidence=plan.confidence,
                engine=plan.engine,
                language=plan.language,
                sources=tuple(plan.sources),
            ),
            subdomain=self.integration.subdomain,
            subject=self.facts.subject,
            messages=messages,
            replies_sent=sent,
        )
        self.claims.complete(self.job.agent_id, self.job.ticket_id, target.id, action)
        metric = {"answered": "Answered", "drafted": "Drafted", "escalated": "Escalated"}[action]
        if action == "escalated":
            telemetry.count_by_reason(metric, reason)
        else:
            telemetry.count(metric)
        if target.created_at is not None:
            telemetry.reply_latency((now - target.created_at).total_seconds())
        logger.info(
            "reply_done",
            extra=self.log | {"comment_id": target.id, "action": action, "reason": reason},
        )
        return ReplyResult(_status(action), reason, self.job.ticket_id, target.id)

    def _finish_recovered(self, plan: ReplyPlan, target: rules.CommentFact) -> ReplyResult:
        logger.warning("reply_recovered", extra=self.log | {"comment_id": target.id})
        return self._finish(target, plan)

    def _ignore(
        self,
        target: rules.CommentFact | None,
        reason: str,
        *,
        subject: str,
        claim: bool = True,
    ) -> ReplyResult:
        comment_id = target.id if target else None
        record_decision(
            self.ctx,
            self.job.agent_id,
            self.job.ticket_id,
            DecisionToLog(action="ignored", reason=reason, comment_id=comment_id),
            subdomain=self.integration.subdomain,
            subject=subject,
            messages=self._history_to_log(target) if target else (),
        )
        if target is not None and claim:
            self.claims.complete(self.job.agent_id, self.job.ticket_id, target.id, "ignored")
        telemetry.count_by_reason("Ignored", reason)
        logger.info("reply_ignored", extra=self.log | {"comment_id": comment_id, "reason": reason})
        return ReplyResult("ignored", reason, self.job.ticket_id, comment_id)

    def _history_to_log(self, target: rules.CommentFact) -> list[MessageToLog]:
        """The ticket's public messages up to ``target`` by customers and human agents (ours
        are logged when we write them)."""
        messages = []
        for comment in self.facts.public_comments:
            if comment.author_id != self.ai:
                messages.append(
                    MessageToLog(
                        message_id=str(comment.id),
                        role=self._message_role(comment),
                        text=comment.text,
                        public=True,
                        created_at=comment.created_at or datetime.now(UTC),
                    )
                )
            if comment.id == target.id:
                break
        return messages


def _status(action: DecisionAction) -> Status:
    return "drafted" if action == "drafted" else action


_HANDOVER_MESSAGES = {
    "en": "Thank you for your message. A member of our team will follow up with you shortly.",
    "fr": "Merci pour votre message. Un membre de notre équipe va revenir vers vous rapidement.",
    "de": "Vielen Dank für Ihre Nachricht. Ein Mitglied unseres Teams meldet sich in Kürze.",
    "es": "Gracias por su mensaje. Una persona de nuestro equipo le responderá en breve.",
    "nl": "Bedankt voor uw bericht. Een medewerker van ons team neemt binnenkort contact op.",
    "it": "Grazie per il messaggio. Una persona del nostro team le risponderà a breve.",
    "pt": "Obrigado pela sua mensagem. Uma pessoa da nossa equipa responderá em breve.",
}


def handover_message(language: str, signature: str) -> str:
    """The public 'a person will follow up' message, sanitised HTML."""
    text = _HANDOVER_MESSAGES.get(
        language.split("-", maxsplit=1)[0].lower(), _HANDOVER_MESSAGES["en"]
    )
    body = render_markdown_safe(text)
    if signature.strip():
        body += "\n" + render_markdown_safe(signature.strip().replace("\n", "  \n"))
    return body
