"""The reply queue's message, written without pydantic.

The webhook receiver writes this message and the reply worker reads it as a ``ReplyJob``
(``domain.reply_job``, whose ``from_message`` validates it). This is the one encoder, used by
``ReplyJob.body()`` too. The JSON is what pydantic's ``model_dump_json(exclude_none=True)``
wrote before (queued messages stay readable): the same keys in the same order, datetimes in
ISO 8601 with ``Z`` for UTC.
"""

from __future__ import annotations

import json
from datetime import datetime

from zdagent.core.records import instant_json


def reply_job_message(
    *,
    agent_id: str,
    ticket_id: int,
    subdomain: str | None = None,
    received_at: datetime,
    due_at: datetime,
    event_updated_at: datetime | None = None,
    invocation_id: str | None = None,
    requeues: int = 0,
) -> str:
    fields: dict[str, object] = {
        "agent_id": agent_id,
        "subdomain": subdomain,
        "ticket_id": ticket_id,
        "event_updated_at": instant_json(event_updated_at),
        "received_at": instant_json(received_at),
        "due_at": instant_json(due_at),
        "invocation_id": invocation_id,
        "requeues": requeues,
    }
    return json.dumps({k: v for k, v in fields.items() if v is not None}, separators=(",", ":"))
