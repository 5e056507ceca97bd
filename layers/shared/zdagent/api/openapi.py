"""The admin API's OpenAPI 3.1 document, written from ``catalog.ROUTES`` and their pydantic models.

Our own generator rather than Powertools' ``enable_validation=True`` resolver: that one would
make every API function import and run its OpenAPI machinery at cold start, and its document
comes from handler signatures that our handlers do not use (they parse with the use cases'
models). This module is imported only by the OpenAPI function (and by tests and ``make docs``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from zdagent.api.catalog import ROUTES, Route
from zdagent.api.schemas import Problem

TITLE = "Zendesk AI email agent: admin API"
VERSION = "1"
PROBLEM_JSON = "application/problem+json"
REF_TEMPLATE = "#/components/schemas/{model}"
_PATH_PARAMETER = re.compile(r"{(\w+)}")


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once per process)."""
    schemas = _component_schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "Connects an AI agent to Zendesk Support's email channel. Errors are RFC 9457 "
                "problem documents; unknown body fields are refused with 422; a request that "
                "breaks an ordering rule gets 409 naming the step to do first. "
                "The full contract: docs/contract.md."
            ),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "admin": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a JWT of the admin identity provider (local: ADMIN_TOKEN)",
                }
            },
        },
    }


def _schema_inputs() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    """Bodies and queries as they are validated, responses as they are serialised."""
    inputs: dict[tuple[str, str], tuple[type[BaseModel], JsonSchemaMode]] = {
        ("Problem", "serialization"): (Problem, "serialization")
    }
    for route in ROUTES:
        for model in (route.body, route.query):
            if model is not None:
                inputs[(model.__name__, "validation")] = (model, "validation")
        if route.response is not None:
            inputs[(route.response.__name__, "serialization")] = (route.response, "serialization")
    return list(inputs.values())


def _component_schemas() -> dict[str, Any]:
    _, top = models_json_schema(_schema_inputs(), ref_template=REF_TEMPLATE)
    return dict(top.get("$defs", {}))


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _operation(route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": route.summary,
        "tags": [route.tag],
        "security": [{"admin": []}] if route.admin else [],
        "responses": _responses(route),
    }
    parameters = _path_parameters(route) + _query_parameters(route)
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        operation["requestBody"] = {
            "required": not route.body_optional,
            "content": {"application/json": {"schema": _ref(route.body)}},
        }
    return operation


def _operation_id(route: Route) -> str:
    words = re.sub(r"[{}]", "", route.path).strip("/").replace(".", "_").split("/")
    return "_".join([route.method.lower(), *words])


def _path_parameters(route: Route) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAMETER.findall(route.path)
    ]


def _query_parameters(route: Route) -> list[dict[str, Any]]:
    if route.query is None:
        return []
    schema = route.query.model_json_schema(ref_template=REF_TEMPLATE)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _responses(route: Route) -> dict[str, Any]:
    success: dict[str, Any] = {"description": route.summary}
    if route.html:
        success["content"] = {"text/html": {"schema": {"type": "string"}}}
    elif route.response is not None:
        success["content"] = {"application/json": {"schema": _ref(route.response)}}
    elif route.status != 204:
        success["content"] = {"application/json": {"schema": {"type": "object"}}}
    responses: dict[str, Any] = {str(route.status): success}
    if route.html:
        page = {"text/html": {"schema": {"type": "string"}}}
        responses["4XX"] = {"description": "an HTML page saying what to do", "content": page}
        responses["502"] = {"description": "Zendesk failed (an HTML page)", "content": page}
        return responses
    problem = {PROBLEM_JSON: {"schema": _ref(Problem)}}
    responses["4XX"] = {"description": "a problem document saying what to do", "content": problem}
    if route.calls_zendesk:
        responses["502"] = {"description": "Zendesk failed (its words kept)", "content": problem}
    return responses
