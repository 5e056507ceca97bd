"""Helpers for the sandbox tests: accounts, OAuth, API calls, polling, a webhook receiver."""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from tests.support import polling
from zdsandbox.server import SandboxServer

REPO_ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "zdg-local-ai-agent"
CLIENT_SECRET = "local-oauth-client-secret"
REDIRECT_URI = "http://127.0.0.1:3000/oauth/zendesk/callback"
_subdomains = itertools.count(1)


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.02) -> Any:
    """Polls ``predicate`` until it returns something truthy or the deadline passes (30 s: the
    sandbox's delivery threads share a loaded CI machine)."""
    return polling.wait_until("the condition", predicate, timeout, interval)


class FakeClock:
    """An injectable clock that starts at real time and moves only when told."""

    def __init__(self) -> None:
        self.now = time.time()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class Account:
    """A fresh sandbox account and an httpx client against the sandbox."""

    client: httpx.Client
    subdomain: str
    users: dict[str, dict[str, Any]]

    def path(self, rest: str) -> str:
        return f"/{self.subdomain}{rest}"

    def user_id(self, local_part: str) -> int:
        return int(self.users[f"{local_part}@{self.subdomain}.test"]["id"])

    @property
    def customer_id(self) -> int:
        return int(self.users["customer@example.com"]["id"])

    def authorize_params(self, **extra: str) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "read write",
            "state": "state-123",
        }
        params.update(extra)
        return params

    def code_for(self, email: str, scope: str = "read write") -> tuple[str, str]:
        verifier, challenge = pkce_pair()
        response = self.client.get(
            self.path("/oauth/authorizations/new"),
            params=self.authorize_params(
                scope=scope,
                code_challenge=challenge,
                code_challenge_method="S256",
                sandbox_login=email,
            ),
        )
        assert response.status_code == 302, response.text
        query = parse_qs(urlparse(response.headers["location"]).query)
        assert query["state"] == ["state-123"]
        return query["code"][0], verifier

    def exchange(self, code: str, verifier: str, **extra: Any) -> httpx.Response:
        body = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            **extra,
        }
        return self.client.post(self.path("/oauth/tokens"), json=body)

    def token(self, local_part: str = "ai-agent", scope: str = "read write") -> dict[str, Any]:
        code, verifier = self.code_for(f"{local_part}@{self.subdomain}.test", scope)
        response = self.exchange(code, verifier)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def api(self, local_part: str = "ai-agent", scope: str = "read write") -> ApiClient:
        return ApiClient(self, self.token(local_part, scope)["access_token"])

    def email(self, body: str = "Help me please", **extra: Any) -> dict[str, Any]:
        payload = {
            "from": "customer@example.com",
            "subject": "Order question",
            "body": body,
            **extra,
        }
        response = self.client.post(self.path("/_sandbox/emails"), json=payload)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def deliveries(self) -> list[dict[str, Any]]:
        response = self.client.get(self.path("/_sandbox/webhook_deliveries"))
        return list(response.json()["webhook_deliveries"])


@dataclass
class ApiClient:
    """Zendesk API calls with one bearer token."""

    account: Account
    access_token: str

    def request(self, method: str, rest: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.access_token}", **kwargs.pop("headers", {})}
        return self.account.client.request(
            method, self.account.path(rest), headers=headers, **kwargs
        )

    def get(self, rest: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", rest, **kwargs)

    def put(self, rest: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", rest, **kwargs)

    def post(self, rest: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", rest, **kwargs)

    def delete(self, rest: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", rest, **kwargs)


# ---------------------------------------------------------------- webhook receiver


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A local HTTP endpoint that records requests and answers scripted status codes."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    delay_seconds: float = 0.0
    # set: each request is recorded, then answered only once the test sets it (no timing)
    answer_when: threading.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests.append(Received(headers, body))
            return self.statuses.pop(0) if self.statuses else 200

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        wait_until(lambda: len(self.requests) >= count, timeout)
        with self.lock:
            return list(self.requests)


def new_account(
    server: SandboxServer, client: httpx.Client, trigger_categories: list[str] | None = None
) -> Account:
    """A fresh account; ``trigger_categories`` None: the sandbox's default (three)."""
    subdomain = f"t{next(_subdomains)}-{secrets.token_hex(3)}"
    body: dict[str, Any] = {"subdomain": subdomain}
    if trigger_categories is not None:
        body["trigger_categories"] = trigger_categories
    response = client.post("/_sandbox/accounts", json=body)
    assert response.status_code == 201, response.text
    users = {u["email"]: u for u in response.json()["users"]}
    return Account(client, subdomain, users)


# ---------------------------------------------------------------- webhooks and triggers

DEFAULT_BODY = (
    '{"botId": "agent-1", "message": "**{{ticket.title}}** \\n\\n {{ticket.latest_comment_rich}}",'
    ' "conversationId": "{{ticket.id}}", "type": "message", "tags": "{{ticket.tags}}",'
    ' "channel": "{{ticket.via}}", "requester": "{{ticket.requester.id}}",'
    ' "currentUser": "{{current_user.id}}", "submitterRole": "{{ticket.submitter.role}}",'
    ' "authorRole": "{{ticket.comments.first.author.role}}",'
    ' "createdAt": "{{ticket.created_at_with_timestamp}}",'
    ' "updatedAt": "{{ticket.updated_at_with_timestamp}}"}'
)


def create_webhook(api: ApiClient, url: str, status: str = "active") -> dict[str, Any]:
    response = api.post(
        "/api/v2/webhooks",
        json={
            "webhook": {
                "name": "AI agent",
                "endpoint": url,
                "http_method": "POST",
                "request_format": "json",
                "status": status,
                "subscriptions": ["conditional_ticket_events"],
            }
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["webhook"])


def default_trigger(account: Account, webhook_id: str) -> dict[str, Any]:
    return {
        "title": "AI agent email automation: agent-1",
        "conditions": {
            "all": [
                {"field": "comment_is_public", "operator": "is", "value": "true"},
                {"field": "via_id", "operator": "is", "value": "4"},
                {"field": "role", "operator": "is_not", "value": str(account.user_id("ai-agent"))},
            ],
            "any": [
                {"field": "update_type", "operator": "is", "value": "Create"},
                {"field": "update_type", "operator": "is", "value": "Change"},
            ],
        },
        "actions": [{"field": "notification_webhook", "value": [webhook_id, DEFAULT_BODY]}],
    }


def create_trigger(api: ApiClient, trigger: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/v2/triggers.json", json={"trigger": trigger})
    assert response.status_code == 201, response.text
    return dict(response.json()["trigger"])


def secret_of(api: ApiClient, webhook_id: str) -> str:
    response = api.get(f"/api/v2/webhooks/{webhook_id}/signing_secret")
    assert response.json()["signing_secret"]["algorithm"] == "SHA256"
    return str(response.json()["signing_secret"]["secret"])
