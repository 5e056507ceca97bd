"""Users, groups and group memberships."""

from __future__ import annotations

from werkzeug.wrappers import Response

from zdsandbox.errors import NotFound, RecordInvalid
from zdsandbox.pagination import paginate
from zdsandbox.seeding import add_membership
from zdsandbox.views import group_json, membership_json, user_json
from zdsandbox.web import Ctx, RouteTable, int_or_400, json_response

table = RouteTable()
# ListAvailablePublicLocales' example (OAS LocalesResponseExample), with the sandbox's URLs.
PUBLIC_LOCALES = (
    (1, "en-US", "English", "2009-07-20T22:55:29Z", "2011-05-05T10:38:52Z"),
    (8, "de", "Deutsch", "2010-12-23T12:45:22Z", "2012-04-01T10:44:12Z"),
)


@table.add("/<sub>/api/v2/locales/public", "GET", kind="anonymous")
def public_locales(ctx: Ctx) -> Response:
    """Allowed for anyone (no token): what every real account answers."""
    locales = [
        {
            "id": locale_id,
            "url": ctx.url(f"/api/v2/locales/{locale}.json"),
            "locale": locale,
            "name": name,
            "created_at": created,
            "updated_at": updated,
        }
        for locale_id, locale, name, created, updated in PUBLIC_LOCALES
    ]
    return json_response({"locales": locales})


@table.add("/<sub>/api/v2/users/me", "GET", role=None)
def show_me(ctx: Ctx) -> Response:
    body = user_json(ctx.user, ctx.base)
    body["authenticity_token"] = "sandbox-csrf-token"
    return json_response({"user": body})


@table.add("/<sub>/api/v2/users/<int:user_id>", "GET")
def show_user(ctx: Ctx, user_id: int) -> Response:
    user = ctx.account.users.get(user_id)
    if user is None:
        raise NotFound()
    return json_response({"user": user_json(user, ctx.base)})


@table.add("/<sub>/api/v2/users/search", "GET")
def search_users(ctx: Ctx) -> Response:
    query = (ctx.request.args.get("query") or ctx.request.args.get("email") or "").strip()
    term = query.removeprefix("email:").strip().lower()
    users = sorted(ctx.account.users.values(), key=lambda u: u.id)
    if query.startswith("email:") or "email" in ctx.request.args:
        found = [u for u in users if u.email.lower() == term]
    else:
        found = [u for u in users if term in u.email.lower() or term in u.name.lower()]
    page = paginate(found, lambda u: u.id, ctx.args, ctx.url("/api/v2/users/search"))
    return json_response({"users": [user_json(u, ctx.base) for u in page.items], **page.extra})


def _memberships(
    ctx: Ctx, url: str, user_id: int | None = None, group_id: int | None = None
) -> Response:
    items = [
        m
        for m in sorted(ctx.account.memberships.values(), key=lambda m: m.id)
        if (user_id is None or m.user_id == user_id)
        and (group_id is None or m.group_id == group_id)
    ]
    page = paginate(items, lambda m: m.id, ctx.args, ctx.url(url))
    return json_response(
        {"group_memberships": [membership_json(m, ctx.base) for m in page.items], **page.extra}
    )


@table.add("/<sub>/api/v2/users/<int:user_id>/group_memberships", "GET")
def user_memberships(ctx: Ctx, user_id: int) -> Response:
    if user_id not in ctx.account.users:
        raise NotFound()
    return _memberships(ctx, f"/api/v2/users/{user_id}/group_memberships", user_id=user_id)


@table.add("/<sub>/api/v2/group_memberships", "GET")
def list_memberships(ctx: Ctx) -> Response:
    return _memberships(ctx, "/api/v2/group_memberships")


@table.add("/<sub>/api/v2/groups/<int:group_id>/memberships", "GET")
def group_memberships(ctx: Ctx, group_id: int) -> Response:
    if group_id not in ctx.account.groups:
        raise NotFound()
    return _memberships(ctx, f"/api/v2/groups/{group_id}/memberships", group_id=group_id)


@table.add("/<sub>/api/v2/group_memberships", "POST", role="admin")
def create_membership(ctx: Ctx) -> Response:
    data = ctx.body().get("group_membership") or {}
    account = ctx.account
    user = account.users.get(int_or_400(data.get("user_id"), "user_id"))
    group = account.groups.get(int_or_400(data.get("group_id"), "group_id"))
    if user is None or not user.is_agent:
        raise RecordInvalid("User: must be an agent", "user_id")
    if group is None:
        raise RecordInvalid("Group: is invalid", "group_id")
    if any(m.user_id == user.id and m.group_id == group.id for m in account.memberships.values()):
        raise RecordInvalid("User: is already a member of this group", "user_id")
    membership = add_membership(account, user, group, ctx.sandbox.now())
    return json_response({"group_membership": membership_json(membership, ctx.base)}, 201)


@table.add("/<sub>/api/v2/groups", "GET")
def list_groups(ctx: Ctx) -> Response:
    groups = sorted(ctx.account.groups.values(), key=lambda g: g.id)
    page = paginate(groups, lambda g: g.id, ctx.args, ctx.url("/api/v2/groups"))
    return json_response({"groups": [group_json(g, ctx.base) for g in page.items], **page.extra})


@table.add("/<sub>/api/v2/groups/<int:group_id>", "GET")
def show_group(ctx: Ctx, group_id: int) -> Response:
    group = ctx.account.groups.get(group_id)
    if group is None:
        raise NotFound()
    return json_response({"group": group_json(group, ctx.base)})
