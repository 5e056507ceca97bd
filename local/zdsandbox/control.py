"""Control routes (not Zendesk's, no auth): accounts, simulated people, bulk data, faults."""

from __future__ import annotations

import re
import time
from typing import Any

from werkzeug.wrappers import Response

from zdsandbox.engine import CommentInput, create_ticket, update_ticket
from zdsandbox.errors import BadRequest, NotFound, RecordInvalid
from zdsandbox.models import FLAG_AUTO_GENERATED, Fault, Ticket, User
from zdsandbox.seeding import BulkRequest, add_user, bulk_tickets, support_address
from zdsandbox.state import Account
from zdsandbox.views import comment_json, delivery_json, group_json, ticket_json, user_json
from zdsandbox.web import Ctx, RouteTable, int_or_400, json_response, no_content

table = RouteTable()
_SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
SETTINGS = (
    "rate_limit_per_minute",
    "ticket_updates_per_minute",
    "ticket_updates_per_ticket_user_per_10min",
    "incremental_exports_per_minute",
    "audit_lists_per_minute",
)
# Settings that pick one behaviour of several (see state.AccountSettings).
CHOICES = {"current_user_condition": ("user_ids", "roles_only")}


def _require(data: dict[str, Any], *names: str) -> None:
    missing = [n for n in names if data.get(n) in (None, "")]
    if missing:
        raise BadRequest(f"missing field(s): {', '.join(missing)}")


def account_summary(ctx: Ctx, account: Account) -> dict[str, Any]:
    base = f"{ctx.request.host_url.rstrip('/')}/{account.subdomain}"
    config = ctx.sandbox.config
    return {
        "subdomain": account.subdomain,
        "account_id": account.account_id,
        "base_url": base,
        "users": [user_json(u, base) for u in account.users.values()],
        "groups": [group_json(g, base) for g in account.groups.values()],
        "oauth_client": {
            "identifier": config.client_id,
            "secret": config.client_secret,
            "kind": "confidential",
            "global": True,
            "redirect_uri": list(config.redirect_uris),
        },
    }


@table.add("/_sandbox/accounts", "POST", kind="global")
def create_account(ctx: Ctx) -> Response:
    data = ctx.body()
    subdomain = str(data.get("subdomain") or "")
    if not _SUBDOMAIN.match(subdomain):
        raise BadRequest("subdomain must be lowercase letters, digits and dashes")
    categories = data.get("trigger_categories")
    if categories is not None and (
        not isinstance(categories, list)
        or not categories
        or not all(isinstance(c, str) and c.strip() for c in categories)
    ):
        raise BadRequest("trigger_categories must be a non-empty list of names")
    account = ctx.sandbox.create_account(
        subdomain, tuple(c.strip() for c in categories) if categories else None
    )
    if account is None:
        raise RecordInvalid("Subdomain: is already taken", "subdomain")
    with account.lock:
        return json_response(account_summary(ctx, account), 201)


@table.add("/_sandbox/accounts", "GET", kind="global")
def list_accounts(ctx: Ctx) -> Response:
    accounts = ctx.sandbox.registry.all()
    return json_response(
        {"accounts": [{"subdomain": a.subdomain, "account_id": a.account_id} for a in accounts]}
    )


@table.add("/<sub>/_sandbox/account", "GET", kind="control")
def show_account(ctx: Ctx) -> Response:
    return json_response(account_summary(ctx, ctx.account))


def _user(account: Account, email: str, agent: bool = False) -> User:
    user = account.user_by_email(email)
    if user is None or (agent and not user.is_agent):
        raise RecordInvalid(f"User: no {'agent ' if agent else ''}with email {email}", "email")
    return user


def _ticket(account: Account, raw: Any) -> Ticket:
    ticket = account.tickets.get(int_or_400(raw, "ticket_id"))
    if ticket is None:
        raise NotFound()
    return ticket


@table.add("/<sub>/_sandbox/emails", "POST", kind="control")
def receive_email(ctx: Ctx) -> Response:
    data = ctx.body()
    _require(data, "from", "body")
    account, sandbox = ctx.account, ctx.sandbox
    sender = account.user_by_email(str(data["from"])) or add_user(
        account, str(data["from"]).strip().lower(), "end-user", sandbox.now()
    )
    via_source = {
        "from": {"address": sender.email, "name": sender.name},
        "to": support_address(account),
        "rel": None,
    }
    comment = CommentInput(
        author=sender,
        body=str(data["body"]),
        html_body=None,
        public=True,
        channel="email",
        via_source=via_source,
        flags=[FLAG_AUTO_GENERATED] if data.get("auto_submitted") else [],
    )
    if data.get("ticket_id") is not None:
        ticket = _ticket(account, data["ticket_id"])
        if ticket.status != "closed":
            added, _ = update_ticket(
                sandbox, account, ticket, actor=sender, channel="email", fields={}, comment=comment
            )
            assert added is not None
            return json_response({"ticket_id": ticket.id, "comment_id": added.id}, 201)
        followup = ticket.id
    else:
        followup = None
    subject = str(data.get("subject") or str(data["body"]).strip().split("\n")[0][:60])
    ticket, first = create_ticket(
        sandbox,
        account,
        subject=subject,
        requester=sender,
        actor=sender,
        comment=comment,
        channel="email",
        via_source=via_source,
        followup_source_id=followup,
    )
    return json_response({"ticket_id": ticket.id, "comment_id": first.id}, 201)


@table.add("/<sub>/_sandbox/agent_comments", "POST", kind="control")
def agent_comment(ctx: Ctx) -> Response:
    data = ctx.body()
    _require(data, "ticket_id", "author_email", "body")
    account = ctx.account
    ticket = _ticket(account, data["ticket_id"])
    author = _user(account, str(data["author_email"]), agent=True)
    comment = CommentInput(
        author=author,
        body=str(data["body"]),
        html_body=data.get("html_body"),
        public=bool(data.get("public", True)),
        channel="web",
        via_source={"from": {}, "to": {}, "rel": None},
    )
    added, _ = update_ticket(
        ctx.sandbox, account, ticket, actor=author, channel="web", fields={}, comment=comment
    )
    assert added is not None
    return json_response({"ticket_id": ticket.id, "comment_id": added.id}, 201)


@table.add("/<sub>/_sandbox/tickets/<int:ticket_id>", "PUT", kind="control")
def edit_ticket(ctx: Ctx, ticket_id: int) -> Response:
    data = ctx.body()
    account = ctx.account
    ticket = _ticket(account, ticket_id)
    actor = _user(
        account, str(data.get("actor_email") or f"agent@{account.subdomain}.test"), agent=True
    )
    fields: dict[str, Any] = {
        k: data[k] for k in ("tags", "status", "group_id", "assignee_email") if k in data
    }
    update_ticket(ctx.sandbox, account, ticket, actor=actor, channel="web", fields=fields)
    return _ticket_detail(ctx, ticket)


def _ticket_detail(ctx: Ctx, ticket: Ticket) -> Response:
    account = ctx.account
    comments = []
    for comment in ticket.comments:
        body = comment_json(comment)
        author = account.users.get(comment.author_id)
        body["author"] = (
            {"id": author.id, "email": author.email, "name": author.name, "role": author.role}
            if author
            else None
        )
        comments.append(body)
    group = account.groups.get(ticket.group_id) if ticket.group_id else None
    detail = ticket_json(ticket, ctx.base)
    detail.update(comments=comments, group=group.name if group else None)
    return json_response({"ticket": detail})


@table.add("/<sub>/_sandbox/tickets/<int:ticket_id>", "GET", kind="control")
def show_ticket_detail(ctx: Ctx, ticket_id: int) -> Response:
    return _ticket_detail(ctx, _ticket(ctx.account, ticket_id))


@table.add("/<sub>/_sandbox/tickets/bulk", "POST", kind="control")
def bulk(ctx: Ctx) -> Response:
    data = ctx.body()
    count = int_or_400(data.get("count", 100), "count")
    if not 0 < count <= 200_000:
        raise BadRequest("count must be between 1 and 200000")
    request = BulkRequest(
        count=count,
        days_back=int_or_400(data.get("days_back", 30), "days_back"),
        comments_per_ticket=int_or_400(data.get("comments_per_ticket", 3), "comments_per_ticket"),
        seed=data.get("seed"),
    )
    started = time.perf_counter()
    created = bulk_tickets(ctx.account, request, ctx.sandbox.now())
    return json_response(
        {
            "created": len(created),
            "first_ticket_id": created[0].id,
            "last_ticket_id": created[-1].id,
            "seconds": round(time.perf_counter() - started, 3),
        },
        201,
    )


@table.add("/<sub>/_sandbox/faults", "POST", kind="control")
def add_fault(ctx: Ctx) -> Response:
    data = ctx.body()
    _require(data, "path_regex", "status")
    try:
        pattern = re.compile(str(data["path_regex"]))
    except re.error as exc:
        raise BadRequest(f"path_regex is not a valid regular expression: {exc}") from exc
    account = ctx.account
    fault = Fault(
        id=next(account.fault_ids),
        path_regex=pattern,
        status=int_or_400(data["status"], "status"),
        times=int_or_400(data.get("times", 1), "times"),
        retry_after=data.get("retry_after"),
        delay_ms=int_or_400(data.get("delay_ms", 0), "delay_ms"),
        method=str(data["method"]).upper() if data.get("method") else None,
        plain_text=bool(data.get("plain_text", False)),
    )
    account.faults.append(fault)
    return json_response({"fault": _fault_json(fault)}, 201)


def _fault_json(fault: Fault) -> dict[str, Any]:
    return {
        "id": fault.id,
        "path_regex": fault.path_regex.pattern,
        "status": fault.status,
        "times": fault.times,
        "retry_after": fault.retry_after,
        "delay_ms": fault.delay_ms,
        "method": fault.method,
        "plain_text": fault.plain_text,
    }


@table.add("/<sub>/_sandbox/faults", "GET", kind="control")
def list_faults(ctx: Ctx) -> Response:
    return json_response({"faults": [_fault_json(f) for f in ctx.account.faults]})


@table.add("/<sub>/_sandbox/faults", "DELETE", kind="control")
def clear_faults(ctx: Ctx) -> Response:
    ctx.account.faults.clear()
    return no_content()


@table.add("/<sub>/_sandbox/webhook_deliveries", "GET", kind="control")
def list_deliveries(ctx: Ctx) -> Response:
    args = ctx.request.args
    items = [
        d
        for d in ctx.account.deliveries
        if (not args.get("webhook_id") or d.webhook_id == args["webhook_id"])
        and (not args.get("ticket_id") or str(d.ticket_id) == args["ticket_id"])
    ]
    return json_response({"webhook_deliveries": [delivery_json(d) for d in items]})


@table.add("/<sub>/_sandbox/settings", "GET PUT", kind="control")
def settings(ctx: Ctx) -> Response:
    account = ctx.account
    if ctx.request.method == "PUT":
        data = ctx.body()
        unknown = set(data) - {*SETTINGS, *CHOICES, "reset_counters"}
        if unknown:
            raise BadRequest(f"unknown setting(s): {', '.join(sorted(unknown))}")
        for name in SETTINGS:
            if name in data:
                value = int_or_400(data[name], name)
                if value < 1:
                    raise BadRequest(f"{name} must be at least 1")
                setattr(account.settings, name, value)
        for name, allowed in CHOICES.items():
            if name in data:
                if data[name] not in allowed:
                    raise BadRequest(f"{name} must be one of {', '.join(allowed)}")
                setattr(account.settings, name, data[name])
        if data.get("reset_counters"):
            account.windows.clear()
    return json_response({"settings": account.settings.as_dict()})
