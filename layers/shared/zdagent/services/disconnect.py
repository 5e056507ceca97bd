"""Use cases: disconnect an integration with the Step Functions workflow (start it, report it).

``start_disconnect`` records a run (state table, sk ``DISCONNECT``) and starts the workflow;
``disconnect_status`` reports it. The workflow's task Lambda runs the steps
(``services/disconnect_tasks.py``), each recording its progress here with ``update_run``.

Every step is idempotent, so running disconnect again after a failure resumes: steps already done
succeed at once (an already deactivated trigger, an already revoked token, a trigger deleted by
hand in Zendesk are successes).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from zdagent.adapters.keys import DISCONNECT_SK as SK
from zdagent.adapters.keys import agent_pk
from zdagent.adapters.stepfunctions import StepFunctionsWorkflow
from zdagent.core.errors import (
    ConcurrentModificationError,
    ConflictError,
    NotFoundError,
    OperationRunningError,
)
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain.disconnect import DisconnectRun
from zdagent.services.context import Context

_KEYS = {"pk", "sk", "gsi1pk", "gsi1sk", "expires_at"}
# A run still marked running this long after it started is over whatever the record says: the
# state machine's own TimeoutSeconds (statemachines/disconnect.asl.json) is shorter.
STALE_AFTER = timedelta(hours=2)
# A run whose execution does not exist (start failed after the run was recorded) after this long.
MISSING_AFTER = timedelta(minutes=2)


class StartDisconnectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    remove_integration: bool = False


# ----------------------------------------------------------------------------- storage


class DisconnectRepository:
    def __init__(self, ctx: Context) -> None:
        self._store = ctx.store

    def find(self, agent_id: str) -> DisconnectRun | None:
        item = self._store.get(agent_pk(agent_id), SK)
        if not item:
            return None
        return DisconnectRun.model_validate({k: v for k, v in item.items() if k not in _KEYS})

    def replace(self, run: DisconnectRun, previous: DisconnectRun | None) -> DisconnectRun:
        """Write a new run over ``previous`` (None: there was none); a concurrent start loses."""
        item = self._item(run)
        if previous is None:
            self._store.put_new(item)
            return run.model_copy(update={"version": 1})
        version = self._store.put_versioned(item, previous.version)
        return run.model_copy(update={"version": version})

    def save(self, run: DisconnectRun) -> DisconnectRun:
        version = self._store.put_versioned(self._item(run), run.version)
        return run.model_copy(update={"version": version})

    @staticmethod
    def _item(run: DisconnectRun) -> dict[str, Any]:
        body = run.model_dump(mode="json", exclude={"version"})
        return body | {"pk": agent_pk(run.agent_id), "sk": SK}


def _workflow() -> StepFunctionsWorkflow:
    return StepFunctionsWorkflow(settings().disconnect_state_machine_arn)


# ----------------------------------------------------------------------------- admin API


def start_disconnect(
    ctx: Context,
    agent_id: str,
    request: StartDisconnectRequest,
    workflow: StepFunctionsWorkflow | None = None,
) -> DisconnectRun:
    """Record a run and start the workflow; 409 while another run of this agent is running."""
    workflow = workflow or _workflow()
    ctx.integrations.get(agent_id)  # 404 when there is nothing to disconnect
    repository = DisconnectRepository(ctx)
    previous = repository.find(agent_id)
    if previous is not None and previous.running:
        previous = _settled(ctx, previous, workflow)
        if previous.running:
            raise OperationRunningError(
                f"a disconnect is already running (disconnect_id {previous.disconnect_id}); "
                f"follow it with GET /agents/{agent_id}/integration/disconnect and start again "
                "once it has finished"
            )
    disconnect_id = uuid.uuid4().hex
    run = DisconnectRun.new(
        agent_id,
        disconnect_id,
        request.remove_integration,
        ctx.now(),
        execution_arn=workflow.execution_arn(disconnect_id),
    )
    try:
        run = repository.replace(run, previous)
    except ConcurrentModificationError as exc:
        raise OperationRunningError(
            "another disconnect was started at the same moment; follow it with "
            f"GET /agents/{agent_id}/integration/disconnect"
        ) from exc
    payload = {
        "agent_id": agent_id,
        "disconnect_id": disconnect_id,
        "remove_integration": request.remove_integration,
    }
    try:
        workflow.start(disconnect_id, payload)
    except Exception as exc:
        reason = _start_failed(exc)
        update_run(ctx, agent_id, disconnect_id, lambda r: r.failed(reason, ctx.now()))
        raise
    logger.info(
        "disconnect_started",
        extra={
            "agent_id": agent_id,
            "disconnect_id": disconnect_id,
            "remove_integration": request.remove_integration,
        },
    )
    return run


def _start_failed(exc: Exception) -> str:
    return f"the workflow could not be started ({type(exc).__name__}: {exc}); start again"


def disconnect_status(
    ctx: Context, agent_id: str, workflow: StepFunctionsWorkflow | None = None
) -> DisconnectRun:
    """The last run of this agent (with a run whose workflow ended unrecorded marked failed)."""
    run = DisconnectRepository(ctx).find(agent_id)
    if run is None:
        raise NotFoundError(
            f"no disconnect was started for agent '{agent_id}'; start one with "
            f"POST /agents/{agent_id}/integration/disconnect"
        )
    if run.running:
        run = _settled(ctx, run, workflow or _workflow())
    return run


def _settled(ctx: Context, run: DisconnectRun, workflow: StepFunctionsWorkflow) -> DisconnectRun:
    """A run marked running whose execution is over (or never began) becomes failed."""
    now = ctx.now()
    reason: str | None = None
    if now - run.started_at > STALE_AFTER:
        reason = "the workflow did not report back; it is considered failed, start again"
    elif run.execution_arn:
        state = workflow.describe(run.execution_arn)
        if state.status == "MISSING" and now - run.started_at > MISSING_AFTER:
            reason = "the workflow execution was never started; start again"
        elif state.status not in ("RUNNING", "MISSING", "SUCCEEDED"):
            reason = (
                f"the workflow ended {state.status} without recording it"
                f" ({state.error or 'no error name'}); start again to resume"
            )
    if reason is None:
        return run
    logger.warning("disconnect_settled", extra={"agent_id": run.agent_id, "reason": reason})
    settled = run.failed(reason, now)
    try:
        return DisconnectRepository(ctx).save(settled)
    except ConcurrentModificationError:
        return DisconnectRepository(ctx).find(run.agent_id) or settled


def update_run(
    ctx: Context,
    agent_id: str,
    disconnect_id: str,
    change: Callable[[DisconnectRun], DisconnectRun],
) -> DisconnectRun:
    """Apply ``change`` to the run (optimistic locking, a few attempts). A task of a run that is
    no longer the agent's last one stops with a ConflictError (not retried by the workflow)."""
    repository = DisconnectRepository(ctx)
    for attempt in range(5):
        run = repository.find(agent_id)
        if run is None or run.disconnect_id != disconnect_id:
            raise ConflictError(
                f"disconnect run {disconnect_id} is no longer the current run of agent "
                f"'{agent_id}'; this execution stops"
            )
        try:
            return repository.save(change(run))
        except ConcurrentModificationError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")
