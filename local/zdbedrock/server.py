"""The emulator's HTTP server (Werkzeug, a daemon thread): ``BedrockEmulator(port).start()``."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from zdbedrock.model import TOOL_NAME, decide
from zdlocal.serving import BackgroundServer, QuietRequestHandler

# Bedrock's errors for Converse (botocore's bedrock-runtime service model): code → HTTP status.
ERRORS = {
    "AccessDeniedException": 403,
    "ThrottlingException": 429,
    "ResourceNotFoundException": 404,
    "ModelTimeoutException": 408,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
    "ValidationException": 400,
    "ModelNotReadyException": 429,
    "ModelErrorException": 424,
}
BEHAVIOURS = frozenset(
    {
        "refusal",
        "cite_unknown",
        "invented_figure",
        "malformed",
        "max_tokens",
        "content_filtered",
        "guardrail",
        "delay",
    }
)


@dataclass
class Fault:
    kind: str
    times: int
    delay_ms: int = 0


class EmulatorState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.faults: deque[Fault] = deque()
        self.calls: list[dict[str, Any]] = []

    def next_fault(self) -> Fault | None:
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults[0]
            fault.times -= 1
            if fault.times <= 0:
                self.faults.popleft()
            return fault


class EmulatorApp:
    def __init__(self) -> None:
        self.state = EmulatorState()
        self.routes = Map(
            [
                Rule("/model/<path:model_id>/converse", endpoint="converse", methods=["POST"]),
                Rule("/_emulator/faults", endpoint="faults", methods=["POST", "DELETE"]),
                Rule("/_emulator/calls", endpoint="calls", methods=["GET"]),
            ]
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        adapter = self.routes.bind_to_environ(environ)
        try:
            endpoint, values = adapter.match()
        except HTTPException:  # a path or method Bedrock does not have
            response = _error("UnknownOperationException", 404, "Unknown operation")
        else:
            response = getattr(self, f"_{endpoint}")(request, **values)
        return response(environ, start_response)

    # -- control
    def _faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            with self.state.lock:
                self.state.faults.clear()
            return _json({"faults": 0})
        body = request.get_json(silent=True) or {}
        kind = str(body.get("kind", ""))
        if kind not in ERRORS and kind not in BEHAVIOURS:
            known = ", ".join(sorted({*ERRORS, *BEHAVIOURS}))
            return _json({"error": f"unknown kind {kind!r}; one of {known}"}, 422)
        fault = Fault(kind, max(1, int(body.get("times", 1))), int(body.get("delay_ms", 0)))
        with self.state.lock:
            self.state.faults.append(fault)
        return _json({"kind": fault.kind, "times": fault.times}, 201)

    def _calls(self, request: Request) -> Response:
        with self.state.lock:
            return _json({"calls": list(self.state.calls)})

    # -- Bedrock
    def _converse(self, request: Request, model_id: str) -> Response:
        authorization = request.headers.get("Authorization", "")
        if not authorization.startswith("AWS4-HMAC-SHA256 ") or "/bedrock/aws4_request" not in (
            authorization
        ):
            return _error("AccessDeniedException", 403, "Missing or invalid SigV4 signature")
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except json.JSONDecodeError:
            return _error("ValidationException", 400, "Malformed JSON body")
        problem = _validate(body)
        if problem:
            return _error("ValidationException", 400, problem)
        with self.state.lock:
            self.state.calls.append({"model_id": model_id, "body": body})
        fault = self.state.next_fault()
        if fault is not None and fault.kind in ERRORS:
            return _error(fault.kind, ERRORS[fault.kind], f"Emulated {fault.kind}")
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay_ms / 1000)
        return _json(_response(body, fault.kind if fault else None))


def _validate(body: dict[str, Any]) -> str | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty list"
    for message in messages:
        if message.get("role") not in ("user", "assistant") or not message.get("content"):
            return "each message needs a role (user or assistant) and content"
    tools = (body.get("toolConfig") or {}).get("tools", [])
    names = {tool.get("toolSpec", {}).get("name") for tool in tools}
    chosen = ((body.get("toolConfig") or {}).get("toolChoice") or {}).get("tool", {}).get("name")
    if chosen is not None and chosen not in names:
        return f"toolChoice names {chosen!r}, which is not in toolConfig.tools"
    return None


def _response(body: dict[str, Any], behaviour: str | None) -> dict[str, Any]:
    reply = decide(body)
    stop_reason = "tool_use"
    if behaviour == "cite_unknown":
        reply = {**reply, "action": "answer", "source_ids": ["not-retrieved#0"]}
        reply.setdefault("answer_markdown", "Yes, of course.")
    elif behaviour == "invented_figure":
        reply = {**reply, "answer_markdown": f"{reply.get('answer_markdown', '')} Fee: 99.99 EUR."}
    elif behaviour == "max_tokens":
        stop_reason = "max_tokens"
    elif behaviour == "content_filtered":
        stop_reason = "content_filtered"
    elif behaviour == "guardrail":
        stop_reason = "guardrail_intervened"
    if behaviour == "refusal":
        content: list[dict[str, Any]] = [{"text": "I'm sorry, but I can't help with that."}]
        stop_reason = "end_turn"
    elif behaviour == "malformed":
        content = [{"text": '{"action": "answer", "confidence": "very"'}]
        stop_reason = "end_turn"
    else:
        content = [
            {"toolUse": {"toolUseId": "tooluse_emulated", "name": TOOL_NAME, "input": reply}}
        ]
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 100, "outputTokens": 50, "totalTokens": 150},
        "metrics": {"latencyMs": 1},
    }


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _error(code: str, status: int, message: str) -> Response:
    response = _json({"message": message}, status)
    response.headers["x-amzn-ErrorType"] = (
        f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    )
    return response


class BedrockEmulator:
    """Serves the emulator on ``host``:``port`` (0 picks a free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.app = EmulatorApp()
        self._requested_port = port
        self._background = BackgroundServer()
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the Bedrock emulator is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BedrockEmulator:
        server = make_server(
            self.host,
            self._requested_port,
            self.app,
            threaded=True,
            request_handler=QuietRequestHandler,
        )
        self._port = self._background.serve(server, "zdbedrock-http", poll_interval=0.05)
        return self

    def stop(self) -> None:
        self._background.stop()
        self._port = None
