"""Signed, asynchronous webhook delivery with retries: never on the request's thread."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from zdsandbox.models import Delivery, DeliveryAttempt
from zdsandbox.util import iso

log = logging.getLogger("zdsandbox.delivery")
RETRYABLE = {409, 429}


def sign(secret: str, timestamp: str, body: str | bytes) -> str:
    """base64(HMAC-SHA256(key=secret as UTF-8, msg=timestamp + raw body)), Zendesk's signature."""
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), timestamp.encode() + raw, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class RetryPolicy:
    retries: int
    backoff_seconds: float
    max_retry_after_seconds: float
    timeout_seconds: float


@dataclass
class DeliveryJob:
    delivery: Delivery
    account_id: int
    secret: str
    lock: threading.RLock
    custom_headers: dict[str, str] = field(default_factory=dict)
    authentication: dict[str, Any] | None = None


def _auth_headers(authentication: dict[str, Any] | None) -> dict[str, str]:
    if not authentication:
        return {}
    data = authentication.get("data") or {}
    kind = authentication.get("type")
    if kind == "bearer_token":
        return {"Authorization": f"Bearer {data.get('token', '')}"}
    if kind == "basic_auth":
        pair = f"{data.get('username', '')}:{data.get('password', '')}".encode()
        return {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}
    if kind == "api_key":
        return {str(data.get("name", "X-Api-Key")): str(data.get("value", ""))}
    return {}


class Deliverer:
    """A small pool of worker threads draining one queue of delivery jobs."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float], workers: int = 4) -> None:
        self._policy = policy
        self._clock = clock
        self._workers = max(1, workers)
        self._queue: queue.Queue[DeliveryJob | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()

    def submit(self, job: DeliveryJob) -> None:
        self._ensure_started()
        self._queue.put(job)

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._threads or self._stop.is_set():
                return
            for index in range(self._workers):
                thread = threading.Thread(
                    target=self._run, name=f"zdsandbox-webhook-{index}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _run(self) -> None:
        with httpx.Client(timeout=self._policy.timeout_seconds) as client:
            while True:
                job = self._queue.get()
                if job is None or self._stop.is_set():
                    return
                try:
                    self._deliver(client, job)
                except Exception:  # a worker must survive any one delivery
                    log.exception(
                        "webhook delivery crashed", extra={"webhook": job.delivery.webhook_id}
                    )
                    self._finish(job, "failed", None)

    def _deliver(self, client: httpx.Client, job: DeliveryJob) -> None:
        delivery = job.delivery
        for attempt in range(self._policy.retries + 1):
            status, error, retry_after = self._attempt(client, job)
            with job.lock:
                delivery.attempts.append(DeliveryAttempt(self._clock(), status, error))
                delivery.status_code = status
            if status is not None and 200 <= status < 300:
                self._finish(job, "success", status)
                return
            wait = self._retry_wait(status, retry_after, attempt)
            if wait is None or attempt == self._policy.retries or self._stop.wait(wait):
                break
        self._finish(job, "failed", delivery.status_code)

    def _retry_wait(
        self, status: int | None, retry_after: float | None, attempt: int
    ) -> float | None:
        if status is not None and status < 500 and status not in RETRYABLE:
            return None
        if retry_after is not None:
            if retry_after > self._policy.max_retry_after_seconds:
                return None
            return retry_after
        return float(self._policy.backoff_seconds * (2**attempt))

    def _attempt(
        self, client: httpx.Client, job: DeliveryJob
    ) -> tuple[int | None, str | None, float | None]:
        delivery = job.delivery
        timestamp = iso(self._clock())
        headers = {
            **job.custom_headers,
            **_auth_headers(job.authentication),
            "Content-Type": "application/json",
            "User-Agent": "Zendesk Webhook",
            "x-zendesk-account-id": str(job.account_id),
            "x-zendesk-webhook-id": delivery.webhook_id,
            "x-zendesk-webhook-invocation-id": delivery.invocation_id,
            "x-zendesk-webhook-signature-timestamp": timestamp,
            "x-zendesk-webhook-signature": sign(job.secret, timestamp, delivery.body),
        }
        try:
            response = client.request(
                delivery.http_method,
                delivery.endpoint,
                content=delivery.body.encode(),
                headers=headers,
            )
        except httpx.TimeoutException:
            return None, "timeout", None
        except httpx.HTTPError as exc:
            return None, type(exc).__name__, None
        return response.status_code, None, _retry_after(response)

    def _finish(self, job: DeliveryJob, status: str, code: int | None) -> None:
        with job.lock:
            job.delivery.status = status
            job.delivery.status_code = code
            job.delivery.completed_at = self._clock()


def _retry_after(response: httpx.Response) -> float | None:
    if response.status_code not in (429, 503):
        return None
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
