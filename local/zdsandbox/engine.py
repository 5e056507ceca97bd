"""The sandbox core: accounts, ticket creation and updates, triggers and webhook dispatch.

Functions that take an ``Account`` expect the caller to hold ``account.lock``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zdsandbox import audits
from zdsandbox.config import SandboxConfig
from zdsandbox.delivery import Deliverer, DeliveryJob, RetryPolicy
from zdsandbox.errors import RecordInvalid
from zdsandbox.models import STATUSES, Audit, Comment, Delivery, Ticket, User
from zdsandbox.seeding import seed_account
from zdsandbox.state import Account, AccountSettings, Registry
from zdsandbox.triggers import Snapshot, UpdateContext, run_triggers
from zdsandbox.util import html_to_text, text_to_html, ulid

MAX_COMMENTS = 5000
MAX_BODY = 65536
PRIORITIES = ("urgent", "high", "normal", "low")
TYPES = ("problem", "incident", "question", "task")


class Sandbox:
    """One running sandbox: its settings, accounts and webhook deliverer."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.registry = Registry()
        self.deliverer = Deliverer(
            RetryPolicy(
                retries=config.webhook_retries,
                backoff_seconds=config.webhook_retry_backoff_seconds,
                max_retry_after_seconds=config.webhook_max_retry_after_seconds,
                timeout_seconds=config.webhook_timeout_seconds,
            ),
            config.clock,
            config.webhook_workers,
        )
        for subdomain in config.seed_subdomains:
            self.create_account(subdomain)

    def now(self) -> float:
        return self.config.clock()

    def create_account(
        self, subdomain: str, trigger_categories: tuple[str, ...] | None = None
    ) -> Account | None:
        account = self.registry.add(subdomain, AccountSettings.from_config(self.config))
        if account is not None:
            categories = trigger_categories or self.config.seed_trigger_categories
            with account.lock:
                seed_account(account, self.now(), categories)
        return account

    def close(self) -> None:
        self.deliverer.stop()


@dataclass
class CommentInput:
    author: User
    body: str | None
    html_body: str | None
    public: bool
    channel: str
    via_source: dict[str, Any]
    flags: list[int] = field(default_factory=list)


def make_comment(account: Account, data: CommentInput, now: float, audit_id: int) -> Comment:
    if data.html_body is not None:
        html_body = data.html_body[:MAX_BODY]
        plain = html_to_text(html_body)
        body = plain
    else:
        body = (data.body or "")[:MAX_BODY]
        html_body = text_to_html(body)
        plain = body.strip()
    return Comment(
        id=next(account.comment_ids),
        author_id=data.author.id,
        body=body,
        html_body=html_body,
        plain_body=plain,
        public=data.public,
        channel=data.channel,
        via_source=data.via_source,
        created_at=now,
        audit_id=audit_id,
        flags=list(data.flags),
    )


def create_ticket(
    sandbox: Sandbox,
    account: Account,
    *,
    subject: str,
    requester: User,
    actor: User,
    comment: CommentInput,
    channel: str,
    via_source: dict[str, Any],
    followup_source_id: int | None = None,
) -> tuple[Ticket, Comment]:
    now = sandbox.now()
    audit_id = next(account.audit_ids)
    first = make_comment(account, comment, now, audit_id)
    ticket = Ticket(
        id=next(account.ticket_ids),
        subject=subject,
        description=first.plain_body,
        status="new",
        requester_id=requester.id,
        submitter_id=actor.id,
        assignee_id=None,
        group_id=None,
        tags=[],
        channel=channel,
        via_source=via_source,
        created_at=now,
        updated_at=now,
        comments=[first],
        followup_source_id=followup_source_id,
    )
    account.tickets[ticket.id] = ticket
    events = audits.creation_events(account, ticket)
    before = audits.field_values(ticket)
    dispatch(
        sandbox, account, ticket, UpdateContext(actor, channel, True, first, Snapshot.of(None))
    )
    events += audits.trigger_changes(account, before, ticket)
    audits.record(
        ticket,
        audit_id,
        author_id=actor.id,
        created_at=now,
        channel=channel,
        via_source=comment.via_source,
        comment=first,
        events=events,
    )
    return ticket, first


def update_ticket(
    sandbox: Sandbox,
    account: Account,
    ticket: Ticket,
    *,
    actor: User,
    channel: str,
    fields: dict[str, Any],
    comment: CommentInput | None = None,
) -> tuple[Comment | None, Audit]:
    """Applies one update (fields and/or a comment), then runs triggers; returns the comment
    added and the update's audit (kept on the ticket). Raises RecordInvalid."""
    if ticket.status == "closed":
        raise RecordInvalid("Status: closed prevents ticket update", "status")
    if comment is not None and len(ticket.comments) >= MAX_COMMENTS:
        raise RecordInvalid(f"Comments: ticket has reached the {MAX_COMMENTS} comment limit")
    before = Snapshot.of(ticket)
    now = sandbox.now()
    audit_id = next(account.audit_ids)
    events = apply_fields(account, ticket, fields, next(account.event_ids))
    added: Comment | None = None
    if comment is not None:
        added = make_comment(account, comment, now, audit_id)
        ticket.comments.append(added)
        _auto_status(ticket, comment.author, "status" in fields, events, account)
    ticket.updated_at = max(now, ticket.updated_at)
    values = audits.field_values(ticket)
    dispatch(sandbox, account, ticket, UpdateContext(actor, channel, False, added, before))
    events += audits.trigger_changes(account, values, ticket)
    audit = audits.record(
        ticket,
        audit_id,
        author_id=actor.id,
        created_at=now,
        channel=channel,
        via_source=comment.via_source if comment else {"from": {}, "to": {}, "rel": None},
        comment=added,
        events=events,
    )
    return added, audit


def _auto_status(
    ticket: Ticket, author: User, explicit: bool, events: list[dict[str, Any]], account: Account
) -> None:
    if explicit:
        return
    previous = ticket.status
    if (not author.is_agent and ticket.status in ("pending", "solved", "hold")) or (
        author.is_agent and ticket.status == "new"
    ):
        ticket.status = "open"
    if ticket.status != previous:
        events.append(_change(next(account.event_ids), "status", ticket.status, previous))


def _change(event_id: int, name: str, value: Any, previous: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "Change",
        "field_name": name,
        "value": value,
        "previous_value": previous,
    }


def _tag_list(value: Any, name: str) -> list[str]:
    if isinstance(value, str):
        items = value.split()
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [word for v in value for word in v.split()]
    else:
        raise RecordInvalid(f"{name.title()}: must be a list of strings", name)
    return list(dict.fromkeys(t.lower() for t in items))


def apply_fields(
    account: Account, ticket: Ticket, fields: dict[str, Any], event_id: int
) -> list[dict[str, Any]]:
    """Validates then applies ticket field changes; returns the audit's Change events."""
    new = _validated_fields(account, ticket, fields)
    events = []
    for name, value in new.items():
        previous = getattr(ticket, name)
        if previous != value:
            setattr(ticket, name, value)
            shown = " ".join(value) if name == "tags" else value
            shown_prev = " ".join(previous) if name == "tags" else previous
            events.append(_change(event_id, name, shown, shown_prev))
            event_id += 1
    return events


def _validated_fields(account: Account, ticket: Ticket, fields: dict[str, Any]) -> dict[str, Any]:
    new: dict[str, Any] = {}
    if "status" in fields:
        if fields["status"] not in STATUSES:
            raise RecordInvalid(f"Status: {fields['status']!r} is not a valid status", "status")
        new["status"] = fields["status"]
    tags = _new_tags(ticket, fields)
    if tags != ticket.tags:
        new["tags"] = tags
    if "group_id" in fields:
        new["group_id"] = _group_id(account, fields["group_id"])
    new.update(_assignment(account, ticket, fields))
    for name, allowed in (("priority", PRIORITIES), ("type", TYPES)):
        if name in fields:
            if fields[name] is not None and fields[name] not in allowed:
                raise RecordInvalid(f"{name.title()}: is invalid", name)
            new[name] = fields[name]
    if "subject" in fields:
        new["subject"] = str(fields["subject"])
    return new


def _new_tags(ticket: Ticket, fields: dict[str, Any]) -> list[str]:
    tags = _tag_list(fields["tags"], "tags") if "tags" in fields else list(ticket.tags)
    if "additional_tags" in fields:
        tags = list(dict.fromkeys([*tags, *_tag_list(fields["additional_tags"], "tags")]))
    if "remove_tags" in fields:
        removed = set(_tag_list(fields["remove_tags"], "tags"))
        tags = [t for t in tags if t not in removed]
    return tags


def _assignment(account: Account, ticket: Ticket, fields: dict[str, Any]) -> dict[str, Any]:
    """Assignee changes; assigning moves the ticket into the assignee's group and opens it."""
    assignee = _assignee(account, fields)
    if assignee is None:
        if "assignee_id" in fields and fields["assignee_id"] is None:
            return {"assignee_id": None}
        return {}
    new: dict[str, Any] = {"assignee_id": assignee.id}
    group_id = fields.get("group_id", ticket.group_id)
    if "group_id" not in fields and not _is_member(account, assignee.id, group_id):
        new["group_id"] = assignee.default_group_id
    if ticket.status == "new" and "status" not in fields:
        new["status"] = "open"
    return new


def _group_id(account: Account, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        group_id = int(value)
    except (TypeError, ValueError):
        group_id = -1
    if group_id not in account.groups:
        raise RecordInvalid("Group: is invalid", "group_id")
    return group_id


def _assignee(account: Account, fields: dict[str, Any]) -> User | None:
    if fields.get("assignee_email"):
        user = account.user_by_email(str(fields["assignee_email"]))
    elif fields.get("assignee_id") is not None:
        try:
            user = account.users.get(int(fields["assignee_id"]))
        except (TypeError, ValueError):
            user = None
    else:
        return None
    if user is None or not user.is_agent:
        raise RecordInvalid("Assignee: is invalid", "assignee_id")
    return user


def _is_member(account: Account, user_id: int, group_id: int | None) -> bool:
    return group_id is not None and any(
        m.user_id == user_id and m.group_id == group_id for m in account.memberships.values()
    )


def dispatch(sandbox: Sandbox, account: Account, ticket: Ticket, ctx: UpdateContext) -> None:
    """Runs triggers for one update and queues a signed delivery per webhook notification."""
    for note in run_triggers(account, ticket, ctx):
        webhook = account.webhooks.get(note.webhook_id)
        if webhook is None or webhook.status != "active":
            continue
        delivery = Delivery(
            invocation_id=ulid(sandbox.now()),
            webhook_id=webhook.id,
            trigger_id=note.trigger_id,
            ticket_id=ticket.id,
            endpoint=webhook.endpoint,
            http_method=webhook.http_method,
            body=note.body,
            created_at=sandbox.now(),
        )
        account.deliveries.append(delivery)
        sandbox.deliverer.submit(
            DeliveryJob(
                delivery=delivery,
                account_id=account.account_id,
                secret=webhook.secret,
                lock=account.lock,
                custom_headers=dict(webhook.custom_headers),
                authentication=webhook.authentication,
            )
        )
