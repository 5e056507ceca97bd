"""Webhooks (JSON:API-style errors) and triggers (Support API errors). Admins only."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from zdsandbox.errors import ApiErrors, NotFound, RecordInvalid, WebhookError
from zdsandbox.models import Trigger, Webhook
from zdsandbox.pagination import paginate
from zdsandbox.seeding import DEFAULT_CATEGORY, add_category
from zdsandbox.state import Account
from zdsandbox.triggers import definitions, validate_trigger
from zdsandbox.util import signing_secret, ulid
from zdsandbox.views import trigger_json, webhook_json
from zdsandbox.web import Ctx, RouteTable, int_or_400, json_response, no_content

table = RouteTable()
WEBHOOK_REQUIRED = ("name", "endpoint", "http_method", "request_format", "status")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FORMATS = ("json", "xml", "form_encoded")
AUTH_TYPES = ("api_key", "basic_auth", "bearer_token")


def _invalid(detail: str, code: str = "InvalidValue") -> WebhookError:
    return WebhookError(400, code, "Invalid webhook", detail)


def _webhook(ctx: Ctx, webhook_id: str) -> Webhook:
    webhook = ctx.account.webhooks.get(webhook_id)
    if webhook is None:
        raise WebhookError(
            404, "WebhookNotFound", "Webhook not found", f"Webhook {webhook_id} not found"
        )
    return webhook


def _validate_webhook(data: dict[str, Any]) -> None:
    for name in WEBHOOK_REQUIRED:
        if not data.get(name):
            raise _invalid(f"{name} is required", "RequiredFieldMissing")
    endpoint = str(data["endpoint"])
    if not endpoint.startswith(("http://", "https://")):
        raise _invalid("endpoint must be an absolute http(s) URL")
    if str(data["http_method"]).upper() not in HTTP_METHODS:
        raise _invalid("http_method must be one of GET, POST, PUT, PATCH, DELETE")
    if data["request_format"] not in FORMATS:
        raise _invalid("request_format must be json, xml or form_encoded")
    if data["status"] not in ("active", "inactive"):
        raise _invalid("status must be active or inactive")
    subscriptions = data.get("subscriptions") or []
    if not isinstance(subscriptions, list):
        raise _invalid("subscriptions must be a list")
    if "conditional_ticket_events" in subscriptions and (
        str(data["http_method"]).upper() != "POST" or data["request_format"] != "json"
    ):
        raise _invalid("webhooks for trigger events must use POST and json")
    auth = data.get("authentication")
    if auth is not None and (not isinstance(auth, dict) or auth.get("type") not in AUTH_TYPES):
        raise _invalid("authentication type must be api_key, basic_auth or bearer_token")


def _apply_webhook(webhook: Webhook, data: dict[str, Any], now: float) -> None:
    webhook.name = str(data["name"])
    webhook.endpoint = str(data["endpoint"])
    webhook.http_method = str(data["http_method"]).upper()
    webhook.request_format = str(data["request_format"])
    webhook.status = str(data["status"])
    webhook.subscriptions = list(data.get("subscriptions") or [])
    webhook.description = str(data.get("description") or "")
    webhook.custom_headers = {str(k): str(v) for k, v in (data.get("custom_headers") or {}).items()}
    if "authentication" in data:
        webhook.authentication = data["authentication"]
    webhook.updated_at = now


def _webhook_body(ctx: Ctx) -> dict[str, Any]:
    data = ctx.body().get("webhook")
    if not isinstance(data, dict):
        raise _invalid("Request body must contain a webhook object", "RequiredFieldMissing")
    return data


@table.add("/<sub>/api/v2/webhooks", "POST", role="admin")
def create_webhook(ctx: Ctx) -> Response:
    data = _webhook_body(ctx)
    _validate_webhook(data)
    now = ctx.sandbox.now()
    webhook = Webhook(
        id=ulid(now),
        name="",
        endpoint="",
        http_method="POST",
        request_format="json",
        status="active",
        subscriptions=[],
        secret=signing_secret(),
        created_at=now,
        updated_at=now,
        created_by=str(ctx.user.id),
    )
    _apply_webhook(webhook, data, now)
    ctx.account.webhooks[webhook.id] = webhook
    return json_response({"webhook": webhook_json(webhook)}, 201)


@table.add("/<sub>/api/v2/webhooks", "GET", role="admin")
def list_webhooks(ctx: Ctx) -> Response:
    args = ctx.request.args
    items = sorted(ctx.account.webhooks.values(), key=lambda w: w.id)
    if args.get("filter[status]"):
        items = [w for w in items if w.status == args["filter[status]"]]
    if args.get("filter[name_contains]"):
        items = [w for w in items if args["filter[name_contains]"].lower() in w.name.lower()]
    cursor_args = {k: v for k, v in ctx.args.items() if k.startswith("page[")}
    cursor_args.setdefault("page[size]", "100")
    page = paginate(items, lambda w: w.id, cursor_args, ctx.url("/api/v2/webhooks"))
    return json_response({"webhooks": [webhook_json(w) for w in page.items], **page.extra})


@table.add("/<sub>/api/v2/webhooks/<webhook_id>", "GET", role="admin")
def show_webhook(ctx: Ctx, webhook_id: str) -> Response:
    return json_response({"webhook": webhook_json(_webhook(ctx, webhook_id))})


@table.add("/<sub>/api/v2/webhooks/<webhook_id>", "PUT PATCH", role="admin")
def update_webhook(ctx: Ctx, webhook_id: str) -> Response:
    webhook = _webhook(ctx, webhook_id)
    data = _webhook_body(ctx)
    if ctx.request.method == "PATCH":
        current = webhook_json(webhook)
        current.pop("authentication", None)
        data = {**current, **data}
    _validate_webhook(data)
    _apply_webhook(webhook, data, ctx.sandbox.now())
    return no_content()


@table.add("/<sub>/api/v2/webhooks/<webhook_id>", "DELETE", role="admin")
def delete_webhook(ctx: Ctx, webhook_id: str) -> Response:
    _webhook(ctx, webhook_id)
    del ctx.account.webhooks[webhook_id]
    return no_content()


@table.add("/<sub>/api/v2/webhooks/<webhook_id>/signing_secret", "GET", role="admin")
def show_secret(ctx: Ctx, webhook_id: str) -> Response:
    webhook = _webhook(ctx, webhook_id)
    return json_response({"signing_secret": {"algorithm": "SHA256", "secret": webhook.secret}})


@table.add("/<sub>/api/v2/webhooks/<webhook_id>/signing_secret", "POST", role="admin")
def reset_secret(ctx: Ctx, webhook_id: str) -> Response:
    webhook = _webhook(ctx, webhook_id)
    webhook.secret = signing_secret()
    return json_response({"signing_secret": {"algorithm": "SHA256", "secret": webhook.secret}}, 201)


# ---------------------------------------------------------------- triggers
LIMIT_ONE_CATEGORY = (
    "Reordering ticket triggers via the API is not permitted with more than one ticket trigger "
    "category; use update_many with position and category_id"
)


def _trigger(ctx: Ctx, trigger_id: int) -> Trigger:
    trigger = ctx.account.triggers.get(trigger_id)
    if trigger is None:
        raise NotFound()
    return trigger


def _trigger_body(ctx: Ctx) -> dict[str, Any]:
    data = ctx.body().get("trigger")
    if not isinstance(data, dict):
        raise RecordInvalid("Trigger: request body must contain a trigger object")
    return data


def _listed(ctx: Ctx, items: list[Trigger], path: str) -> Response:
    category_id = ctx.request.args.get("category_id")
    if category_id:
        items = [t for t in items if t.category_id == category_id]
    page = paginate(items, lambda t: t.id, ctx.args, ctx.url(path))
    return json_response(
        {"triggers": [trigger_json(t, ctx.base) for t in page.items], **page.extra}
    )


@table.add("/<sub>/api/v2/triggers", "GET", role="admin")
def list_triggers(ctx: Ctx) -> Response:
    items = ctx.account.triggers_in_order()
    active = ctx.request.args.get("active")
    if active in ("true", "false"):
        items = [t for t in items if t.active == (active == "true")]
    return _listed(ctx, items, "/api/v2/triggers")


@table.add("/<sub>/api/v2/triggers/active", "GET", role="admin")
def list_active_triggers(ctx: Ctx) -> Response:
    items = [t for t in ctx.account.triggers_in_order() if t.active]
    return _listed(ctx, items, "/api/v2/triggers/active")


@table.add("/<sub>/api/v2/triggers/definitions", "GET", role="admin")
def trigger_definitions(ctx: Ctx) -> Response:
    return json_response({"definitions": definitions(ctx.account)})


@table.add("/<sub>/api/v2/triggers/<int:trigger_id>", "GET", role="admin")
def show_trigger(ctx: Ctx, trigger_id: int) -> Response:
    return json_response({"trigger": trigger_json(_trigger(ctx, trigger_id), ctx.base)})


def _category_for_new_trigger(ctx: Ctx, data: dict[str, Any]) -> str:
    """``category_id`` (must exist) or ``category`` {name, position} (created), OAS
    ``TriggerWithCategoryRequest``; without either, the first category by position (Zendesk
    marks category_id optional and does not say where such a trigger goes; see README)."""
    account = ctx.account
    if data.get("category_id") not in (None, ""):
        return _existing_category(account, data["category_id"])
    category = data.get("category")
    if isinstance(category, dict) and str(category.get("name") or "").strip():
        position = category.get("position")
        return add_category(
            account,
            str(category["name"]).strip(),
            ctx.sandbox.now(),
            position if isinstance(position, int) else None,
        ).id
    ordered = account.categories_in_order()
    if not ordered:
        return add_category(account, DEFAULT_CATEGORY, ctx.sandbox.now()).id
    return ordered[0].id


def _existing_category(account: Account, raw: Any) -> str:
    category_id = str(raw)
    if category_id not in account.trigger_categories:
        raise RecordInvalid(f"Category: {category_id} does not exist", "category_id")
    return category_id


def _last_position(account: Account, category_id: str) -> int:
    return max(
        (t.position for t in account.triggers.values() if t.category_id == category_id),
        default=0,
    )


@table.add("/<sub>/api/v2/triggers", "POST", role="admin")
def create_trigger(ctx: Ctx) -> Response:
    data, account = _trigger_body(ctx), ctx.account
    if not data.get("title"):
        raise RecordInvalid("Title: cannot be blank", "title")
    validate_trigger(account, data.get("conditions"), data.get("actions"))
    category_id = _category_for_new_trigger(ctx, data)
    now = ctx.sandbox.now()
    position = data.get("position")
    trigger = Trigger(
        id=next(account.trigger_ids),
        title=str(data["title"]),
        active=bool(data.get("active", True)),
        position=position
        if isinstance(position, int)
        else _last_position(account, category_id) + 1,
        conditions=_conditions(data["conditions"]),
        actions=list(data["actions"]),
        created_at=now,
        updated_at=now,
        description=data.get("description"),
        category_id=category_id,
    )
    account.triggers[trigger.id] = trigger
    return json_response({"trigger": trigger_json(trigger, ctx.base)}, 201)


def _conditions(raw: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Zendesk replaces the conditions object: a group left out is cleared."""
    return {"all": list(raw.get("all") or []), "any": list(raw.get("any") or [])}


@table.add("/<sub>/api/v2/triggers/<int:trigger_id>", "PUT", role="admin")
def update_trigger(ctx: Ctx, trigger_id: int) -> Response:
    """OAS UpdateTrigger: "Updating a condition or action updates both the conditions and
    actions arrays, clearing all existing values of both arrays" -- so a body with only one
    of them clears the other (and the trigger, left without it, is refused with 422)."""
    trigger, data = _trigger(ctx, trigger_id), _trigger_body(ctx)
    if "conditions" in data or "actions" in data:
        conditions = data.get("conditions") or {}
        actions = data.get("actions") or []
    else:
        conditions, actions = trigger.conditions, trigger.actions
    validate_trigger(ctx.account, conditions, actions)
    if "title" in data and not data["title"]:
        raise RecordInvalid("Title: cannot be blank", "title")
    if data.get("category_id") not in (None, ""):
        _existing_category(ctx.account, data["category_id"])
    trigger.title = str(data.get("title", trigger.title))
    trigger.conditions, trigger.actions = _conditions(conditions), list(actions)
    _apply_simple(trigger, data)
    if "description" in data:
        trigger.description = data["description"]
    trigger.updated_at = ctx.sandbox.now()
    return json_response({"trigger": trigger_json(trigger, ctx.base)})


def _apply_simple(trigger: Trigger, data: dict[str, Any]) -> None:
    if "active" in data:
        trigger.active = bool(data["active"])
    if isinstance(data.get("position"), int):
        trigger.position = data["position"]
    if data.get("category_id") not in (None, ""):
        trigger.category_id = str(data["category_id"])


@table.add("/<sub>/api/v2/triggers/update_many", "PUT", role="admin")
def update_many_triggers(ctx: Ctx) -> Response:
    """OAS UpdateManyTriggers: only id, position, active and category_id count."""
    items = ctx.body().get("triggers")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RecordInvalid("Triggers: must be a list of objects")
    targets = [(_trigger(ctx, int_or_400(item.get("id"), "id")), item) for item in items]
    for _, item in targets:
        if item.get("category_id") not in (None, ""):
            _existing_category(ctx.account, item["category_id"])
    now = ctx.sandbox.now()
    for trigger, item in targets:
        _apply_simple(
            trigger, {k: item[k] for k in ("position", "active", "category_id") if k in item}
        )
        trigger.updated_at = now
    return json_response({"triggers": [trigger_json(t, ctx.base) for t, _ in targets]})


@table.add("/<sub>/api/v2/triggers/reorder", "PUT", role="admin")
def reorder_triggers(ctx: Ctx) -> Response:
    """OAS ReorderTriggers: every trigger id, else 404; more than one category: LimitOneCategory
    (the status and body shape are not documented; 400 with the newer errors shape here)."""
    account = ctx.account
    if len(account.trigger_categories) > 1:
        raise ApiErrors(400, "LimitOneCategory", LIMIT_ONE_CATEGORY)
    ids = ctx.body().get("trigger_ids")
    if (
        not isinstance(ids, list)
        or len(ids) != len(account.triggers)
        or {int_or_400(i, "trigger_ids") for i in ids} != set(account.triggers)
    ):
        raise NotFound()
    for position, trigger_id in enumerate(ids, start=1):
        account.triggers[int(trigger_id)].position = position
    return json_response(
        {"triggers": [trigger_json(t, ctx.base) for t in account.triggers_in_order()]}
    )


@table.add("/<sub>/api/v2/triggers/<int:trigger_id>", "DELETE", role="admin")
def delete_trigger(ctx: Ctx, trigger_id: int) -> Response:
    _trigger(ctx, trigger_id)
    del ctx.account.triggers[trigger_id]
    return no_content()
