"""Send one logical request to Zendesk, retrying what is worth retrying.

* 429: retried for every method (Zendesk did not process the request). ``Retry-After`` is
  honoured; when it is longer than ``retry_after_cap`` we stop at once and raise
  ``ZendeskRateLimited`` carrying it, so the caller can come back later (an SQS delay) instead
  of sleeping into a second 429.
* 5xx: retried for idempotent requests; 503 with ``Retry-After`` waits that long.
* ``httpx.TransportError``: connection failures that happened before the request left
  (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``) are retried for every method; the others
  (read timeouts, dropped connections) only for idempotent requests, because Zendesk may
  already have acted on a POST.
* otherwise full-jitter exponential backoff: ``uniform(0, min(max_backoff, base * 2**attempt))``.

No retry sleeps past the Lambda's remaining time minus ``deadline_margin``: if it would, the
typed transient error is raised at once. Logs carry method, path template, status, attempt and
elapsed milliseconds; never headers, query strings, bodies or tokens.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from zdagent.adapters.zendesk.errors import error_from_response
from zdagent.core.errors import (
    ZendeskError,
    ZendeskRateLimited,
    ZendeskServerError,
    ZendeskTransientError,
    ZendeskUnavailable,
)
from zdagent.core.observability import logger

# Failures where the request certainly never reached Zendesk.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

QueryParams = Mapping[str, str | int | bool]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 4
    retry_after_cap: float = 30.0
    base_delay: float = 0.5
    max_backoff: float = 8.0
    deadline_margin: float = 2.0

    def backoff(self, attempt: int, uniform: Callable[[float, float], float]) -> float:
        """Full-jitter exponential backoff for retry number ``attempt`` (0-based)."""
        ceiling = min(self.max_backoff, self.base_delay * (2**attempt))
        return max(0.0, uniform(0.0, ceiling))


class RequestRunner:
    """Runs requests on an ``httpx.Client`` under a ``RetryPolicy``."""

    def __init__(
        self,
        http: httpx.Client,
        policy: RetryPolicy,
        *,
        remaining_time: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.http = http
        self.policy = policy
        self._remaining_time = remaining_time
        self._sleep = sleep
        self._uniform = uniform

    def send(
        self,
        method: str,
        path_template: str,
        *,
        url: str,
        idempotent: bool,
        params: QueryParams | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        ok_statuses: frozenset[int] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """The first successful response; raises the typed ``ZendeskError`` otherwise.

        Success is any 2xx (or a status in ``ok_statuses``, for callers that handle e.g. a 401).
        """
        operation = f"{method} {path_template}"
        attempt = 0
        while True:
            started = time.monotonic()
            log_keys: dict[str, object] = {
                "method": method,
                "path": path_template,
                "attempt": attempt,
            }
            try:
                response = self.http.request(
                    method,
                    url,
                    params=dict(params) if params is not None else None,
                    json=json,
                    headers=dict(headers) if headers else None,
                    extensions=dict(extensions) if extensions else None,
                )
            except httpx.TransportError as exc:
                elapsed_ms = round((time.monotonic() - started) * 1000)
                error: ZendeskError = ZendeskUnavailable(
                    f"{operation}: Zendesk unreachable ({type(exc).__name__}: {exc})",
                    extra={"transport_error": type(exc).__name__},
                )
                retryable = idempotent or isinstance(exc, _NOT_SENT)
                logger.warning(
                    "zendesk request failed",
                    extra={**log_keys, "error": type(exc).__name__, "elapsed_ms": elapsed_ms},
                )
                if not retryable:
                    raise error from exc
            else:
                elapsed_ms = round((time.monotonic() - started) * 1000)
                status = response.status_code
                log_keys.update(status=status, elapsed_ms=elapsed_ms)
                if 200 <= status < 300 or (ok_statuses is not None and status in ok_statuses):
                    logger.info("zendesk request", extra=log_keys)
                    return response
                response.read()
                error = error_from_response(response, operation=operation)
                logger.warning(
                    "zendesk request failed",
                    extra={**log_keys, "zendesk_error": error.zendesk_error},
                )
                retryable = isinstance(error, ZendeskRateLimited) or (
                    idempotent and isinstance(error, ZendeskServerError)
                )
                if not retryable:
                    raise error
            delay = self._delay(attempt, error)
            if isinstance(error, ZendeskRateLimited) and error.retry_after is None:
                error.retry_after = delay
            if attempt >= self.policy.max_retries:
                logger.warning("zendesk retries exhausted", extra=log_keys)
                raise error
            if delay is None or not self._fits_deadline(delay):
                logger.warning(
                    "zendesk retry would outlive the deadline",
                    extra={**log_keys, "delay_s": delay},
                )
                raise error
            logger.info("zendesk retry", extra={**log_keys, "delay_s": round(delay, 3)})
            self._sleep(delay)
            attempt += 1

    def _delay(self, attempt: int, error: ZendeskError) -> float | None:
        """Seconds to wait before the next attempt; None when Zendesk asks for too long."""
        if isinstance(error, ZendeskTransientError) and error.retry_after is not None:
            if error.retry_after > self.policy.retry_after_cap:
                return None
            return error.retry_after
        return self.policy.backoff(attempt, self._uniform)

    def _fits_deadline(self, delay: float) -> bool:
        if self._remaining_time is None:
            return True
        return delay <= self._remaining_time() - self.policy.deadline_margin
