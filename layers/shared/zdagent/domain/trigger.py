"""The default automation trigger (docs/contract.md §4) and the rules for editing it. Pure code."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal, cast

from zdagent.core import records
from zdagent.core.errors import ValidationFailedError

EMAIL_VIA_ID = "4"
WEBHOOK_ACTION = "notification_webhook"
LOOP_GUARD_FIELD = "role"
# Subjects of GET /api/v2/triggers/definitions that stand for "Current user" (the notes name
# ``role``; ``current_user`` is read too in case an account offers it under that name).
CURRENT_USER_SUBJECTS = (LOOP_GUARD_FIELD, "current_user")

LoopGuardForm = Literal["not_ai_agent_user", "end_user_only", "receiver_only"]
LOOP_GUARD_DETAILS: dict[str, str] = {
    "not_ai_agent_user": "the trigger's condition 'current user is not the AI agent user' "
    "keeps the agent's own replies out; the receiver also drops them",
    "end_user_only": "Zendesk offered no 'current user is <the AI agent user>' value, so the "
    "trigger fires only on updates by end users (current user is an end user): replies by "
    "agents, the AI agent included, never reach it, and neither do tickets an agent submits "
    "for a customer; the receiver also drops the AI agent's own updates",
    "receiver_only": "Zendesk refused every documented 'current user' condition, so the trigger "
    "has none: the receiver drops every delivery whose current user is the AI agent user",
}


LOOP_GUARD_FORMS: tuple[LoopGuardForm, ...] = (
    "not_ai_agent_user",
    "end_user_only",
    "receiver_only",
)


@dataclass(frozen=True, slots=True)
class LoopGuard:
    """Which form of "current user is not the AI agent user" the trigger carries."""

    form: LoopGuardForm
    condition: dict[str, str] | None = None

    @classmethod
    def from_json(cls, raw: object, where: str = "loop_guard") -> LoopGuard:
        data = records.mapping(raw, where)
        form = records.choice(data, "form", LOOP_GUARD_FORMS, where)
        return cls(
            form=cast(LoopGuardForm, form), condition=records.string_map(data, "condition", where)
        )

    def to_json(self) -> dict[str, Any]:
        return {"form": self.form, "condition": self.condition}

    @property
    def detail(self) -> str:
        return LOOP_GUARD_DETAILS[self.form]

    def public(self) -> dict[str, Any]:
        return {"form": self.form, "condition": self.condition, "detail": self.detail}


def trigger_title(agent_id: str) -> str:
    return f"AI agent email automation: {agent_id}"


def webhook_body(agent_id: str) -> str:
    """Zendesk's documented body for advanced AI agents (placeholders rendered by Zendesk)."""
    pairs = [
        ("botId", agent_id),
        ("message", "**{{ticket.title}}** \\n\\n {{ticket.latest_comment_rich}}"),
        ("conversationId", "{{ticket.id}}"),
        ("type", "message"),
        ("tags", "{{ticket.tags}}"),
        ("channel", "{{ticket.via}}"),
        ("requester", "{{ticket.requester.id}}"),
        ("currentUser", "{{current_user.id}}"),
        ("submitterRole", "{{ticket.submitter.role}}"),
        ("authorRole", "{{ticket.comments.first.author.role}}"),
        ("createdAt", "{{ticket.created_at_with_timestamp}}"),
        ("updatedAt", "{{ticket.updated_at_with_timestamp}}"),
    ]
    return "{" + ", ".join(f'"{key}": "{value}"' for key, value in pairs) + "}"


def loop_guard(ai_agent_user_id: int) -> dict[str, str]:
    """'Current user is not the AI agent user' with the user id as the value (the form used
    when the account's definitions cannot be read)."""
    return {"field": LOOP_GUARD_FIELD, "operator": "is_not", "value": str(ai_agent_user_id)}


def loop_guard_candidates(
    definitions: dict[str, Any] | None, ai_agent_user_id: int
) -> list[LoopGuard]:
    """The loop-guard forms to try, best first, built from ``GET /api/v2/triggers/definitions``.

    1. ``not_ai_agent_user``: the "Current user" condition with ``is_not`` and the value the
       account offers for the AI agent user (its id, or a value ending in ``:<id>``).
    2. ``end_user_only``: "Current user is (end user)" (``role`` ``is`` ``end_user``).
    3. ``receiver_only``: no condition; the receiver's own check is the guard.
    Without definitions (they could not be read) 1 uses the plain id and 2 is kept.
    """
    if definitions is None:
        user_value: tuple[str, str] | None = (LOOP_GUARD_FIELD, str(ai_agent_user_id))
        end_user_field: str | None = LOOP_GUARD_FIELD
    else:
        offered = _current_user_offers(definitions)
        user_value = _value_for_user(offered, ai_agent_user_id)
        end_user_field = next(
            (subject for subject, ops, values in offered if "is" in ops and "end_user" in values),
            None,
        )
    candidates: list[LoopGuard] = []
    if user_value is not None:
        field, value = user_value
        condition = {"field": field, "operator": "is_not", "value": value}
        candidates.append(LoopGuard(form="not_ai_agent_user", condition=condition))
    if end_user_field is not None:
        condition = {"field": end_user_field, "operator": "is", "value": "end_user"}
        candidates.append(LoopGuard(form="end_user_only", condition=condition))
    candidates.append(LoopGuard(form="receiver_only"))
    return candidates


def _current_user_offers(
    definitions: dict[str, Any] | None,
) -> list[tuple[str, set[str], list[str]]]:
    """(subject, operators, values) of each "Current user" condition the account offers."""
    offers = []
    for item in (definitions or {}).get("conditions_all") or []:
        if not isinstance(item, dict) or item.get("subject") not in CURRENT_USER_SUBJECTS:
            continue
        operators = {
            str(o.get("value")) for o in item.get("operators") or [] if isinstance(o, dict)
        }
        values = [str(v.get("value")) for v in item.get("values") or [] if isinstance(v, dict)]
        offers.append((str(item["subject"]), operators, values))
    return offers


def _value_for_user(
    offers: list[tuple[str, set[str], list[str]]], user_id: int
) -> tuple[str, str] | None:
    wanted = str(user_id)
    for subject, operators, values in offers:
        if "is_not" not in operators:
            continue
        for value in values:
            if value == wanted or value.endswith(f":{wanted}"):
                return subject, value
    return None


def default_conditions(
    ai_agent_user_id: int, guard: LoopGuard | None = None
) -> dict[str, list[dict[str, str]]]:
    chosen = guard.condition if guard is not None else loop_guard(ai_agent_user_id)
    return {
        "all": [
            {"field": "comment_is_public", "operator": "is", "value": "true"},
            {"field": "via_id", "operator": "is", "value": EMAIL_VIA_ID},
            *([chosen] if chosen else []),
        ],
        "any": [
            {"field": "update_type", "operator": "is", "value": "Create"},
            {"field": "update_type", "operator": "is", "value": "Change"},
        ],
    }


def default_actions(agent_id: str, webhook_id: str) -> list[dict[str, Any]]:
    return [{"field": WEBHOOK_ACTION, "value": [webhook_id, webhook_body(agent_id)]}]


def default_trigger(
    agent_id: str,
    ai_agent_user_id: int,
    webhook_id: str,
    guard: LoopGuard | None = None,
    category_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": trigger_title(agent_id),
        "active": True,
        "description": "Sends public email comments to the AI agent. Created by the AI agent "
        "integration; edit it from the integration so it stays safe.",
        "conditions": default_conditions(ai_agent_user_id, guard),
        "actions": default_actions(agent_id, webhook_id),
    }
    if category_id is not None:
        body["category_id"] = category_id
    return body


def config_fingerprint(trigger: dict[str, Any]) -> str:
    """A stable hash of what matters in a trigger (title, conditions, actions)."""
    conditions = trigger.get("conditions") or {}
    relevant = {
        "title": trigger.get("title"),
        "all": _normalised_conditions(conditions.get("all") or []),
        "any": _normalised_conditions(conditions.get("any") or []),
        "actions": [
            {"field": a.get("field"), "value": a.get("value")} for a in trigger.get("actions") or []
        ],
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def _normalised_conditions(items: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((str(c.get("field")), str(c.get("operator")), str(c.get("value"))) for c in items)


def check_safe_edit(
    conditions: dict[str, Any],
    actions: list[dict[str, Any]],
    *,
    ai_agent_user_id: int,
    webhook_id: str,
    guard: LoopGuard | None = None,
) -> None:
    """Refuse an edit that removes our webhook action or the loop guard the trigger was created
    with (422, with the reason). ``guard`` None: the id form (triggers made before the form was
    recorded)."""
    problems = []
    if not any(_is_our_webhook(a, webhook_id) for a in actions):
        problems.append(
            f"actions must keep the notification_webhook action to webhook {webhook_id}, or the "
            "AI agent never hears of new emails"
        )
    condition = guard.condition if guard is not None else loop_guard(ai_agent_user_id)
    if condition and condition not in [_as_strings(c) for c in conditions.get("all") or []]:
        problems.append(
            "conditions.all must keep the loop guard "
            f"{json.dumps(condition)} (the AI agent user's own updates must not reach it), or "
            "the agent would answer its own replies"
        )
    if problems:
        raise ValidationFailedError(
            "; ".join(problems) + '. Send "allow_unsafe": true to save it anyway.'
        )


def _is_our_webhook(action: dict[str, Any], webhook_id: str) -> bool:
    value = action.get("value")
    return (
        action.get("field") == WEBHOOK_ACTION
        and isinstance(value, list)
        and len(value) == 2
        and str(value[0]) == webhook_id
    )


def _as_strings(condition: dict[str, Any]) -> dict[str, str]:
    return {k: str(condition.get(k)) for k in ("field", "operator", "value")}


def check_conditions_shape(conditions: object) -> dict[str, list[dict[str, Any]]]:
    """Conditions as Zendesk takes them: {"all": [...], "any": [...]} of conditions."""
    if not isinstance(conditions, dict) or set(conditions) - {"all", "any"}:
        raise ValidationFailedError('conditions must be an object with "all" and/or "any" lists')
    shaped: dict[str, list[dict[str, Any]]] = {}
    for key in ("all", "any"):
        items = conditions.get(key) or []
        if not isinstance(items, list):
            raise ValidationFailedError(f"conditions.{key} must be a list")
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not {"field", "operator"} <= set(item):
                raise ValidationFailedError(
                    f"conditions.{key}[{index}] must have field, operator and value"
                )
        shaped[key] = items
    return shaped


def check_actions_shape(actions: object) -> list[dict[str, Any]]:
    if not isinstance(actions, list) or not actions:
        raise ValidationFailedError("actions must be a non-empty list of {field, value}")
    for index, item in enumerate(actions):
        if not isinstance(item, dict) or "field" not in item:
            raise ValidationFailedError(f"actions[{index}] must have field and value")
    return actions
