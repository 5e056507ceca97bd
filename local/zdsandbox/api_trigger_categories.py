"""Ticket trigger categories (OAS "Trigger Categories": ListTriggerCategories,
CreateTriggerCategory, ShowTriggerCategoryById, UpdateTriggerCategory, DeleteTriggerCategory)
and the control route that gives an account several categories.

Shapes and errors follow the OAS: ids are strings, create answers 200 (sic), errors use the
``{"errors": [{"code", "title"}]}`` shape (``InvalidTriggerCategory``, ``TriggerCategoryNotFound``,
``TriggerCategoryNotEmpty``). Triggers fire category by category (by ``position``), then by their
own ``position`` inside the category.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from zdsandbox.errors import ApiErrors, BadRequest
from zdsandbox.models import TriggerCategory
from zdsandbox.pagination import paginate
from zdsandbox.seeding import add_category, add_placeholder_triggers
from zdsandbox.state import Account
from zdsandbox.views import trigger_category_json
from zdsandbox.web import Ctx, RouteTable, int_or_400, json_response, no_content

table = RouteTable()
SORTS = ("position", "name", "created_at", "updated_at")
NOT_FOUND_TITLE = "Category can’t be found. Check the ID and try again."  # noqa: RUF001 (OAS text)


def category_not_found() -> ApiErrors:
    return ApiErrors(404, "TriggerCategoryNotFound", NOT_FOUND_TITLE)


def _category(ctx: Ctx, category_id: str) -> TriggerCategory:
    category = ctx.account.trigger_categories.get(category_id)
    if category is None:
        raise category_not_found()
    return category


def _category_body(ctx: Ctx, *, creating: bool) -> dict[str, Any]:
    data = ctx.body().get("trigger_category")
    if not isinstance(data, dict):
        raise ApiErrors(400, "InvalidTriggerCategory", "trigger_category is required")
    if (creating or "name" in data) and not str(data.get("name") or "").strip():
        raise ApiErrors(400, "InvalidTriggerCategory", "Name cannot be blank")
    if "position" in data and not isinstance(data["position"], int):
        raise ApiErrors(400, "InvalidTriggerCategory", "Position must be an integer")
    return data


def _rule_counts(account: Account, category: TriggerCategory) -> dict[str, int]:
    members = [t for t in account.triggers.values() if t.category_id == category.id]
    active = sum(1 for t in members if t.active)
    return {"active_count": active, "inactive_count": len(members) - active}


@table.add("/<sub>/api/v2/trigger_categories", "GET", role="agent")
def list_categories(ctx: Ctx) -> Response:
    account, args = ctx.account, ctx.request.args
    sort = args.get("sort") or "position"
    field = sort.removeprefix("-")
    if field not in SORTS:
        raise ApiErrors(400, "InvalidSortParameter", f"sort {sort} is not valid")
    items = sorted(
        account.trigger_categories.values(),
        key=lambda c: (getattr(c, field), int(c.id)),
        reverse=sort.startswith("-"),
    )
    page = paginate(items, lambda c: c.id, ctx.args, ctx.url("/api/v2/trigger_categories"))
    counts = args.get("include") == "rule_counts"
    body = [
        {**trigger_category_json(c), **(_rule_counts(account, c) if counts else {})}
        for c in page.items
    ]
    return json_response({"trigger_categories": body, **page.extra})


@table.add("/<sub>/api/v2/trigger_categories", "POST", role="admin")
def create_category(ctx: Ctx) -> Response:
    data = _category_body(ctx, creating=True)
    category = add_category(
        ctx.account, str(data["name"]).strip(), ctx.sandbox.now(), data.get("position")
    )
    return json_response({"trigger_category": trigger_category_json(category)})


@table.add("/<sub>/api/v2/trigger_categories/<category_id>", "GET", role="agent")
def show_category(ctx: Ctx, category_id: str) -> Response:
    return json_response({"trigger_category": trigger_category_json(_category(ctx, category_id))})


@table.add("/<sub>/api/v2/trigger_categories/<category_id>", "PATCH", role="admin")
def update_category(ctx: Ctx, category_id: str) -> Response:
    category = _category(ctx, category_id)
    data = _category_body(ctx, creating=False)
    if "name" in data:
        category.name = str(data["name"]).strip()
    if "position" in data:
        category.position = int(data["position"])
    category.updated_at = ctx.sandbox.now()
    return json_response({"trigger_category": trigger_category_json(category)})


@table.add("/<sub>/api/v2/trigger_categories/<category_id>", "DELETE", role="admin")
def delete_category(ctx: Ctx, category_id: str) -> Response:
    account = ctx.account
    category = _category(ctx, category_id)
    members = [t for t in account.triggers.values() if t.category_id == category.id]
    if any(t.active for t in members):
        raise ApiErrors(
            400,
            "TriggerCategoryNotEmpty",
            "A category with active ticket triggers cannot be deleted.",
        )
    for trigger in members:
        del account.triggers[trigger.id]
    del account.trigger_categories[category.id]
    return no_content()


@table.add("/<sub>/_sandbox/trigger_categories", "POST", kind="control")
def add_category_control(ctx: Ctx) -> Response:
    """``{"name", "triggers"?}``: a category (last by position) with ``triggers`` inactive
    placeholder triggers in it, as accounts that use several categories have."""
    data = ctx.body()
    name = str(data.get("name") or "").strip()
    if not name:
        raise BadRequest("name is required")
    count = int_or_400(data.get("triggers", 0), "triggers")
    if not 0 <= count <= 100:
        raise BadRequest("triggers must be between 0 and 100")
    account, now = ctx.account, ctx.sandbox.now()
    category = add_category(account, name, now)
    triggers = add_placeholder_triggers(account, category, count, now)
    return json_response(
        {
            "trigger_category": trigger_category_json(category),
            "trigger_ids": [t.id for t in triggers],
        },
        201,
    )
