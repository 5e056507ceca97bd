"""Our HTTP API router answers as Powertools' APIGatewayHttpResolver, which it replaced (cold
start, bench/bench_cold_start.py): the same events give the same results through both."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler import Response as PowertoolsResponse

from zdagent.api.router import Response, Router


class Boom(LookupError):
    pass


def _register(app: Any, response: type) -> Any:
    @app.get("/agents")
    def list_agents() -> Any:
        return response(status_code=200, content_type="application/json", body='{"items":[]}')

    @app.get("/agents/<agent_id>")
    def get_agent(agent_id: str) -> Any:
        return response(status_code=200, content_type="application/json", body=json.dumps(agent_id))

    @app.get("/agents/special")  # static routes win over dynamic ones registered first
    def special() -> Any:
        return {"special": True}

    @app.delete("/agents/<agent_id>/items/<item_id>")
    def delete_item(agent_id: str, item_id: str) -> Any:
        return response(status_code=204, body="", headers={"X-Ids": f"{agent_id}/{item_id}"})

    @app.post("/query")
    def query() -> Any:
        event = app.current_event
        return {
            "params": event.query_string_parameters,
            "body": event.body,
            "stage": event.request_context.stage,
            "domain": event.request_context.domain_name,
        }

    @app.get("/boom")
    def boom() -> Any:
        raise Boom("nothing here")

    @app.get("/crash")
    def crash() -> Any:
        raise RuntimeError("crash")

    @app.exception_handler(LookupError)
    def lookup(exc: Exception) -> Any:
        return response(status_code=404, content_type="text/plain", body=f"lookup: {exc}")

    @app.exception_handler(Exception)
    def anything(exc: Exception) -> Any:
        return response(status_code=500, content_type="text/plain", body=type(exc).__name__)

    @app.not_found
    def not_found(_: Exception) -> Any:
        return response(status_code=404, content_type="text/plain", body="no route")

    return app


def _event(method: str, raw_path: str, stage: str = "$default", **extra: Any) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": {"host": "api.example.com"},
        "requestContext": {
            "http": {"method": method, "path": raw_path},
            "stage": stage,
            "domainName": "api.example.com",
        },
        "isBase64Encoded": False,
        **extra,
    }


EVENTS = [
    _event("GET", "/agents"),
    _event("GET", "/agents/agt_1"),
    _event("GET", "/agents/special"),
    _event("GET", "/agents/a%20b~c.d-e_f"),
    _event("GET", "/agents/agt_1/"),
    _event("GET", "/agents/agt_1/more"),
    _event("DELETE", "/agents/agt_1/items/it-9"),
    _event("PUT", "/agents/agt_1"),
    _event("GET", "/nowhere"),
    _event("GET", "/prod/agents/agt_2", stage="prod"),
    _event("GET", "/agents/agt_2", stage="prod"),
    _event("POST", "/query", body="e30=", queryStringParameters={"a": "1,2"}, isBase64Encoded=True),
    _event("POST", "/query"),
    _event("GET", "/boom"),
    _event("GET", "/crash"),
]


@pytest.mark.parametrize(
    "event", EVENTS, ids=lambda e: f"{e['rawPath']}@{e['requestContext']['stage']}"
)
def test_same_result_as_powertools(event: dict[str, Any]) -> None:
    ours = _register(Router(), Response).resolve(event, None)
    theirs = _register(APIGatewayHttpResolver(), PowertoolsResponse).resolve(event, None)
    if ours["body"].startswith("{"):  # Powertools writes dicts compactly too; compare as JSON
        assert json.loads(ours.pop("body")) == json.loads(theirs.pop("body"))
    assert ours == theirs
