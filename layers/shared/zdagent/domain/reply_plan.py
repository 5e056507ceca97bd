"""The reply plan: what a worker is about to write to a ticket, stored on its claim first.

Crash recovery depends on it: a worker that finds a plan on its claim and the AI agent's comment
already on the ticket finishes the plan's bookkeeping (conversation log, counters) instead of
writing again. A stored plan that does not validate is an error, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zdagent.core import records
from zdagent.domain.conversation import DecisionAction, outcome_fields, outcome_json

MAX_PLAN_TEXT = 4000
_FIELDS = ("action", "reason", "confidence", "engine", "language", "sources", "text", "public")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyPlan:
    action: DecisionAction
    reason: str
    confidence: float | None = None
    engine: str | None = None
    language: str | None = None
    sources: list[dict[str, str | None]] = field(default_factory=list)
    text: str = ""  # what the log keeps (redacted later)
    public: bool = False  # a public comment (counts as a reply sent)

    def __post_init__(self) -> None:
        if not self.reason:
            raise records.invalid("reason", "must have at least 1 character(s)")
        if len(self.text) > MAX_PLAN_TEXT:
            raise records.invalid("text", f"must have at most {MAX_PLAN_TEXT} characters")

    @classmethod
    def from_json(cls, raw: object, where: str = "plan") -> ReplyPlan:
        """A stored plan; one that does not read is a ValidationFailedError, never a guess."""
        data = records.mapping(raw, where)
        records.forbid_unknown(data, _FIELDS, where)
        return cls(
            **outcome_fields(data, where),
            text=records.text(data, "text", where, default=""),
            public=records.boolean(data, "public", where, default=False),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            **outcome_json(self),
            "text": self.text,
            "public": self.public,
        }
