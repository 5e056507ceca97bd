"""The incremental ticket event export: ``GET /api/v2/incremental/ticket_events`` (time-based).

Source: Zendesk Support OAS (``IncrementalTicketEvents``: "Returns a stream of changes that
occurred on tickets, excluding events occurring within one minute of the request", the
``comment_events`` sideload putting each comment in the event's ``child_events``, and without it
only ``comment_present`` / ``comment_public``), the time-based export response
(``ExportIncrementalTicketEventsResponse``: ``ticket_events``, ``count``, ``end_time``,
``next_page``, ``end_of_stream``) and Zendesk's incremental export guide (up to 1,000 items a page,
``per_page`` to ask for fewer, ``end_of_stream`` when a page is not full, the next page starting at
``end_time`` so the events of that second may come again: clients drop repeats by id; 10 export
requests a minute, shared with the other incremental exports).

The sandbox's tickets keep their comments, each with its audit id: each comment is served as one
event (an ``Audit`` at the comment's time by its author); the first also carries the ``Create``
events of the ticket's fields. Audits without a comment (field edits) are not kept by the sandbox
and so not served.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from zdsandbox import exports, limits
from zdsandbox.errors import BadRequest
from zdsandbox.models import VIA_TEXT, Comment, Ticket
from zdsandbox.state import Account
from zdsandbox.util import iso
from zdsandbox.views import comment_event_json, via_json
from zdsandbox.web import Ctx, RouteTable, int_or_400, json_response

table = RouteTable()
MAX_PER_PAGE = 1000
CREATE_FIELDS = ("subject", "status", "requester_id", "group_id", "tags")

# (timestamp, audit id, ticket id, comment index), sorted; rebuilt when the account's comments
# change (keyed by the number of tickets and comments, which only grow)
_Index = list[tuple[int, int, int, int]]
_indexes: dict[str, tuple[tuple[int, int], _Index]] = {}


@table.add("/<sub>/api/v2/incremental/ticket_events", "GET", role="admin")
def ticket_events(ctx: Ctx) -> Response:
    ctx.headers.update(limits.incremental_export(ctx.account, ctx.sandbox.now()))
    args, now = ctx.request.args, ctx.sandbox.now()
    if args.get("start_time") in (None, ""):
        raise BadRequest("start_time is required")
    start = int_or_400(args["start_time"], "start_time")
    exports.check_start_time(start, now)
    per_page = min(max(1, int_or_400(args.get("per_page") or MAX_PER_PAGE, "per_page")), 1000)
    sideload = "comment_events" in str(args.get("include") or "").split(",")
    index = _index(ctx.account)
    first = bisect_left(index, (start, 0, 0, 0))
    visible_until = int(exports.horizon(now))  # the last minute is held back
    page = [e for e in index[first : first + per_page] if e[0] <= visible_until]
    end_of_stream = len(page) < per_page
    end_time = page[-1][0] if page else start
    query: dict[str, int | str] = {"start_time": end_time, "per_page": per_page}
    if sideload:
        query["include"] = "comment_events"
    events = [_event_json(ctx.account, entry, sideload) for entry in page]
    return json_response(
        {
            "ticket_events": events,
            "count": len(events),
            "end_time": end_time,
            "next_page": f"{ctx.url('/api/v2/incremental/ticket_events.json')}?{urlencode(query)}",
            "end_of_stream": end_of_stream,
        }
    )


def _index(account: Account) -> _Index:
    key = (len(account.tickets), sum(len(t.comments) for t in account.tickets.values()))
    cached = _indexes.get(account.subdomain)
    if cached is not None and cached[0] == key:
        return cached[1]
    index = sorted(
        (int(comment.created_at), comment.audit_id, ticket.id, position)
        for ticket in account.tickets.values()
        for position, comment in enumerate(ticket.comments)
    )
    _indexes[account.subdomain] = (key, index)
    return index


def _event_json(
    account: Account, entry: tuple[int, int, int, int], sideload: bool
) -> dict[str, Any]:
    timestamp, audit_id, ticket_id, position = entry
    ticket = account.tickets[ticket_id]
    comment = ticket.comments[position]
    children = _create_events(ticket, audit_id) if position == 0 else []
    children.append(_comment_child(comment) if sideload else _comment_flags(comment))
    return {
        "id": audit_id,
        "ticket_id": ticket_id,
        "timestamp": timestamp,
        "created_at": iso(comment.created_at),
        "updater_id": comment.author_id,
        "via": VIA_TEXT.get(comment.channel, "Web Service"),
        "system": {"client": "zdsandbox", "ip_address": "127.0.0.1", "location": "Local"},
        "metadata": {"system": {}, "custom": {}},
        "event_type": "Audit",
        "merged_ticket_ids": [],
        "child_events": children,
    }


def _comment_child(comment: Comment) -> dict[str, Any]:
    return {
        **comment_event_json(comment),
        "via": via_json(comment.channel, comment.via_source),
        "via_reference_id": None,
        "created_at": iso(comment.created_at),
        "event_type": "Comment",
    }


def _comment_flags(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "via": VIA_TEXT.get(comment.channel, "Web Service"),
        "via_reference_id": None,
        "comment_present": True,
        "comment_public": comment.public,
        "event_type": "Comment",
    }


def _create_events(ticket: Ticket, audit_id: int) -> list[dict[str, Any]]:
    values = {
        "subject": ticket.subject,
        "status": "new",
        "requester_id": ticket.requester_id,
        "group_id": ticket.group_id,
        "tags": list(ticket.tags),
    }
    return [
        {
            "id": audit_id * 100 + n,
            "via": VIA_TEXT.get(ticket.channel, "Web Service"),
            "via_reference_id": None,
            "field_name": name,
            "value": values[name],
            "event_type": "Create",
        }
        for n, name in enumerate(CREATE_FIELDS, start=1)
    ]
