"""Runs the template's functions in-process, and routes moto's Lambda ``Invoke`` to them.

Each handler file is imported under its own module name (every function's file is ``app.py``).
Step Functions Task states in moto call Lambda's ``Invoke``; ``LambdaHook`` patches moto's
Docker-less Lambda backend so an invoke of a function the local stack registered runs the handler
and reports an exception the way AWS does (``FunctionError`` + ``{"errorType", "errorMessage"}``),
which is what ASL ``Retry``/``Catch`` match on.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from zdlocal.template import ACCOUNT_ID, REGION, FunctionSpec, ResourceMap, TemplateError

log = logging.getLogger("zdlocal.lambdas")

Handler = Callable[[Any, Any], Any]


@dataclass
class LambdaContext:
    """The parts of Lambda's context object handlers and Powertools use."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    identity: Any = None
    client_context: Any = None
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        if not self.log_group_name:
            self.log_group_name = f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class HandlerNotFoundError(TemplateError):
    """A function's handler file or attribute does not exist (yet)."""


@dataclass(frozen=True)
class LocalFunction:
    """A function as the local stack runs it."""

    spec: FunctionSpec
    function_name: str
    function_arn: str


def error_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    """Lambda's body for an unhandled exception (``errorType`` is the exception class name)."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


class FunctionRuntime:
    """Imports handlers lazily (once each) and invokes them with a ``LambdaContext``."""

    def __init__(self, functions: Iterable[LocalFunction]) -> None:
        self.functions: dict[str, LocalFunction] = {fn.spec.logical_id: fn for fn in functions}
        self._by_name = {fn.function_name: fn for fn in self.functions.values()}
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_template(
        cls, specs: Iterable[FunctionSpec], resources: ResourceMap
    ) -> FunctionRuntime:
        functions = []
        for spec in specs:
            physical = resources.get(spec.logical_id)
            name = physical.ref if physical else f"local-{spec.logical_id}"
            arn = (
                physical.attributes.get("Arn")
                if physical
                else f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
            )
            functions.append(LocalFunction(spec=spec, function_name=name, function_arn=str(arn)))
        return cls(functions)

    def by_function_name(self, name: str) -> LocalFunction | None:
        return self._by_name.get(name)

    def handler(self, logical_id: str) -> Handler:
        with self._lock:
            if logical_id not in self._handlers:
                self._handlers[logical_id] = _load_handler(self.functions[logical_id].spec)
            return self._handlers[logical_id]

    def missing_handlers(self) -> list[str]:
        """Sentences naming functions whose handler file is not there (the stack still runs)."""
        return [
            f"{fn.spec.logical_id}: {fn.spec.handler_file} does not exist"
            for fn in self.functions.values()
            if not fn.spec.handler_file.is_file()
        ]

    def context(self, logical_id: str) -> LambdaContext:
        fn = self.functions[logical_id]
        return LambdaContext(
            function_name=fn.function_name,
            invoked_function_arn=fn.function_arn,
            memory_limit_in_mb=fn.spec.memory_size,
            timeout_seconds=fn.spec.timeout,
        )

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Call the handler; its exception propagates."""
        handler = self.handler(logical_id)
        context = self.context(logical_id)
        started = time.monotonic()
        try:
            return handler(event, context)
        finally:
            log.debug(
                "invoke",
                extra={
                    "function": logical_id,
                    "request_id": context.aws_request_id,
                    "ms": round((time.monotonic() - started) * 1000, 1),
                },
            )

    def invoke_json(self, logical_id: str, payload: bytes) -> tuple[bytes, bool]:
        """Invoke as Lambda's API does: JSON in, JSON out, ``(body, errored)``."""
        context_id = str(uuid.uuid4())
        try:
            event = json.loads(payload) if payload else {}
            result = self.invoke(logical_id, event)
            return json.dumps(result).encode(), False
        except Exception as exc:  # every handler failure is the function's error, as in AWS
            log.warning(
                "function error",
                extra={"function": logical_id, "error_type": type(exc).__name__},
            )
            return json.dumps(error_payload(exc, context_id)).encode(), True


def _load_handler(spec: FunctionSpec) -> Handler:
    path = spec.handler_file
    if not path.is_file():
        raise HandlerNotFoundError(
            f"{spec.logical_id}: handler file {path} does not exist (Handler {spec.handler}, "
            f"CodeUri {spec.code_dir})"
        )
    # Every function file is app.py: one module name per function and file.
    digest = hashlib.sha1(str(path).encode(), usedforsecurity=False).hexdigest()[:8]
    module_name = f"zdlocal_fn_{spec.logical_id}_{digest}"
    module = sys.modules.get(module_name)
    if module is None:
        module = _import_file(module_name, path)
    handler = getattr(module, spec.handler_name, None)
    if not callable(handler):
        raise HandlerNotFoundError(
            f"{spec.logical_id}: {path} has no callable {spec.handler_name!r} (Handler "
            f"{spec.handler})"
        )
    return handler  # type: ignore[no-any-return]


def _import_file(module_name: str, path: Any) -> ModuleType:
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:  # pragma: no cover - a .py file
        raise HandlerNotFoundError(f"cannot import {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


# ----------------------------------------------------------------------------- moto hook


class LambdaHook:
    """Routes moto's Docker-less Lambda ``Invoke`` of registered functions to a ``FunctionRuntime``.

    Works for ``mock_aws`` and for a moto server in this process. Other functions keep moto's
    behaviour. Use as a context manager or ``install()``/``uninstall()``.
    """

    _active: list[FunctionRuntime] = []
    _original: Any = None
    _lock = threading.Lock()

    def __init__(self, runtime: FunctionRuntime) -> None:
        self.runtime = runtime

    def install(self) -> LambdaHook:
        with LambdaHook._lock:
            if LambdaHook._original is None:
                LambdaHook._original = LambdaSimpleBackend.invoke
                LambdaSimpleBackend.invoke = _patched_invoke  # type: ignore[method-assign]
            LambdaHook._active.append(self.runtime)
        return self

    def uninstall(self) -> None:
        with LambdaHook._lock:
            if self.runtime in LambdaHook._active:
                LambdaHook._active.remove(self.runtime)
            if not LambdaHook._active and LambdaHook._original is not None:
                LambdaSimpleBackend.invoke = LambdaHook._original  # type: ignore[method-assign]
                LambdaHook._original = None

    def __enter__(self) -> LambdaHook:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def _find(function_name: str) -> tuple[FunctionRuntime, LocalFunction] | None:
    for runtime in reversed(LambdaHook._active):
        fn = runtime.by_function_name(function_name)
        if fn is not None:
            return runtime, fn
    return None


def _patched_invoke(  # noqa: PLR0917 - moto's signature
    self: Any,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Mapping[str, str],
    response_headers: dict[str, str],
) -> bytes | str | None:
    moto_function = self.get_function(function_name, qualifier)
    found = _find(moto_function.function_name)
    if found is None:
        return LambdaHook._original(  # type: ignore[no-any-return]
            self, function_name, qualifier, body, headers, response_headers
        )
    runtime, fn = found
    payload = body.encode() if isinstance(body, str) else (body or b"")
    if headers.get("X-Amz-Invocation-Type") == "Event":
        threading.Thread(
            target=runtime.invoke_json,
            args=(fn.spec.logical_id, payload),
            name=f"lambda-event-{fn.spec.logical_id}",
            daemon=True,
        ).start()
        return b""
    result, errored = runtime.invoke_json(fn.spec.logical_id, payload)
    if errored:
        response_headers["x-amz-function-error"] = "Unhandled"
    response_headers["x-amz-executed-version"] = "$LATEST"
    response_headers["Content-Length"] = str(len(result))
    return result
