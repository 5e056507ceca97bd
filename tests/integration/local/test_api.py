"""The HTTP API emulation: route selection, the payload v2.0 event, the response mapping and the
JWT authorizer stand-in, with a tiny function behind it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from zdlocal.api import MAX_REQUEST_BYTES, ApiServer, Router
from zdlocal.lambdas import FunctionRuntime
from zdlocal.template import HttpRoute, Template

WriteFunction = Callable[[str, str], Any]
MakeTemplate = Callable[[str], Template]

ECHO = """
    import base64
    import json


    def handler(event, context):
        path = event["rawPath"]
        if path == "/plain":
            return {"hello": "world"}
        if path == "/crash":
            raise RuntimeError("handler crashed")
        if path == "/binary":
            return {"statusCode": 201, "headers": {"content-type": "image/png"},
                    "body": base64.b64encode(b"\\x89PNG").decode(), "isBase64Encoded": True,
                    "cookies": ["a=1; Path=/", "b=2"]}
        return {"statusCode": 200, "headers": {"content-type": "application/json", "x-echo": "1"},
                "body": json.dumps(event)}
"""

TEMPLATE = """
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers: {Jwt: {JwtConfiguration: {issuer: https://issuer, audience: [a]}}}
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: echo/
      Handler: app.handler
      Events:
        Open:
          Type: HttpApi
          Properties:
            {ApiId: !Ref Api, Path: "/open/{item}", Method: POST, Auth: {Authorizer: NONE}}
        Admin:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: "/agents/{agent_id}", Method: POST}
        Plain:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /plain, Method: GET, Auth: {Authorizer: NONE}}
        Crash:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /crash, Method: GET, Auth: {Authorizer: NONE}}
        Binary:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /binary, Method: GET, Auth: {Authorizer: NONE}}
"""

TOKEN = "test-admin-token"


@pytest.fixture
def client(write_function: WriteFunction, make_template: MakeTemplate) -> Client:
    write_function("echo", ECHO)
    template = make_template(TEMPLATE)
    runtime = FunctionRuntime.from_template(template.functions(), {})
    server = ApiServer(template.http_routes(), runtime.invoke, admin_token=TOKEN, port=4567)
    return Client(server.wsgi_app, use_cookies=False)


def _event(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    event: dict[str, Any] = json.loads(response.get_data(as_text=True))
    return event


def test_open_route_event_is_payload_v2(client: Client) -> None:
    response = client.post(
        "/open/a%20b?x=1&x=2&y=",
        data='{"k": "v"}',
        headers=[
            ("Content-Type", "application/json"),
            ("X-Repeated", "one"),
            ("X-Repeated", "two"),
            ("Cookie", "c1=v1; c2=v2"),
            ("User-Agent", "pytest"),
        ],
    )
    assert response.headers["x-echo"] == "1"
    event = _event(response)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /open/{item}"
    assert event["rawPath"] == "/open/a%20b"
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["pathParameters"] == {"item": "a b"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert "cookie" not in event["headers"]
    # repeated headers: WSGI joins them; over a real socket see test_local_stack.py
    assert event["headers"]["x-repeated"].replace(" ", "") == "one,two"
    assert event["headers"]["content-type"] == "application/json"
    assert event["body"] == '{"k": "v"}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["accountId"] == "123456789012"
    assert context["domainName"] == "127.0.0.1:4567"
    assert context["http"]["method"] == "POST"
    assert context["http"]["path"] == "/open/a b"
    assert context["http"]["userAgent"] == "pytest"
    assert context["http"]["sourceIp"]
    assert context["routeKey"] == "POST /open/{item}"
    assert context["stage"] == "$default"
    assert context["requestId"]
    assert context["timeEpoch"] > 0
    assert "authorizer" not in context


def test_binary_request_body_is_base64(client: Client) -> None:
    payload = bytes(range(256))
    event = _event(
        client.post("/open/x", data=payload, headers={"Content-Type": "application/octet-stream"})
    )
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_admin_route_needs_the_bearer_token(client: Client) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = client.post("/agents/a1", headers=headers)
        assert response.status_code == 401
        assert response.get_json() == {"message": "Unauthorized"}
    event = _event(client.post("/agents/a1", headers={"Authorization": f"Bearer {TOKEN}"}))
    assert event["pathParameters"] == {"agent_id": "a1"}
    assert "body" not in event
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]


def test_unknown_route_and_wrong_method_are_404(client: Client) -> None:
    for method, path in (("GET", "/nowhere"), ("GET", "/agents/a1"), ("POST", "/open")):
        response = client.open(path, method=method)
        assert response.status_code == 404
        assert response.get_json() == {"message": "Not Found"}


def test_result_without_status_code_is_200_json(client: Client) -> None:
    response = client.get("/plain")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.get_json() == {"hello": "world"}


def test_base64_response_and_cookies(client: Client) -> None:
    response = client.get("/binary")
    assert response.status_code == 201
    assert response.get_data() == b"\x89PNG"
    assert response.headers["content-type"] == "image/png"
    assert response.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2"]


def test_handler_exception_is_500_like_api_gateway(client: Client) -> None:
    response = client.get("/crash")
    assert response.status_code == 500
    assert response.get_json() == {"message": "Internal Server Error"}


def test_body_over_10_mb_is_413(client: Client) -> None:
    response = client.post(
        "/open/x", data=b"x" * (MAX_REQUEST_BYTES + 1), headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 413


def _route(path: str, method: str = "GET") -> HttpRoute:
    return HttpRoute(function_id=path, event_name="e", method=method, path=path, auth="none")


def test_most_specific_route_wins_and_greedy_is_last() -> None:
    router = Router(
        [
            _route("/{proxy+}", "ANY"),
            _route("/agents/{agent_id}"),
            _route("/agents/new"),
            _route("/agents/{agent_id}/{rest+}"),
            _route("/agents/{agent_id}/integration"),
        ]
    )

    def chosen(method: str, path: str) -> tuple[str, dict[str, str]] | None:
        found = router.match(method, path)
        return (found[0].path, found[1]) if found else None

    assert chosen("GET", "/agents/new") == ("/agents/new", {})
    assert chosen("GET", "/agents/a1") == ("/agents/{agent_id}", {"agent_id": "a1"})
    assert chosen("GET", "/agents/a1/integration") == (
        "/agents/{agent_id}/integration",
        {"agent_id": "a1"},
    )
    assert chosen("GET", "/agents/a1/x/y") == (
        "/agents/{agent_id}/{rest+}",
        {"agent_id": "a1", "rest": "x/y"},
    )
    assert chosen("DELETE", "/other/thing") == ("/{proxy+}", {"proxy": "other/thing"})
    assert Router([_route("/agents/{agent_id}")]).match("GET", "/agents") is None
