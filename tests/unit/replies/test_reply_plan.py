"""The stored reply plan is a validated model and survives DynamoDB's number and None handling."""

from __future__ import annotations

import dataclasses

import pytest

from zdagent.adapters.dynamodb import from_dynamo, to_dynamo
from zdagent.core.errors import ValidationFailedError
from zdagent.domain.reply_plan import ReplyPlan

PLAN = ReplyPlan(
    action="answered",
    reason="answered",
    confidence=0.8125,
    engine="knowledge",
    language="fr",
    sources=[{"article_id": "a1", "title": "Retours", "url": None}],
    text="Bonjour, ...",
    public=True,
)


def test_a_plan_read_back_from_the_table_is_the_plan_that_was_stored() -> None:
    stored = from_dynamo(to_dynamo(PLAN.to_json()))
    assert ReplyPlan.from_json(stored) == dataclasses.replace(
        PLAN,
        sources=[{"article_id": "a1", "title": "Retours"}],  # None values are not kept
    )


@pytest.mark.parametrize(
    "broken",
    [
        {"reason": "answered"},  # no action
        {"action": "posted", "reason": "answered"},  # not an action we take
        {"action": "answered", "reason": "answered", "public": "maybe"},
        {"action": "answered", "reason": "answered", "extra": 1},
        {"action": "answered", "reason": "answered", "text": "x" * 4001},
        {"action": "answered", "reason": ""},
        {"action": "answered", "reason": "answered", "confidence": "high"},
        {"action": "answered", "reason": "answered", "sources": [{"article_id": 7}]},
        ["answered"],
    ],
)
def test_a_stored_plan_that_does_not_validate_is_an_error_not_a_guess(broken: dict) -> None:
    with pytest.raises(ValidationFailedError):
        ReplyPlan.from_json(broken)
