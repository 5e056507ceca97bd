"""The loop guard's form comes from what GET /api/v2/triggers/definitions offers."""

from __future__ import annotations

from typing import Any

from zdagent.domain import trigger as rules

AI_AGENT = 10002


def definitions(subject: str, operators: list[str], values: list[str]) -> dict[str, Any]:
    condition = {
        "subject": subject,
        "title": "Current user",
        "operators": [{"value": op, "title": op, "terminal": False} for op in operators],
        "values": [{"value": v, "title": v, "enabled": True} for v in values],
    }
    status = {"subject": "status", "operators": [{"value": "is"}], "values": [{"value": "open"}]}
    return {"actions": [], "conditions_all": [status, condition], "conditions_any": []}


def forms(candidates: list[rules.LoopGuard]) -> list[str]:
    return [c.form for c in candidates]


def test_the_user_value_the_account_offers_is_used_verbatim() -> None:
    offered = definitions("role", ["is", "is_not"], ["end_user", "agent", f"users:{AI_AGENT}"])
    candidates = rules.loop_guard_candidates(offered, AI_AGENT)
    assert forms(candidates) == ["not_ai_agent_user", "end_user_only", "receiver_only"]
    assert candidates[0].condition == {
        "field": "role",
        "operator": "is_not",
        "value": f"users:{AI_AGENT}",
    }


def test_plain_id_and_another_subject_name() -> None:
    offered = definitions("current_user", ["is", "is_not"], [str(AI_AGENT)])
    (first, *_) = rules.loop_guard_candidates(offered, AI_AGENT)
    assert first.condition == {"field": "current_user", "operator": "is_not", "value": "10002"}


def test_no_value_for_the_user_means_the_end_user_form() -> None:
    offered = definitions("role", ["is", "is_not"], ["end_user", "agent", "100021"])
    assert forms(rules.loop_guard_candidates(offered, AI_AGENT)) == [
        "end_user_only",
        "receiver_only",
    ]


def test_without_is_not_or_end_user_only_the_receiver_guards() -> None:
    offered = definitions("role", ["is"], ["agent", str(AI_AGENT)])
    assert forms(rules.loop_guard_candidates(offered, AI_AGENT)) == ["receiver_only"]
    guard = rules.loop_guard_candidates(offered, AI_AGENT)[0]
    body = rules.default_trigger("agt_1", AI_AGENT, "hook", guard, "10001")
    assert len(body["conditions"]["all"]) == 2 and body["category_id"] == "10001"


def test_unreadable_definitions_try_the_id_then_the_end_user_form() -> None:
    candidates = rules.loop_guard_candidates(None, AI_AGENT)
    assert forms(candidates) == ["not_ai_agent_user", "end_user_only", "receiver_only"]
    assert candidates[0].condition == rules.loop_guard(AI_AGENT)
