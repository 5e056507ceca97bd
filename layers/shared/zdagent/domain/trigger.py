"""The default automation trigger (docs/contract.md §4) and the rules for editing it. Pure code."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from zdagent.core.errors import ValidationFailedError

EMAIL_VIA_ID = "4"
WEBHOOK_ACTION = "notification_webhook"
LOOP_GUARD_FIELD = "role"


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
    """'Current user is not the AI agent user': the agent's own replies never trigger it."""
    return {"field": LOOP_GUARD_FIELD, "operator": "is_not", "value": str(ai_agent_user_id)}


def default_conditions(ai_agent_user_id: int) -> dict[str, list[dict[str, str]]]:
    return {
        "all": [
            {"field": "comment_is_public", "operator": "is", "value": "true"},
            {"field": "via_id", "operator": "is", "value": EMAIL_VIA_ID},
            loop_guard(ai_agent_user_id),
        ],
        "any": [
            {"field": "update_type", "operator": "is", "value": "Create"},
            {"field": "update_type", "operator": "is", "value": "Change"},
        ],
    }


def default_actions(agent_id: str, webhook_id: str) -> list[dict[str, Any]]:
    return [{"field": WEBHOOK_ACTION, "value": [webhook_id, webhook_body(agent_id)]}]


def default_trigger(agent_id: str, ai_agent_user_id: int, webhook_id: str) -> dict[str, Any]:
    return {
        "title": trigger_title(agent_id),
        "active": True,
        "description": "Sends public email comments to the AI agent. Created by the AI agent "
        "integration; edit it from the integration so it stays safe.",
        "conditions": default_conditions(ai_agent_user_id),
        "actions": default_actions(agent_id, webhook_id),
    }


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
) -> None:
    """Refuse an edit that removes our webhook action or the loop guard (422, with the reason)."""
    problems = []
    if not any(_is_our_webhook(a, webhook_id) for a in actions):
        problems.append(
            f"actions must keep the notification_webhook action to webhook {webhook_id}, or the "
            "AI agent never hears of new emails"
        )
    guard = loop_guard(ai_agent_user_id)
    if guard not in [_as_strings(c) for c in conditions.get("all") or []]:
        problems.append(
            "conditions.all must keep the loop guard "
            f"{json.dumps(guard)} (current user is not the AI agent user), or the agent would "
            "answer its own replies"
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
