"""``GET /openapi.json`` documents exactly the API routes of ``template.yaml``, validly."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate

from zdagent.api.catalog import ROUTES
from zdagent.api.openapi import openapi_document
from zdlocal.template import load_template

# Routes of the HTTP API that are not the admin API: Zendesk's webhook receiver (signed by
# Zendesk, docs/contract.md §3), the health check and the console page.
NOT_ADMIN_API = {"POST /webhooks/zendesk/{agent_id}", "GET /health", "GET /console"}
METHODS = {"get", "put", "post", "delete", "patch"}


def documented_routes(document: dict[str, Any]) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_template_route_is_documented_and_nothing_else() -> None:
    template_routes = {route.route_key for route in load_template().http_routes()}
    documented = documented_routes(openapi_document())
    assert sorted(template_routes - NOT_ADMIN_API - documented) == [], "missing from catalog.py"
    assert sorted(documented - template_routes) == [], "documented but not in template.yaml"


def test_the_document_is_valid_openapi_3_1() -> None:
    document = openapi_document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_admin_routes_need_the_token_and_public_ones_do_not() -> None:
    by_key = {route.route_key: route for route in load_template().http_routes()}
    for route in ROUTES:
        operation = openapi_document()["paths"][route.path][route.method.lower()]
        assert (by_key[route.route].auth == "admin") is route.admin, route.route
        assert bool(operation["security"]) is route.admin, route.route


def test_bodies_are_the_models_the_use_cases_validate_with() -> None:
    document = openapi_document()
    create = document["paths"]["/agents"]["post"]["requestBody"]["content"]["application/json"]
    schema = document["components"]["schemas"]["CreateAgentRequest"]
    assert create["schema"] == {"$ref": "#/components/schemas/CreateAgentRequest"}
    assert schema["required"] == ["name"]
    assert schema["additionalProperties"] is False  # unknown fields are a 422
    engine = document["components"]["schemas"]["ToggleEngineRequest"]
    assert engine["properties"]["enabled"] == {"title": "Enabled", "type": "boolean"}


def test_every_error_is_documented_as_a_problem_document() -> None:
    for route in ROUTES:
        operation = openapi_document()["paths"][route.path][route.method.lower()]
        errors = {k: v for k, v in operation["responses"].items() if not k.startswith("2")}
        assert "4XX" in errors, route.route
        for response in errors.values():
            content_types = set(response["content"])
            assert content_types == ({"text/html"} if route.html else {"application/problem+json"})
