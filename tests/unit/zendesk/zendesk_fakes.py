"""Test seams for the Zendesk client: a routing MockTransport, a fake sleep, the OAS files."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.oas import support_oas
from zdagent.adapters.zendesk.client import ZendeskClient

BASE_URL = "https://acme.zendesk.com"


def oas_example(name: str) -> Any:
    """``components.examples[name].value`` of the Support OAS, deep-copied."""
    return copy.deepcopy(support_oas()["components"]["examples"][name]["value"])


# --- a routing MockTransport that records every request --------------------------------------
Reply = httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception


def reply(
    status: int = 200,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    text: str | None = None,
) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    replies: list[Reply]


@dataclass
class FakeZendesk:
    """Routes by method and path regex (matched against the path after the base path).

    Each route answers its replies in order and then repeats the last one. A request no route
    matches fails the test.
    """

    base_path: str = ""
    routes: list[_Route] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path_regex: str, *replies: Reply) -> FakeZendesk:
        assert replies, "a route needs at least one reply"
        self.routes.append(_Route(method, re.compile(f"^{path_regex}$"), list(replies)))
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        request.read()
        # a snapshot: httpx auth flows mutate and resend the same request object
        self.requests.append(
            httpx.Request(
                request.method, request.url, headers=request.headers.copy(), content=request.content
            )
        )
        path = request.url.path
        assert path.startswith(self.base_path), f"request outside the base path: {path}"
        path = path[len(self.base_path) :]
        for route in self.routes:
            if route.method == request.method and route.pattern.match(path):
                answer = route.replies.pop(0) if len(route.replies) > 1 else route.replies[0]
                if isinstance(answer, Exception):
                    raise answer
                if callable(answer):
                    return answer(request)
                return answer
        raise AssertionError(f"unexpected request {request.method} {path}")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path[len(self.base_path) :]}" for r in self.requests]


def json_body(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


@dataclass
class FakeSleep:
    slept: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


def make_client(
    fake: FakeZendesk,
    *,
    auth: httpx.Auth | None = None,
    base_url: str = BASE_URL,
    sleep: FakeSleep | None = None,
    remaining_time: Callable[[], float] | None = None,
    max_retries: int = 4,
    retry_after_cap: float = 30,
    uniform: Callable[[float, float], float] = lambda low, high: high,
) -> ZendeskClient:
    """A client on the fake. Backoff jitter defaults to its ceiling, so sleeps are exact."""
    return ZendeskClient(
        base_url,
        auth=auth,
        transport=fake.transport(),
        sleep=sleep if sleep is not None else FakeSleep(),
        remaining_time=remaining_time,
        max_retries=max_retries,
        retry_after_cap=retry_after_cap,
        uniform=uniform,
    )
