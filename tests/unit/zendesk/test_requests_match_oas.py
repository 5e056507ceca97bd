"""Every ZendeskClient method sends what Zendesk's OpenAPI file documents.

Each case runs one client method against a MockTransport that answers with the OAS's own
response example (so the models parse real Zendesk shapes) and validates every captured request
(method, path, path parameters, query, JSON body) with openapi-core against
``docs/reference/zendesk-support-oas.yaml`` (webhooks: the unofficial
``zendesk-webhooks-oas.yaml``). openapi-core accepts unknown object properties, so the JSON body
is also checked key by key against the schema's ``properties``.

The OAS is amended only where it contradicts Zendesk's own documentation, each amendment
named in ``AMENDMENTS`` (the sandbox must serve those paths too).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.support.oas import support_oas, webhooks_oas
from tests.unit.zendesk.zendesk_fakes import (
    BASE_URL,
    FakeZendesk,
    make_client,
    oas_example,
    reply,
)
from zdagent.adapters.zendesk.auth import BearerAuth, StaticTokenProvider
from zdagent.adapters.zendesk.automation import (
    Action,
    Condition,
    Conditions,
    TriggerPayload,
    WebhookCreate,
)
from zdagent.adapters.zendesk.client import ZendeskClient
from zdagent.adapters.zendesk.models import CommentCreate, TicketUpdate

AMENDMENTS = {
    "bearer": "security: the OAS lists only basicAuth; Zendesk documents OAuth bearer tokens",
    "user_group_memberships": (
        "GET /api/v2/users/{user_id}/group_memberships: documented (reference page, notes 5); the"
        " OAS folds it into ListGroupMemberships whose user_id path parameter proves it"
    ),
    "group_memberships": "GET /api/v2/groups/{group_id}/memberships: same as above, group_id",
    "current_token": (
        "GET|DELETE /api/v2/oauth/tokens/current.json: named in ShowToken's own description; the"
        " OAS types {oauth_token_id} as integer, so 'current.json' cannot match it"
    ),
    "cursor_export": (
        "IncrementalTicketExportCursor: start_time is required in the OAS, but later pages are"
        " requested with cursor only (after_url has no start_time); exactly one is checked below"
    ),
}

# Body keys the OAS does not list but Zendesk accepts (path template, dotted key).
KNOWN_EXTRA_BODY_KEYS = {
    # documented for update_many; Zendesk also honours it on a single update
    ("PUT /api/v2/tickets/{ticket_id}", "ticket.additional_tags"),
}


def _amended_support_oas() -> dict[str, Any]:
    spec = copy.deepcopy(support_oas())
    spec["components"]["securitySchemes"]["bearerAuth"] = {"type": "http", "scheme": "bearer"}
    spec["security"] = [{"basicAuth": []}, {"bearerAuth": []}]
    paths = spec["paths"]
    params = spec["components"]["parameters"]

    list_memberships = paths["/api/v2/group_memberships"]["get"]
    for path, param in (
        ("/api/v2/users/{user_id}/group_memberships", "UserId"),
        ("/api/v2/groups/{group_id}/memberships", "GroupId"),
    ):
        op = copy.deepcopy(list_memberships)
        op["operationId"] += f"By{param}"
        op["parameters"] = [{"$ref": f"#/components/parameters/{param}"}]
        paths[path] = {"get": op}

    token_item = paths["/api/v2/oauth/tokens/{oauth_token_id}"]
    paths["/api/v2/oauth/tokens/current.json"] = {
        "get": {**copy.deepcopy(token_item["get"]), "operationId": "ShowCurrentToken"},
        "delete": {**copy.deepcopy(token_item["delete"]), "operationId": "RevokeCurrentToken"},
    }

    params["IncrementalUnixTime"]["required"] = False
    return spec


@cache
def _amended_support_oas_cached() -> dict[str, Any]:
    return _amended_support_oas()


@cache
def support_api() -> OpenAPI:
    return OpenAPI.from_dict(
        copy.deepcopy(_amended_support_oas_cached()), config=Config(spec_validator_cls=None)
    )


@cache
def webhooks_api() -> OpenAPI:
    return OpenAPI.from_dict(copy.deepcopy(webhooks_oas()), config=Config(spec_validator_cls=None))


class _OASRequest:
    """An ``httpx.Request`` as openapi-core's ``Request`` protocol."""

    def __init__(self, request: httpx.Request, *, host_url: str) -> None:
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )
        self.host_url = host_url
        self.path = request.url.path
        self.method = request.method.lower()
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "application/octet-stream")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _properties(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The properties a schema (with allOf/anyOf/oneOf) names, and whether it allows others."""
    schema = _resolve(spec, schema)
    props = dict(schema.get("properties") or {})
    open_ended = bool(schema.get("additionalProperties")) or (
        "properties" not in schema and not any(k in schema for k in ("allOf", "anyOf", "oneOf"))
    )
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            sub_props, sub_open = _properties(spec, sub)
            props.update(sub_props)
            open_ended = open_ended or (sub_open and _resolve(spec, sub).get("type") == "object")
    return props, open_ended


def unknown_body_keys(
    spec: dict[str, Any], schema: dict[str, Any], value: Any, at: str = ""
) -> set[str]:
    schema = _resolve(spec, schema)
    if isinstance(value, dict):
        props, open_ended = _properties(spec, schema)
        found: set[str] = set()
        for key, item in value.items():
            dotted = f"{at}.{key}" if at else key
            if key in props:
                found |= unknown_body_keys(spec, props[key], item, dotted)
            elif not open_ended:
                found.add(dotted)
        return found
    if isinstance(value, list) and "items" in schema:
        found = set()
        for item in value:
            found |= unknown_body_keys(spec, schema["items"], item, f"{at}[]")
        return found
    return set()


def validate(request: httpx.Request, *, base_path: str = "") -> None:
    """Validate one captured request against the OAS it belongs to (raises if it does not)."""
    path = request.url.path.removeprefix(base_path)
    is_webhooks = path.startswith("/api/v2/webhooks")
    api = webhooks_api() if is_webhooks else support_api()
    spec = webhooks_oas() if is_webhooks else _amended_support_oas_cached()
    oas_request = _OASRequest(request, host_url="https://example.zendesk.com")
    oas_request.path = path
    api.validate_request(oas_request)
    if request.content:
        template = _template_for(spec, request.method, path)
        body_schema = _request_body_schema(spec, request.method, path)
        if body_schema is not None:
            unknown = unknown_body_keys(spec, body_schema, _json(request))
            unknown -= {k for t, k in KNOWN_EXTRA_BODY_KEYS if t == f"{request.method} {template}"}
            assert not unknown, f"{request.method} {template}: body keys not in the OAS: {unknown}"


def _json(request: httpx.Request) -> Any:
    return json.loads(request.content)


def _template_for(spec: dict[str, Any], method: str, path: str) -> str | None:
    matches = []
    for template, item in spec["paths"].items():
        if method.lower() not in item:
            continue
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            matches.append(template)
    # a literal path beats a templated one (current.json over {oauth_token_id})
    matches.sort(key=lambda t: t.count("{"))
    return matches[0] if matches else None


def _request_body_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    template = _template_for(spec, method, path)
    assert template is not None, f"{method} {path} is not in the OAS"
    body = spec["paths"][template][method.lower()].get("requestBody")
    if body is None:
        return None
    body = _resolve(spec, body)
    schema: dict[str, Any] | None = (
        body.get("content", {}).get("application/json", {}).get("schema")
    )
    return schema


# --- the cases ------------------------------------------------------------------------------
TRIGGER = TriggerPayload(
    title="AI agent email automation: agent-1",
    conditions=Conditions(
        all=[
            Condition(field="comment_is_public", operator="is", value="true"),
            Condition(field="via_id", operator="is", value="4"),
        ],
        any=[
            Condition(field="update_type", operator="is", value="Create"),
            Condition(field="update_type", operator="is", value="Change"),
        ],
    ),
    actions=[Action(field="notification_webhook", value=["01FMJQSY40HZBCBVPZB9212S8V", '{"a":1}'])],
    description="Sends customer emails to the AI agent",
    category_id="10026",
)

WEBHOOK = {
    "id": "01FMJQSY40HZBCBVPZB9212S8V",
    "name": "AI agent agent-1",
    "endpoint": "https://api.example.com/webhooks/zendesk/agent-1",
    "http_method": "POST",
    "request_format": "json",
    "status": "active",
    "subscriptions": ["conditional_ticket_events"],
    "created_at": "2021-03-25T05:09:27Z",
}


# The OAS's response example for the ticket event export shows metric events; the event below is
# the shape its description documents for the comment_events sideload (a Comment child event).
TICKET_EVENTS = {
    "count": 1,
    "end_of_stream": True,
    "end_time": 1601357503,
    "next_page": "https://example.zendesk.com/api/v2/incremental/ticket_events.json?start_time=1601357503",
    "ticket_events": [
        {
            "id": 91048994468,
            "ticket_id": 155,
            "timestamp": 1601357503,
            "updater_id": 5031726587,
            "event_type": "Audit",
            "child_events": [
                {"id": 91048994480, "event_type": "Change", "field_name": "status"},
                {
                    "id": 91048994488,
                    "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
                    "via_reference_id": None,
                    "type": "Comment",
                    "author_id": 5031726587,
                    "body": "This is a comment",
                    "html_body": '<div class="zd-comment"><p>This is a comment</p></div>',
                    "public": True,
                    "attachments": [],
                    "audit_id": 91048994468,
                    "created_at": "2009-06-25T10:15:18Z",
                    "event_type": "Comment",
                },
            ],
        }
    ],
}


@dataclass(frozen=True)
class Case:
    routes: list[tuple[str, str, list[httpx.Response]]]
    call: Callable[[ZendeskClient], Any]
    check: Callable[[Any], bool]
    requests: int = 1


def _ex(name: str, **extra: Any) -> httpx.Response:
    return reply(200, {**oas_example(name), **extra})


def _two_pages(example: str, path: str, **sideloads: Any) -> list[httpx.Response]:
    """The OAS example twice as two cursor pages (the first with ``sideloads``)."""
    first = {**oas_example(example), **sideloads}
    first["meta"] = {"has_more": True, "after_cursor": "xyz", "before_cursor": None}
    first["links"] = {"next": f"{BASE_URL}{path}?page%5Bsize%5D=100&page%5Bafter%5D=xyz"}
    last = oas_example(example)
    last["meta"] = {"has_more": False, "after_cursor": None, "before_cursor": "abc"}
    return [reply(200, first), reply(200, last)]


def _comment_pages() -> list[httpx.Response]:
    return _two_pages("TicketCommentsResponseExample", "/api/v2/tickets/35436/comments")


def _audit_pages(*, with_ticket: bool) -> list[httpx.Response]:
    """Two pages of the OAS's audits example; the first sideloads a user (and the ticket)."""
    sideloads: dict[str, Any] = {"users": [oas_example("CurrentUserResponseExample")["user"]]}
    if with_ticket:
        sideloads["tickets"] = [{**oas_example("TicketResponseExample")["ticket"], "id": 666}]
    return _two_pages(
        "TicketAuditsForTicketResponseExample", "/api/v2/tickets/666/audits", **sideloads
    )


CASES: dict[str, Case] = {
    "me": Case(
        [("GET", "/api/v2/users/me", [_ex("CurrentUserResponseExample")])],
        lambda c: c.me(),
        lambda user: user.id == 35436 and user.email == "johnny@example.com",
    ),
    "get_user": Case(
        [("GET", "/api/v2/users/35436", [_ex("UserResponseExample")])],
        lambda c: c.get_user(35436),
        lambda user: user.id > 0,
    ),
    "find_user_by_email": Case(
        [("GET", "/api/v2/users/search", [_ex("SearchUsersResponseExample")])],
        lambda c: c.find_user_by_email("ai-agent@acme.test"),
        lambda user: user is None,  # the example's users have no such email
    ),
    "user_group_memberships": Case(
        [("GET", "/api/v2/users/29/group_memberships", [_ex("GroupMembershipsResponseExample")])],
        lambda c: list(c.user_group_memberships(29)),
        lambda ms: [m.group_id for m in ms] == [12, 3],
    ),
    "group_memberships_of_group": Case(
        [("GET", "/api/v2/groups/12/memberships", [_ex("GroupMembershipsResponseExample")])],
        lambda c: list(c.group_memberships_of_group(12)),
        lambda ms: len(ms) == 2,
    ),
    "get_group": Case(
        [("GET", "/api/v2/groups/122", [_ex("GroupResponseExample")])],
        lambda c: c.get_group(122),
        lambda group: group.name == "MCs",
    ),
    "get_ticket": Case(
        [("GET", "/api/v2/tickets/35436", [_ex("TicketResponseExample")])],
        lambda c: c.get_ticket(35436),
        lambda ticket: ticket.id == 35436 and ticket.group_id == 98738,
    ),
    "list_comments": Case(
        [("GET", "/api/v2/tickets/35436/comments", _comment_pages())],
        lambda c: list(c.list_comments(35436)),
        lambda comments: len(comments) >= 2 and comments[0].author_id == 123123,
        requests=2,
    ),
    "ticket_history": Case(
        [("GET", "/api/v2/tickets/666/audits", _audit_pages(with_ticket=True))],
        lambda c: c.ticket_history(666),
        lambda found: (
            found.ticket.id == 666
            and [(x.id, x.public) for x in found.comments] == [(2127301148, False)]
            and found.users[35436].role == "agent"
        ),
        requests=2,
    ),
    "ticket_history_without_the_ticket_sideload": Case(
        [
            ("GET", "/api/v2/tickets/666/audits", _audit_pages(with_ticket=False)),
            ("GET", "/api/v2/tickets/666", [_ex("TicketResponseExample")]),
        ],
        lambda c: c.ticket_history(666),
        lambda found: found.ticket.id == 35436 and len(found.comments) == 1,
        requests=3,
    ),
    "list_comments_newest_first": Case(
        [("GET", "/api/v2/tickets/35436/comments", [_ex("TicketCommentsResponseExample")])],
        lambda c: list(c.list_comments(35436, newest_first=True)),
        lambda comments: len(comments) >= 1,
    ),
    "update_ticket_reply": Case(
        [("PUT", "/api/v2/tickets/35436", [_ex("TicketUpdateResponseExample")])],
        lambda c: c.update_ticket(
            35436,
            TicketUpdate(
                comment=CommentCreate(html_body="<p>Hello</p>", public=True, author_id=7),
                status="pending",
                safe_update=True,
                updated_stamp=datetime(2019, 9, 12, 21, 45, 16, tzinfo=UTC),
            ),
        ),
        lambda ticket: ticket.status == "open",
    ),
    "update_ticket_handover": Case(
        [("PUT", "/api/v2/tickets/35436", [_ex("TicketUpdateResponseExample")])],
        lambda c: c.update_ticket(
            35436,
            TicketUpdate(
                comment=CommentCreate(body="Handing over", public=False),
                group_id=98738,
                assignee_id=235323,
                tags=["ai_agent_escalated"],
                additional_tags=["vip"],
            ),
        ),
        lambda ticket: ticket.id == 35436,
    ),
    "add_tags": Case(
        [("PUT", "/api/v2/tickets/35436/tags", [_ex("TagsByObjectIdResponse")])],
        lambda c: c.add_tags(35436, ["ai_agent_replied"]),
        lambda tags: tags == ["urgent", "printer", "fire"],
    ),
    "incremental_tickets_start": Case(
        [
            (
                "GET",
                "/api/v2/incremental/tickets/cursor",
                [_ex("CursorBasedExportIncrementalTicketsResponseExample")],
            )
        ],
        lambda c: c.incremental_tickets(start_time=1332034771),
        lambda page: page.end_of_stream and page.after_cursor == "MTU3NjYxMzUzOS4wfHw0Njd8",
    ),
    "incremental_tickets_cursor": Case(
        [
            (
                "GET",
                "/api/v2/incremental/tickets/cursor",
                [_ex("CursorBasedExportIncrementalTicketsResponseExample")],
            )
        ],
        lambda c: c.incremental_tickets(cursor="MTU3NjYxMzUzOS4wfHw0Njd8", per_page=500),
        lambda page: len(page.tickets) >= 1,
    ),
    "ticket_events": Case(
        [("GET", "/api/v2/incremental/ticket_events", [reply(200, TICKET_EVENTS)])],
        lambda c: c.ticket_events(start_time=1332034771),
        lambda page: (
            page.end_time == 1601357503
            and [c.body for c in page.ticket_events[0].comments()] == ["This is a comment"]
        ),
    ),
    "create_webhook": Case(
        [("POST", "/api/v2/webhooks", [reply(201, {"webhook": WEBHOOK})])],
        lambda c: c.create_webhook(
            WebhookCreate(
                name="AI agent agent-1",
                endpoint="https://api.example.com/webhooks/zendesk/agent-1",
                description="Customer emails to the AI agent",
            )
        ),
        lambda hook: hook.id == WEBHOOK["id"],
    ),
    "get_webhook": Case(
        [("GET", f"/api/v2/webhooks/{WEBHOOK['id']}", [reply(200, {"webhook": WEBHOOK})])],
        lambda c: c.get_webhook(str(WEBHOOK["id"])),
        lambda hook: hook.status == "active",
    ),
    "update_webhook_status": Case(
        [("PATCH", f"/api/v2/webhooks/{WEBHOOK['id']}", [reply(204)])],
        lambda c: c.update_webhook_status(str(WEBHOOK["id"]), "inactive"),
        lambda result: result is None,
    ),
    "delete_webhook": Case(
        [("DELETE", f"/api/v2/webhooks/{WEBHOOK['id']}", [reply(204)])],
        lambda c: c.delete_webhook(str(WEBHOOK["id"])),
        lambda result: result is None,
    ),
    "webhook_signing_secret": Case(
        [
            (
                "GET",
                f"/api/v2/webhooks/{WEBHOOK['id']}/signing_secret",
                [reply(200, {"signing_secret": {"algorithm": "SHA256", "secret": "s3cr3t"}})],
            )
        ],
        lambda c: c.webhook_signing_secret(str(WEBHOOK["id"])),
        lambda secret: secret == "s3cr3t",
    ),
    "list_triggers": Case(
        [("GET", "/api/v2/triggers", [_ex("TriggersResponseExample")])],
        lambda c: list(c.list_triggers()),
        lambda triggers: len(triggers) >= 1 and all(t.id for t in triggers),
    ),
    "get_trigger": Case(
        [("GET", "/api/v2/triggers/25", [_ex("TriggerResponseExample")])],
        lambda c: c.get_trigger(25),
        lambda trigger: trigger.id == 25 and trigger.category_id == "10026",
    ),
    "create_trigger": Case(
        [("POST", "/api/v2/triggers", [reply(201, oas_example("TriggerResponseExample"))])],
        lambda c: c.create_trigger(TRIGGER),
        lambda trigger: trigger.id == 25,
    ),
    "update_trigger_full": Case(
        [("PUT", "/api/v2/triggers/25", [_ex("TriggerResponseExample")])],
        lambda c: c.update_trigger(25, TRIGGER),
        lambda trigger: trigger.id == 25,
    ),
    "delete_trigger": Case(
        [("DELETE", "/api/v2/triggers/25", [reply(204)])],
        lambda c: c.delete_trigger(25),
        lambda result: result is None,
    ),
    "reorder_triggers": Case(
        [("PUT", "/api/v2/triggers/reorder", [_ex("TriggerResponseExample")])],
        lambda c: c.reorder_triggers([25, 26, 27]),
        lambda result: result is None,
    ),
    "update_many_triggers": Case(
        [("PUT", "/api/v2/triggers/update_many", [_ex("TriggersResponseExample")])],
        lambda c: c.update_many_triggers(
            [{"id": 25, "position": 1}, {"id": 26, "active": False, "category_id": "10026"}]
        ),
        lambda triggers: len(triggers) >= 1,
    ),
    "list_trigger_categories": Case(
        [
            (
                "GET",
                "/api/v2/trigger_categories",
                [
                    reply(
                        200,
                        {
                            "trigger_categories": [
                                {"id": "10002", "name": "SMS Triggers", "position": 1},
                                {"id": "10001", "name": "Email Triggers", "position": 0},
                            ],
                            "meta": {"has_more": False, "after_cursor": None},
                            "links": {"next": None},
                        },
                    )
                ],
            )
        ],
        lambda c: c.list_trigger_categories(),
        lambda categories: [c.id for c in categories] == ["10001", "10002"],
    ),
    "public_locales": Case(
        [("GET", "/api/v2/locales/public", [_ex("LocalesResponseExample")])],
        lambda c: c.public_locales(),
        lambda locales: [item["locale"] for item in locales] == ["en-US", "de"],
    ),
    "trigger_definitions": Case(
        [("GET", "/api/v2/triggers/definitions", [_ex("TriggerDefinitionResponseExample")])],
        lambda c: c.trigger_definitions(),
        lambda definitions: "conditions_all" in definitions,
    ),
    "current_token": Case(
        [("GET", "/api/v2/oauth/tokens/current.json", [_ex("OAuthTokenResponseExample")])],
        lambda c: c.current_token(),
        lambda token: token.user_id == 29 and token.scopes == ["read", "write"],
    ),
    "revoke_current_token": Case(
        [("DELETE", "/api/v2/oauth/tokens/current.json", [reply(204)])],
        lambda c: c.revoke_current_token(),
        lambda result: result is None,
    ),
}


@pytest.mark.parametrize("base_url", [BASE_URL, "http://127.0.0.1:3001/acme"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_request_matches_oas(name: str, base_url: str) -> None:
    case = CASES[name]
    base_path = httpx.URL(base_url).path.rstrip("/")
    fake = FakeZendesk(base_path=base_path)
    for method, path, replies in case.routes:
        fake.on(method, path, *replies)
    client = make_client(
        fake, base_url=base_url, auth=BearerAuth(StaticTokenProvider("test-token"))
    )

    result = case.call(client)

    assert case.check(result), f"{name} returned {result!r}"
    assert len(fake.requests) == case.requests, fake.paths()
    for request in fake.requests:
        assert request.headers["Authorization"] == "Bearer test-token"
        validate(request, base_path=base_path)


def test_cursor_export_sends_exactly_one_of_start_time_and_cursor() -> None:
    fake = FakeZendesk().on(
        "GET",
        "/api/v2/incremental/tickets/cursor",
        _ex("CursorBasedExportIncrementalTicketsResponseExample"),
    )
    client = make_client(fake)
    client.incremental_tickets(start_time=100)
    client.incremental_tickets(cursor="abc")
    first, second = (dict(r.url.params) for r in fake.requests)
    assert first == {"start_time": "100", "per_page": "1000"}
    assert second == {"cursor": "abc", "per_page": "1000"}


_BEARER = {"Authorization": "Bearer x"}


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            httpx.Request(
                "PUT",
                f"{BASE_URL}/api/v2/tickets/1",
                json={"ticket": {"status": "bogus"}},
                headers=_BEARER,
            ),
            "'bogus' is not one of",
        ),
        (
            httpx.Request(
                "PUT",
                f"{BASE_URL}/api/v2/tickets/1",
                json={"ticket": {"stauts": "open"}},
                headers=_BEARER,
            ),
            "body keys not in the OAS: {'ticket.stauts'}",
        ),
        (httpx.Request("GET", f"{BASE_URL}/api/v2/tickets/abc", headers=_BEARER), "ticket_id"),
        (httpx.Request("GET", f"{BASE_URL}/api/v2/tickets/1"), "Security not found"),
        (
            httpx.Request(
                "PUT",
                f"{BASE_URL}/api/v2/triggers/1",
                json={"trigger": {"active": False}},
                headers=_BEARER,
            ),
            "'title' is a required property",
        ),
        (
            httpx.Request("POST", f"{BASE_URL}/api/v2/webhooks", json={"webhook": {"name": "x"}}),
            "'endpoint' is a required property",
        ),
        (
            httpx.Request(
                "POST",
                f"{BASE_URL}/api/v2/webhooks",
                json={"webhook": {**WEBHOOK, "id": None, "subscription": ["x"]}},
            ),
            "webhook.subscription",
        ),
    ],
    ids=[
        "enum",
        "unknown-key",
        "path-param",
        "no-auth",
        "trigger-partial",
        "webhook-required",
        "webhook-unknown-key",
    ],
)
def test_validator_rejects_what_the_oas_forbids(request_: httpx.Request, message: str) -> None:
    """The validation above has teeth."""
    with pytest.raises(Exception) as caught:  # noqa: PT011 (openapi-core's or our assert)
        validate(request_)
    assert message in str(caught.value) or message in repr(caught.value.__cause__)


def test_every_public_client_method_has_a_case() -> None:
    public = {
        name
        for name in vars(ZendeskClient)
        if not name.startswith("_") and callable(getattr(ZendeskClient, name))
    } - {"close", "for_subdomain"}
    # The Help Center API is not in the Support OAS: its requests are checked against Zendesk's
    # published Help Center reference through the sandbox (tests/integration/knowledge).
    public = {name for name in public if not name.startswith("help_center_")}
    covered = {name for name in CASES if name in public} | {
        name for name in public for case in CASES if case.startswith(name)
    }
    assert public <= covered, sorted(public - covered)


def test_amendments_are_still_needed() -> None:
    """If Zendesk's OAS gains these paths, drop the amendments."""
    paths = support_oas()["paths"]
    assert "/api/v2/users/{user_id}/group_memberships" not in paths
    assert "/api/v2/groups/{group_id}/memberships" not in paths
    assert "/api/v2/oauth/tokens/current.json" not in paths
    assert support_oas()["components"]["parameters"]["IncrementalUnixTime"]["required"] is True
    assert set(AMENDMENTS) == {
        "bearer",
        "user_group_memberships",
        "group_memberships",
        "current_token",
        "cursor_export",
    }
