"""Score an engine on labelled emails: the unit tests and the benchmark use the same rules.

An email's expectation is one of:
- ``{"kind": "answer", "articles": [...]}``: the engine answers, its first source is one of the
  expected articles, every expected article is cited, and at most one unexpected article is;
- ``{"kind": "handover", "reason": ...}``: the engine hands over for that reason;
- ``{"kind": "nothing"}``: the engine stays silent.
Answers and handovers must also be in the email's labelled language.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from zdagent.domain.engine import (
    EngineAnswer,
    EngineHandover,
    EngineRequest,
    EngineResult,
    HandoverReason,
    KnowledgeBase,
    ReplyEngine,
)


class Expectation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["answer", "handover", "nothing"]
    articles: list[str] = Field(default_factory=list)
    reason: HandoverReason | None = None


class LabelledEmail(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    language: str
    subject: str
    body: str
    requester_name: str | None = None
    expected: Expectation
    split: Literal["tuning", "holdout"] = Field(
        description="fixed by a hash of the id when the email was written: the engine is tuned on "
        "'tuning' only; 'holdout' measures it"
    )


class Outcome(BaseModel):
    email_id: str
    language: str
    split: str
    answerable: bool
    correct: bool
    answered: bool
    got: str
    expected: str
    confidence: float | None
    seconds: float


def is_correct(email: LabelledEmail, result: EngineResult) -> bool:
    expected = email.expected
    if result.kind != expected.kind:
        return False
    if isinstance(result, EngineAnswer):
        cited = [source.article_id for source in result.sources]
        wanted = set(expected.articles)
        return (
            result.language == email.language
            and bool(cited)
            and cited[0] in wanted
            and wanted <= set(cited)
            and len(set(cited) - wanted) <= 1
        )
    if isinstance(result, EngineHandover):
        return result.reason == expected.reason and result.language == email.language
    return True


def describe(result: EngineResult) -> str:
    if isinstance(result, EngineAnswer):
        return "answer:" + ",".join(source.article_id for source in result.sources)
    if isinstance(result, EngineHandover):
        return f"handover:{result.reason}"
    return f"nothing:{result.reason}"


def describe_expectation(expected: Expectation) -> str:
    if expected.kind == "answer":
        return "answer:" + ",".join(expected.articles)
    if expected.kind == "handover":
        return f"handover:{expected.reason}"
    return "nothing"


def request_for(
    email: LabelledEmail,
    *,
    languages: Sequence[str] = ("en", "fr"),
    default_language: str = "en",
    confidence_threshold: float = 0.5,
) -> EngineRequest:
    return EngineRequest(
        agent_id="demo",
        agent_name="Shop assistant",
        subject=email.subject,
        latest_message=email.body,
        requester_name=email.requester_name,
        languages=list(languages),
        default_language=default_language,
        confidence_threshold=confidence_threshold,
    )


def evaluate(
    engine: ReplyEngine,
    knowledge: KnowledgeBase,
    emails: Sequence[LabelledEmail],
    *,
    confidence_threshold: float = 0.5,
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for email in emails:
        request = request_for(email, confidence_threshold=confidence_threshold)
        started = time.perf_counter()
        result = engine.respond(request, knowledge)
        elapsed = time.perf_counter() - started
        outcomes.append(
            Outcome(
                email_id=email.id,
                language=email.language,
                split=email.split,
                answerable=email.expected.kind == "answer",
                correct=is_correct(email, result),
                answered=isinstance(result, EngineAnswer),
                got=describe(result),
                expected=describe_expectation(email.expected),
                confidence=getattr(result, "confidence", None),
                seconds=elapsed,
            )
        )
    return outcomes


def accuracy(outcomes: Sequence[Outcome]) -> float:
    return sum(outcome.correct for outcome in outcomes) / max(1, len(outcomes))


def wrong_public_answers(outcomes: Sequence[Outcome]) -> float:
    """Share of all emails that got a public answer that was wrong (should have been a handover
    or silence, cited the wrong article, or was in the wrong language)."""
    wrong = sum(outcome.answered and not outcome.correct for outcome in outcomes)
    return wrong / max(1, len(outcomes))


def answer_rate(outcomes: Sequence[Outcome]) -> float:
    """Share of the answerable emails that got a right answer."""
    answerable = [outcome for outcome in outcomes if outcome.answerable]
    return sum(outcome.answered and outcome.correct for outcome in answerable) / max(
        1, len(answerable)
    )


def reliability(
    outcomes: Sequence[Outcome], edges: Sequence[float] = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)
) -> list[dict[str, object]]:
    """Per confidence bin of the answers given: how many, mean confidence, share right."""
    rows: list[dict[str, object]] = []
    for low, high in itertools.pairwise(edges):
        inside = [
            outcome
            for outcome in outcomes
            if outcome.answered
            and outcome.confidence is not None
            and (
                low <= outcome.confidence < high
                or (high == edges[-1] and outcome.confidence == high)
            )
        ]
        rows.append(
            {
                "bin": f"{low:.2f}-{high:.2f}",
                "answers": len(inside),
                "mean_confidence": round(sum(o.confidence or 0.0 for o in inside) / len(inside), 3)
                if inside
                else None,
                "observed_right": round(sum(o.correct for o in inside) / len(inside), 3)
                if inside
                else None,
            }
        )
    return rows
