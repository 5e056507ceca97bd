"""SQS event source mappings: one poller thread per ``SQS`` event of the template.

A poll receives up to ``BatchSize`` messages, builds the event Lambda would build, calls the handler
and deletes what succeeded. With ``ReportBatchItemFailures`` only the reported ``itemIdentifier``s
stay on the queue; an exception (or an invalid failure report) leaves the whole batch, which comes
back after the visibility timeout. Delay, visibility and the redrive to the DLQ after
``maxReceiveCount`` are moto's SQS own behaviour (moto moves a message to the DLQ when a receive
finds it over the count, as AWS does).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zdlocal.lambdas import FunctionRuntime
from zdlocal.template import REGION, ResourceMap, Template, TemplateError

log = logging.getLogger("zdlocal.sqs")

Invoke = Callable[[dict[str, Any]], Any]


@dataclass
class PollResult:
    """What one poll did (for logs and tests)."""

    received: int = 0
    deleted: int = 0
    failed_ids: list[str] = field(default_factory=list)
    error: str | None = None


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


def sqs_record(message: dict[str, Any], queue_arn: str, region: str = REGION) -> dict[str, Any]:
    """One ``Records`` entry of Lambda's SQS event, built from a ReceiveMessage message."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "md5OfMessageAttributes": message.get("MD5OfMessageAttributes"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class SqsPoller:
    """Polls one queue for one function, like Lambda's event source mapping."""

    def __init__(
        self,
        *,
        sqs_client: Any,
        queue_url: str,
        queue_arn: str,
        invoke: Invoke,
        batch_size: int = 10,
        report_batch_item_failures: bool = False,
        name: str = "sqs",
        idle_seconds: float = 0.2,
    ) -> None:
        self.sqs = sqs_client
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.invoke = invoke
        self.batch_size = max(1, min(batch_size, 10))
        self.report_batch_item_failures = report_batch_item_failures
        self.name = name
        self.idle_seconds = idle_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> PollResult:
        """Receive one batch (no long polling), run the handler, settle the batch."""
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages") or []
        result = PollResult(received=len(messages))
        if not messages:
            return result
        event = {"Records": [sqs_record(m, self.queue_arn) for m in messages]}
        started = time.monotonic()
        try:
            outcome = self.invoke(event)
        except Exception as exc:  # the whole batch returns after the visibility timeout
            result.error = f"{type(exc).__name__}: {exc}"
            result.failed_ids = [m["MessageId"] for m in messages]
            self._log(result, started)
            return result
        keep = self._failed_ids(outcome, messages)
        result.failed_ids = sorted(keep)
        done = [m for m in messages if m["MessageId"] not in keep]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
        result.deleted = len(done)
        self._log(result, started)
        return result

    def _failed_ids(self, outcome: Any, messages: list[dict[str, Any]]) -> set[str]:
        every = {m["MessageId"] for m in messages}
        if not self.report_batch_item_failures:
            return set()
        if outcome is None:
            return set()
        if not isinstance(outcome, dict):
            return set()
        failures = outcome.get("batchItemFailures")
        if failures is None:
            return set()
        ids: set[str] = set()
        for failure in failures if isinstance(failures, list) else [None]:
            item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not item or item not in every:
                # Lambda treats an invalid report as a failure of the whole batch.
                return every
            ids.add(str(item))
        return ids

    def _log(self, result: PollResult, started: float) -> None:
        log.info(
            "sqs batch",
            extra={
                "poller": self.name,
                "received": result.received,
                "deleted": result.deleted,
                "failed": len(result.failed_ids),
                "error": result.error,
                "ms": round((time.monotonic() - started) * 1000, 1),
            },
        )

    # -- thread
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = self.poll_once()
            except Exception as exc:  # moto going away at shutdown, or a transient error
                if self._stop.is_set():
                    return
                log.warning("sqs poll failed", extra={"poller": self.name, "error": repr(exc)})
                self._stop.wait(1.0)
                continue
            if result.received == 0 or result.failed_ids:
                self._stop.wait(self.idle_seconds)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"sqs-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def pollers_for(
    template: Template, resources: ResourceMap, runtime: FunctionRuntime, sqs_client: Any
) -> list[SqsPoller]:
    """One (unstarted) poller per ``SQS`` event of the template."""
    pollers = []
    for event in template.sqs_events():
        queue = resources.get(event.queue_id)
        if queue is None or "Arn" not in queue.attributes:
            raise TemplateError(
                f"{event.function_id} event {event.event_name}: queue {event.queue_id} is not an "
                "AWS::SQS::Queue of the template"
            )
        function_id = event.function_id

        def invoke(batch: dict[str, Any], function_id: str = function_id) -> Any:
            return runtime.invoke(function_id, batch)

        pollers.append(
            SqsPoller(
                sqs_client=sqs_client,
                queue_url=queue.ref,
                queue_arn=queue.attributes["Arn"],
                invoke=invoke,
                batch_size=event.batch_size,
                report_batch_item_failures=event.report_batch_item_failures,
                name=f"{event.function_id}.{event.event_name}",
            )
        )
    return pollers
