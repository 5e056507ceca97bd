"""JSON shapes of the sandbox's records, as Zendesk's API returns them."""

from __future__ import annotations

from typing import Any

from zdsandbox.models import (
    Audit,
    Comment,
    Delivery,
    Group,
    GroupMembership,
    OAuthToken,
    Ticket,
    Trigger,
    TriggerCategory,
    User,
    Webhook,
)
from zdsandbox.util import iso

ROLE_TYPES = {"admin": 4, "agent": 0}


def user_json(user: User, base: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "url": f"{base}/api/v2/users/{user.id}.json",
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "role_type": ROLE_TYPES.get(user.role),
        "active": True,
        "verified": True,
        "suspended": False,
        "locale": "en-US",
        "time_zone": "UTC",
        "default_group_id": user.default_group_id,
        "restricted_agent": False,
        "only_private_comments": False,
        "ticket_restriction": None if user.is_agent else "requested",
        "tags": [],
        "user_fields": {},
        "created_at": iso(user.created_at),
        "updated_at": iso(user.updated_at),
    }


def group_json(group: Group, base: str) -> dict[str, Any]:
    return {
        "id": group.id,
        "url": f"{base}/api/v2/groups/{group.id}.json",
        "name": group.name,
        "description": group.description,
        "default": group.default,
        "deleted": False,
        "is_public": True,
        "created_at": iso(group.created_at),
        "updated_at": iso(group.updated_at),
    }


def membership_json(membership: GroupMembership, base: str) -> dict[str, Any]:
    return {
        "id": membership.id,
        "url": f"{base}/api/v2/group_memberships/{membership.id}.json",
        "user_id": membership.user_id,
        "group_id": membership.group_id,
        "default": membership.default,
        "created_at": iso(membership.created_at),
        "updated_at": iso(membership.updated_at),
    }


def via_json(channel: str, source: dict[str, Any]) -> dict[str, Any]:
    return {"channel": channel, "source": source}


def ticket_json(ticket: Ticket, base: str) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "url": f"{base}/api/v2/tickets/{ticket.id}.json",
        "subject": ticket.subject,
        "raw_subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "requester_id": ticket.requester_id,
        "submitter_id": ticket.submitter_id,
        "assignee_id": ticket.assignee_id,
        "group_id": ticket.group_id,
        "organization_id": None,
        "tags": list(ticket.tags),
        "via": via_json(ticket.channel, ticket.via_source),
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "custom_fields": [],
        "is_public": any(c.public for c in ticket.comments),
        "has_incidents": False,
        "allow_attachments": True,
        "allow_channelback": False,
        "from_messaging_channel": False,
        "due_at": None,
        "external_id": None,
        "via_followup_source_id": ticket.followup_source_id,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "generated_timestamp": int(ticket.updated_at),
    }


def comment_event_json(comment: Comment) -> dict[str, Any]:
    """A comment as it stands in an audit's events."""
    return {
        "id": comment.id,
        "type": "Comment",
        "author_id": comment.author_id,
        "body": comment.body,
        "html_body": comment.html_body,
        "plain_body": comment.plain_body,
        "public": comment.public,
        "attachments": [],
        "audit_id": comment.audit_id,
    }


def _metadata(flags: list[int], custom: dict[str, Any]) -> dict[str, Any]:
    """An update's metadata: system data, custom data and its comment's flags."""
    return {
        "system": {"client": "zdsandbox", "ip_address": "127.0.0.1", "location": "Local"},
        "custom": dict(custom),
        "flags": list(flags),
        "flags_options": {str(f): {"trusted": True} for f in flags},
    }


def comment_json(comment: Comment) -> dict[str, Any]:
    return {
        **comment_event_json(comment),
        "via": via_json(comment.channel, comment.via_source),
        "metadata": _metadata(comment.flags, {}),
        "created_at": iso(comment.created_at),
    }


def audit_json(audit: Audit) -> dict[str, Any]:
    """A ticket audit (OAS ``TicketAuditObject``): its comment first among its events, the
    comment's flags in the audit's metadata (where the comments list takes them from)."""
    comment = audit.comment
    events = [comment_event_json(comment)] if comment is not None else []
    return {
        "id": audit.id,
        "ticket_id": audit.ticket_id,
        "author_id": audit.author_id,
        "created_at": iso(audit.created_at),
        "events": [*events, *(dict(event) for event in audit.events)],
        "metadata": _metadata(comment.flags if comment else [], audit.custom),
        "via": via_json(audit.channel, audit.via_source),
    }


def trigger_json(trigger: Trigger, base: str) -> dict[str, Any]:
    return {
        "id": trigger.id,
        "url": f"{base}/api/v2/triggers/{trigger.id}.json",
        "title": trigger.title,
        "raw_title": trigger.title,
        "description": trigger.description or "",
        "active": trigger.active,
        "default": False,
        "position": trigger.position,
        "category_id": trigger.category_id,
        "conditions": {
            "all": list(trigger.conditions.get("all") or []),
            "any": list(trigger.conditions.get("any") or []),
        },
        "actions": list(trigger.actions),
        "created_at": iso(trigger.created_at),
        "updated_at": iso(trigger.updated_at),
    }


def trigger_category_json(category: TriggerCategory) -> dict[str, Any]:
    return {
        "id": category.id,
        "name": category.name,
        "position": category.position,
        "created_at": iso(category.created_at),
        "updated_at": iso(category.updated_at),
    }


def webhook_json(webhook: Webhook) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": webhook.id,
        "name": webhook.name,
        "description": webhook.description,
        "endpoint": webhook.endpoint,
        "http_method": webhook.http_method,
        "request_format": webhook.request_format,
        "status": webhook.status,
        "subscriptions": list(webhook.subscriptions),
        "custom_headers": dict(webhook.custom_headers),
        "created_at": iso(webhook.created_at),
        "created_by": webhook.created_by,
        "updated_at": iso(webhook.updated_at),
        "updated_by": webhook.created_by,
    }
    if webhook.authentication:
        auth = webhook.authentication
        data = auth.get("data") or {}
        shown = {"username": data["username"]} if "username" in data else {}
        body["authentication"] = {
            "type": auth.get("type"),
            "add_position": auth.get("add_position", "header"),
            "data": shown,
        }
    return body


def token_json(token: OAuthToken, base: str, client_numeric_id: int) -> dict[str, Any]:
    return {
        "id": token.id,
        "url": f"{base}/api/v2/oauth/tokens/{token.id}.json",
        "user_id": token.user_id,
        "client_id": client_numeric_id,
        "token": token.access_token[:10],
        "refresh_token": (token.refresh_token or "")[:10] or None,
        "scopes": list(token.scopes),
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at) if token.expires_at else None,
        "refresh_token_expires_at": (
            iso(token.refresh_expires_at) if token.refresh_expires_at else None
        ),
        "used_at": iso(token.used_at) if token.used_at else None,
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {
        "invocation_id": delivery.invocation_id,
        "webhook_id": delivery.webhook_id,
        "trigger_id": delivery.trigger_id,
        "ticket_id": delivery.ticket_id,
        "endpoint": delivery.endpoint,
        "status": delivery.status,
        "status_code": delivery.status_code,
        "attempts": len(delivery.attempts),
        "attempt_log": [
            {"at": iso(a.at), "status_code": a.status_code, "error": a.error}
            for a in delivery.attempts
        ],
        "body": delivery.body,
        "created_at": iso(delivery.created_at),
        "completed_at": iso(delivery.completed_at) if delivery.completed_at else None,
    }
