"""Use cases: the automation trigger and its webhook in Zendesk."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from zdagent.adapters.dynamodb import agent_pk
from zdagent.adapters.secrets import WebhookSecret
from zdagent.adapters.zendesk.automation import (
    Trigger,
    TriggerCategory,
    TriggerPayload,
    Webhook,
    WebhookCreate,
)
from zdagent.core.errors import (
    OperationRunningError,
    TriggerExistsError,
    TriggerNotActiveError,
    ValidationFailedError,
    ZendeskClientError,
    ZendeskError,
    ZendeskForbidden,
    ZendeskInvalidRecord,
    ZendeskNotFound,
)
from zdagent.core.observability import logger
from zdagent.domain import trigger as rules
from zdagent.domain.integration import Integration
from zdagent.services.context import Context

if TYPE_CHECKING:
    from zdagent.adapters.zendesk.client import ZendeskClient
    from zdagent.domain.trigger_request import (
        CreateTriggerRequest,
        TriggerEdit,
        UpdateTriggerRequest,
    )

LEASE = "trigger"


def webhook_endpoint(public_base_url: str, agent_id: str) -> str:
    return f"{public_base_url.rstrip('/')}/webhooks/zendesk/{agent_id}"


def trigger_json(trigger: Trigger) -> dict[str, Any]:
    return trigger.to_json()


class _Lease:
    """Serialises trigger changes of one agent (two clicks must not make two triggers)."""

    def __init__(self, ctx: Context, agent_id: str) -> None:
        self._ctx, self._pk = ctx, agent_pk(agent_id)
        self._owner: str | None = None

    def __enter__(self) -> None:
        self._owner = self._ctx.store.acquire_lease(self._pk, LEASE, 60)
        if not self._owner:
            raise OperationRunningError("another change to the trigger is in progress; retry")

    def __exit__(self, *_: object) -> None:
        if self._owner:
            self._ctx.store.release_lease(self._pk, LEASE, self._owner)


def create_trigger(
    ctx: Context, agent_id: str, public_base_url: str, request: CreateTriggerRequest
) -> dict[str, Any]:
    with _Lease(ctx, agent_id):
        integration = ctx.integrations.get(agent_id)
        try:
            integration.require_can_create_trigger()
        except TriggerExistsError as exc:
            exc.extra["trigger"] = _current_or_none(ctx, integration)
            raise
        with ctx.zendesk_for(integration) as zendesk:
            if integration.trigger.status == "inactive" and integration.trigger.trigger_id:
                reactivated = _reactivate(ctx, zendesk, integration)
                if reactivated is not None:
                    return reactivated
            return _create_new(ctx, zendesk, integration, public_base_url, request)


def _create_new(
    ctx: Context,
    zendesk: ZendeskClient,
    integration: Integration,
    public_base_url: str,
    request: CreateTriggerRequest,
) -> dict[str, Any]:
    agent_id = integration.agent_id
    user = integration.authorization.user
    assert user is not None  # authorized integrations always know their user
    categories = _categories(zendesk)
    category = choose_category(categories, request.category_id)
    candidates = rules.loop_guard_candidates(_definitions(zendesk), user.id)
    webhook = zendesk.create_webhook(
        WebhookCreate(
            name=f"AI agent {agent_id}",
            endpoint=webhook_endpoint(public_base_url, agent_id),
            description="Receives public email comments for the AI agent.",
        )
    )
    created: Trigger | None = None
    try:
        secret = zendesk.webhook_signing_secret(webhook.id)
        ctx.vault.write_webhook_secret(
            agent_id, WebhookSecret(webhook_id=webhook.id, signing_secret=secret)
        )
        created, guard, body = _create_with_loop_guard(
            zendesk, agent_id, user.id, webhook, candidates, category=category
        )
        if request.position is not None:
            move_within_category(zendesk, created, request.position, categories)
            created = zendesk.get_trigger(created.id)
    except Exception:
        if created is not None:
            with contextlib.suppress(ZendeskError):
                zendesk.delete_trigger(created.id)
        _remove_orphan_webhook(ctx, zendesk, agent_id, webhook.id)
        raise
    fingerprint = rules.config_fingerprint(body)
    saved = ctx.integrations.save(
        ctx.integrations.get(agent_id).with_trigger(
            created.id,
            webhook.id,
            fingerprint,
            ctx.now(),
            category_id=created.category_id,
            loop_guard=guard,
        )
    )
    logger.info(
        "trigger_created",
        extra={"agent_id": agent_id, "trigger_id": created.id, "loop_guard": guard.form},
    )
    return {
        "trigger": trigger_json(created),
        "webhook": webhook.to_json(),
        "integration": saved.public(),
        "category": category_json(created.category_id, categories),
        "loop_guard": guard.public(),
    }


def _categories(zendesk: ZendeskClient) -> list[TriggerCategory]:
    """The account's trigger categories, or none where the API is not enabled (403/404)."""
    try:
        return zendesk.list_trigger_categories()
    except (ZendeskForbidden, ZendeskNotFound):
        return []


def _definitions(zendesk: ZendeskClient) -> dict[str, Any] | None:
    try:
        return zendesk.trigger_definitions()
    except ZendeskClientError as exc:
        logger.warning(
            "trigger_definitions_unreadable", extra={"zendesk_status": exc.zendesk_status}
        )
        return None


def describe_categories(categories: list[TriggerCategory]) -> str:
    return ", ".join(f"{c.name!r} ({c.id})" for c in categories) or "none"


def choose_category(
    categories: list[TriggerCategory], wanted: str | None
) -> TriggerCategory | None:
    """The category asked for, else the first by position (None: the account has none)."""
    if wanted is None:
        return categories[0] if categories else None
    for category in categories:
        if category.id == wanted:
            return category
    raise ValidationFailedError(
        f"category_id {wanted!r} is not a trigger category of this Zendesk account; its "
        f"categories are: {describe_categories(categories)}"
    )


def category_json(
    category_id: str | None, categories: list[TriggerCategory]
) -> dict[str, Any] | None:
    if category_id is None:
        return None
    name = next((c.name for c in categories if c.id == category_id), None)
    return {"id": category_id, "name": name}


def _create_with_loop_guard(
    zendesk: ZendeskClient,
    agent_id: str,
    user_id: int,
    webhook: Webhook,
    candidates: list[rules.LoopGuard],
    *,
    category: TriggerCategory | None,
) -> tuple[Trigger, rules.LoopGuard, dict[str, Any]]:
    """Create the trigger with the first loop-guard form Zendesk accepts (422 -> the next)."""
    refused: ZendeskInvalidRecord | None = None
    for guard in candidates:
        body = rules.default_trigger(
            agent_id, user_id, webhook.id, guard, category.id if category else None
        )
        try:
            created = zendesk.create_trigger(TriggerPayload.from_json(body))
        except ZendeskInvalidRecord as exc:
            logger.warning(
                "loop_guard_refused", extra={"agent_id": agent_id, "loop_guard": guard.form}
            )
            refused = exc
            continue
        return created, guard, body
    assert refused is not None  # candidates always end with receiver_only
    raise refused


def _remove_orphan_webhook(
    ctx: Context, zendesk: ZendeskClient, agent_id: str, webhook_id: str
) -> None:
    try:
        zendesk.delete_webhook(webhook_id)
    except ZendeskNotFound:
        pass
    except ZendeskError:
        logger.error("orphan_webhook_left", extra={"agent_id": agent_id, "webhook_id": webhook_id})
    ctx.vault.delete_webhook_secret(agent_id)


def _reactivate(
    ctx: Context, zendesk: ZendeskClient, integration: Integration
) -> dict[str, Any] | None:
    """The trigger we deactivated earlier comes back on (None if it was deleted in Zendesk)."""
    trigger_id = integration.trigger.trigger_id
    webhook_id = integration.trigger.webhook_id
    assert trigger_id is not None
    try:
        zendesk.update_many_triggers([{"id": trigger_id, "active": True}])
        trigger = zendesk.get_trigger(trigger_id)
        webhook = zendesk.get_webhook(webhook_id or "")
    except ZendeskNotFound:
        ctx.integrations.save(ctx.integrations.get(integration.agent_id).trigger_removed())
        return None
    if webhook.status != "active":
        zendesk.update_webhook_status(webhook.id, "active")
    saved = ctx.integrations.save(ctx.integrations.get(integration.agent_id).trigger_reactivated())
    logger.info("trigger_reactivated", extra={"agent_id": integration.agent_id})
    categories = _categories(zendesk) if trigger.category_id else []
    return {
        "trigger": trigger_json(trigger),
        "webhook": webhook.to_json(),
        "integration": saved.public(),
        "category": category_json(trigger.category_id, categories),
        "loop_guard": _loop_guard_view(saved),
    }


def _current_or_none(ctx: Context, integration: Integration) -> dict[str, Any] | None:
    if not integration.trigger.trigger_id:
        return None
    try:
        with ctx.zendesk_for(integration) as zendesk:
            return trigger_json(zendesk.get_trigger(integration.trigger.trigger_id))
    except ZendeskError:
        return None


def _require_trigger(integration: Integration) -> int:
    if integration.trigger.status == "none" or not integration.trigger.trigger_id:
        raise TriggerNotActiveError(
            "there is no automation trigger yet: create it first "
            f"(POST /agents/{integration.agent_id}/integration/trigger)"
        )
    return integration.trigger.trigger_id


def get_trigger(ctx: Context, agent_id: str) -> dict[str, Any]:
    """The trigger as Zendesk has it now, and whether it drifted from what we last wrote."""
    integration = ctx.integrations.get(agent_id)
    trigger_id = _require_trigger(integration)
    integration.require_authorized("reading the automation trigger")
    with ctx.zendesk_for(integration) as zendesk:
        try:
            trigger = zendesk.get_trigger(trigger_id)
        except ZendeskNotFound:
            return {
                "trigger": None,
                "drift": {"status": "deleted", "detail": _deleted(agent_id)},
                "category": None,
                "loop_guard": _loop_guard_view(integration),
            }
        categories = _categories(zendesk) if trigger.category_id else []
    return {
        "trigger": trigger_json(trigger),
        "drift": drift_of(integration, trigger),
        "category": category_json(trigger.category_id, categories),
        "loop_guard": _loop_guard_view(integration),
    }


def recorded_loop_guard(integration: Integration) -> rules.LoopGuard | None:
    """The form the trigger was created with; triggers made before it was recorded carry the
    id form (None when the integration has no user)."""
    if integration.trigger.loop_guard is not None:
        return integration.trigger.loop_guard
    user = integration.authorization.user
    if user is None:
        return None
    return rules.LoopGuard(form="not_ai_agent_user", condition=rules.loop_guard(user.id))


def _loop_guard_view(integration: Integration) -> dict[str, Any] | None:
    guard = recorded_loop_guard(integration)
    return guard.public() if guard is not None else None


def _deleted(agent_id: str) -> str:
    return (
        "the trigger was deleted in Zendesk; deactivate it here and create it again "
        f"(POST /agents/{agent_id}/integration/trigger)"
    )


def drift_of(integration: Integration, trigger: Trigger) -> dict[str, str]:
    expected_active = integration.trigger.status == "active"
    if bool(trigger.active) != expected_active:
        state = "active" if trigger.active else "inactive"
        return {
            "status": "deactivated" if expected_active else "reactivated",
            "detail": f"the trigger is {state} in Zendesk but {integration.trigger.status} here",
        }
    fingerprint = rules.config_fingerprint(trigger.to_json())
    if (
        integration.trigger.config_fingerprint
        and fingerprint != integration.trigger.config_fingerprint
    ):
        return {
            "status": "modified",
            "detail": "the trigger was edited in Zendesk since it was created or saved here",
        }
    return {"status": "in_sync", "detail": "the trigger matches what this integration saved"}


def update_trigger(ctx: Context, agent_id: str, request: UpdateTriggerRequest) -> dict[str, Any]:
    with _Lease(ctx, agent_id):
        integration = ctx.integrations.get(agent_id)
        trigger_id = _require_trigger(integration)
        integration.require_authorized("editing the automation trigger")
        edit = request.trigger
        with ctx.zendesk_for(integration) as zendesk:
            current = zendesk.get_trigger(trigger_id)
            update = _prepared_update(integration, current, edit, request.allow_unsafe)
            try:
                if update is not None:
                    zendesk.update_trigger(trigger_id, update)
                if edit.position is not None:
                    move_within_category(zendesk, current, edit.position)
            except ZendeskInvalidRecord as exc:
                raise ValidationFailedError(f"Zendesk refused the trigger: {exc.detail}") from exc
            trigger = zendesk.get_trigger(trigger_id)
        fingerprint = rules.config_fingerprint(trigger.to_json())
        ctx.integrations.save(ctx.integrations.get(agent_id).trigger_edited(fingerprint))
        logger.info("trigger_updated", extra={"agent_id": agent_id, "trigger_id": trigger_id})
        return {"trigger": trigger_json(trigger)}


def _prepared_update(
    integration: Integration, current: Trigger, edit: TriggerEdit, allow_unsafe: bool
) -> TriggerPayload | None:
    if edit.title is None and edit.conditions is None and edit.actions is None:
        return None
    conditions = (
        rules.check_conditions_shape(edit.conditions)
        if edit.conditions is not None
        else current.conditions.to_json()
    )
    actions = (
        rules.check_actions_shape(edit.actions)
        if edit.actions is not None
        else [a.to_json() for a in current.actions]
    )
    user = integration.authorization.user
    if not allow_unsafe and user is not None:
        rules.check_safe_edit(
            conditions,
            actions,
            ai_agent_user_id=user.id,
            webhook_id=integration.trigger.webhook_id or "",
            guard=recorded_loop_guard(integration),
        )
    fields: dict[str, Any] = {
        "title": edit.title if edit.title is not None else current.title or current.raw_title,
        "conditions": conditions,
        "actions": actions,
        "active": bool(current.active),
    }
    return TriggerPayload.from_json(fields)


def move_within_category(
    zendesk: ZendeskClient,
    trigger: Trigger,
    position: int,
    categories: list[TriggerCategory] | None = None,
) -> None:
    """Put ``trigger`` at ``position`` (1 = first) among the triggers of its category, the
    others keeping their order. One category: Zendesk's reorder API; several (reorder answers
    ``LimitOneCategory``) or a refused reorder: ``update_many`` with the category's positions.
    A refused ``update_many`` is a 422 naming the account's categories."""
    categories = _categories(zendesk) if categories is None else categories
    everyone = sorted(zendesk.list_triggers(), key=lambda t: (t.position or 0, t.id))
    siblings = [t.id for t in everyone if t.category_id == trigger.category_id]
    siblings = [i for i in siblings if i != trigger.id]
    siblings.insert(min(position - 1, len(siblings)), trigger.id)
    if len(categories) <= 1:
        try:
            zendesk.reorder_triggers(siblings)
            return
        except ZendeskClientError as exc:
            logger.info("trigger_reorder_refused", extra={"zendesk_error": exc.zendesk_error})
    items = [{"id": i, "position": n} for n, i in enumerate(siblings, start=1)]
    try:
        zendesk.update_many_triggers(items)
    except ZendeskClientError as exc:
        where = category_json(trigger.category_id, categories) or {"id": None, "name": None}
        raise ValidationFailedError(
            f"Zendesk refused to move the trigger to position {position} in its category "
            f"{where['name']!r} ({where['id']}): {exc.detail}. The account's trigger categories: "
            f"{describe_categories(categories)}; move it in Zendesk (Admin Center > Objects and "
            "rules > Triggers) or choose another position"
        ) from exc


def deactivate_trigger(ctx: Context, agent_id: str) -> Integration:
    """Deactivate in Zendesk (a trigger deleted there by hand counts as done). Idempotent."""
    with _Lease(ctx, agent_id):
        integration = ctx.integrations.get(agent_id)
        integration.require_can_deactivate_trigger()
        if integration.trigger.status != "active" or not integration.trigger.trigger_id:
            return integration
        with ctx.zendesk_for(integration) as zendesk:
            try:
                zendesk.update_many_triggers(
                    [{"id": integration.trigger.trigger_id, "active": False}]
                )
            except ZendeskNotFound:
                logger.info("trigger_already_deleted", extra={"agent_id": agent_id})
        saved = ctx.integrations.save(ctx.integrations.get(agent_id).trigger_deactivated())
        logger.info("trigger_deactivated", extra={"agent_id": agent_id})
        return saved


def remove_trigger_and_webhook(ctx: Context, agent_id: str) -> Integration:
    """Delete our trigger and webhook in Zendesk (used when removing the integration)."""
    integration = ctx.integrations.get(agent_id)
    integration.require_can_deactivate_trigger()
    if integration.trigger.trigger_id or integration.trigger.webhook_id:
        with ctx.zendesk_for(integration) as zendesk:
            if integration.trigger.trigger_id:
                with contextlib.suppress(ZendeskNotFound):
                    zendesk.delete_trigger(integration.trigger.trigger_id)
            if integration.trigger.webhook_id:
                with contextlib.suppress(ZendeskNotFound):
                    zendesk.delete_webhook(integration.trigger.webhook_id)
    ctx.vault.delete_webhook_secret(agent_id)
    return ctx.integrations.save(ctx.integrations.get(agent_id).trigger_removed())
