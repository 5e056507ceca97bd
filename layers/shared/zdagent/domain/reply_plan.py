"""The reply plan: what a worker is about to write to a ticket, stored on its claim first.

Crash recovery depends on it: a worker that finds a plan on its claim and the AI agent's comment
already on the ticket finishes the plan's bookkeeping (conversation log, counters) instead of
writing again. A stored plan that does not validate is an error, never a guess.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from zdagent.domain.conversation import DecisionAction

MAX_PLAN_TEXT = 4000


class ReplyPlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: DecisionAction
    reason: str = Field(min_length=1)
    confidence: float | None = None
    engine: str | None = None
    language: str | None = None
    sources: list[dict[str, str | None]] = Field(default_factory=list)
    text: str = Field(default="", max_length=MAX_PLAN_TEXT)  # what the log keeps (redacted later)
    public: bool = False  # a public comment (counts as a reply sent)
