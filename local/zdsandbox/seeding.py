"""Seeded accounts and bulk historical tickets."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from zdsandbox import audits, exports
from zdsandbox.errors import ApiErrors
from zdsandbox.help_center import seed_help_center
from zdsandbox.models import Comment, Group, GroupMembership, Ticket, Trigger, TriggerCategory, User
from zdsandbox.state import Account
from zdsandbox.util import text_to_html

_TAGS = ["billing", "refund", "shipping", "login", "bug", "feature_request", "vip", "urgent", "faq"]
_TOPICS = [
    ("Refund for order", "I would like a refund for my last order, it arrived damaged."),
    ("Cannot log in", "I reset my password twice and still cannot log in to my account."),
    ("Where is my parcel?", "My parcel was due last week and the tracking page has not moved."),
    ("Invoice question", "The invoice shows a charge I do not recognise. Can you explain it?"),
    ("Feature request", "It would be great if the app could export reports as CSV."),
    ("App crashes", "The mobile app crashes every time I open the settings screen."),
]
_AGENT_REPLIES = [
    "Thanks for reaching out. I have looked into this and fixed it on our side.",
    "Sorry for the trouble! Could you send us the order number so we can check?",
    "I have escalated this to our specialists; we will be back within a day.",
]
DEFAULT_CATEGORY = "Notifications"
MAX_CATEGORIES = 500
_CUSTOMER_REPLIES = ["Thank you, that worked.", "Here is the order number: 12345.", "Still broken."]


def support_address(account: Account) -> dict[str, Any]:
    return {
        "address": f"support@{account.subdomain}.zendesk.com",
        "name": account.subdomain.title(),
    }


def add_user(account: Account, email: str, role: str, now: float, name: str | None = None) -> User:
    user_id = next(account.user_ids)
    display = name or email.split("@", maxsplit=1)[0].replace(".", " ").replace("-", " ").title()
    user = User(user_id, display, email, role, now, now)
    account.users[user_id] = user
    return user


def add_group(account: Account, name: str, now: float, default: bool = False) -> Group:
    group = Group(next(account.group_ids), name, now, now, default=default)
    account.groups[group.id] = group
    return group


def add_membership(account: Account, user: User, group: Group, now: float) -> GroupMembership:
    is_default = not any(m.user_id == user.id for m in account.memberships.values())
    membership = GroupMembership(
        next(account.membership_ids), user.id, group.id, is_default, now, now
    )
    account.memberships[membership.id] = membership
    if is_default:
        user.default_group_id = group.id
    return membership


PLACEHOLDER_CONDITIONS: dict[str, list[dict[str, Any]]] = {
    "all": [{"field": "update_type", "operator": "is", "value": "Create"}],
    "any": [],
}
PLACEHOLDER_ACTIONS: list[dict[str, Any]] = [{"field": "current_tags", "value": "placeholder"}]


def add_category(
    account: Account, name: str, now: float, position: int | None = None
) -> TriggerCategory:
    """A new category, last unless ``position`` is given (Zendesk counts from 0)."""
    if len(account.trigger_categories) >= MAX_CATEGORIES:
        raise ApiErrors(
            403,
            "ProductLimitExceeded",
            "Your account has reached the limit of 500 ticket trigger categories.",
        )
    last = max((c.position for c in account.trigger_categories.values()), default=-1)
    category = TriggerCategory(
        id=str(next(account.category_ids)),
        name=name,
        position=last + 1 if position is None else position,
        created_at=now,
        updated_at=now,
    )
    account.trigger_categories[category.id] = category
    return category


def add_placeholder_triggers(
    account: Account, category: TriggerCategory, count: int, now: float
) -> list[Trigger]:
    """Inactive triggers in ``category`` (what an account that uses categories already has)."""
    created = []
    for index in range(count):
        trigger = Trigger(
            id=next(account.trigger_ids),
            title=f"{category.name} trigger {index + 1}",
            active=False,
            position=index + 1,
            conditions={k: list(v) for k, v in PLACEHOLDER_CONDITIONS.items()},
            actions=[dict(a) for a in PLACEHOLDER_ACTIONS],
            created_at=now,
            updated_at=now,
            category_id=category.id,
        )
        account.triggers[trigger.id] = trigger
        created.append(trigger)
    return created


def seed_account(
    account: Account, now: float, trigger_categories: tuple[str, ...] = (DEFAULT_CATEGORY,)
) -> None:
    """The standard cast: an admin, the AI agent user, a human agent and a customer; and the
    trigger categories, each after the first holding one inactive placeholder trigger."""
    sub = account.subdomain
    admin = add_user(account, f"admin@{sub}.test", "admin", now, "Admin")
    ai_agent = add_user(account, f"ai-agent@{sub}.test", "admin", now, "AI Agent")
    agent = add_user(account, f"agent@{sub}.test", "agent", now, "Support Agent")
    add_user(account, "customer@example.com", "end-user", now, "Casey Customer")
    support = add_group(account, "Support", now, default=True)
    ai_group = add_group(account, "AI agent", now)
    add_membership(account, agent, support, now)
    add_membership(account, ai_agent, ai_group, now)
    add_membership(account, admin, support, now)
    for index, name in enumerate(trigger_categories or (DEFAULT_CATEGORY,)):
        category = add_category(account, name, now)
        if index:
            add_placeholder_triggers(account, category, 1, now)
    seed_help_center(account.help_center, admin.id, now)


@dataclass(frozen=True)
class BulkRequest:
    count: int
    days_back: int
    comments_per_ticket: int
    seed: int | None = None


def _customer_pool(account: Account, rng: random.Random, now: float) -> list[User]:
    existing = [u for u in account.users.values() if u.role == "end-user"]
    while len(existing) < 50:
        n = len(existing) + 1
        existing.append(
            add_user(account, f"customer{n}.{rng.randrange(10**6)}@example.com", "end-user", now)
        )
    return existing


def bulk_tickets(account: Account, request: BulkRequest, now: float) -> list[Ticket]:
    """Historical tickets spread over ``days_back`` days. They never run triggers."""
    rng = random.Random(request.seed)
    customers = _customer_pool(account, rng, now)
    agents = [u for u in account.users.values() if u.is_agent]
    groups = list(account.groups.values())
    support = support_address(account)
    span = max(1, request.days_back) * 86400
    cast = _Cast(rng, customers, agents, groups, support, request.comments_per_ticket, now)
    newest = exports.horizon(now) - 1  # historical: every one is already exportable
    return [_bulk_ticket(account, cast, newest - rng.random() * span) for _ in range(request.count)]


@dataclass(frozen=True)
class _Cast:
    rng: random.Random
    customers: list[User]
    agents: list[User]
    groups: list[Group]
    support: dict[str, Any]
    comments_per_ticket: int
    now: float


def _bulk_ticket(account: Account, cast: _Cast, created_at: float) -> Ticket:
    rng, support, now, agents = cast.rng, cast.support, cast.now, cast.agents
    customers, groups = cast.customers, cast.groups
    customer = rng.choice(customers)
    subject, first = rng.choice(_TOPICS)
    channel = rng.choices(("email", "web", "api"), weights=(7, 2, 1))[0]
    via_source = _via_source(channel, customer, support)
    ticket = Ticket(
        id=next(account.ticket_ids),
        subject=subject,
        description=first,
        status=rng.choices(("solved", "closed", "open", "pending", "new"), (5, 3, 2, 1, 1))[0],
        requester_id=customer.id,
        submitter_id=customer.id,
        assignee_id=None,
        group_id=rng.choice(groups).id if rng.random() < 0.8 else None,
        tags=rng.sample(_TAGS, rng.randint(0, 3)),
        channel=channel,
        via_source=via_source,
        created_at=created_at,
        updated_at=created_at,
    )
    at = created_at
    for index in range(max(1, cast.comments_per_ticket)):
        from_customer = index % 2 == 0
        author = customer if from_customer else rng.choice(agents)
        if index == 0:
            text = first
        else:
            text = rng.choice(_CUSTOMER_REPLIES if from_customer else _AGENT_REPLIES)
        public = from_customer or rng.random() < 0.85
        comment_channel = channel if from_customer else "web"
        source = via_source if from_customer else _via_source("web", author, support)
        comment = Comment(
            id=next(account.comment_ids),
            author_id=author.id,
            body=text,
            html_body=text_to_html(text),
            plain_body=text,
            public=public,
            channel=comment_channel,
            via_source=source,
            created_at=at,
            audit_id=next(account.audit_ids),
        )
        ticket.comments.append(comment)
        audits.record(
            ticket,
            comment.audit_id,
            author_id=author.id,
            created_at=at,
            channel=comment_channel,
            via_source=source,
            comment=comment,
            events=audits.creation_events(account, ticket) if index == 0 else [],
        )
        if not from_customer and ticket.assignee_id is None:
            ticket.assignee_id = author.id
        at = max(at, min(exports.horizon(now) - 1, at + rng.uniform(600, 36000)))
    ticket.updated_at = max(ticket.created_at, ticket.comments[-1].created_at)
    account.tickets[ticket.id] = ticket
    return ticket


def _via_source(channel: str, user: User, support: dict[str, Any]) -> dict[str, Any]:
    if channel == "email":
        return {
            "from": {"address": user.email, "name": user.name},
            "to": dict(support),
            "rel": None,
        }
    return {"from": {}, "to": {}, "rel": None}
