"""Conformance: zenpy (the most used third-party Python client for Zendesk, written by nobody
here) drives the sandbox over the endpoints the product uses.

zenpy builds ``https://{subdomain}.zendesk.com/api/v2/...`` URLs (its only overrides,
``ZENPY_FORCE_SCHEME``/``ZENPY_FORCE_NETLOC``, cannot add the sandbox's ``/{subdomain}`` path
prefix), so it is given a ``requests.Session`` that sends those URLs to the sandbox instead:
the same bytes, another host. Everything else is zenpy's own: its serialisation, its response
handlers, its cursor paginators and its 429 handling.

What zenpy has no API for (trigger categories, trigger definitions, reorder, OAuth tokens) is
checked by the OAS conformance and sandbox tests next to this file.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response

from tests.integration.sandbox.sandbox_support import (
    DEFAULT_BODY,
    Account,
    WebhookReceiver,
    default_trigger,
)
from zdsandbox.server import SandboxServer

zenpy = pytest.importorskip("zenpy")  # a dev dependency: requirements/dev.txt

from zenpy.lib.api_objects import (  # noqa: E402
    Comment,
    GroupMembership,
    Ticket,
    Trigger,
    Webhook,
)
from zenpy.lib.exception import APIException, RecordNotFoundException  # noqa: E402

ZENDESK_HOST = ".zendesk.com"


class SandboxAdapter(HTTPAdapter):
    """Sends ``https://{sub}.zendesk.com/<path>`` to ``<sandbox>/{sub}/<path>`` and shows zenpy
    every response (and the sandbox's own next-page links) under the Zendesk URL it expects."""

    def __init__(self, sandbox_url: str) -> None:
        super().__init__()
        self._sandbox = urlsplit(sandbox_url)

    def to_sandbox(self, url: str) -> str:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if not host.endswith(ZENDESK_HOST):
            return url
        path = f"/{host.removesuffix(ZENDESK_HOST)}{parts.path}"
        return urlunsplit((self._sandbox.scheme, self._sandbox.netloc, path, parts.query, ""))

    def to_zendesk(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.netloc != self._sandbox.netloc:
            return url
        _, subdomain, path = parts.path.split("/", 2)
        host = f"{subdomain}{ZENDESK_HOST}"
        return urlunsplit(("https", host, f"/{path}", parts.query, ""))

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        sent = request.copy()
        sent.url = self.to_sandbox(str(request.url))
        response = super().send(sent, *args, **kwargs)
        shown = request.copy()
        shown.url = self.to_zendesk(str(request.url))
        response.request, response.url = shown, str(shown.url)
        return response


def sandbox_session(sandbox_url: str) -> requests.Session:
    session = requests.Session()
    adapter = SandboxAdapter(sandbox_url)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def zenpy_for(sandbox: SandboxServer, account: Account, **auth: Any) -> Any:
    return zenpy.Zenpy(
        subdomain=account.subdomain,
        session=sandbox_session(sandbox.url),
        timeout=10,
        disable_cache=True,  # every read goes to the sandbox
        **auth,
    )


def zenpy_as(sandbox: SandboxServer, account: Account, local_part: str) -> Any:
    """zenpy signed in as ``local_part@<sub>.test`` with a token from the OAuth flow."""
    token = account.token(local_part)["access_token"]
    return zenpy_for(sandbox, account, oauth_token=token)


@pytest.fixture
def zd(sandbox: SandboxServer, account: Account) -> Any:
    return zenpy_as(sandbox, account, "ai-agent")


def test_users_groups_and_memberships(zd: Any, sandbox: SandboxServer, account: Account) -> None:
    me = zd.users.me()
    assert (me.email, me.role) == (f"ai-agent@{account.subdomain}.test", "admin")
    assert zd.users(id=me.id).email == me.email
    groups = {g.name: g for g in zd.groups()}
    assert {"Support", "AI agent"} <= set(groups)
    assert zd.groups(id=groups["AI agent"].id).name == "AI agent"
    mine = list(zd.users.group_memberships(me.id))
    assert [m.group_id for m in mine] == [groups["AI agent"].id]
    members = list(zd.groups.memberships(groups["Support"].id))
    assert {m.user_id for m in members} == {
        account.user_id("agent"),
        account.user_id("admin"),
    }
    admin = zenpy_as(sandbox, account, "admin")
    created = admin.group_memberships.create(
        GroupMembership(user_id=account.user_id("agent"), group_id=groups["AI agent"].id)
    )
    assert created.group_id == groups["AI agent"].id
    with pytest.raises(RecordNotFoundException):
        zd.users(id=999_999_999)


def test_tickets_comments_and_tags(zd: Any, account: Account) -> None:
    ticket_id = account.email("My parcel never arrived", subject="Parcel")["ticket_id"]
    ticket = zd.tickets(id=ticket_id)
    assert (ticket.subject, ticket.via.channel) == ("Parcel", "email")
    assert ticket.requester.email == "customer@example.com"  # zenpy follows requester_id
    ticket.comment = Comment(html_body="<p>It is on its way.</p>", public=True)
    ticket.status = "pending"
    audit = zd.tickets.update(ticket)
    assert audit.ticket.status == "pending"
    comments = list(zd.tickets.comments(ticket_id))
    assert [c.public for c in comments] == [True, True]
    assert comments[-1].author_id == zd.users.me().id
    assert "It is on its way." in comments[-1].plain_body
    assert set(zd.tickets.add_tags(ticket_id, ["ai_agent_replied"])) >= {"ai_agent_replied"}
    assert "ai_agent_replied" in zd.tickets(id=ticket_id).tags
    internal = Ticket(id=ticket_id, comment=Comment(body="a private note", public=False))
    zd.tickets.update(internal)
    assert [c.public for c in zd.tickets.comments(ticket_id)] == [True, True, False]


def test_incremental_cursor_export(zd: Any, account: Account) -> None:
    created = account.client.post(
        account.path("/_sandbox/tickets/bulk"),
        json={"count": 30, "days_back": 5, "comments_per_ticket": 2},
    )
    assert created.status_code == 201, created.text
    start = int(time.time()) - 10 * 86400
    exported = list(zd.tickets.incremental(start_time=start, per_page=10))
    assert sorted(t.id for t in exported) == list(range(1, 31))
    account.email("too fresh to export")
    assert len(list(zd.tickets.incremental(start_time=start))) == 30  # the last minute waits


def active_webhook(zd: Any, receiver: WebhookReceiver) -> Any:
    """An active JSON webhook to ``receiver`` for ticket events, created through zenpy."""
    return zd.webhooks.create(
        Webhook(
            name="AI agent",
            endpoint=receiver.url,
            http_method="POST",
            request_format="json",
            status="active",
            subscriptions=["conditional_ticket_events"],
        )
    )


def test_webhooks_and_their_signing_secret(zd: Any, receiver: WebhookReceiver) -> None:
    webhook = active_webhook(zd, receiver)
    assert webhook.id and webhook.status == "active"
    assert zd.webhooks(id=webhook.id).endpoint == receiver.url
    assert webhook.id in [w.id for w in zd.webhooks.list()]
    secret = zd.webhooks.show_secret(webhook.id)
    assert secret.algorithm == "SHA256" and secret.secret
    webhook.status = "inactive"
    zd.webhooks.patch(webhook)
    assert zd.webhooks(id=webhook.id).status == "inactive"
    zd.webhooks.delete(webhook)
    with pytest.raises(APIException):
        zd.webhooks(id=webhook.id)


def test_triggers_fire_and_deliver_through_zenpy_created_objects(
    zd: Any, account: Account, receiver: WebhookReceiver
) -> None:
    webhook = active_webhook(zd, receiver)
    body = default_trigger(account, webhook.id)
    trigger = zd.triggers.create(
        Trigger(title=body["title"], conditions=body["conditions"], actions=body["actions"])
    )
    assert trigger.actions[0]["value"] == [webhook.id, DEFAULT_BODY]
    assert trigger.category_id  # the account's first category
    assert zd.triggers(id=trigger.id).title == body["title"]
    assert trigger.id in [t.id for t in zd.triggers()]
    ticket_id = account.email("Where is my order?")["ticket_id"]
    (delivery,) = receiver.wait_for(1)
    assert f'"conversationId": "{ticket_id}"' in delivery.body.decode()
    fresh = zd.triggers(id=trigger.id)
    fresh.title = "renamed"
    updated = zd.triggers.update(fresh)  # zenpy sends only what changed: the title
    assert updated.title == "renamed"
    assert updated.to_dict()["conditions"]["all"] == body["conditions"]["all"]
    # zenpy sends only the array that changed; Zendesk clears the other one (OAS
    # UpdateTrigger), so such an update leaves a trigger without conditions: refused
    only_actions = Trigger(id=trigger.id, actions=body["actions"])
    with pytest.raises(APIException) as refused:
        zd.triggers.update(only_actions)
    assert "Conditions" in str(refused.value)
    both = Trigger(id=trigger.id, conditions=body["conditions"], actions=body["actions"])
    assert zd.triggers.update(both).title == "renamed"
    zd.triggers.delete(trigger)
    with pytest.raises(RecordNotFoundException):
        zd.triggers(id=trigger.id)


def test_anonymous_public_locales(sandbox: SandboxServer, account: Account) -> None:
    anonymous = zenpy_for(sandbox, account, anonymous=True)
    assert [locale.locale for locale in anonymous.locales.public()] == ["en-US", "de"]


def test_a_plain_text_429_is_waited_out(zd: Any, account: Account) -> None:
    fault = {"path_regex": "/api/v2/groups", "status": 429, "retry_after": 1, "plain_text": True}
    response = account.client.post(account.path("/_sandbox/faults"), json=fault)
    assert response.status_code == 201
    started = time.monotonic()
    assert {g.name for g in zd.groups()} >= {"Support"}
    assert time.monotonic() - started >= 1
