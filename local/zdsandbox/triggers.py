"""Trigger validation, evaluation and placeholder rendering, as Zendesk does them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zdsandbox.errors import RecordInvalid
from zdsandbox.models import ROLE_TEXT, STATUSES, VIA_IDS, VIA_TEXT, Comment, Ticket, Trigger, User
from zdsandbox.state import Account
from zdsandbox.util import iso

_IS = ("is", "is_not")
_CHANGE_OPS = (
    "changed",
    "not_changed",
    "value",
    "value_previous",
    "not_value",
    "not_value_previous",
)
CONDITION_OPERATORS: dict[str, tuple[str, ...]] = {
    "comment_is_public": _IS,
    "via_id": _IS,
    "current_via_id": _IS,
    "update_type": _IS,
    "role": _IS,
    "current_tags": ("includes", "not_includes"),
    "status": (*_IS, "less_than", "greater_than", *_CHANGE_OPS),
    "group_id": (*_IS, *_CHANGE_OPS),
    "assignee_id": (*_IS, *_CHANGE_OPS),
    "requester_id": _IS,
}
COMMENT_PUBLIC_VALUES = ("true", "false", "not_relevant", "requester_can_see_comment")
ROLE_VALUES = ("end_user", "agent", "admin")
ACTION_FIELDS = (
    "notification_webhook",
    "status",
    "group_id",
    "assignee_id",
    "set_tags",
    "current_tags",
    "remove_tags",
    "priority",
    "type",
)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}")


@dataclass(frozen=True)
class Snapshot:
    """The ticket fields a trigger can compare with their value before the update."""

    status: str | None
    group_id: int | None
    assignee_id: int | None

    @classmethod
    def of(cls, ticket: Ticket | None) -> Snapshot:
        if ticket is None:
            return cls(None, None, None)
        return cls(ticket.status, ticket.group_id, ticket.assignee_id)


@dataclass
class UpdateContext:
    """What a trigger sees about one ticket update: who, through which channel, which comment."""

    actor: User
    channel: str
    is_create: bool
    comment: Comment | None
    before: Snapshot
    fired: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class WebhookNotification:
    trigger_id: int
    webhook_id: str
    body: str


# ---------------------------------------------------------------- validation


def current_user_values(account: Account) -> dict[str, str]:
    """What the "Current user" (``role``) condition accepts, value -> title: the roles, and on
    accounts set to "user_ids" each agent by id. The definitions list exactly these and
    validation refuses anything else (422 RecordInvalid), so a client that reads
    ``GET /api/v2/triggers/definitions`` first never sends a value the account refuses."""
    values = {"end_user": "(end user)", "agent": "(agent)", "admin": "(admin)"}
    if account.settings.current_user_condition == "user_ids":
        values.update({str(u.id): u.name for u in account.users.values() if u.is_agent})
    return values


def validate_trigger(account: Account, conditions: Any, actions: Any) -> None:
    if not isinstance(conditions, dict) or not (conditions.get("all") or conditions.get("any")):
        raise RecordInvalid("Conditions: must have at least one condition")
    for group in ("all", "any"):
        items = conditions.get(group) or []
        if not isinstance(items, list):
            raise RecordInvalid(f"Conditions: '{group}' must be a list")
        for condition in items:
            _validate_condition(account, condition)
    if not isinstance(actions, list) or not actions:
        raise RecordInvalid("Actions: must have at least one action")
    for action in actions:
        _validate_action(account, action)


def _validate_condition(account: Account, condition: Any) -> None:
    if not isinstance(condition, dict):
        raise RecordInvalid("Conditions: each condition must be an object")
    name, operator = condition.get("field"), condition.get("operator")
    value = condition.get("value")
    if name not in CONDITION_OPERATORS:
        raise RecordInvalid(f"Conditions: {name} is not a valid field")
    if operator not in CONDITION_OPERATORS[name]:
        raise RecordInvalid(f"Conditions: {operator} is not a valid operator for {name}")
    text = "" if value is None else str(value)
    checks: dict[str, Callable[[], bool]] = {
        "comment_is_public": lambda: text in COMMENT_PUBLIC_VALUES,
        "via_id": text.isdigit,
        "current_via_id": text.isdigit,
        "update_type": lambda: text in ("Create", "Change"),
        "role": lambda: text in current_user_values(account),
        "status": lambda: operator in _CHANGE_OPS[:2] or text in STATUSES,
        "group_id": lambda: text == "" or (text.isdigit() and int(text) in account.groups),
    }
    check = checks.get(name)
    if check is not None and not check():
        raise RecordInvalid(f"Conditions: {value!r} is not a valid value for {name}")


def _validate_action(account: Account, action: Any) -> None:
    if not isinstance(action, dict) or action.get("field") not in ACTION_FIELDS:
        name = action.get("field") if isinstance(action, dict) else action
        raise RecordInvalid(f"Actions: {name} is not a valid action")
    value = action.get("value")
    if action["field"] == "notification_webhook":
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            raise RecordInvalid("Actions: notification_webhook value must be [webhook_id, body]")
        webhook = account.webhooks.get(value[0])
        if webhook is None:
            raise RecordInvalid(f"Actions: webhook {value[0]} does not exist")
        if "conditional_ticket_events" not in webhook.subscriptions:
            raise RecordInvalid(
                f"Actions: webhook {value[0]} is not subscribed to conditional ticket events"
            )
    elif action["field"] == "status" and value not in STATUSES:
        raise RecordInvalid(f"Actions: {value!r} is not a valid status")
    elif action["field"] == "group_id" and not (
        value in ("", None) or (str(value).isdigit() and int(str(value)) in account.groups)
    ):
        raise RecordInvalid(f"Actions: group {value!r} does not exist")


# ---------------------------------------------------------------- evaluation


def matches(trigger: Trigger, ticket: Ticket, ctx: UpdateContext) -> bool:
    all_ok = all(_condition(c, ticket, ctx) for c in trigger.conditions.get("all") or [])
    any_items = trigger.conditions.get("any") or []
    return all_ok and (not any_items or any(_condition(c, ticket, ctx) for c in any_items))


def _condition(condition: dict[str, Any], ticket: Ticket, ctx: UpdateContext) -> bool:
    name, operator = condition.get("field"), condition.get("operator")
    value = "" if condition.get("value") is None else str(condition.get("value"))
    if name == "current_tags":
        wanted = set(value.split())
        hit = bool(wanted & set(ticket.tags))
        return hit if operator == "includes" else not hit
    if name in ("status", "group_id", "assignee_id") and operator in _CHANGE_OPS:
        return _change_condition(name, operator, value, ticket, ctx)
    if name == "status" and operator in ("less_than", "greater_than"):
        here, there = STATUSES.index(ticket.status), STATUSES.index(value)
        return here < there if operator == "less_than" else here > there
    result = _is_condition(name, value, ticket, ctx)
    return result if operator == "is" else not result


def _is_condition(name: Any, value: str, ticket: Ticket, ctx: UpdateContext) -> bool:
    comment = ctx.comment
    if name == "comment_is_public":
        if value in ("true", "requester_can_see_comment"):
            return comment is not None and comment.public
        if value == "false":
            return comment is not None and not comment.public
        return comment is not None
    if name == "role":
        if value in ROLE_VALUES:
            role = ctx.actor.role.replace("-", "_")
            return role == value or (value == "agent" and role == "admin")
        return str(ctx.actor.id) == value
    current: dict[str, str] = {
        "via_id": str(VIA_IDS.get(ticket.channel, 5)),
        "current_via_id": str(VIA_IDS.get(ctx.channel, 5)),
        "update_type": "Create" if ctx.is_create else "Change",
        "status": ticket.status,
        "group_id": "" if ticket.group_id is None else str(ticket.group_id),
        "assignee_id": "" if ticket.assignee_id is None else str(ticket.assignee_id),
        "requester_id": str(ticket.requester_id),
    }
    return current.get(str(name)) == value


def _change_condition(
    name: str, operator: str, value: str, ticket: Ticket, ctx: UpdateContext
) -> bool:
    before = getattr(ctx.before, name)
    after = getattr(ticket, name)
    before_text = "" if before is None else str(before)
    after_text = "" if after is None else str(after)
    changed = before != after
    outcomes = {
        "changed": changed,
        "not_changed": not changed,
        "value": changed and after_text == value,
        "value_previous": changed and before_text == value,
        "not_value": changed and after_text != value,
        "not_value_previous": changed and before_text != value,
    }
    return bool(outcomes[operator])


def apply_actions(
    trigger: Trigger, ticket: Ticket, account: Account
) -> tuple[bool, list[tuple[str, str]]]:
    """Applies ticket actions; returns (ticket changed?, [(webhook_id, body template)])."""
    changed = False
    notifications: list[tuple[str, str]] = []
    for action in trigger.actions:
        name, value = action.get("field"), action.get("value")
        if name == "notification_webhook" and isinstance(value, list):
            notifications.append((str(value[0]), str(value[1])))
            continue
        changed = _apply_ticket_action(str(name), value, ticket, account) or changed
    return changed, notifications


def _action_fields(ticket: Ticket) -> tuple[Any, ...]:
    """What a trigger's ticket actions can change (to tell whether one changed anything)."""
    return (
        ticket.status,
        ticket.group_id,
        ticket.assignee_id,
        list(ticket.tags),
        ticket.priority,
        ticket.type,
    )


def _apply_ticket_action(name: str, value: Any, ticket: Ticket, account: Account) -> bool:
    before = _action_fields(ticket)
    words = value.split() if isinstance(value, str) else [str(v) for v in value or []]
    if name == "status":
        ticket.status = str(value)
    elif name == "group_id":
        ticket.group_id = int(value) if value not in ("", None) else None
    elif name == "assignee_id":
        ticket.assignee_id = int(value) if str(value).isdigit() else None
    elif name == "set_tags":
        ticket.tags = list(dict.fromkeys(words))
    elif name == "current_tags":
        ticket.tags = list(dict.fromkeys([*ticket.tags, *words]))
    elif name == "remove_tags":
        ticket.tags = [t for t in ticket.tags if t not in words]
    elif name == "priority":
        ticket.priority = str(value) or None
    elif name == "type":
        ticket.type = str(value) or None
    return _action_fields(ticket) != before


def run_triggers(account: Account, ticket: Ticket, ctx: UpdateContext) -> list[WebhookNotification]:
    """Zendesk's cycle: walk active triggers in position order; each fires at most once; when one
    changes the ticket, start over from the top. Webhook bodies render after the cycle."""
    fired: set[int] = set()
    pending: list[tuple[int, str, str]] = []
    restart = True
    while restart:
        restart = False
        for trigger in account.triggers_in_order():
            if not trigger.active or trigger.id in fired or not matches(trigger, ticket, ctx):
                continue
            fired.add(trigger.id)
            ctx.fired.append(trigger.id)
            changed, notes = apply_actions(trigger, ticket, account)
            pending.extend((trigger.id, webhook_id, body) for webhook_id, body in notes)
            if changed:
                restart = True
                break
    return [
        WebhookNotification(trigger_id, webhook_id, render(body, account, ticket, ctx.actor))
        for trigger_id, webhook_id, body in pending
    ]


# ---------------------------------------------------------------- placeholders


def render(template: str, account: Account, ticket: Ticket, current_user: User) -> str:
    """Expands placeholders as unformatted text, NOT JSON-escaped (faithful to Zendesk)."""

    def replace(match: re.Match[str]) -> str:
        return placeholder(match.group(1), account, ticket, current_user)

    return _PLACEHOLDER.sub(replace, template)


def _role_text(user: User | None) -> str:
    return ROLE_TEXT.get(user.role, "") if user else ""


def _latest(ticket: Ticket, public_only: bool) -> Comment | None:
    for comment in reversed(ticket.comments):
        if comment.public or not public_only:
            return comment
    return None


def placeholder(name: str, account: Account, ticket: Ticket, current_user: User) -> str:
    users = account.users
    requester = users.get(ticket.requester_id)
    submitter = users.get(ticket.submitter_id)
    first = ticket.comments[0] if ticket.comments else None
    latest = _latest(ticket, public_only=False)
    latest_public = _latest(ticket, public_only=True)
    group = account.groups.get(ticket.group_id) if ticket.group_id else None
    assignee = users.get(ticket.assignee_id) if ticket.assignee_id else None
    values: dict[str, Callable[[], str]] = {
        "ticket.id": lambda: str(ticket.id),
        "ticket.title": lambda: ticket.subject,
        "ticket.description": lambda: ticket.description,
        "ticket.status": ticket.status.title,
        "ticket.tags": lambda: " ".join(ticket.tags),
        "ticket.via": lambda: VIA_TEXT.get(ticket.channel, "Web Service"),
        "ticket.latest_comment": lambda: latest.plain_body if latest else "",
        "ticket.latest_comment_rich": lambda: latest.plain_body if latest else "",
        "ticket.latest_public_comment": lambda: latest_public.plain_body if latest_public else "",
        "ticket.requester.id": lambda: str(ticket.requester_id),
        "ticket.requester.email": lambda: requester.email if requester else "",
        "ticket.requester.name": lambda: requester.name if requester else "",
        "ticket.submitter.role": lambda: _role_text(submitter),
        "ticket.comments.first.author.role": lambda: _role_text(
            users.get(first.author_id) if first else None
        ),
        "ticket.group.name": lambda: group.name if group else "",
        "ticket.group.id": lambda: str(group.id) if group else "",
        "ticket.assignee.id": lambda: str(assignee.id) if assignee else "",
        "ticket.assignee.email": lambda: assignee.email if assignee else "",
        "ticket.created_at_with_timestamp": lambda: iso(ticket.created_at),
        "ticket.updated_at_with_timestamp": lambda: iso(ticket.updated_at),
        "ticket.account": lambda: account.subdomain,
        "current_user.id": lambda: str(current_user.id),
        "current_user.name": lambda: current_user.name,
        "current_user.email": lambda: current_user.email,
        "current_user.role": lambda: _role_text(current_user),
    }
    getter = values.get(name)
    return getter() if getter else ""


def definitions(account: Account) -> dict[str, Any]:
    """GET /api/v2/triggers/definitions for the fields the sandbox evaluates."""
    op_titles = {
        "is": "Is",
        "is_not": "Is not",
        "includes": "Contains at least one of the following",
        "not_includes": "Contains none of the following",
        "less_than": "Less than",
        "greater_than": "Greater than",
        "changed": "Changed",
        "not_changed": "Not changed",
        "value": "Changed to",
        "value_previous": "Changed from",
        "not_value": "Not changed to",
        "not_value_previous": "Not changed from",
    }
    values: dict[str, list[tuple[str, str]]] = {
        "comment_is_public": [
            ("true", "Public"),
            ("false", "Private"),
            ("not_relevant", "Present (public or private)"),
            ("requester_can_see_comment", "Present, and requester can see"),
        ],
        "via_id": [("0", "Web form"), ("4", "Email"), ("5", "Web service (API)")],
        "current_via_id": [("0", "Web form"), ("4", "Email"), ("5", "Web service (API)")],
        "update_type": [("Create", "Created"), ("Change", "Updated")],
        "role": list(current_user_values(account).items()),
        "status": [(s, s.title()) for s in STATUSES],
        "group_id": [("", "-")] + [(str(g.id), g.name) for g in account.groups.values()],
    }
    titles = {
        "comment_is_public": "Comment",
        "via_id": "Ticket channel",
        "current_via_id": "Update via",
        "update_type": "Ticket",
        "role": "Current user",
        "current_tags": "Tags",
        "status": "Ticket status",
        "group_id": "Group",
        "assignee_id": "Assignee",
        "requester_id": "Requester",
    }

    def condition(subject: str) -> dict[str, Any]:
        return {
            "subject": subject,
            "title": titles[subject],
            "group": "ticket",
            "type": "text" if subject == "current_tags" else "list",
            "nullable": subject in ("group_id", "assignee_id"),
            "repeatable": False,
            "operators": [
                {"value": op, "title": op_titles[op], "terminal": op in ("changed", "not_changed")}
                for op in CONDITION_OPERATORS[subject]
            ],
            "values": [
                {"value": v, "title": t, "enabled": True} for v, t in values.get(subject, [])
            ],
        }

    conditions = [condition(subject) for subject in CONDITION_OPERATORS]
    webhooks = [
        {"value": w.id, "title": w.name, "enabled": w.status == "active"}
        for w in account.webhooks.values()
        if "conditional_ticket_events" in w.subscriptions
    ]
    actions = [
        {
            "subject": "notification_webhook",
            "title": "Notify active webhook",
            "type": "list",
            "group": "notification",
            "nullable": False,
            "repeatable": True,
            "values": webhooks,
        },
        {
            "subject": "status",
            "title": "Ticket status",
            "type": "list",
            "group": "ticket",
            "nullable": False,
            "repeatable": False,
            "values": [{"value": s, "title": s.title(), "enabled": True} for s in STATUSES],
        },
        {
            "subject": "group_id",
            "title": "Group",
            "type": "list",
            "group": "ticket",
            "nullable": True,
            "repeatable": False,
            "values": [
                {"value": str(g.id), "title": g.name, "enabled": True}
                for g in account.groups.values()
            ],
        },
        *(
            {
                "subject": s,
                "title": t,
                "type": "text",
                "group": "ticket",
                "nullable": False,
                "repeatable": False,
            }
            for s, t in (
                ("set_tags", "Set tags"),
                ("current_tags", "Add tags"),
                ("remove_tags", "Remove tags"),
            )
        ),
    ]
    return {"actions": actions, "conditions_all": conditions, "conditions_any": conditions}
