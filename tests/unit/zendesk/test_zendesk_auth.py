"""BearerAuth: bearer header, refresh once on 401 with the rejected token, never twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx
import pytest

from tests.unit.zendesk.zendesk_fakes import FakeZendesk, make_client, oas_example, reply
from zdagent.adapters.zendesk.auth import BearerAuth, StaticTokenProvider, TokenProvider
from zdagent.core.errors import ZendeskAuthError

ME = oas_example("CurrentUserResponseExample")
UNAUTHORIZED = reply(401, {"error": "Couldn't authenticate you"})


@dataclass
class RotatingProvider:
    tokens: list[str]
    rejected: list[str] = field(default_factory=list)

    def access_token(self) -> str:
        return self.tokens[0]

    def refreshed_access_token(self, rejected_token: str) -> str:
        self.rejected.append(rejected_token)
        self.tokens.pop(0)
        return self.tokens[0]


def _tokens_seen(fake: FakeZendesk) -> list[str]:
    return [r.headers["Authorization"] for r in fake.requests]


def test_sends_bearer_token() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", reply(200, ME))
    provider = RotatingProvider(["old"])
    assert isinstance(provider, TokenProvider)
    make_client(fake, auth=BearerAuth(provider)).me()
    assert _tokens_seen(fake) == ["Bearer old"]
    assert provider.rejected == []


def test_refreshes_once_on_401_passing_the_rejected_token() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", UNAUTHORIZED, reply(200, ME))
    provider = RotatingProvider(["old", "new"])
    assert make_client(fake, auth=BearerAuth(provider)).me().id == 35436
    assert _tokens_seen(fake) == ["Bearer old", "Bearer new"]
    assert provider.rejected == ["old"]


def test_second_401_raises_auth_error_with_zendesks_message() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", UNAUTHORIZED)
    provider = RotatingProvider(["old", "new", "newer"])
    with pytest.raises(ZendeskAuthError, match="Couldn't authenticate you"):
        make_client(fake, auth=BearerAuth(provider)).me()
    assert provider.rejected == ["old"]
    assert len(fake.requests) == 2


def test_put_body_is_replayed_after_refresh() -> None:
    fake = FakeZendesk().on(
        "PUT", "/api/v2/tickets/1/tags", UNAUTHORIZED, reply(200, {"tags": ["a"]})
    )
    make_client(fake, auth=BearerAuth(RotatingProvider(["old", "new"]))).add_tags(1, ["a"])
    assert [r.content for r in fake.requests] == [b'{"tags":["a"]}'] * 2


def test_static_provider_cannot_refresh() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/users/me", UNAUTHORIZED)
    with pytest.raises(ZendeskAuthError):
        make_client(fake, auth=BearerAuth(StaticTokenProvider("tok"))).me()
    assert len(fake.requests) == 1


def test_revoke_never_refreshes_and_missing_ok_accepts_401() -> None:
    fake = FakeZendesk().on("DELETE", "/api/v2/oauth/tokens/current.json", UNAUTHORIZED)
    provider = RotatingProvider(["old", "new"])
    client = make_client(fake, auth=BearerAuth(provider))
    client.revoke_current_token(missing_ok=True)
    with pytest.raises(ZendeskAuthError):
        client.revoke_current_token()
    assert provider.rejected == []
    assert _tokens_seen(fake) == ["Bearer old", "Bearer old"]


def test_revoke_succeeds_on_204() -> None:
    fake = FakeZendesk().on("DELETE", "/api/v2/oauth/tokens/current.json", reply(204))
    make_client(fake, auth=BearerAuth(StaticTokenProvider("tok"))).revoke_current_token()
    assert len(fake.requests) == 1


def test_tokens_never_reach_logs_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    secret = "very-secret-token-value"
    fake = FakeZendesk().on("GET", "/api/v2/users/me", UNAUTHORIZED)
    auth = BearerAuth(StaticTokenProvider(secret))
    with caplog.at_level(logging.DEBUG), pytest.raises(ZendeskAuthError) as caught:
        make_client(fake, auth=auth).me()
    assert secret not in caplog.text
    assert secret not in repr(auth)
    assert secret not in str(caught.value)
    assert caplog.records, "the client logs its requests"


def test_auth_works_with_a_plain_httpx_client() -> None:
    fake = FakeZendesk().on("GET", "/x", UNAUTHORIZED, reply(200, {}))
    provider = RotatingProvider(["a", "b"])
    with httpx.Client(transport=fake.transport(), auth=BearerAuth(provider)) as http:
        assert http.get("https://acme.zendesk.com/x").status_code == 200
    assert provider.rejected == ["a"]
