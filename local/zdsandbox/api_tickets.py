"""Tickets, comments, tags and the incremental ticket export."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from zdsandbox import audits, exports, limits
from zdsandbox.engine import CommentInput, update_ticket
from zdsandbox.errors import BadRequest, NotFound, RecordInvalid, UpdateConflict
from zdsandbox.models import Ticket
from zdsandbox.pagination import paginate
from zdsandbox.util import decode_cursor, encode_cursor, iso
from zdsandbox.views import audit_json, comment_json, ticket_json, user_json
from zdsandbox.web import Ctx, RouteTable, int_or_400, json_response, no_content

table = RouteTable()
API_VIA: dict[str, Any] = {"from": {}, "to": {}, "rel": None}
TICKET_FIELDS = (
    "status",
    "tags",
    "additional_tags",
    "remove_tags",
    "group_id",
    "assignee_id",
    "assignee_email",
    "priority",
    "type",
    "subject",
)


def get_ticket(ctx: Ctx, ticket_id: int) -> Ticket:
    ticket = ctx.account.tickets.get(ticket_id)
    if ticket is None:
        raise NotFound()
    return ticket


def _check_safe_update(ticket: Ticket, data: dict[str, Any]) -> None:
    if data.get("safe_update") and data.get("updated_stamp") != iso(ticket.updated_at):
        raise UpdateConflict()


@table.add("/<sub>/api/v2/tickets/<int:ticket_id>", "GET")
def show_ticket(ctx: Ctx, ticket_id: int) -> Response:
    return json_response({"ticket": ticket_json(get_ticket(ctx, ticket_id), ctx.base)})


def _comment_input(ctx: Ctx, raw: Any) -> CommentInput | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not (raw.get("body") or raw.get("html_body")):
        raise RecordInvalid("Comment: body can't be blank", "comment")
    author = ctx.user
    if raw.get("author_id") is not None:
        found = ctx.account.users.get(int_or_400(raw["author_id"], "author_id"))
        if found is None:
            raise RecordInvalid("Comment: author is invalid", "author_id")
        author = found
    return CommentInput(
        author=author,
        body=raw.get("body"),
        html_body=raw.get("html_body"),
        public=bool(raw.get("public", True)),
        channel="api",
        via_source=dict(API_VIA),
    )


@table.add("/<sub>/api/v2/tickets/<int:ticket_id>", "PUT")
def put_ticket(ctx: Ctx, ticket_id: int) -> Response:
    account, ticket = ctx.account, get_ticket(ctx, ticket_id)
    data = ctx.body().get("ticket")
    if not isinstance(data, dict):
        raise BadRequest("Request body must contain a ticket object")
    ctx.headers.update(limits.ticket_update(account, ticket_id, ctx.user.id, ctx.sandbox.now()))
    _check_safe_update(ticket, data)
    fields = {name: data[name] for name in TICKET_FIELDS if name in data}
    comment = _comment_input(ctx, data.get("comment"))
    _, audit = update_ticket(
        ctx.sandbox, account, ticket, actor=ctx.user, channel="api", fields=fields, comment=comment
    )
    metadata = data.get("metadata")
    audit.custom = dict(metadata) if isinstance(metadata, dict) else {}
    return json_response({"ticket": ticket_json(ticket, ctx.base), "audit": audit_json(audit)})


@table.add("/<sub>/api/v2/tickets/<int:ticket_id>/comments", "GET")
def list_comments(ctx: Ctx, ticket_id: int) -> Response:
    ticket = get_ticket(ctx, ticket_id)
    descending = ctx.request.args.get("sort") == "-created_at" or (
        ctx.request.args.get("sort_order") == "desc"
    )
    comments = list(reversed(ticket.comments)) if descending else list(ticket.comments)
    page = paginate(
        comments, lambda c: c.id, ctx.args, ctx.url(f"/api/v2/tickets/{ticket_id}/comments.json")
    )
    body: dict[str, Any] = {"comments": [comment_json(c) for c in page.items], **page.extra}
    if "users" in ctx.request.args.get("include", "").split(","):
        # Zendesk's sideload: the users the page's comments name (their authors)
        authors = dict.fromkeys(c.author_id for c in page.items)
        found = (ctx.account.users.get(user_id) for user_id in authors)
        body["users"] = [user_json(user, ctx.base) for user in found if user is not None]
    return json_response(body)


@table.add("/<sub>/api/v2/tickets/<int:ticket_id>/audits", "GET")
def list_audits(ctx: Ctx, ticket_id: int) -> Response:
    """List Audits for a Ticket (OAS ``ListAuditsForTicket``; agents; oldest first; cursor or
    offset pagination, at most 100 a page). Sideloads, per Zendesk's side-loading table for
    Audits ("users, organizations, groups, tickets"; node-zendesk maps them from ``author_id``
    and ``ticket_id``): ``users`` = the page's audit authors, ``tickets`` = the ticket. Needs
    the global ``read`` scope (app.py), as Zendesk's Ticket Audits page says."""
    ticket = get_ticket(ctx, ticket_id)
    limits.audit_lists(ctx.account, ctx.sandbox.now())
    page = paginate(
        audits.of(ticket),
        lambda a: a.id,
        ctx.args,
        ctx.url(f"/api/v2/tickets/{ticket_id}/audits.json"),
    )
    body: dict[str, Any] = {"audits": [audit_json(a) for a in page.items], **page.extra}
    include = ctx.request.args.get("include", "").split(",")
    if "users" in include:
        authors = dict.fromkeys(a.author_id for a in page.items)
        found = (ctx.account.users.get(user_id) for user_id in authors)
        body["users"] = [user_json(user, ctx.base) for user in found if user is not None]
    if "tickets" in include:
        body["tickets"] = [ticket_json(ticket, ctx.base)]
    return json_response(body)


def _tags_body(ctx: Ctx, ticket: Ticket) -> list[str]:
    data = ctx.body()
    _check_safe_update(ticket, data)
    tags = data.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BadRequest("tags must be a list of strings")
    return tags


@table.add("/<sub>/api/v2/tickets/<int:ticket_id>/tags", "GET")
def list_tags(ctx: Ctx, ticket_id: int) -> Response:
    return json_response({"tags": list(get_ticket(ctx, ticket_id).tags)})


@table.add("/<sub>/api/v2/tickets/<int:ticket_id>/tags", "PUT POST DELETE")
def change_tags(ctx: Ctx, ticket_id: int) -> Response:
    ticket = get_ticket(ctx, ticket_id)
    tags = _tags_body(ctx, ticket)
    ctx.headers.update(limits.ticket_update(ctx.account, ticket_id, ctx.user.id, ctx.sandbox.now()))
    method = ctx.request.method
    key = {"PUT": "additional_tags", "POST": "tags", "DELETE": "remove_tags"}[method]
    update_ticket(
        ctx.sandbox, ctx.account, ticket, actor=ctx.user, channel="api", fields={key: tags}
    )
    if method == "DELETE":
        return no_content()
    return json_response({"tags": list(ticket.tags)}, 201 if method == "POST" else 200)


def _export_position(ctx: Ctx) -> tuple[float, int]:
    args, now = ctx.request.args, ctx.sandbox.now()
    if args.get("cursor"):
        decoded = decode_cursor(args["cursor"]) or ""
        stamp, _, last_id = decoded.partition("|")
        try:
            return float(stamp), int(last_id)
        except ValueError as exc:
            raise BadRequest("Invalid cursor", error="InvalidPaginationParameter") from exc
    if args.get("start_time") in (None, ""):
        raise BadRequest("start_time or cursor is required")
    start = int_or_400(args["start_time"], "start_time")
    exports.check_start_time(start, now)
    return float(start), 0


@table.add("/<sub>/api/v2/incremental/tickets/cursor", "GET", role="admin")
def incremental_tickets(ctx: Ctx) -> Response:
    ctx.headers.update(limits.incremental_export(ctx.account, ctx.sandbox.now()))
    stamp, last_id = _export_position(ctx)
    per_page = min(max(1, int_or_400(ctx.request.args.get("per_page") or 1000, "per_page")), 1000)
    position = (int(stamp), last_id)
    now = ctx.sandbox.now()
    ordered = sorted(
        (
            t
            for t in ctx.account.tickets.values()
            if (int(t.updated_at), t.id) > position and exports.is_exportable(t.updated_at, now)
        ),
        key=lambda t: (int(t.updated_at), t.id),
    )
    page = ordered[:per_page]
    end = len(ordered) <= per_page
    if page:
        cursor = encode_cursor(f"{int(page[-1].updated_at)}|{page[-1].id}")
    else:
        cursor = encode_cursor(f"{int(stamp)}|{last_id}")
    after_url = f"{ctx.url('/api/v2/incremental/tickets/cursor.json')}?" + urlencode(
        {"cursor": cursor, "per_page": per_page}
    )
    return json_response(
        {
            "tickets": [ticket_json(t, ctx.base) for t in page],
            "after_cursor": cursor,
            "after_url": after_url,
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": end,
        }
    )
