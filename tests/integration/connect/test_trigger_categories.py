"""The trigger on accounts with several trigger categories, and its loop-guard form.

The sandbox seeds every account with three categories (``Notifications`` first, then
``Escalations`` and ``Follow-ups`` with one inactive trigger each), so reorder is refused there
with ``LimitOneCategory`` and the move has to go through ``update_many``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from zdagent.core.errors import ValidationFailedError
from zdagent.domain.integration import Integration
from zdagent.domain.trigger_request import CreateTriggerRequest, TriggerEdit, UpdateTriggerRequest
from zdagent.services import integration as integrations
from zdagent.services import trigger
from zdagent.services.context import Context
from zdsandbox.server import SandboxServer

PUBLIC = "http://127.0.0.1:9"


def zendesk(ctx: Context, sandbox: SandboxServer, agent_id: str, path: str, **params: Any) -> Any:
    tokens = ctx.vault.read_tokens(agent_id, cached=False)
    assert tokens is not None
    response = httpx.get(
        f"{sandbox.url}/acme{path}",
        params=params,
        headers={"Authorization": f"Bearer {tokens.access_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def categories(ctx: Context, sandbox: SandboxServer, agent_id: str) -> list[dict[str, Any]]:
    return list(zendesk(ctx, sandbox, agent_id, "/api/v2/trigger_categories")["trigger_categories"])


def in_category(ctx: Context, sandbox: SandboxServer, agent_id: str, category: str) -> list[int]:
    listed = zendesk(ctx, sandbox, agent_id, "/api/v2/triggers", category_id=category)
    return [t["id"] for t in listed["triggers"]]


def sandbox_control(sandbox: SandboxServer, method: str, path: str, body: Any = None) -> None:
    response = httpx.request(method, f"{sandbox.url}/acme/_sandbox{path}", json=body, timeout=10)
    assert response.is_success, response.text


def test_created_in_the_first_category_and_moved_there_with_update_many(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    agent_id = authorized.agent_id
    first = categories(ctx, sandbox, agent_id)[0]
    placeholder = zendesk(ctx, sandbox, agent_id, "/api/v2/triggers")["triggers"][0]
    created = trigger.create_trigger(ctx, agent_id, PUBLIC, CreateTriggerRequest(position=1))
    ours = created["trigger"]["id"]
    assert created["category"] == {"id": first["id"], "name": "Notifications"}
    assert created["trigger"]["category_id"] == first["id"]
    assert in_category(ctx, sandbox, agent_id, first["id"])[0] == ours
    assert placeholder["category_id"] != first["id"]  # the other categories keep theirs
    assert created["loop_guard"]["form"] == "not_ai_agent_user"
    assert created["loop_guard"]["condition"] == {
        "field": "role",
        "operator": "is_not",
        "value": str(authorized.authorization.user.id),  # type: ignore[union-attr]
    }
    view = trigger.get_trigger(ctx, agent_id)
    assert view["category"]["name"] == "Notifications"
    assert view["loop_guard"] == created["loop_guard"]
    assert ctx.integrations.get(agent_id).public()["trigger"]["category_id"] == first["id"]


def test_the_admin_chooses_the_category_and_the_position_inside_it(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    agent_id = authorized.agent_id
    escalations = categories(ctx, sandbox, agent_id)[1]
    already = in_category(ctx, sandbox, agent_id, escalations["id"])
    created = trigger.create_trigger(
        ctx,
        agent_id,
        PUBLIC,
        CreateTriggerRequest(category_id=escalations["id"], position=1),
    )
    ours = created["trigger"]["id"]
    assert created["category"] == {"id": escalations["id"], "name": "Escalations"}
    assert in_category(ctx, sandbox, agent_id, escalations["id"]) == [ours, *already]
    trigger.update_trigger(ctx, agent_id, UpdateTriggerRequest(trigger=TriggerEdit(position=2)))
    assert in_category(ctx, sandbox, agent_id, escalations["id"]) == [*already, ours]


def test_an_unknown_category_is_refused_naming_the_categories_before_anything_is_made(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    agent_id = authorized.agent_id
    with pytest.raises(ValidationFailedError) as refused:
        trigger.create_trigger(ctx, agent_id, PUBLIC, CreateTriggerRequest(category_id="123456"))
    for name in ("'Notifications'", "'Escalations'", "'Follow-ups'"):
        assert name in refused.value.detail
    assert zendesk(ctx, sandbox, agent_id, "/api/v2/webhooks")["webhooks"] == []


def test_a_refused_move_names_the_categories_and_leaves_nothing_behind(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    agent_id = authorized.agent_id
    before = zendesk(ctx, sandbox, agent_id, "/api/v2/triggers")["triggers"]
    fault = {"path_regex": "triggers/update_many", "status": 403, "times": 5}
    sandbox_control(sandbox, "POST", "/faults", fault)
    with pytest.raises(ValidationFailedError) as refused:
        trigger.create_trigger(ctx, agent_id, PUBLIC, CreateTriggerRequest(position=1))
    assert "'Notifications'" in refused.value.detail and "'Follow-ups'" in refused.value.detail
    assert zendesk(ctx, sandbox, agent_id, "/api/v2/triggers")["triggers"] == before
    assert zendesk(ctx, sandbox, agent_id, "/api/v2/webhooks")["webhooks"] == []
    assert ctx.integrations.get(agent_id).trigger.status == "none"


def test_an_account_that_offers_only_roles_gets_the_end_user_form(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    sandbox_control(sandbox, "PUT", "/settings", {"current_user_condition": "roles_only"})
    created = trigger.create_trigger(ctx, authorized.agent_id, PUBLIC, CreateTriggerRequest())
    guard = created["loop_guard"]
    assert guard["form"] == "end_user_only"
    assert guard["condition"] == {"field": "role", "operator": "is", "value": "end_user"}
    assert "end users" in guard["detail"]
    assert guard["condition"] in created["trigger"]["conditions"]["all"]
    # the edit rules protect the form the trigger was created with
    unsafe = TriggerEdit(conditions={"all": created["trigger"]["conditions"]["all"][:2], "any": []})
    with pytest.raises(ValidationFailedError):
        trigger.update_trigger(ctx, authorized.agent_id, UpdateTriggerRequest(trigger=unsafe))


def test_a_refused_condition_falls_back_to_the_next_form(
    ctx: Context, authorized: Integration, sandbox: SandboxServer
) -> None:
    fault = {"path_regex": r"/api/v2/triggers(\.json)?$", "method": "POST", "status": 422}
    sandbox_control(sandbox, "POST", "/faults", fault)
    created = trigger.create_trigger(ctx, authorized.agent_id, PUBLIC, CreateTriggerRequest())
    assert created["loop_guard"]["form"] == "end_user_only"
    saved = ctx.integrations.get(authorized.agent_id).trigger.loop_guard
    assert saved is not None and saved.form == "end_user_only"


def test_a_wrong_subdomain_is_named_at_once(
    ctx: Context, new_integration: Callable[..., Integration]
) -> None:
    with pytest.raises(ValidationFailedError) as refused:
        new_integration(subdomain="acmee", email="ai-agent@acmee.test")
    assert "no Zendesk account at" in refused.value.detail
    assert "acmee" in refused.value.detail
    assert new_integration().subdomain == "acme"


def test_an_unreachable_zendesk_is_a_wrong_subdomain_too(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zdagent.core.settings import reset_settings_cache  # noqa: PLC0415

    monkeypatch.setenv("ZENDESK_BASE_URL_TEMPLATE", "http://127.0.0.1:9/{subdomain}")
    reset_settings_cache()
    with pytest.raises(ValidationFailedError) as refused:
        integrations.require_zendesk_account("nowhere")
    assert refused.value.detail.startswith("no Zendesk account at 127.0.0.1:9/nowhere")
