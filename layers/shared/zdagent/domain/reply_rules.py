# ruff: noqa: E501  (pattern tables read better one pattern a line)
"""Whether and how the AI agent acts on a ticket's latest comment: ignore, hand over or answer.

Pure code over plain data (no Zendesk client, no AWS): the reply worker reads the ticket and its
comments, builds ``TicketFacts`` and asks ``screen`` (rules before the engine) and then
``after_engine`` (what to do with the engine's result). Each outcome carries exactly one reason
code, recorded in the conversation log and counted in the statistics.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from zdagent.domain.agent import AgentSettings
from zdagent.domain.engine import EngineAnswer, EngineHandover, EngineNothingToSay, EngineResult

Role = Literal["end-user", "agent", "admin", "unknown"]
AUTO_GENERATED_FLAG = 4  # Zendesk comment flag: automatically generated, notifications suppressed


@dataclass(frozen=True)
class CommentFact:
    id: int
    author_id: int | None
    author_role: Role
    public: bool
    created_at: datetime | None
    text: str  # plain text (never logged in full)
    from_address: str | None = None
    flags: tuple[int, ...] = ()


@dataclass(frozen=True)
class TicketFacts:
    ticket_id: int
    subject: str
    created_at: datetime | None
    tags: tuple[str, ...]
    requester_id: int | None
    submitter_id: int | None
    submitter_role: Role
    comments: tuple[CommentFact, ...]  # oldest first, public and internal

    @property
    def public_comments(self) -> list[CommentFact]:
        return [c for c in self.comments if c.public]

    def target_for(self, ai_user_id: int) -> CommentFact | None:
        """The comment a run is about: the latest public comment not written by the AI agent
        (a customer's, or a person's reply that makes us stand back)."""
        others = [c for c in self.public_comments if c.author_id != ai_user_id]
        return others[-1] if others else None


@dataclass(frozen=True)
class Situation:
    """Everything besides the ticket that the rules read."""

    ai_user_id: int
    settings: AgentSettings
    now: datetime
    engine_enabled: bool = True
    event_updated_at: datetime | None = None  # the ticket update the webhook announced


@dataclass(frozen=True)
class Ignore:
    reason: str
    kind: Literal["ignore"] = "ignore"


@dataclass(frozen=True)
class Handover:
    reason: str
    summary: str
    confidence: float | None = None
    language: str | None = None
    kind: Literal["handover"] = "handover"


@dataclass(frozen=True)
class Proceed:
    """No rule stops us: ask the engine about ``target``."""

    target: CommentFact
    kind: Literal["proceed"] = "proceed"


@dataclass(frozen=True)
class Answer:
    result: EngineAnswer
    kind: Literal["answer"] = "answer"
    sources: list[dict[str, str | None]] = field(default_factory=list)


Screening = Ignore | Handover | Proceed
Outcome = Ignore | Handover | Answer

# ---------------------------------------------------------------- automatic mail

_AUTOMATED_SENDER = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|"
    r"auto[-_.]?(reply|responder|confirm)|notifications?|daemon)([-+_.].*)?@",
    re.IGNORECASE,
)
# Header-style markers that survive into the plain text of a forwarded or quoted auto-reply.
_AUTO_SUBMITTED_MARKERS = re.compile(
    r"^\s*(auto-submitted\s*:\s*auto-(replied|generated|notified)|x-autoreply\s*:|x-autorespond\s*:|"
    r"precedence\s*:\s*(bulk|junk|auto_reply)|x-auto-response-suppress\s*:)",
    re.IGNORECASE | re.MULTILINE,
)
_OUT_OF_OFFICE = (
    # en
    r"\b(out of (the )?office|ooo|on (annual )?leave|on vacation|on holiday|away from (the )?office|automatic reply|auto(matic)?[- ]?reply|autoreply|i am currently away|i'?m currently away|limited access to (my )?e-?mail)\b",
    # fr
    r"\b(absent(e)? du bureau|en conges?|en vacances|reponse automatique|message automatique|je suis absente?|actuellement absente?)\b",
    # de
    r"\b(abwesenheitsnotiz|nicht im buro|automatische antwort|im urlaub|bin ich nicht erreichbar|ausser haus)\b",
    # es
    r"\b(fuera de la oficina|respuesta automatica|de vacaciones|ausente de la oficina)\b",
    # nl
    r"\b(afwezigheidsmelding|automatisch antwoord|niet op kantoor|met vakantie)\b",
    # it
    r"\b(fuori ufficio|risposta automatica|in ferie|assente dall'ufficio)\b",
    # pt
    r"\b(fora do escritorio|resposta automatica|de ferias|ausente do escritorio)\b",
)
_BOUNCE = (
    r"\b(delivery status notification|undeliverable|undelivered mail|mail delivery (failed|subsystem)|delivery (has )?failed|returned mail|could not be delivered|message not delivered|address not found|mailbox (unavailable|full|not found))\b",
    r"\b(non remis|echec de (la )?remise|remise impossible|message non distribue)\b",
    r"\b(unzustellbar|nicht zugestellt|zustellung fehlgeschlagen)\b",
    r"\b(no se (pudo|ha podido) entregar|error de entrega|no entregado)\b",
    r"\b(onbestelbaar|niet afgeleverd)\b",
    r"\b(mancato recapito|non recapitabile|impossibile recapitare)\b",
    r"\b(nao entregue|falha na entrega|nao foi possivel entregar)\b",
)
_OOO_RE = re.compile("|".join(_OUT_OF_OFFICE))
_BOUNCE_RE = re.compile("|".join(_BOUNCE))
_HEAD_CHARS = 600  # auto-replies say so at the top


def fold(text: str) -> str:
    """Lower-case without accents, for language-independent patterns."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def automatic_mail_reason(comment: CommentFact, subject: str) -> str | None:
    """``auto_generated``, ``automated_sender``, ``bounce``, ``out_of_office`` or None."""
    if AUTO_GENERATED_FLAG in comment.flags:
        return "auto_generated"
    if _AUTO_SUBMITTED_MARKERS.search(comment.text[:2000]):
        return "auto_generated"
    if comment.from_address and _AUTOMATED_SENDER.match(comment.from_address.strip()):
        return "automated_sender"
    head = fold(f"{subject}\n{comment.text[:_HEAD_CHARS]}")
    if _BOUNCE_RE.search(head):
        return "bounce"
    if _OOO_RE.search(head):
        return "out_of_office"
    return None


# ---------------------------------------------------------------- the rules


def is_staff(role: Role) -> bool:
    return role in ("agent", "admin")


def by_person(comment: CommentFact, ai_user_id: int) -> bool:
    """Written by a person on the support side: an agent or admin other than the AI agent user
    (a CC'd end user is not one)."""
    return is_staff(comment.author_role) and comment.author_id != ai_user_id


def person_took_over(facts: TicketFacts, ai_user_id: int) -> bool:
    """A person posted a public comment on the ticket: the agent's part in it is over, whatever
    comes later (docs/contract.md §5)."""
    return any(by_person(c, ai_user_id) for c in facts.public_comments)


def person_commented_after(facts: TicketFacts, comment: CommentFact, ai_user_id: int) -> bool:
    """A person wrote after ``comment``, publicly or in an internal note: a reply still pending
    (delayed) for ``comment`` is cancelled."""
    seen = False
    for item in facts.comments:
        if seen and by_person(item, ai_user_id):
            return True
        seen = seen or item.id == comment.id
    return False


def ai_comments_after(
    facts: TicketFacts, comment: CommentFact, ai_user_id: int
) -> list[CommentFact]:
    """Comments (public or internal) by the AI agent user after ``comment``: our marker."""
    after = False
    found = []
    for item in facts.comments:
        if item.id == comment.id:
            after = True
            continue
        if after and item.author_id == ai_user_id:
            found.append(item)
    return found


def replies_sent(facts: TicketFacts, ai_user_id: int) -> int:
    return sum(1 for c in facts.comments if c.public and c.author_id == ai_user_id)


def screen(facts: TicketFacts, situation: Situation) -> Screening:  # noqa: PLR0911 - one rule a line
    """The rules that run before any engine; the first that applies decides."""
    settings = situation.settings
    ai = situation.ai_user_id
    if not situation.engine_enabled:
        return Ignore("engine_disabled")
    target = facts.target_for(ai)
    if target is None:
        own = any(c.author_id == ai for c in facts.public_comments)
        return Ignore("own_comment" if own else "no_public_comment")
    if settings.handover_tag in facts.tags:
        return Ignore("handover_tag")
    if is_staff(target.author_role):
        return Ignore("human_replied")
    if person_took_over(facts, ai):
        return Ignore("human_took_over")
    if person_commented_after(facts, target, ai):
        return Ignore("human_commented")
    if ai_comments_after(facts, target, ai):
        return Ignore("already_answered")
    if (
        situation.event_updated_at is not None
        and target.created_at is not None
        and target.created_at > situation.event_updated_at
    ):
        # A newer customer comment arrived after the one this job was queued for; its own
        # job answers it (after its own delay). The latest is answered once.
        return Ignore("superseded")
    if (
        is_staff(facts.submitter_role)
        and facts.submitter_id not in (facts.requester_id, ai)
        and not settings.answer_agent_submitted
    ):
        return Ignore("agent_submitted")
    if facts.created_at is not None and situation.now - facts.created_at > timedelta(
        days=settings.stale_after_days
    ):
        return Ignore("stale_ticket")
    automatic = automatic_mail_reason(target, facts.subject)
    if automatic:
        return Ignore(automatic)
    if replies_sent(facts, ai) >= settings.max_replies_per_ticket:
        return Handover(
            "max_replies",
            f"The AI agent already replied {replies_sent(facts, ai)} times on this ticket "
            f"(limit {settings.max_replies_per_ticket}); the customer wrote again.",
        )
    return Proceed(target)


def after_engine(result: EngineResult, settings: AgentSettings) -> Outcome:
    """What to do with the engine's result, under the agent's confidence threshold."""
    if isinstance(result, EngineNothingToSay):
        return Ignore(result.reason or "nothing_to_say")
    if isinstance(result, EngineHandover):
        return Handover(result.reason, result.summary, result.confidence, result.language)
    if result.confidence < settings.confidence_threshold:
        return Handover(
            "low_confidence",
            f"The best answer's confidence {result.confidence:.2f} is below the threshold "
            f"{settings.confidence_threshold:.2f}.",
            result.confidence,
            result.language,
        )
    sources: list[dict[str, str | None]] = [
        {"article_id": s.article_id, "title": s.title, "url": s.url} for s in result.sources
    ]
    return Answer(result, sources=sources)


def engine_failed(error_type: str) -> Handover:
    return Handover("engine_error", f"The reply engine failed ({error_type}); please answer.")


HANDOVER_REASON_TEXT = {
    "low_confidence": "the AI agent is not confident enough to answer",
    "customer_requested_human": "the customer asks for a person",
    "max_replies": "the AI agent reached its reply limit on this ticket",
    "engine_error": "the reply engine failed",
    "prompt_injection": "the message tries to instruct the AI agent",
    "out_of_scope": "the question is outside what the AI agent may answer",
    "language_not_enabled": "the email is in a language the AI agent is not enabled for",
    "processing_failed": "the AI agent could not process this email after several attempts",
}


def handover_reason_text(reason: str) -> str:
    return HANDOVER_REASON_TEXT.get(reason, reason.replace("_", " "))
