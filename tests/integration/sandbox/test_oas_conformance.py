"""Every Zendesk path the sandbox serves answers what Zendesk's OpenAPI file documents.

Responses (status and JSON body) are validated with openapi-core against
``docs/reference/zendesk-support-oas.yaml``; the Webhooks API, which that file lacks,
against the unofficial ``zendesk-webhooks-oas.yaml`` (Postman-derived, ``<string>``
placeholders). A final check proves every served Zendesk route was exercised here.

The OAS is amended only where it contradicts Zendesk's documentation or real responses; each
amendment is named in ``AMENDMENTS``.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.response.exceptions import MissingData
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.integration.sandbox.sandbox_support import (
    Account,
    ApiClient,
    pkce_pair,
)
from tests.support.oas import support_oas, webhooks_oas
from zdsandbox.server import SandboxServer

HOST = "https://acme.zendesk.com"

AMENDMENTS = {
    "user_group_memberships": "GET /api/v2/users/{user_id}/group_memberships and "
    "/api/v2/groups/{group_id}/memberships: documented on the reference page; the OAS folds them "
    "into ListGroupMemberships",
    "current_token": "GET|DELETE /api/v2/oauth/tokens/current: named in ShowToken's description; "
    "the OAS types {oauth_token_id} as an integer",
    "cursor_export": "IncrementalTicketExportCursor: start_time is required in the OAS but later "
    "pages use cursor only",
    "nullable": "Zendesk returns null for unset ticket/user/token fields (priority, type, "
    "assignee_id, group_id, ...); the OAS omits nullable on them",
    "webhooks_placeholders": "the webhooks file is built from Postman examples: it cannot express "
    "null (links.next/prev at the last page) and types '<boolean>'/'<integer>' placeholders as "
    "strings; those get their real types",
}
NULLABLE = {
    "TicketObject": (
        "priority",
        "type",
        "assignee_id",
        "group_id",
        "organization_id",
        "external_id",
        "via_followup_source_id",
        "raw_subject",
    ),
    "UserForAdmin": ("default_group_id",),
    "OauthTokenObject": ("refresh_token", "used_at", "expires_at", "refresh_token_expires_at"),
}


def _amend_support(spec: dict[str, Any]) -> dict[str, Any]:
    paths, schemas = spec["paths"], spec["components"]["schemas"]
    listing = paths["/api/v2/group_memberships"]["get"]
    for path, param in (
        ("/api/v2/users/{user_id}/group_memberships", "UserId"),
        ("/api/v2/groups/{group_id}/memberships", "GroupId"),
    ):
        op = copy.deepcopy(listing)
        op["operationId"] += f"By{param}"
        op["parameters"] = [{"$ref": f"#/components/parameters/{param}"}]
        paths[path] = {"get": op}
    token_item = paths["/api/v2/oauth/tokens/{oauth_token_id}"]
    paths["/api/v2/oauth/tokens/current"] = {
        method: {**copy.deepcopy(token_item[method]), "operationId": f"{method}CurrentToken"}
        for method in ("get", "delete")
    }
    spec["components"]["parameters"]["IncrementalUnixTime"]["required"] = False
    for schema, names in NULLABLE.items():
        for name in names:
            prop = schemas[schema]["properties"][name]
            prop["nullable"] = True
            if "enum" in prop:
                prop["enum"] = [*prop["enum"], None]
    return spec


PLACEHOLDER_TYPES = {"<boolean>": "boolean", "<integer>": "integer", "<number>": "number"}


def _amend_webhooks(node: Any) -> Any:
    """Placeholder-typed values get their real type; every value may be null."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            node["nullable"] = True
            placeholder = node.get("example")
            if isinstance(placeholder, str) and placeholder in PLACEHOLDER_TYPES:
                node["type"] = PLACEHOLDER_TYPES[placeholder]
        for value in node.values():
            _amend_webhooks(value)
    elif isinstance(node, list):
        for value in node:
            _amend_webhooks(value)
    return node


@dataclass
class _Request:
    """openapi-core's Request protocol for a response's httpx request."""

    path: str
    method: str
    host_url: str = HOST
    body: bytes | None = None
    content_type: str = "application/json"
    parameters: RequestParameters = field(default_factory=RequestParameters)


@dataclass
class _Response:
    data: bytes
    status_code: int
    content_type: str
    headers: Headers


@dataclass
class Conformance:
    support: OpenAPI
    webhooks: OpenAPI
    served: list[tuple[str, str]]
    sandbox: SandboxServer
    covered: set[tuple[str, str]] = field(default_factory=set)

    def check(self, response: httpx.Response, status: int) -> httpx.Response:
        assert response.status_code == status, response.text
        request = response.request
        sub_path = request.url.path
        rule = self.sandbox.app.rule_for(request.method, sub_path)
        assert rule is not None, sub_path
        self.covered.add((request.method, rule))
        path = re.sub(r"^/[^/]+", "", sub_path).removesuffix(".json")
        oas_request = _Request(
            path=path,
            method=request.method.lower(),
            body=request.content or None,
            parameters=RequestParameters(
                query=ImmutableMultiDict(list(request.url.params.multi_items())),
                header=Headers(dict(request.headers)),
                cookie=ImmutableMultiDict(),
            ),
        )
        content_type = response.headers.get("content-type", "application/json").split(";")[0]
        oas_response = _Response(
            response.content, response.status_code, content_type, Headers(dict(response.headers))
        )
        api = self.webhooks if path.startswith("/api/v2/webhooks") else self.support
        try:
            api.validate_response(oas_request, oas_response)
        except MissingData:
            # The status is documented (else ResponseNotFound); a 204 has no body to check.
            assert response.status_code == 204
            assert response.content == b""
        return response


@pytest.fixture(scope="session")
def oas_apis() -> tuple[OpenAPI, OpenAPI]:
    """The two OpenAPI files, loaded once per session (the support file is 1.2 MB)."""
    config = Config(spec_validator_cls=None)
    support = OpenAPI.from_dict(_amend_support(copy.deepcopy(support_oas())), config=config)
    webhooks = OpenAPI.from_dict(_amend_webhooks(copy.deepcopy(webhooks_oas())), config=config)
    return support, webhooks


@pytest.fixture(scope="module")
def conformance(oas_apis: tuple[OpenAPI, OpenAPI], sandbox: SandboxServer) -> Iterator[Conformance]:
    # The Help Center API is not in the Support OAS: tests/integration/sandbox/test_help_center.py
    # checks its paths against Zendesk's Help Center reference.
    served = [r for r in sandbox.app.zendesk_routes() if "/api/v2/help_center/" not in r[1]]
    return Conformance(oas_apis[0], oas_apis[1], served, sandbox)


def test_oauth_token_endpoints(account: Account, conformance: Conformance) -> None:
    code, verifier = account.code_for(f"ai-agent@{account.subdomain}.test")
    token = conformance.check(account.exchange(code, verifier), 201).json()
    api = ApiClient(account, token["access_token"])
    conformance.check(api.get("/api/v2/oauth/tokens/current.json"), 200)
    conformance.check(api.delete("/api/v2/oauth/tokens/current"), 204)
    _, challenge = pkce_pair()
    page = account.client.get(
        account.path("/oauth/authorizations/new"),
        params=account.authorize_params(code_challenge=challenge),
    )
    assert page.status_code == 200
    conformance.covered.add(("GET", "/<sub>/oauth/authorizations/new"))
    denied = account.client.post(
        account.path("/oauth/authorizations/new"),
        data={**account.authorize_params(), "decision": "deny"},
    )
    assert denied.status_code == 302
    conformance.covered.add(("POST", "/<sub>/oauth/authorizations/new"))


def test_users_and_groups(account: Account, api: ApiClient, conformance: Conformance) -> None:
    check = conformance.check
    me = check(api.get("/api/v2/users/me.json"), 200).json()["user"]
    check(api.get(f"/api/v2/users/{me['id']}"), 200)
    check(api.get(f"/api/v2/users/{account.customer_id}"), 200)
    check(api.get("/api/v2/users/search", params={"query": "email:customer@example.com"}), 200)
    check(api.get(f"/api/v2/users/{me['id']}/group_memberships"), 200)
    groups = check(api.get("/api/v2/groups", params={"page[size]": 1}), 200).json()
    assert groups["meta"]["has_more"] is True
    group_id = groups["groups"][0]["id"]
    check(api.get(f"/api/v2/groups/{group_id}"), 200)
    check(api.get(f"/api/v2/groups/{group_id}/memberships"), 200)
    check(api.get("/api/v2/group_memberships", params={"per_page": 2}), 200)
    all_groups = check(api.get("/api/v2/groups.json"), 200).json()["groups"]
    group_id = next(g["id"] for g in all_groups if g["name"] == "AI agent")
    check(
        api.post(
            "/api/v2/group_memberships",
            json={"group_membership": {"user_id": account.user_id("agent"), "group_id": group_id}},
        ),
        201,
    )


def test_tickets_comments_tags_export(
    account: Account, api: ApiClient, conformance: Conformance
) -> None:
    check = conformance.check
    ticket_id = account.email("Hello", auto_submitted=True)["ticket_id"]
    check(api.get(f"/api/v2/tickets/{ticket_id}.json"), 200)
    check(
        api.put(
            f"/api/v2/tickets/{ticket_id}",
            json={
                "ticket": {
                    "comment": {"html_body": "<p>Hi</p>", "public": True},
                    "status": "pending",
                    "tags": ["a"],
                    "assignee_email": f"agent@{account.subdomain}.test",
                }
            },
        ),
        200,
    )
    check(api.get(f"/api/v2/tickets/{ticket_id}/comments", params={"page[size]": 1}), 200)
    check(api.get(f"/api/v2/tickets/{ticket_id}/comments"), 200)
    check(api.get(f"/api/v2/tickets/{ticket_id}/audits", params={"include": "users,tickets"}), 200)
    check(api.get(f"/api/v2/tickets/{ticket_id}/audits", params={"page[size]": 1}), 200)
    check(api.get(f"/api/v2/tickets/{ticket_id}/tags"), 200)
    check(api.put(f"/api/v2/tickets/{ticket_id}/tags", json={"tags": ["b"]}), 200)
    check(api.post(f"/api/v2/tickets/{ticket_id}/tags", json={"tags": ["c"]}), 201)
    check(api.delete(f"/api/v2/tickets/{ticket_id}/tags", json={"tags": ["c"]}), 204)
    account.client.post(
        account.path("/_sandbox/tickets/bulk"),
        json={"count": 30, "days_back": 5, "comments_per_ticket": 2},
    )
    start = int(time.time()) - 10 * 86400
    first = check(
        api.get("/api/v2/incremental/tickets/cursor", params={"start_time": start, "per_page": 10}),
        200,
    ).json()
    check(
        api.get("/api/v2/incremental/tickets/cursor", params={"cursor": first["after_cursor"]}), 200
    )
    check(
        api.get(
            "/api/v2/incremental/ticket_events",
            params={"start_time": start, "include": "comment_events", "per_page": 10},
        ),
        200,
    )


def test_webhooks_and_triggers(one_category_account: Account, conformance: Conformance) -> None:
    api = one_category_account.api("ai-agent")
    check = conformance.check
    webhook = check(
        api.post(
            "/api/v2/webhooks",
            json={
                "webhook": {
                    "name": "hook",
                    "endpoint": "http://127.0.0.1:9/hook",
                    "http_method": "POST",
                    "request_format": "json",
                    "status": "active",
                    "subscriptions": ["conditional_ticket_events"],
                    "authentication": {
                        "type": "bearer_token",
                        "data": {"token": "t"},
                        "add_position": "header",
                    },
                }
            },
        ),
        201,
    ).json()["webhook"]
    hook = f"/api/v2/webhooks/{webhook['id']}"
    check(api.get("/api/v2/webhooks"), 200)
    check(api.get(hook), 200)
    check(
        api.put(
            hook,
            json={
                "webhook": {
                    "name": "hook2",
                    "endpoint": "http://127.0.0.1:9/hook",
                    "http_method": "POST",
                    "request_format": "json",
                    "status": "active",
                    "subscriptions": ["conditional_ticket_events"],
                }
            },
        ),
        204,
    )
    check(api.request("PATCH", hook, json={"webhook": {"name": "hook3"}}), 204)
    check(api.get(f"{hook}/signing_secret"), 200)
    check(api.post(f"{hook}/signing_secret"), 201)
    check(api.post("/api/v2/webhooks", json={"webhook": {"name": "broken"}}), 400)
    check(api.get("/api/v2/webhooks/01NOSUCHWEBHOOK00000000000"), 404)
    trigger_body = {
        "title": "t",
        "conditions": {
            "all": [{"field": "comment_is_public", "operator": "is", "value": "true"}],
            "any": [],
        },
        "actions": [{"field": "notification_webhook", "value": [webhook["id"], "{}"]}],
    }
    trigger = check(api.post("/api/v2/triggers", json={"trigger": trigger_body}), 201).json()
    trigger_id = trigger["trigger"]["id"]
    other = check(api.post("/api/v2/triggers", json={"trigger": trigger_body}), 201).json()
    check(api.get("/api/v2/triggers", params={"active": "true"}), 200)
    check(api.get("/api/v2/triggers/active"), 200)
    check(api.get(f"/api/v2/triggers/{trigger_id}"), 200)
    check(api.get("/api/v2/triggers/definitions"), 200)
    check(api.put(f"/api/v2/triggers/{trigger_id}", json={"trigger": trigger_body}), 200)
    check(
        api.put(
            "/api/v2/triggers/update_many", json={"triggers": [{"id": trigger_id, "position": 5}]}
        ),
        200,
    )
    check(
        api.put(
            "/api/v2/triggers/reorder", json={"trigger_ids": [other["trigger"]["id"], trigger_id]}
        ),
        200,
    )
    check(api.delete(f"/api/v2/triggers/{trigger_id}"), 204)
    check(api.delete(hook), 204)


def test_public_locales_answer_anyone(account: Account, conformance: Conformance) -> None:
    anonymous = account.client.get(account.path("/api/v2/locales/public.json"))
    locales = conformance.check(anonymous, 200).json()["locales"]
    assert [item["locale"] for item in locales] == ["en-US", "de"]


def test_trigger_categories(account: Account, api: ApiClient, conformance: Conformance) -> None:
    check = conformance.check
    listed = check(api.get("/api/v2/trigger_categories"), 200).json()
    assert [c["name"] for c in listed["trigger_categories"]] == [
        "Notifications",
        "Escalations",
        "Follow-ups",
    ]
    body = {"trigger_category": {"name": "Escalations", "position": 3}}
    created = check(api.post("/api/v2/trigger_categories", json=body), 200).json()
    category = f"/api/v2/trigger_categories/{created['trigger_category']['id']}"
    check(api.get(category), 200)
    renamed = {"trigger_category": {"name": "Escalations (EU)"}}
    check(api.request("PATCH", category, json=renamed), 200)
    check(api.get("/api/v2/trigger_categories", params={"include": "rule_counts"}), 200)
    check(api.get("/api/v2/trigger_categories", params={"sort": "-name"}), 200)
    check(api.post("/api/v2/trigger_categories", json={"trigger_category": {"name": ""}}), 400)
    check(api.get("/api/v2/trigger_categories/999999"), 404)
    check(api.delete(category), 204)
    check(api.delete(category), 404)


def test_every_served_zendesk_route_was_validated(conformance: Conformance) -> None:
    missing = sorted(set(conformance.served) - conformance.covered)
    assert not missing, f"Zendesk routes the conformance tests never exercised: {missing}"
