"""A queued reply job: one message on the reply queue, produced by the webhook receiver."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ReplyJob(BaseModel):
    """'Ticket T of agent A had a public update at ``event_updated_at``; answer it at ``due_at``'.

    The comment to answer is not named: the worker reads the ticket and answers its latest
    customer comment (once), so a newer comment supersedes an older job.
    """

    model_config = ConfigDict(extra="ignore")

    agent_id: str = Field(min_length=1, max_length=64)
    # the Zendesk account the ticket belongs to (None: a job queued before accounts were named,
    # taken as the current integration's)
    subdomain: str | None = Field(default=None, max_length=63)
    ticket_id: int = Field(gt=0)
    event_updated_at: datetime | None = None
    received_at: datetime
    due_at: datetime
    invocation_id: str | None = None
    requeues: int = Field(default=0, ge=0)

    def body(self) -> str:
        return self.model_dump_json(exclude_none=True)
