"""Helpers for the workflow tests: connect an agent through the use cases, watch executions."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import boto3
import httpx

from tests.support import polling
from tests.support.flows import authorize_agent, callback_params
from zdagent.domain.trigger_request import CreateTriggerRequest
from zdagent.services import agents, engine, trigger
from zdagent.services.context import default_context
from zdsandbox.server import SandboxServer

CLIENT_ID = "zdg-local-ai-agent"  # the local stack's global OAuth client (LOCAL_PARAMETERS)
CLIENT_SECRET = "local-oauth-client-secret"
PUBLIC_BASE_URL = "http://127.0.0.1:9"  # the webhook endpoint; nothing needs to answer there


@dataclass
class Connected:
    agent_id: str
    subdomain: str
    sandbox_url: str
    _admin_token: str = ""

    def control(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return httpx.request(
            method, f"{self.sandbox_url}/{self.subdomain}/_sandbox{path}", json=body, timeout=10
        )

    def fault(
        self,
        path_regex: str,
        status: int,
        times: int,
        method: str | None = None,
        delay_ms: int = 0,
    ) -> None:
        body: dict[str, Any] = {
            "path_regex": path_regex,
            "status": status,
            "times": times,
            "delay_ms": delay_ms,
        }
        if method:
            body["method"] = method
        answer = self.control("POST", "/faults", body)
        assert answer.status_code == 201, answer.text

    def oauth_tokens(self) -> list[dict[str, Any]]:
        """The tokens the sandbox issued (never their values): user_email, revoked, ..."""
        answer = self.control("GET", "/oauth_tokens")
        assert answer.status_code == 200, answer.text
        tokens: list[dict[str, Any]] = answer.json()["oauth_tokens"]
        return tokens

    def as_admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A Zendesk API call by the account's admin (a person acting in Zendesk by hand)."""
        if not self._admin_token:
            self._admin_token = sandbox_token(
                self.sandbox_url, self.subdomain, f"admin@{self.subdomain}.test"
            )
        headers = {"Authorization": f"Bearer {self._admin_token}"}
        return httpx.request(
            method,
            f"{self.sandbox_url}/{self.subdomain}{path}",
            headers=headers,
            timeout=10,
            **kwargs,
        )


def sandbox_token(
    sandbox_url: str, subdomain: str, email: str, public_base_url: str = PUBLIC_BASE_URL
) -> str:
    """An OAuth token straight from the sandbox (authorization code + PKCE) for ``email``: a
    person acting in Zendesk, not our integration. The redirect is the sandbox's registered
    one: ``public_base_url``'s callback."""
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    )
    redirect = f"{public_base_url}/oauth/zendesk/callback"
    base = f"{sandbox_url}/{subdomain}"
    consent = httpx.get(
        f"{base}/oauth/authorizations/new",
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": redirect,
            "scope": "read write",
            "state": "admin",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "sandbox_login": email,
        },
        timeout=10,
    )
    assert consent.status_code == 302, consent.text
    code = callback_params(consent.headers["location"])["code"]
    answer = httpx.post(
        f"{base}/oauth/tokens",
        json={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["access_token"])


def connect(sandbox: SandboxServer, subdomain: str, *, engine_on: bool = True) -> Connected:
    """Agent + integration + OAuth through the sandbox's consent page + trigger + engine on,
    all through the use cases the admin API calls."""
    ctx = default_context()
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="Workflow agent"))
    authorize_agent(ctx, agent.agent_id, subdomain, PUBLIC_BASE_URL)
    trigger.create_trigger(ctx, agent.agent_id, PUBLIC_BASE_URL, CreateTriggerRequest())
    if engine_on:
        engine.toggle_engine(ctx, agent.agent_id, True)
    return Connected(agent.agent_id, subdomain, sandbox.url)


def wait_for_execution(arn: str, deadline_seconds: float = 60) -> dict[str, Any]:
    """Poll the execution until it leaves RUNNING (bounded by a deadline)."""
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.05)
    raise AssertionError(f"execution {arn} still running after {deadline_seconds}s")


wait_until = polling.wait_until


def history_events(arn: str) -> list[dict[str, Any]]:
    sfn: Any = boto3.client("stepfunctions")
    events: list[dict[str, Any]] = sfn.get_execution_history(executionArn=arn, maxResults=1000)[
        "events"
    ]
    return events


def entered_states(arn: str) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in history_events(arn)
        if "stateEnteredEventDetails" in e
    ]


def parse_json(text: str | None) -> Any:
    return json.loads(text) if text else None
