"""Connect an agent end to end: over HTTP against the local stack, or through use cases.

Authorization goes through the sandbox's real consent endpoint: ``sandbox_login=<email>``
approves at once as that Zendesk user and redirects to our callback with code and state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

if TYPE_CHECKING:
    from zdagent.domain.integration import Integration
    from zdagent.services.context import Context

AI_AGENT = "ai-agent@{sub}.test"
ADMIN = "admin@{sub}.test"


def consent_redirect(authorize_url: str, login_email: str) -> str:
    """Approve the consent page as ``login_email``; returns the callback URL it redirects to."""
    separator = "&" if "?" in authorize_url else "?"
    url = f"{authorize_url}{separator}{urlencode({'sandbox_login': login_email})}"
    response = httpx.get(url, follow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), (response.status_code, response.text[:300])
    return response.headers["location"]


def callback_params(callback_url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(callback_url).query).items()}


def new_sandbox_account(sandbox_url: str, prefix: str) -> str:
    """A fresh sandbox account (seeded like acme) named ``prefix`` + random hex; its subdomain."""
    subdomain = f"{prefix}{uuid.uuid4().hex[:10]}"
    created = httpx.post(
        f"{sandbox_url}/_sandbox/accounts", json={"subdomain": subdomain}, timeout=10
    )
    assert created.status_code == 201, created.text
    return subdomain


def authorize_agent(ctx: Context, agent_id: str, subdomain: str, public_url: str) -> Integration:
    """The integration on ``subdomain`` (its AI agent user ``AI_AGENT``) and its authorization
    through the sandbox's consent page, by the use cases the admin API calls; ``public_url`` is
    our API's URL (its OAuth callback must be a registered Redirect URL of the sandbox)."""
    from zdagent.services import authorization, integration  # noqa: PLC0415 (after the env)

    email = AI_AGENT.format(sub=subdomain)
    request = integration.CreateIntegrationRequest(
        crm="zendesk_support", subdomain=subdomain, ai_agent_user_email=email
    )
    integration.create_integration(ctx, agent_id, request)
    url = authorization.start_authorization(ctx, agent_id, public_url)
    params = callback_params(consent_redirect(url, email))
    return authorization.complete_authorization(ctx, state=params["state"], code=params["code"])


@dataclass
class Api:
    """The admin API of a running stack."""

    base_url: str
    admin_token: str = "local-admin-token"

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        return httpx.request(
            method, self.base_url + path, json=body, headers=headers, timeout=30, **kwargs
        )

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.call(method, path, body)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None


def http_create_agent(api: Api, name: str = "Demo agent", **settings: Any) -> str:
    body: dict[str, Any] = {"name": name}
    if settings:
        body["settings"] = settings
    return str(api.ok("POST", "/agents", body, status=201)["agent_id"])


def http_authorize(api: Api, agent_id: str, login_email: str) -> httpx.Response:
    """Click Authorize, allow in Zendesk as ``login_email``, and land on our callback page."""
    start = api.ok("POST", f"/agents/{agent_id}/integration/authorization")
    callback = consent_redirect(start["authorize_url"], login_email)
    return httpx.get(callback, timeout=30)


def http_connect(
    api: Api, subdomain: str = "acme", *, trigger: bool = True, engine: bool = True, **settings: Any
) -> str:
    """Agent + integration + authorization (+ trigger, + engine on). Returns the agent id."""
    agent_id = http_create_agent(api, **settings)
    api.ok(
        "POST",
        f"/agents/{agent_id}/integration",
        {
            "crm": "zendesk_support",
            "subdomain": subdomain,
            "ai_agent_user_email": AI_AGENT.format(sub=subdomain),
        },
        status=201,
    )
    page = http_authorize(api, agent_id, AI_AGENT.format(sub=subdomain))
    assert page.status_code == 200, page.text
    if trigger:
        api.ok("POST", f"/agents/{agent_id}/integration/trigger", status=201)
    if trigger and engine:
        api.ok("PUT", f"/agents/{agent_id}/integration/engine", {"enabled": True})
    return agent_id


def counted_stats(
    api: Api, agent_id: str, where: str, key: str, seconds: float = 30
) -> dict[str, Any]:
    """The agent's statistics once ``stats[where][key]`` counts something. A decision is written
    to the log, then counted (a second write): the count is the last trace of a decision, so once
    it shows, the conversation, its messages and its decisions are listed too. Reading the log or
    the stats once right after the reply reached Zendesk (the worker posts it, then logs it) is a
    race the loaded CI machine loses."""
    from tests.support.polling import wait_until  # noqa: PLC0415 (keeps flows import-light)

    def stats() -> dict[str, Any] | None:
        found = dict(api.ok("GET", f"/agents/{agent_id}/stats"))
        return found if found.get(where, {}).get(key) else None

    return wait_until(f"the agent's stats count {where}.{key}", stats, seconds, 0.25)
