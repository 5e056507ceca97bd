"""schemathesis fuzzes the admin API of a running local stack from its own ``GET /openapi.json``.

Every operation gets generated requests (valid and invalid bodies, queries, path values) with the
admin token. Whatever they hold: no 5xx; the status, content type and body are what the document
says; and every error is a problem document (``type``, ``title``, ``status``, ``detail``), except
401, which API Gateway's JWT authorizer answers before our code runs. A stack of its own, so the
generated agents never meet the other end-to-end tests. Bounded: a few examples per operation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import RunningStack, start_stack
from zdagent.api.catalog import ROUTES

pytestmark = pytest.mark.e2e
EXAMPLES_PER_OPERATION = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_stack() -> Iterator[RunningStack]:
    stack = start_stack()
    yield stack
    assert stack.stop() == 0


@pytest.fixture(scope="module")
def admin_api(fuzzed_stack: RunningStack) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed_stack.api_url}/openapi.json", timeout=30)


@pytest.mark.parametrize("route", [route.route for route in ROUTES])
def test_no_5xx_and_every_error_is_a_problem_document(
    route: str, admin_api: schemathesis.BaseSchema, fuzzed_stack: RunningStack
) -> None:
    method, path = route.split(" ", 1)
    operation = admin_api[path][method]
    token = {"Authorization": f"Bearer {fuzzed_stack.admin_token}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def fuzz(case: schemathesis.Case) -> None:
        response = case.call(headers=token, timeout=30)
        case.validate_response(response, checks=CHECKS, headers=token)
        if response.status_code >= 400 and path != "/oauth/zendesk/callback":
            assert_problem_document(response.status_code, response.headers, response.text)

    fuzz()


def assert_problem_document(status: int, headers: Mapping[str, list[str]], body: str) -> None:
    content_types = {k.lower(): v for k, v in headers.items()}["content-type"]
    assert content_types == ["application/problem+json"], (status, body[:200])
    problem = json.loads(body)
    assert {"type", "title", "status", "detail"} <= set(problem), problem
    assert problem["status"] == status
    assert problem["detail"].strip()
