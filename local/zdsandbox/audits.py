"""Ticket audits: one per update, kept on the ticket and served by the Ticket Audits API.

Source: Zendesk Support OAS (``TicketAuditObject``: id, ticket_id, author_id, created_at, via,
metadata, events; ``TicketAuditsForTicketResponseExample``) and Zendesk's Ticket Audit events
reference (``Create`` events for each property set on a new ticket, ``Change`` events with
``previous_value``, and "an event will have its own via object if it's different from the via
object of the audit": trigger changes carry ``via`` channel ``rule``, rel ``trigger``).
"""

from __future__ import annotations

from typing import Any

from zdsandbox.models import Audit, Comment, Ticket
from zdsandbox.state import Account

CREATE_FIELDS = ("subject", "status", "requester_id", "group_id", "tags")
TRACKED_FIELDS = ("status", "tags", "group_id", "assignee_id", "priority", "type")
RULE_VIA: dict[str, Any] = {
    "channel": "rule",
    "source": {"from": {}, "to": {}, "rel": "trigger"},
}


def creation_events(account: Account, ticket: Ticket) -> list[dict[str, Any]]:
    """The ``Create`` events of a new ticket's properties."""
    values = {
        "subject": ticket.subject,
        "status": ticket.status,
        "requester_id": ticket.requester_id,
        "group_id": ticket.group_id,
        "tags": list(ticket.tags),
    }
    return [
        {"id": next(account.event_ids), "type": "Create", "field_name": name, "value": values[name]}
        for name in CREATE_FIELDS
    ]


def field_values(ticket: Ticket) -> dict[str, Any]:
    return {name: _copy(getattr(ticket, name)) for name in TRACKED_FIELDS}


def trigger_changes(
    account: Account, before: dict[str, Any], ticket: Ticket
) -> list[dict[str, Any]]:
    """``Change`` events for what the triggers changed (their own ``via``)."""
    events = []
    for name, previous in before.items():
        value = getattr(ticket, name)
        if value != previous:
            events.append(
                {
                    "id": next(account.event_ids),
                    "type": "Change",
                    "field_name": name,
                    "value": " ".join(value) if name == "tags" else value,
                    "previous_value": " ".join(previous) if name == "tags" else previous,
                    "via": RULE_VIA,
                }
            )
    return events


def record(
    ticket: Ticket,
    audit_id: int,
    *,
    author_id: int,
    created_at: float,
    channel: str,
    via_source: dict[str, Any],
    comment: Comment | None,
    events: list[dict[str, Any]],
) -> Audit:
    """Keep the audit of one update on its ticket (an update that changed nothing keeps none)."""
    audit = Audit(
        id=audit_id,
        ticket_id=ticket.id,
        author_id=author_id,
        created_at=created_at,
        channel=channel,
        via_source=via_source,
        comment=comment,
        events=events,
    )
    if comment is not None or events:
        of(ticket).append(audit)
    return audit


def of(ticket: Ticket) -> list[Audit]:
    """The ticket's audits. A ticket restored from a local state snapshot taken before the
    sandbox kept audits has none: it gets one per comment, as seeded tickets have."""
    try:
        return ticket.audits
    except AttributeError:
        ticket.audits = [
            Audit(
                id=c.audit_id,
                ticket_id=ticket.id,
                author_id=c.author_id,
                created_at=c.created_at,
                channel=c.channel,
                via_source=c.via_source,
                comment=c,
            )
            for c in ticket.comments
        ]
        return ticket.audits


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
