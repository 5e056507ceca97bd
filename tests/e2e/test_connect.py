"""Connect on the local stack, over HTTP, through the sandbox's consent page."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.support.flows import (
    AI_AGENT,
    Api,
    consent_redirect,
    http_authorize,
    http_create_agent,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


def add_integration(api: Api, agent_id: str, subdomain: str = "acme") -> dict[str, object]:
    body = {
        "crm": "zendesk_support",
        "subdomain": subdomain,
        "ai_agent_user_email": AI_AGENT.format(sub=subdomain),
    }
    return dict(api.ok("POST", f"/agents/{agent_id}/integration", body, status=201))


def sandbox_tokens(stack: RunningStack, sub: str = "acme") -> list[dict[str, object]]:
    tokens: list[dict[str, object]] = httpx.get(
        f"{stack.sandbox_url}/{sub}/_sandbox/oauth_tokens", timeout=10
    ).json()["oauth_tokens"]
    return tokens


def test_agent_settings_defaults_and_validation(api: Api) -> None:
    agent_id = http_create_agent(api)
    agent = api.ok("GET", f"/agents/{agent_id}")
    assert agent["settings"]["stale_after_days"] == 3
    assert agent["settings"]["mode"] == "live"
    patched = api.ok("PATCH", f"/agents/{agent_id}", {"settings": {"mode": "shadow"}})
    assert patched["settings"]["mode"] == "shadow"
    bad = api.call("PATCH", f"/agents/{agent_id}", {"mode": "loud"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "mode" in bad.json()["detail"]
    unknown = api.call("POST", "/agents", {"name": "x", "colour": "red"})
    assert unknown.status_code == 422
    assert "colour" in unknown.json()["detail"]


def test_unknown_agent_and_bad_subdomain_get_clear_errors(api: Api) -> None:
    missing = api.call("GET", "/agents/agt_nope")
    assert missing.status_code == 404
    assert "agt_nope" in missing.json()["detail"]
    agent_id = http_create_agent(api)
    hostile = api.call(
        "POST",
        f"/agents/{agent_id}/integration",
        {"crm": "zendesk_support", "subdomain": "evil.com/x", "ai_agent_user_email": "a@b.co"},
    )
    assert hostile.status_code == 422
    assert "subdomain" in hostile.json()["detail"]


def test_admin_routes_need_the_token(local_stack: RunningStack) -> None:
    response = httpx.post(f"{local_stack.api_url}/agents", json={"name": "x"}, timeout=10)
    assert response.status_code == 401


def test_full_connect_then_revoke_then_authorize_again(api: Api, local_stack: RunningStack) -> None:
    agent_id = http_create_agent(api)
    add_integration(api, agent_id)
    before = api.ok("GET", f"/agents/{agent_id}/integration/checks")["checks"]
    assert before[0]["ok"] is False
    assert "Authorize" in before[0]["detail"]

    page = http_authorize(api, agent_id, "ai-agent@acme.test")
    assert page.status_code == 200
    assert "window.close" in page.text
    integration = api.ok("GET", f"/agents/{agent_id}/integration")
    assert integration["authorization"]["status"] == "authorized"
    assert integration["authorization"]["user"]["email"] == "ai-agent@acme.test"
    checks = {
        c["name"]: c for c in api.ok("GET", f"/agents/{agent_id}/integration/checks")["checks"]
    }
    for name in (
        "ai_agent_user_is_admin",
        "ai_agent_user_single_group",
        "token_belongs_to_ai_agent_user",
    ):
        assert checks[name]["ok"], checks[name]

    revoked = api.ok("DELETE", f"/agents/{agent_id}/integration/authorization")
    assert revoked["authorization"]["status"] == "revoked"
    assert http_authorize(api, agent_id, "ai-agent@acme.test").status_code == 200
    again = api.ok("GET", f"/agents/{agent_id}/integration")
    assert again["authorization"]["status"] == "authorized"


def test_wrong_user_gets_403_page_and_token_is_revoked(api: Api, local_stack: RunningStack) -> None:
    agent_id = http_create_agent(api)
    add_integration(api, agent_id)
    page = http_authorize(api, agent_id, "admin@acme.test")
    assert page.status_code == 403
    assert "ai-agent@acme.test" in page.text
    admin_tokens = [
        t
        for t in sandbox_tokens(local_stack)
        if t.get("user_email") == "admin@acme.test" or t.get("user_id") == 10001
    ]
    assert admin_tokens
    assert all(t["revoked"] for t in admin_tokens)
    assert (
        api.ok("GET", f"/agents/{agent_id}/integration")["authorization"]["status"]
        == "unauthorized"
    )


def test_denied_and_replayed_and_forged_state_pages(api: Api, local_stack: RunningStack) -> None:
    agent_id = http_create_agent(api)
    add_integration(api, agent_id)
    start = api.ok("POST", f"/agents/{agent_id}/integration/authorization")["authorize_url"]
    state = start.split("state=")[1].split("&")[0]
    denied = httpx.get(
        f"{local_stack.api_url}/oauth/zendesk/callback",
        params={
            "error": "access_denied",
            "error_description": "The end-user denied",
            "state": state,
        },
        timeout=10,
    )
    assert denied.status_code == 400
    assert "Nothing was stored" in denied.text

    callback = consent_redirect(
        api.ok("POST", f"/agents/{agent_id}/integration/authorization")["authorize_url"],
        "ai-agent@acme.test",
    )
    assert httpx.get(callback, timeout=30).status_code == 200
    replayed = httpx.get(callback, timeout=30)
    assert replayed.status_code == 400
    assert "already used" in replayed.text
    forged = httpx.get(
        f"{local_stack.api_url}/oauth/zendesk/callback",
        params={"code": "x", "state": "forged"},
        timeout=10,
    )
    assert forged.status_code == 400


def test_one_integration_per_agent_and_delete_rules(api: Api, local_stack: RunningStack) -> None:
    agent_id = http_create_agent(api)
    add_integration(api, agent_id)
    second = api.call(
        "POST",
        f"/agents/{agent_id}/integration",
        {"crm": "zendesk_support", "subdomain": "other", "ai_agent_user_email": "a@other.test"},
    )
    assert second.status_code == 409
    assert http_authorize(api, agent_id, "ai-agent@acme.test").status_code == 200
    refused = api.call("DELETE", f"/agents/{agent_id}/integration")
    assert refused.status_code == 409
    assert "revoke" in refused.json()["detail"].lower()
    api.ok("DELETE", f"/agents/{agent_id}/integration/authorization")
    assert api.call("DELETE", f"/agents/{agent_id}/integration").status_code == 204
    # the agent may connect elsewhere now (to an account that exists: the subdomain is checked)
    httpx.post(f"{local_stack.sandbox_url}/_sandbox/accounts", json={"subdomain": "globex"})
    add_integration(api, agent_id, "globex")
