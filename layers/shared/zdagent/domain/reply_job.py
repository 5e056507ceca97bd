"""A queued reply job: one message on the reply queue, produced by the webhook receiver."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from zdagent.core import records
from zdagent.domain.reply_message import reply_job_message


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyJob:
    """'Ticket T of agent A had a public update at ``event_updated_at``; answer it at ``due_at``'.

    The comment to answer is not named: the worker reads the ticket and answers its latest
    customer comment (once), so a newer comment supersedes an older job.
    """

    agent_id: str
    # the Zendesk account the ticket belongs to (None: a job queued before accounts were named,
    # taken as the current integration's)
    subdomain: str | None = None
    ticket_id: int
    event_updated_at: datetime | None = None
    received_at: datetime
    due_at: datetime
    invocation_id: str | None = None
    requeues: int = 0

    @classmethod
    def from_message(cls, body: str) -> ReplyJob:
        """The queue message (unknown fields ignored); a ValidationFailedError if it is not one."""
        data = records.json_object(body)
        return cls(
            agent_id=records.text(data, "agent_id", min_length=1, max_length=64),
            subdomain=records.optional_text(data, "subdomain", max_length=63),
            ticket_id=records.integer(data, "ticket_id", minimum=1),
            event_updated_at=records.optional_instant(data, "event_updated_at"),
            received_at=records.instant(data, "received_at"),
            due_at=records.instant(data, "due_at"),
            invocation_id=records.optional_text(data, "invocation_id"),
            requeues=records.integer(data, "requeues", default=0, minimum=0),
        )

    def body(self) -> str:
        return reply_job_message(
            agent_id=self.agent_id,
            subdomain=self.subdomain,
            ticket_id=self.ticket_id,
            received_at=self.received_at,
            due_at=self.due_at,
            event_updated_at=self.event_updated_at,
            invocation_id=self.invocation_id,
            requeues=self.requeues,
        )
