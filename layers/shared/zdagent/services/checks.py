"""Live checks of the AI agent user, the token and the trigger against Zendesk.

Each check says what is wrong and what to do, in words an admin can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from zdagent.adapters.zendesk.account import GroupMembership
from zdagent.adapters.zendesk.models import User
from zdagent.core.errors import AppError, ZendeskError, ZendeskNotFound
from zdagent.domain.integration import Integration
from zdagent.services.context import Context
from zdagent.services.handover_group import group_problem
from zdagent.services.trigger import drift_of

if TYPE_CHECKING:
    from zdagent.adapters.zendesk.client import ZendeskClient


class Check(BaseModel):
    name: str
    ok: bool
    detail: str
    severity: Literal["error", "warning"] = "error"


def run_checks(ctx: Context, agent_id: str) -> list[Check]:
    integration = ctx.integrations.get(agent_id)
    if not integration.is_authorized:
        reason = integration.authorization.reason or "no Zendesk authorization yet"
        return [
            Check(
                name="authorization",
                ok=False,
                detail=f"{reason}: sign in to Zendesk as {integration.ai_agent_user_email} and "
                "click 'Authorize Zendesk Support'; the other checks run once authorized",
            )
        ]
    results = [Check(name="authorization", ok=True, detail="Zendesk Support is authorized")]
    try:
        with ctx.zendesk_for(integration) as zendesk:
            results += _user_checks(zendesk, integration)
            results += _trigger_checks(ctx, zendesk, integration)
            results += _guarded(
                "handover_group", lambda: _handover_group_checks(ctx, zendesk, integration)
            )
    except AppError as exc:
        results.append(Check(name="zendesk_reachable", ok=False, detail=exc.detail))
    return results


def _user_checks(zendesk: ZendeskClient, integration: Integration) -> list[Check]:
    email = integration.ai_agent_user_email
    user = zendesk.find_user_by_email(email)
    if user is None:
        return [
            Check(
                name="ai_agent_user_exists",
                ok=False,
                detail=f"no Zendesk user has the email {email}: add the AI agent as a team member "
                "in Admin Center > People > Team members, with that email",
            )
        ]
    checks = [Check(name="ai_agent_user_exists", ok=True, detail=f"{email} is user {user.id}")]
    checks.append(_admin_check(user))
    checks += _group_checks(zendesk, user)
    checks += _token_checks(zendesk, user)
    return checks


def _admin_check(user: User) -> Check:
    if user.is_admin:
        return Check(
            name="ai_agent_user_is_admin", ok=True, detail="the AI agent is a Support admin"
        )
    return Check(
        name="ai_agent_user_is_admin",
        ok=False,
        detail=f"the AI agent user has the role '{user.role}'; give it the Support role 'Admin' "
        "(Admin Center > People > Team members > the AI agent > Support)",
    )


def _group_checks(zendesk: ZendeskClient, user: User) -> list[Check]:
    memberships = list(zendesk.user_group_memberships(user.id))
    if len(memberships) != 1:
        return [
            Check(
                name="ai_agent_user_single_group",
                ok=False,
                detail=f"the AI agent user is in {len(memberships)} groups; it must be in exactly "
                "one group of its own (e.g. 'AI agent') so tickets it answers are routed apart",
            )
        ]
    group_id = memberships[0].group_id
    checks = [
        Check(name="ai_agent_user_single_group", ok=True, detail=f"member of group {group_id}")
    ]
    others = _other_members(zendesk.group_memberships_of_group(group_id), user.id)
    checks.append(
        Check(
            name="ai_agent_group_exclusive",
            ok=not others,
            severity="warning",
            detail=(
                "the AI agent user is the only member of its group"
                if not others
                else f"group {group_id} also has users {', '.join(map(str, others[:5]))}; give "
                "the AI agent a group of its own so tickets assigned to it stay apart"
            ),
        )
    )
    return checks


def _other_members(memberships: object, user_id: int) -> list[int]:
    items: list[GroupMembership] = list(memberships)  # type: ignore[call-overload]
    return [m.user_id for m in items if m.user_id != user_id]


def _token_checks(zendesk: ZendeskClient, user: User) -> list[Check]:
    me = zendesk.me()
    owner = Check(
        name="token_belongs_to_ai_agent_user",
        ok=me.id == user.id,
        detail=(
            "the token is the AI agent user's"
            if me.id == user.id
            else f"the token belongs to {me.email}, not the AI agent user: revoke and authorize "
            "again signed in as the AI agent user"
        ),
    )
    scopes = set(zendesk.current_token().scopes or [])
    can_read = bool(scopes & {"read", "tickets:read"})
    can_write = bool(scopes & {"write", "tickets:write"})
    scope = Check(
        name="token_can_read_and_write_tickets",
        ok=can_read and can_write,
        detail=(
            "the token can read and write tickets"
            if can_read and can_write
            else f"the token's scopes are {sorted(scopes)}; it needs read and write: "
            "authorize again"
        ),
    )
    can_read_hc = "hc:read" in scopes
    help_center = Check(
        name="token_can_read_help_center",
        ok=can_read_hc,
        detail=(
            "the token can read the Help Center (hc:read)"
            if can_read_hc
            else "the token was authorized without the hc:read scope, so the agent cannot read "
            "the Help Center: authorize again (the authorization now asks for it)"
        ),
    )
    return [owner, scope, help_center]


def _trigger_checks(ctx: Context, zendesk: ZendeskClient, integration: Integration) -> list[Check]:
    state = integration.trigger
    if state.status == "none" or not state.trigger_id:
        return [
            Check(
                name="trigger_present",
                ok=False,
                detail="no automation trigger yet: click 'Create automation trigger'",
            )
        ]
    checks: list[Check] = []
    checks += _guarded("trigger_present", lambda: _trigger_state_checks(zendesk, integration))
    checks += _guarded("webhook_active", lambda: _webhook_checks(ctx, zendesk, integration))
    return checks


def _guarded(name: str, run: Callable[[], list[Check]]) -> list[Check]:
    try:
        return run()
    except ZendeskNotFound:
        return [Check(name=name, ok=False, detail="deleted in Zendesk: create the trigger again")]
    except ZendeskError as exc:
        return [Check(name=name, ok=False, detail=f"Zendesk error: {exc.detail}")]


def _trigger_state_checks(zendesk: ZendeskClient, integration: Integration) -> list[Check]:
    assert integration.trigger.trigger_id is not None
    trigger = zendesk.get_trigger(integration.trigger.trigger_id)
    drift = drift_of(integration, trigger)
    return [
        Check(name="trigger_present", ok=True, detail=f"trigger {trigger.id} exists in Zendesk"),
        Check(
            name="trigger_active",
            ok=bool(trigger.active),
            detail="the trigger is active"
            if trigger.active
            else "the trigger is inactive: no email reaches the AI agent",
            severity="error" if integration.trigger.status == "active" else "warning",
        ),
        Check(
            name="trigger_unmodified",
            ok=drift["status"] in ("in_sync", "deactivated", "reactivated"),
            severity="warning",
            detail=drift["detail"],
        ),
    ]


def _webhook_checks(ctx: Context, zendesk: ZendeskClient, integration: Integration) -> list[Check]:
    webhook_id = integration.trigger.webhook_id or ""
    webhook = zendesk.get_webhook(webhook_id)
    stored = ctx.vault.read_webhook_secret(integration.agent_id, cached=False)
    live = zendesk.webhook_signing_secret(webhook_id)
    secret_ok = stored is not None and stored.signing_secret == live
    return [
        Check(
            name="webhook_active",
            ok=webhook.status == "active",
            detail=f"webhook {webhook_id} is {webhook.status}",
        ),
        Check(
            name="webhook_signing_secret_valid",
            ok=secret_ok,
            detail="the stored signing secret matches Zendesk's"
            if secret_ok
            else "the webhook's signing secret changed in Zendesk: deactivate and create the "
            "trigger again so deliveries are verified",
        ),
    ]


def _handover_group_checks(
    ctx: Context, zendesk: ZendeskClient, integration: Integration
) -> list[Check]:
    group_id = ctx.agents.get(integration.agent_id).settings.handover_group_id
    if group_id is None:
        return [
            Check(
                name="handover_group",
                ok=True,
                detail="no handover group set: handed-over tickets stay in their group",
            )
        ]
    problem = group_problem(zendesk, group_id, integration.subdomain)
    return [
        Check(
            name="handover_group",
            ok=problem is None,
            detail=problem
            or f"handovers go to group {group_id}"
            + "; if Zendesk refuses it, tickets are handed over without a group",
        )
    ]
