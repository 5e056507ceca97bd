"""A disconnect run: the steps of the seed's disconnection and what happened to each.

Pure code. The workflow (statemachines/disconnect.asl.json) runs the steps in this order; each
task records its step here, so ``GET .../integration/disconnect`` shows the run's progress.

Order: the engine goes off first (and stays off whatever fails later), then the trigger is
deactivated; when the integration is removed, our trigger and webhook are deleted in Zendesk
*before* the token is revoked (afterwards we could no longer reach Zendesk), and the integration
record goes last.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StepName = Literal[
    "engine_off",
    "deactivate_trigger",
    "delete_trigger_and_webhook",
    "revoke_authorization",
    "remove_integration",
]
StepStatus = Literal["pending", "running", "succeeded", "failed"]
RunStatus = Literal["running", "succeeded", "failed"]

DISCONNECT_STEPS: tuple[StepName, ...] = (
    "engine_off",
    "deactivate_trigger",
    "revoke_authorization",
)
REMOVE_STEPS: tuple[StepName, ...] = (
    "engine_off",
    "deactivate_trigger",
    "delete_trigger_and_webhook",
    "revoke_authorization",
    "remove_integration",
)

MAX_ERROR_CHARS = 1000

TRIGGERS_IN_ADMIN_CENTER = "Admin Center > Objects and rules > Business rules > Triggers"
WEBHOOKS_IN_ADMIN_CENTER = "Admin Center > Apps and integrations > Actions and webhooks > Webhooks"


def steps_for(remove_integration: bool) -> tuple[StepName, ...]:
    return REMOVE_STEPS if remove_integration else DISCONNECT_STEPS


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


class Leftover(BaseModel):
    """Something of ours that stays in Zendesk because we could no longer reach it (the token
    was revoked before the integration was removed): what it is and where an admin deletes it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["trigger", "webhook"]
    id: str
    state: str  # as we last left it: "inactive" (trigger), "active, no longer called" (webhook)
    where: str  # the Admin Center path to it
    admin_url: str  # the account's Admin Center
    detail: str  # one sentence an admin can act on

    def public(self) -> dict[str, str]:
        return self.model_dump()


def leftovers_in_zendesk(
    trigger_id: int | None, webhook_id: str | None, admin_url: str
) -> list[Leftover]:
    """Our trigger and webhook, as left by a plain disconnect (trigger deactivated)."""
    found: list[Leftover] = []
    if trigger_id:
        found.append(
            Leftover(
                kind="trigger",
                id=str(trigger_id),
                state="inactive",
                where=TRIGGERS_IN_ADMIN_CENTER,
                admin_url=admin_url,
                detail=f"The deactivated trigger {trigger_id} ('AI agent email automation') "
                f"stays in Zendesk: delete it in {TRIGGERS_IN_ADMIN_CENTER}.",
            )
        )
    if webhook_id:
        found.append(
            Leftover(
                kind="webhook",
                id=webhook_id,
                state="active, no longer called",
                where=WEBHOOKS_IN_ADMIN_CENTER,
                admin_url=admin_url,
                detail=f"The webhook {webhook_id} stays in Zendesk (no trigger calls it any "
                f"more): delete it in {WEBHOOKS_IN_ADMIN_CENTER}, after the trigger.",
            )
        )
    return found


class DisconnectStep(BaseModel):
    name: StepName
    status: StepStatus = "pending"
    attempts: int = 0
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    leftovers: list[Leftover] = Field(default_factory=list)

    def public(self) -> dict[str, object]:
        body: dict[str, object] = {
            "name": self.name,
            "status": self.status,
            "attempts": self.attempts,
        }
        if self.error:
            body["error"] = self.error
        if self.leftovers:
            body["leftovers"] = [item.public() for item in self.leftovers]
        return body


class DisconnectRun(BaseModel):
    """The last disconnect run of one agent (one item per agent: sk DISCONNECT)."""

    model_config = ConfigDict(extra="forbid")

    agent_id: str
    disconnect_id: str
    remove_integration: bool
    status: RunStatus = "running"
    steps: list[DisconnectStep] = Field(default_factory=list)
    execution_arn: str | None = None
    failed_step: StepName | None = None
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    version: int = 0

    @classmethod
    def new(
        cls,
        agent_id: str,
        disconnect_id: str,
        remove_integration: bool,
        at: datetime,
        execution_arn: str | None = None,
    ) -> DisconnectRun:
        return cls(
            agent_id=agent_id,
            disconnect_id=disconnect_id,
            remove_integration=remove_integration,
            steps=[DisconnectStep(name=name) for name in steps_for(remove_integration)],
            execution_arn=execution_arn,
            started_at=at,
        )

    @property
    def running(self) -> bool:
        return self.status == "running"

    def step(self, name: StepName) -> DisconnectStep:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def has_step(self, name: str) -> bool:
        return any(step.name == name for step in self.steps)

    def current_step(self) -> StepName | None:
        """The first step that has not succeeded (the one a failure belongs to)."""
        return next((s.name for s in self.steps if s.status != "succeeded"), None)

    def public(self) -> dict[str, object]:
        body: dict[str, object] = {
            "disconnect_id": self.disconnect_id,
            "agent_id": self.agent_id,
            "remove_integration": self.remove_integration,
            "status": self.status,
            "steps": [step.public() for step in self.steps],
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "leftovers": [item.public() for step in self.steps for item in step.leftovers],
        }
        if self.status == "failed":
            body["failed_step"] = self.failed_step
            body["error"] = self.error
        return body

    # ---- transitions (each returns a new DisconnectRun) --------------------------------
    def _with_step(self, name: StepName, **update: object) -> DisconnectRun:
        steps = [s.model_copy(update=update) if s.name == name else s for s in self.steps]
        return self.model_copy(update={"steps": steps})

    def step_started(self, name: StepName, at: datetime) -> DisconnectRun:
        step = self.step(name)
        return self._with_step(
            name,
            status="running",
            attempts=step.attempts + 1,
            started_at=step.started_at or at,
            finished_at=None,
        )

    def step_attempt_failed(self, name: StepName, error: str) -> DisconnectRun:
        """An attempt failed; the workflow may still retry it (status stays running)."""
        return self._with_step(name, error=_clip(error))

    def step_succeeded(
        self, name: StepName, at: datetime, leftovers: list[Leftover] | None = None
    ) -> DisconnectRun:
        """Done; ``leftovers``: what the step had to leave in Zendesk (none by default)."""
        return self._with_step(
            name, status="succeeded", error=None, finished_at=at, leftovers=leftovers or []
        )

    def failed(self, error: str, at: datetime) -> DisconnectRun:
        """The run stopped: the step it stopped at is failed, later ones stay pending."""
        name = self.current_step()
        run = (
            self._with_step(name, status="failed", error=_clip(error), finished_at=at)
            if name
            else self
        )
        return run.model_copy(
            update={
                "status": "failed",
                "failed_step": name,
                "error": _clip(error),
                "finished_at": at,
            }
        )

    def succeeded(self, at: datetime) -> DisconnectRun:
        return self.model_copy(
            update={"status": "succeeded", "failed_step": None, "error": None, "finished_at": at}
        )
