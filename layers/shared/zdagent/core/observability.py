"""One logger and one metrics buffer for the whole package: structured JSON logs and EMF metrics.

Tracing is Lambda's active tracing (``Tracing: Active`` in template.yaml): the runtime traces each
invocation and its AWS calls are sampled by the service, with no SDK in the function. Every log
line carries the ``xray_trace_id`` and handlers set a correlation id, so a trace and its logs meet.
No X-Ray SDK and no response body is ever copied into a trace or a log.

Written here rather than with Powertools' Logger and Metrics, in their output format (the same
keys: ``level``, ``location``, ``message``, ``timestamp``, ``service``, ``cold_start``,
``function_*``, ``correlation_id``, ``xray_trace_id``, the ``extra`` keys, ``exception``; EMF
documents with the ``service`` dimension): importing Powertools costs every function about 7% of
``import boto3`` at cold start (bench/bench_cold_start.py), a quarter of the webhook receiver's
whole budget, for the few calls below. ``POWERTOOLS_LOG_LEVEL`` still sets the level.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

SERVICE = "zendesk-ai-email-agent"
NAMESPACE = "ZendeskAIEmailAgent"

# where API Gateway puts the request id in an HTTP API event (Powertools' API_GATEWAY_HTTP)
API_GATEWAY_HTTP_REQUEST_ID = "requestContext.requestId"

_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class _JsonFormatter(logging.Formatter):
    def __init__(self, keys: dict[str, object]) -> None:
        super().__init__()
        self._keys = keys

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "timestamp": _timestamp(record.created),
            "service": SERVICE,
            **self._keys,
        }
        trace = os.environ.get("_X_AMZN_TRACE_ID")
        if trace:
            entry["xray_trace_id"] = trace.split(";")[0].replace("Root=", "")
        entry.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
            entry["exception_name"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str, separators=(",", ":"))


def _timestamp(created: float) -> str:
    """'2026-11-29 20:59:04,131+0000', as Powertools writes it."""
    moment = datetime.fromtimestamp(created, UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S},{moment.microsecond // 1000:03d}+0000"


class Logger:
    """Structured JSON lines on stdout (records also propagate, as Powertools' did)."""

    def __init__(self, service: str = SERVICE) -> None:
        self._keys: dict[str, object] = {}
        self._logger = logging.getLogger(service)
        self._logger.setLevel(os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO").upper() or "INFO")
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(_JsonFormatter(self._keys))
        self._logger.addHandler(handler)
        self._cold_start = True

    def setLevel(self, level: int | str) -> None:  # the name logging and Powertools use
        self._logger.setLevel(level)

    def debug(self, msg: str, *, extra: Mapping[str, object] | None = None) -> None:
        self._logger.debug(msg, extra=extra, stacklevel=2)

    def info(self, msg: str, *, extra: Mapping[str, object] | None = None) -> None:
        self._logger.info(msg, extra=extra, stacklevel=2)

    def warning(self, msg: str, *, extra: Mapping[str, object] | None = None) -> None:
        self._logger.warning(msg, extra=extra, stacklevel=2)

    def error(self, msg: str, *, extra: Mapping[str, object] | None = None) -> None:
        self._logger.error(msg, extra=extra, stacklevel=2)

    def exception(self, msg: str, *, extra: Mapping[str, object] | None = None) -> None:
        self._logger.exception(msg, extra=extra, stacklevel=2)

    def inject_lambda_context[**P, R](
        self, correlation_id_path: str | None = None, *, clear_state: bool = False
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Every line of the invocation carries the function's keys and the correlation id."""

        def decorate(handler: Callable[P, R]) -> Callable[P, R]:
            @functools.wraps(handler)
            def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
                event, context = [*args, None, None][:2]
                self._start_invocation(event, context, correlation_id_path, clear_state)
                return handler(*args, **kwargs)

            return wrapped

        return decorate

    def _start_invocation(
        self, event: object, context: object, correlation_id_path: str | None, clear: bool
    ) -> None:
        if clear:
            self._keys.clear()
        self._keys.update(
            {
                "cold_start": self._cold_start,
                "function_name": getattr(context, "function_name", None),
                "function_memory_size": getattr(context, "memory_limit_in_mb", None),
                "function_arn": getattr(context, "invoked_function_arn", None),
                "function_request_id": getattr(context, "aws_request_id", None),
            }
        )
        self._cold_start = False
        if correlation_id_path:
            self._keys["correlation_id"] = _dig(event, correlation_id_path)
        for key in [k for k, v in self._keys.items() if v is None]:
            del self._keys[key]


def _dig(event: object, dotted: str) -> object:
    value = event
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class Metrics:
    """Metrics of one invocation, written as one CloudWatch EMF document when it ends."""

    def __init__(self, service: str = SERVICE, namespace: str = NAMESPACE) -> None:
        self._service = service
        self._namespace = namespace
        self._values: dict[str, tuple[str, list[float]]] = {}

    def add_metric(self, name: str, unit: str, value: float) -> None:
        self._values.setdefault(name, (unit, []))[1].append(float(value))

    def log_metrics[**P, R](self, handler: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(handler)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return handler(*args, **kwargs)
            finally:
                self.flush()

        return wrapped

    def flush(self) -> None:
        if self._values:
            emit_emf(self._namespace, {"service": self._service}, self._values)
        self._values = {}


def emit_emf(
    namespace: str, dimensions: dict[str, str], values: dict[str, tuple[str, list[float]]]
) -> None:
    """One CloudWatch embedded-metric-format document on stdout."""
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [list(dimensions)],
                    "Metrics": [{"Name": n, "Unit": unit} for n, (unit, _) in values.items()],
                }
            ],
        },
        **dimensions,
        **{name: numbers for name, (_, numbers) in values.items()},
    }
    print(json.dumps(document, separators=(",", ":")), flush=True)  # noqa: T201 (EMF is stdout)


logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)

# httpx logs every request line with its full URL at INFO; URLs can carry customer emails (user
# search) and our client already logs each request with its path template instead.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
