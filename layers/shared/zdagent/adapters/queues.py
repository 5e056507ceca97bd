"""The reply queue (SQS): send a job, possibly delayed; make a received message come back later."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from zdagent.adapters.aws import client
from zdagent.core.errors import ConfigurationError, QueueUnavailableError
from zdagent.core.settings import settings

MAX_DELAY_SECONDS = 900  # SQS's limit; longer waits are re-queued
MAX_VISIBILITY_SECONDS = 43200


@dataclass
class ReplyQueue:
    """The queue named by ``REPLY_QUEUE_URL`` (or an explicit URL)."""

    url: str | None = None

    @property
    def queue_url(self) -> str:
        url = self.url or settings().reply_queue_url
        if not url:
            raise ConfigurationError("REPLY_QUEUE_URL is not set")
        return url

    def send(self, body: str, *, delay_seconds: int = 0) -> str:
        delay = max(0, min(MAX_DELAY_SECONDS, int(delay_seconds)))
        try:
            answer = client("sqs").send_message(
                QueueUrl=self.queue_url, MessageBody=body, DelaySeconds=delay
            )
        except (ClientError, BotoCoreError) as exc:
            raise QueueUnavailableError(
                f"could not queue the reply ({type(exc).__name__})"
            ) from exc
        return str(answer.get("MessageId", ""))

    def retry_later(self, receipt_handle: str, seconds: float) -> None:
        """The received message becomes visible again after ``seconds`` (best effort)."""
        timeout = max(0, min(MAX_VISIBILITY_SECONDS, int(seconds)))
        try:
            client("sqs").change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=timeout
            )
        except (ClientError, BotoCoreError):
            return  # the queue's own visibility timeout applies
