"""A small HTML view of one account's tickets and comments: GET /{subdomain}/_sandbox/."""

from __future__ import annotations

import html

from werkzeug.wrappers import Response

from zdsandbox.models import Ticket
from zdsandbox.state import Account
from zdsandbox.util import iso
from zdsandbox.web import Ctx, RouteTable

table = RouteTable()
MAX_TICKETS = 200
_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:70em}"
    ".c{border-left:3px solid #ccc;padding:.3em .8em;margin:.4em 0}"
    ".internal{background:#fff7d6;border-color:#e0b400}.meta{color:#666;font-size:.85em}"
    "table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #eee}"
)


def _ticket_html(account: Account, ticket: Ticket) -> str:
    esc = html.escape
    parts = [
        f"<h2 id='t{ticket.id}'>#{ticket.id} {esc(ticket.subject)}</h2>",
        f"<p class='meta'>{esc(ticket.status)} · via {esc(ticket.channel)} · tags: "
        f"{esc(' '.join(ticket.tags)) or '-'} · group: "
        f"{esc(account.groups[ticket.group_id].name) if ticket.group_id in account.groups else '-'}"
        f" · updated {iso(ticket.updated_at)}</p>",
    ]
    for comment in ticket.comments:
        author = account.users.get(comment.author_id)
        who = f"{author.name} &lt;{esc(author.email)}&gt;" if author else str(comment.author_id)
        kind = "public" if comment.public else "internal"
        parts.append(
            f"<div class='c {kind}'><div class='meta'>{who} · {kind} · "
            f"{iso(comment.created_at)} · via {esc(comment.channel)}</div>"
            f"<pre style='white-space:pre-wrap'>{esc(comment.plain_body)}</pre></div>"
        )
    return "".join(parts)


@table.add("/<sub>/_sandbox/", "GET", kind="control")
def overview(ctx: Ctx) -> Response:
    account = ctx.account
    wanted = ctx.request.args.get("ticket_id")
    tickets = sorted(account.tickets.values(), key=lambda t: t.updated_at, reverse=True)
    if wanted and wanted.isdigit():
        tickets = [t for t in tickets if t.id == int(wanted)]
    shown = tickets[:MAX_TICKETS]
    rows = "".join(
        f"<tr><td><a href='?ticket_id={t.id}'>#{t.id}</a></td><td>{html.escape(t.subject)}</td>"
        f"<td>{t.status}</td><td>{len(t.comments)}</td><td>{iso(t.updated_at)}</td></tr>"
        for t in shown
    )
    details = "".join(_ticket_html(account, t) for t in shown[:20])
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Sandbox "
        f"{html.escape(account.subdomain)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Zendesk sandbox: {html.escape(account.subdomain)}</h1>"
        f"<p>{len(account.tickets)} tickets, {len(account.triggers)} triggers, "
        f"{len(account.webhooks)} webhooks, {len(account.deliveries)} webhook deliveries.</p>"
        "<table><tr><th>id</th><th>subject</th><th>status</th><th>comments</th><th>updated</th>"
        f"</tr>{rows}</table>{details}</body></html>"
    )
    return Response(page, content_type="text/html; charset=utf-8")
