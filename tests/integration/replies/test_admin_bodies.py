"""Every admin body error is a 422 problem document, never a 5xx (issue 12 item 5).

Hypothesis sends hostile bodies (deep nesting, lone surrogates, numbers JSON cannot carry, wrong
types under the real field names) to every admin route of template.yaml that takes a body, on
the real handlers (zdlocal's API emulation on moto, a connected sandbox account behind them).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.replies.conftest import Connected, Pipeline
from zdlocal.template import HttpRoute, load_template

FIELDS = (
    "name", "default_language", "settings", "articles", "id", "title", "body", "locale", "url",
    "labels", "crm", "subdomain", "ai_agent_user_email", "trigger", "conditions", "actions",
    "position", "enabled", "start_time", "end_time", "max_conversations", "tag", "channels",
    "depth", "import_tags", "group_ids", "remove_integration", "handover_group_id", "mode",
    "reply_delay_seconds", "languages", "confidence_threshold", "signature", "all", "any",
    "field", "operator", "value", "kind", "section_ids", "label_names", "locales",
)  # fmt: skip
HOSTILE_STRINGS = ("\ud800", "", "1e309", "x" * 300, "en", "zendesk_support", "\x00", "²")
RAW_BODIES = (
    "",
    "   ",
    "null",
    "[]",
    '"text"',
    "{",
    '{"name": NaN}',
    '{"name": "a", "default_language": 1e309}',
    '{"max_conversations": 1e309}',
    '{"handover_group_id": ' + "9" * 5000 + "}",
    '{"handover_group_id": ' + "9" * 30 + "}",
    "[" * 50_000,
    '{"settings":' * 50_000,
    '{"articles": [{"id": "a", "title": "t", "body": "\\ud800", "locale": "en"}]}',
    '{"name": "\\udfff"}',
    '{"\\ud800": 1}',
)

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(HOSTILE_STRINGS),
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=16,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=6).map(json.dumps),
    st.sampled_from(RAW_BODIES),
)


def body_routes() -> list[HttpRoute]:
    routes = [
        r
        for r in load_template().http_routes()
        if r.auth == "admin" and r.method in ("POST", "PUT", "PATCH")
    ]
    assert len(routes) >= 8, routes
    return sorted(routes, key=lambda r: r.route_key)


def url_of(pipeline: Pipeline, route: HttpRoute, shop: Connected) -> str:
    path = route.path.replace("{agent_id}", shop.agent_id)
    for name in ("import_id", "ticket_id", "sync_id"):
        path = path.replace("{" + name + "}", "1")
    assert "{" not in path, path
    return pipeline.api.url + path


def send(pipeline: Pipeline, route: HttpRoute, shop: Connected, body: str) -> httpx.Response:
    return httpx.request(
        route.method,
        url_of(pipeline, route, shop),
        content=body.encode("utf-8"),
        headers={"Authorization": "Bearer test-admin", "Content-Type": "application/json"},
        timeout=30,
    )


def assert_no_5xx(response: httpx.Response, route: HttpRoute, body: str) -> None:
    where = f"{route.route_key} with {body[:120]!r}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), where
        problem: dict[str, Any] = response.json()
        assert problem["status"] == response.status_code and problem["detail"], where


CREATE_AGENT_BODIES = (
    '{"name": "A", "default_language": ""}',
    '{"name": "A", "default_language": "1e309"}',
    '{"name": "A", "default_language": "' + "e" * 300 + '"}',
    '{"name": "A", "settings": {"handover_group_id": ' + "9" * 30 + "}}",
    '{"name": "   "}',
    '{"name":' * 50_000,
    '{"name": "\\ud800"}',
    '{"name": NaN}',
)


def test_create_agent_bodies_of_issue_12_are_422(pipeline: Pipeline) -> None:
    for body in CREATE_AGENT_BODIES:
        response = httpx.post(
            f"{pipeline.api.url}/agents",
            content=body.encode(),
            headers={"Authorization": "Bearer test-admin"},
            timeout=30,
        )
        assert response.status_code == 422, (body[:60], response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_lone_surrogate_in_an_article_is_a_422_naming_it(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    article = '{"id": "a1", "title": "Returns", "body": "\\ud800 broken", "locale": "en"}'
    response = httpx.put(
        f"{pipeline.api.url}/agents/{shop.agent_id}/knowledge",
        content=('{"articles": [' + article + "]}").encode(),
        headers={"Authorization": "Bearer test-admin"},
        timeout=30,
    )
    assert response.status_code == 422, response.text
    assert "articles[0].body" in response.json()["detail"]


def test_no_admin_route_answers_5xx_to_a_hostile_body(pipeline: Pipeline) -> None:
    shop = pipeline.connect()
    routes = body_routes()

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(route=st.sampled_from(routes), body=bodies)
    def hostile(route: HttpRoute, body: str) -> None:
        assert_no_5xx(send(pipeline, route, shop, body), route, body)

    hostile()
