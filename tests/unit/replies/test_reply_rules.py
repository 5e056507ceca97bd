"""Every ignore / handover rule of the reply decision, over plain data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from zdagent.domain import reply_rules as rules
from zdagent.domain.agent import AgentSettings
from zdagent.domain.engine import (
    EngineAnswer,
    EngineHandover,
    EngineNothingToSay,
    HandoverReason,
    Source,
)

AI, CUSTOMER, HUMAN = 100, 200, 300
NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
CREATED = NOW - timedelta(hours=1)


def comment(
    cid: int,
    author: int = CUSTOMER,
    *,
    role: rules.Role = "end-user",
    public: bool = True,
    text: str = "Where is my order #123? It has not arrived yet.",
    at: datetime | None = None,
    sender: str | None = "customer@example.com",
    flags: tuple[int, ...] = (),
) -> rules.CommentFact:
    return rules.CommentFact(
        id=cid,
        author_id=author,
        author_role=role,
        public=public,
        created_at=at or CREATED + timedelta(minutes=cid),
        text=text,
        from_address=sender,
        flags=flags,
    )


def ai_reply(cid: int, *, public: bool = True) -> rules.CommentFact:
    return comment(cid, AI, role="admin", public=public, text="Here is the answer", sender=None)


def human_reply(cid: int, *, public: bool = True) -> rules.CommentFact:
    return comment(cid, HUMAN, role="agent", public=public, text="I'll check", sender=None)


def facts(*comments: rules.CommentFact, **overrides: object) -> rules.TicketFacts:
    base = rules.TicketFacts(
        ticket_id=1,
        subject="Order status",
        created_at=CREATED,
        tags=(),
        requester_id=CUSTOMER,
        submitter_id=CUSTOMER,
        submitter_role="end-user",
        comments=comments or (comment(1),),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def situation(**settings: object) -> rules.Situation:
    chosen = AgentSettings(**settings)  # type: ignore[arg-type]
    return rules.Situation(ai_user_id=AI, settings=chosen, now=NOW)


def reason(result: rules.Screening) -> str:
    assert isinstance(result, rules.Ignore | rules.Handover), result
    return result.reason


def test_a_plain_customer_email_proceeds_to_the_engine() -> None:
    result = rules.screen(facts(), situation())
    assert isinstance(result, rules.Proceed)
    assert result.target.id == 1


def test_engine_off() -> None:
    off = replace(situation(), engine_enabled=False)
    assert reason(rules.screen(facts(), off)) == "engine_disabled"


def test_authored_by_the_ai_agent_user() -> None:
    only_ours = facts(ai_reply(1))
    assert reason(rules.screen(only_ours, situation())) == "own_comment"


def test_no_public_comment() -> None:
    assert reason(rules.screen(facts(human_reply(1, public=False)), situation())) == (
        "no_public_comment"
    )


def test_already_answered_this_comment() -> None:
    answered = facts(comment(1), ai_reply(2))
    assert reason(rules.screen(answered, situation())) == "already_answered"
    drafted = facts(comment(1), ai_reply(2, public=False))  # shadow draft or handover note
    assert reason(rules.screen(drafted, situation())) == "already_answered"


def test_a_new_customer_comment_after_our_answer_is_answered() -> None:
    result = rules.screen(facts(comment(1), ai_reply(2), comment(3)), situation())
    assert isinstance(result, rules.Proceed)
    assert result.target.id == 3


def test_human_replied_after_the_customer() -> None:
    assert reason(rules.screen(facts(comment(1), human_reply(2)), situation())) == ("human_replied")


def test_a_person_s_internal_note_cancels_the_pending_reply() -> None:
    noted = facts(comment(1), human_reply(2, public=False))
    assert reason(rules.screen(noted, situation(reply_delay_seconds=600))) == "human_commented"


def test_an_internal_note_before_the_customer_wrote_does_not_stop_the_agent() -> None:
    result = rules.screen(facts(human_reply(1, public=False), comment(2)), situation())
    assert isinstance(result, rules.Proceed)
    assert result.target.id == 2


def test_once_a_person_replied_publicly_the_agent_never_answers_again() -> None:
    # the agent answered, a person took over, the customer wrote again (issue 12, item 1)
    later = facts(comment(1), ai_reply(2), human_reply(3), comment(4), comment(5))
    assert reason(rules.screen(later, situation())) == "human_took_over"
    before_us = facts(comment(1), human_reply(2), comment(3))
    assert reason(rules.screen(before_us, situation())) == "human_took_over"


def test_a_cc_d_end_user_writing_is_not_a_takeover() -> None:
    cc = comment(3, 400, sender="colleague@example.com")
    result = rules.screen(facts(comment(1), ai_reply(2), cc), situation())
    assert isinstance(result, rules.Proceed)
    assert result.target.id == 3


def test_the_ai_agent_user_s_own_comments_are_never_a_takeover() -> None:
    result = rules.screen(facts(comment(1), ai_reply(2, public=False), comment(3)), situation())
    assert isinstance(result, rules.Proceed)


def test_agent_submitted_ticket_unless_allowed() -> None:
    on_behalf = facts(submitter_id=HUMAN, submitter_role="agent")
    assert reason(rules.screen(on_behalf, situation())) == "agent_submitted"
    assert isinstance(
        rules.screen(on_behalf, situation(answer_agent_submitted=True)), rules.Proceed
    )


def test_stale_ticket() -> None:
    old = facts(created_at=NOW - timedelta(days=3, minutes=1))
    assert reason(rules.screen(old, situation())) == "stale_ticket"
    assert isinstance(rules.screen(old, situation(stale_after_days=4)), rules.Proceed)


def test_handover_tag_is_never_answered_again() -> None:
    tagged = facts(tags=("vip", "ai_agent_escalated"))
    assert reason(rules.screen(tagged, situation())) == "handover_tag"
    custom = facts(tags=("needs_person",))
    assert reason(rules.screen(custom, situation(handover_tag="needs_person"))) == "handover_tag"


def test_superseded_by_a_newer_customer_comment() -> None:
    first, second = comment(1), comment(2)
    queued_for_first = replace(situation(), event_updated_at=first.created_at)
    assert reason(rules.screen(facts(first, second), queued_for_first)) == "superseded"
    queued_for_second = replace(situation(), event_updated_at=second.created_at)
    assert isinstance(rules.screen(facts(first, second), queued_for_second), rules.Proceed)


def test_auto_generated_flag() -> None:
    flagged = facts(comment(1, flags=(4,)))
    assert reason(rules.screen(flagged, situation())) == "auto_generated"


def test_auto_submitted_marker_in_the_text() -> None:
    text = "Auto-Submitted: auto-replied\nI will be back on Monday."
    assert reason(rules.screen(facts(comment(1, text=text)), situation())) == "auto_generated"


@pytest.mark.parametrize(
    "sender",
    [
        "noreply@shop.example",
        "no-reply@shop.example",
        "do-not-reply@bank.example",
        "MAILER-DAEMON@mx.example",
        "postmaster@mx.example",
        "bounces+123@esp.example",
    ],
)
def test_automated_senders(sender: str) -> None:
    assert reason(rules.screen(facts(comment(1, sender=sender)), situation())) == (
        "automated_sender"
    )


@pytest.mark.parametrize(
    "text",
    [
        "I am out of the office until Monday with limited access to email.",
        "Automatic reply: I'm currently away.",
        "Je suis absente du bureau jusqu'au 12 mai.",
        "Réponse automatique : en congés.",
        "Abwesenheitsnotiz: Ich bin im Urlaub.",
        "Respuesta automática: estoy fuera de la oficina.",
        "Automatisch antwoord: ik ben met vakantie.",
        "Risposta automatica: sono fuori ufficio.",
        "Resposta automática: estou de férias.",
    ],
)
def test_out_of_office_in_supported_languages(text: str) -> None:
    assert reason(rules.screen(facts(comment(1, text=text)), situation())) == "out_of_office"


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Delivery Status Notification (Failure)", "Address not found"),
        ("Undeliverable: your reply", "The message could not be delivered."),
        ("Non remis : réponse", "Échec de la remise du message."),
        ("Unzustellbar: Antwort", "Die Nachricht wurde nicht zugestellt."),
    ],
)
def test_bounces(subject: str, text: str) -> None:
    bounced = facts(comment(1, text=text, sender="someone@example.com"), subject=subject)
    assert reason(rules.screen(bounced, situation())) == "bounce"


def test_a_customer_mentioning_an_office_is_not_out_of_office() -> None:
    text = "My office printer order has not arrived; where is it?"
    assert isinstance(rules.screen(facts(comment(1, text=text)), situation()), rules.Proceed)


def test_max_replies_per_ticket_hands_over() -> None:
    thread = facts(comment(1), ai_reply(2), comment(3), ai_reply(4), comment(5))
    result = rules.screen(thread, situation(max_replies_per_ticket=2))
    assert isinstance(result, rules.Handover)
    assert result.reason == "max_replies"
    assert isinstance(rules.screen(thread, situation(max_replies_per_ticket=3)), rules.Proceed)


# ---------------------------------------------------------------- after the engine


def answer(confidence: float) -> EngineAnswer:
    return EngineAnswer(
        markdown="Orders ship in 2 days.",
        language="en",
        confidence=confidence,
        sources=[Source(article_id="a1", title="Shipping", url="https://help.example/a1")],
    )


def test_confident_answer_is_answered() -> None:
    outcome = rules.after_engine(answer(0.9), AgentSettings())
    assert isinstance(outcome, rules.Answer)
    assert outcome.sources == [
        {"article_id": "a1", "title": "Shipping", "url": "https://help.example/a1"}
    ]


def test_not_confident_enough_hands_over() -> None:
    outcome = rules.after_engine(answer(0.4), AgentSettings(confidence_threshold=0.5))
    assert isinstance(outcome, rules.Handover)
    assert outcome.reason == "low_confidence"
    assert outcome.confidence == 0.4


def test_customer_asks_for_a_human_hands_over() -> None:
    result = EngineHandover(
        reason="customer_requested_human", summary="Wants a person.", language="fr"
    )
    outcome = rules.after_engine(result, AgentSettings())
    assert isinstance(outcome, rules.Handover)
    assert (outcome.reason, outcome.language) == ("customer_requested_human", "fr")


def test_nothing_to_say_is_ignored_with_the_engines_reason() -> None:
    outcome = rules.after_engine(EngineNothingToSay(reason="acknowledgement"), AgentSettings())
    assert outcome == rules.Ignore("acknowledgement")


def test_engine_error_hands_over() -> None:
    handover = rules.engine_failed("TimeoutError")
    assert handover.reason == "engine_error"
    assert "TimeoutError" in handover.summary


def test_every_engine_handover_reason_reads_as_words_in_the_note() -> None:
    assert set(get_args(HandoverReason)) <= set(rules.HANDOVER_REASON_TEXT)
