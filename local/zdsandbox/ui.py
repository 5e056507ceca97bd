"""Pages for people (not Zendesk's API).

``GET /`` lists the accounts; ``GET /{subdomain}/_sandbox/`` shows an account's tickets and
comments as a person sees them in Zendesk's agent workspace, with forms to send a customer email
or reply as a person. The forms post JSON to the control routes (docs/contract.md §6), the same ones
tests and the demo use, so the page can do nothing they cannot.
"""

from __future__ import annotations

import html

from werkzeug.wrappers import Response

from zdsandbox.models import Ticket, User
from zdsandbox.state import Account
from zdsandbox.util import iso
from zdsandbox.web import Ctx, RouteTable

table = RouteTable()
MAX_TICKETS = 200
MAX_DETAILED = 20
esc = html.escape
_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}"
    "header{background:#fff;border-bottom:1px solid #d9e2ec;padding:.8em 1.5em}"
    "header h1{font-size:1.15rem;margin:0}main{max-width:70em;margin:1em auto;padding:0 1em}"
    "section{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:1em 1.2em;"
    "margin:0 0 1em}h2{font-size:1.05rem;margin:0 0 .6em}h3{font-size:.95rem;margin:.8em 0 .3em}"
    ".c{border-left:3px solid #bcccdc;padding:.3em .8em;margin:.4em 0}"
    ".c.internal{background:#fff7d6;border-color:#b58900}.c.end-user{border-color:#1f5fbf}"
    ".meta{color:#52606d;font-size:.85em}pre{white-space:pre-wrap;margin:.3em 0;font:inherit}"
    "table{border-collapse:collapse;width:100%}td,th{padding:.25em .6em;text-align:left;"
    "border-bottom:1px solid #e4e7eb}form{display:flex;flex-wrap:wrap;gap:.6em;align-items:end}"
    "label{display:flex;flex-direction:column;font-size:.85em;color:#52606d;gap:.15em}"
    "label.inline{flex-direction:row;align-items:center}textarea{width:32em;max-width:100%}"
    "input,select,textarea,button{font:inherit}button{background:#1f5fbf;color:#fff;"
    "border:1px solid #1f5fbf;border-radius:4px;padding:.3em .8em;cursor:pointer}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22em,1fr));gap:1em}"
    "[role=status]{color:#0a7a2f}.err{color:#b00020}"
)
# Posts a form's fields as JSON to its data-action, then reloads (or says what was refused).
_SCRIPT = """
for (const form of document.querySelectorAll("form[data-action]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const field of form.elements) {
      if (!field.name || (field.value === "" && field.type !== "checkbox")) continue;
      if (field.type === "checkbox") body[field.name] = field.checked;
      else if (field.dataset.number !== undefined) body[field.name] = Number(field.value);
      else body[field.name] = field.value;
    }
    const status = form.querySelector("[role=status]");
    const answer = await fetch(form.dataset.action, {method: "POST",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    const data = await answer.json().catch(() => ({}));
    if (answer.ok) {
      const next = form.dataset.next ? form.dataset.next.replace("{id}", data.ticket_id || "") : "";
      location.href = next || location.href;
      if (!next) location.reload();
    } else {
      status.className = "err";
      status.textContent = "Refused: " + (data.description || data.error || answer.status) +
        (data.details ? " " + JSON.stringify(data.details) : "");
    }
  });
}
"""


def _page(title: str, body: str) -> Response:
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{_STYLE}</style></head><body><header><h1>{esc(title)}</h1></header>"
        f"<main>{body}</main><script>{_SCRIPT}</script></body></html>"
    )
    return Response(page, content_type="text/html; charset=utf-8")


def _who(account: Account, user_id: int | None) -> tuple[str, str]:
    user = account.users.get(user_id) if user_id is not None else None
    if user is None:
        return str(user_id), "unknown"
    return f"{esc(user.name)} &lt;{esc(user.email)}&gt;", user.role


def _ticket_html(account: Account, ticket: Ticket) -> str:
    group = account.groups.get(ticket.group_id) if ticket.group_id else None
    assignee = account.users.get(ticket.assignee_id) if ticket.assignee_id else None
    requester, _ = _who(account, ticket.requester_id)
    parts = [
        f"<section aria-labelledby='t{ticket.id}'><h2 id='t{ticket.id}'>#{ticket.id} "
        f"{esc(ticket.subject)}</h2>",
        f"<p class='meta'>Requester {requester} · status {esc(ticket.status)} · via "
        f"{esc(ticket.channel)} · group {esc(group.name) if group else '-'} · assignee "
        f"{esc(assignee.name) if assignee else '-'} · tags "
        f"{esc(' '.join(ticket.tags)) or '-'} · updated {iso(ticket.updated_at)}</p>",
    ]
    for comment in ticket.comments:
        who, role = _who(account, comment.author_id)
        kind = "public reply" if comment.public else "internal note"
        css = (
            "c"
            + ("" if comment.public else " internal")
            + (" end-user" if role == "end-user" else "")
        )
        parts.append(
            f"<div class='{css}'><div class='meta'>{who} ({esc(role)}) · {kind} · "
            f"{iso(comment.created_at)}</div><pre>{esc(comment.plain_body)}</pre></div>"
        )
    parts.append("</section>")
    return "".join(parts)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _options(users: list[User]) -> str:
    return "".join(
        f"<option value='{esc(u.email)}'>{esc(u.name)} ({esc(u.email)})</option>" for u in users
    )


def _forms(account: Account, base: str, ticket_id: int | None) -> str:
    users = sorted(account.users.values(), key=lambda u: u.id)
    customers = [u for u in users if u.role == "end-user"]
    people = sorted((u for u in users if u.is_agent), key=lambda u: u.role != "agent")
    ticket_field = (
        f"<input type='hidden' name='ticket_id' value='{ticket_id}' data-number>"
        if ticket_id
        else "<label>Reply on ticket (empty: a new ticket)"
        "<input name='ticket_id' type='number' min='1' data-number></label>"
    )
    email = (
        f"<section aria-labelledby='send-email'><h2 id='send-email'>Send a customer email</h2>"
        f"<form data-action='{base}/_sandbox/emails' data-next='{base}/_sandbox/?ticket_id={{id}}'>"
        f"<label>From<input name='from' list='customers' required "
        f"value='{esc(customers[0].email) if customers else ''}'></label>"
        f"<datalist id='customers'>{_options(customers)}</datalist>"
        f"<label>Subject<input name='subject'></label>{ticket_field}"
        "<label>Message<textarea name='body' rows='4' required></textarea></label>"
        "<label class='inline'><input type='checkbox' name='auto_submitted'> "
        "An automatic email (auto-reply)</label>"
        "<button type='submit'>Send email</button><span role='status'></span></form></section>"
    )
    if not account.tickets:
        return email
    reply_ticket = (
        f"<input type='hidden' name='ticket_id' value='{ticket_id}' data-number>"
        if ticket_id
        else "<label>Ticket"
        "<input name='ticket_id' type='number' min='1' required data-number></label>"
    )
    reply = (
        f"<section aria-labelledby='reply'><h2 id='reply'>Reply as a person</h2>"
        f"<form data-action='{base}/_sandbox/agent_comments'>{reply_ticket}"
        f"<label>As<select name='author_email'>{_options(people)}</select></label>"
        "<label>Reply<textarea name='body' rows='4' required></textarea></label>"
        "<label class='inline'><input type='checkbox' name='public' checked> Public reply "
        "(unchecked: internal note)</label>"
        "<button type='submit'>Post reply</button><span role='status'></span></form></section>"
    )
    return f"<div class='grid'>{email}{reply}</div>"


@table.add("/<sub>/_sandbox/", "GET", kind="control")
def overview(ctx: Ctx) -> Response:
    account = ctx.account
    base = f"/{esc(account.subdomain)}"
    wanted = ctx.request.args.get("ticket_id")
    tickets = sorted(account.tickets.values(), key=lambda t: t.updated_at, reverse=True)
    ticket_id = int(wanted) if wanted and wanted.isdigit() else None
    if ticket_id is not None:
        tickets = [t for t in tickets if t.id == ticket_id]
    shown = tickets[:MAX_TICKETS]
    rows = "".join(
        f"<tr><td><a href='?ticket_id={t.id}'>#{t.id}</a></td><td>{esc(t.subject)}</td>"
        f"<td>{esc(t.status)}</td><td>{len(t.comments)}</td><td>{iso(t.updated_at)}</td></tr>"
        for t in shown
    )
    users = "".join(
        f"<tr><td>{esc(u.name)}</td><td>{esc(u.email)}</td><td>{esc(u.role)}</td></tr>"
        for u in sorted(account.users.values(), key=lambda u: u.id)
    )
    back = "<p><a href='/'>All accounts</a>" + (
        " · <a href='?'>All tickets</a></p>" if ticket_id else "</p>"
    )
    body = (
        f"{back}<p>{_count(len(account.tickets), 'ticket')}, "
        f"{_count(len(account.triggers), 'trigger')}, {_count(len(account.webhooks), 'webhook')}, "
        f"{_count(len(account.deliveries), 'webhook delivery', 'webhook deliveries')}.</p>"
        f"{_forms(account, base, ticket_id)}"
        "<section aria-labelledby='tickets'><h2 id='tickets'>Tickets</h2>"
        "<table><thead><tr><th>Ticket</th><th>Subject</th><th>Status</th><th>Comments</th>"
        f"<th>Updated</th></tr></thead><tbody>{rows}</tbody></table>"
        f"{'' if rows else '<p>No tickets yet.</p>'}</section>"
        f"{''.join(_ticket_html(account, t) for t in shown[:MAX_DETAILED])}"
        "<section aria-labelledby='users'><h2 id='users'>People in this account</h2>"
        "<table><thead><tr><th>Name</th><th>Email</th><th>Role</th></tr></thead>"
        f"<tbody>{users}</tbody></table></section>"
    )
    return _page(f"Zendesk sandbox: {account.subdomain}", body)


@table.add("/", "GET", kind="global")
def index(ctx: Ctx) -> Response:
    accounts = sorted(ctx.sandbox.registry.all(), key=lambda a: a.subdomain)
    rows = []
    for account in accounts:
        with account.lock:
            rows.append(
                f"<tr><td><a href='/{esc(account.subdomain)}/_sandbox/'>{esc(account.subdomain)}"
                f"</a></td><td>{len(account.tickets)}</td><td>{len(account.users)}</td>"
                f"<td>{len(account.triggers)}</td></tr>"
            )
    body = (
        "<section aria-labelledby='accounts'><h2 id='accounts'>Accounts</h2>"
        "<p>Each account is a Zendesk Support account at <code>/&lt;subdomain&gt;/</code>. Open "
        "one to see its tickets as a person sees them, send a customer email or reply.</p>"
        "<table><thead><tr><th>Subdomain</th><th>Tickets</th><th>People</th><th>Triggers</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
        "<section aria-labelledby='new-account'><h2 id='new-account'>New account</h2>"
        "<form data-action='/_sandbox/accounts'><label>Subdomain"
        "<input name='subdomain' required pattern='[a-z0-9-]+'></label>"
        "<button type='submit'>Create account</button><span role='status'></span></form></section>"
    )
    return _page("Zendesk sandbox", body)
