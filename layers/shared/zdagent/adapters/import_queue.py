"""ImportQueue (SQS): the messages that chain an import's steps, one step per message."""

from __future__ import annotations

import json
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from zdagent.adapters.aws import client
from zdagent.core.settings import settings


class StepMessage(BaseModel):
    """``{"import_id", "agent_id", "step"}``: run step ``step`` of that import."""

    model_config = ConfigDict(extra="ignore")

    import_id: str = Field(min_length=1, max_length=100)
    agent_id: str = Field(min_length=1, max_length=100)
    step: int = Field(ge=0)


def parse_step_message(body: str) -> StepMessage:
    return StepMessage.model_validate(json.loads(body))


class StepQueue(Protocol):
    def send(self, message: StepMessage, delay_seconds: int) -> None: ...


class SqsStepQueue:
    """ImportQueue (``IMPORT_QUEUE_URL``); ``delay_seconds`` becomes the message's DelaySeconds."""

    def send(self, message: StepMessage, delay_seconds: int) -> None:
        client("sqs").send_message(
            QueueUrl=settings().import_queue_url,
            MessageBody=message.model_dump_json(),
            DelaySeconds=delay_seconds,
        )
