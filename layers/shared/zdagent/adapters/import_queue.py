"""ImportQueue (SQS): the messages that chain an import's steps, one step per message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from zdagent.adapters.aws import client
from zdagent.core import records
from zdagent.core.settings import settings


@dataclass(frozen=True, slots=True, kw_only=True)
class StepMessage:
    """``{"import_id", "agent_id", "step"}``: run step ``step`` of that import."""

    import_id: str
    agent_id: str
    step: int

    @classmethod
    def from_message(cls, body: str) -> StepMessage:
        """The queue message (unknown fields ignored); a ValidationFailedError if it is not one."""
        data = records.json_object(body)
        return cls(
            import_id=records.text(data, "import_id", min_length=1, max_length=100),
            agent_id=records.text(data, "agent_id", min_length=1, max_length=100),
            step=records.integer(data, "step", minimum=0),
        )

    def body(self) -> str:
        """The JSON pydantic's ``model_dump_json`` wrote (compact, in field order)."""
        fields = {"import_id": self.import_id, "agent_id": self.agent_id, "step": self.step}
        return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


def parse_step_message(body: str) -> StepMessage:
    return StepMessage.from_message(body)


class StepQueue(Protocol):
    def send(self, message: StepMessage, delay_seconds: int) -> None: ...


class SqsStepQueue:
    """ImportQueue (``IMPORT_QUEUE_URL``); ``delay_seconds`` becomes the message's DelaySeconds."""

    def send(self, message: StepMessage, delay_seconds: int) -> None:
        client("sqs").send_message(
            QueueUrl=settings().import_queue_url,
            MessageBody=message.body(),
            DelaySeconds=delay_seconds,
        )
