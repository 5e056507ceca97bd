"""Use cases: disconnect an integration with the Step Functions workflow, and its steps.

``start_disconnect`` records a run (state table, sk ``DISCONNECT``) and starts the workflow;
``disconnect_status`` reports it. The workflow's task Lambda calls ``run_task``, which runs one
step through the same use cases the admin API calls (engine switch, trigger deactivation,
revocation, integration removal) and records the step's progress on the run.

Every step is idempotent, so running disconnect again after a failure resumes: steps already done
succeed at once (an already deactivated trigger, an already revoked token, a trigger deleted by
hand in Zendesk are successes). Errors leave ``run_task`` unchanged so Step Functions sees their
class names (``ZendeskServerError``, ...) and its Retry/Catch can match them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from zdagent.adapters.keys import DISCONNECT_SK as SK
from zdagent.adapters.keys import agent_pk
from zdagent.adapters.stepfunctions import StepFunctionsWorkflow
from zdagent.adapters.zendesk.urls import base_url_for
from zdagent.core.errors import (
    AppError,
    ConcurrentModificationError,
    ConflictError,
    IntegrationNotFoundError,
    NotFoundError,
    OperationRunningError,
    TokenUnavailableError,
    ZendeskAuthError,
)
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain.disconnect import DisconnectRun, Leftover, StepName, leftovers_in_zendesk
from zdagent.services import authorization, engine, integration, trigger
from zdagent.services.context import Context

_KEYS = {"pk", "sk", "gsi1pk", "gsi1sk", "expires_at"}
# A run still marked running this long after it started is over whatever the record says: the
# state machine's own TimeoutSeconds (statemachines/disconnect.asl.json) is shorter.
STALE_AFTER = timedelta(hours=2)
# A run whose execution does not exist (start failed after the run was recorded) after this long.
MISSING_AFTER = timedelta(minutes=2)

TaskName = Literal[
    "engine_off",
    "deactivate_trigger",
    "delete_trigger_and_webhook",
    "revoke_authorization",
    "remove_integration",
    "record_failure",
    "finish",
]


class StartDisconnectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    remove_integration: bool = False


class DisconnectTask(BaseModel):
    """The input of one Task state (built by the state machine's Parameters)."""

    model_config = ConfigDict(extra="forbid")

    step: TaskName
    agent_id: str = Field(min_length=1)
    disconnect_id: str = Field(min_length=1)
    remove_integration: bool = False
    error: str | None = None  # record_failure: the Catch's Error
    cause: str | None = None  # record_failure: the Catch's Cause


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
        _update(ctx, agent_id, disconnect_id, lambda r: r.failed(reason, ctx.now()))
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


# ----------------------------------------------------------------------------- workflow tasks


def _engine_off(ctx: Context, agent_id: str) -> None:
    engine.toggle_engine(ctx, agent_id, False)


def _deactivate_trigger(ctx: Context, agent_id: str) -> None:
    trigger.deactivate_trigger(ctx, agent_id)


def _delete_trigger_and_webhook(ctx: Context, agent_id: str) -> list[Leftover]:
    """Delete our trigger and webhook in Zendesk while the token works. After a plain
    disconnect the token is revoked: remove what is ours here and report what stays there."""
    current = ctx.integrations.get(agent_id)
    if current.authorization.status == "authorized":
        try:
            trigger.remove_trigger_and_webhook(ctx, agent_id)
        except (TokenUnavailableError, ZendeskAuthError) as exc:
            logger.info(
                "trigger_removal_without_token", extra={"agent_id": agent_id, "error": exc.code}
            )
        else:
            return []
    return _forget_trigger_and_webhook(ctx, agent_id)


def _forget_trigger_and_webhook(ctx: Context, agent_id: str) -> list[Leftover]:
    current = ctx.integrations.get(agent_id)
    current.require_can_deactivate_trigger()  # the engine is off (its step ran first)
    admin_url = base_url_for(current.subdomain, settings().zendesk_base_url_template) + "/admin"
    leftovers = leftovers_in_zendesk(
        current.trigger.trigger_id, current.trigger.webhook_id, admin_url
    )
    ctx.vault.delete_webhook_secret(agent_id)
    if current.trigger.status != "none":
        ctx.integrations.save(current.trigger_removed())
    logger.info(
        "trigger_and_webhook_left_in_zendesk",
        extra={"agent_id": agent_id, "leftovers": [f"{i.kind}:{i.id}" for i in leftovers]},
    )
    return leftovers


def _revoke_authorization(ctx: Context, agent_id: str) -> None:
    authorization.revoke_authorization(ctx, agent_id)


def _remove_integration(ctx: Context, agent_id: str) -> None:
    try:
        integration.delete_integration(ctx, agent_id)
    except IntegrationNotFoundError:
        logger.info("integration_already_removed", extra={"agent_id": agent_id})


# Each step returns what it had to leave in Zendesk (None: nothing).
STEPS: dict[StepName, Callable[[Context, str], list[Leftover] | None]] = {
    "engine_off": _engine_off,
    "deactivate_trigger": _deactivate_trigger,
    "delete_trigger_and_webhook": _delete_trigger_and_webhook,
    "revoke_authorization": _revoke_authorization,
    "remove_integration": _remove_integration,
}


def run_task(ctx: Context, task: DisconnectTask) -> dict[str, Any]:
    """One Task state of the workflow. Errors propagate unchanged (their class names are what
    the state machine's Retry and Catch match)."""
    if task.step == "record_failure":
        return _record_failure(ctx, task)
    if task.step == "finish":
        run = _update(ctx, task.agent_id, task.disconnect_id, lambda r: r.succeeded(ctx.now()))
        logger.info("disconnect_succeeded", extra=_log_keys(task))
        return {"status": run.status}
    step: StepName = task.step
    _update(ctx, task.agent_id, task.disconnect_id, lambda r: r.step_started(step, ctx.now()))
    try:
        leftovers = STEPS[step](ctx, task.agent_id)
    except Exception as exc:
        logger.warning("disconnect_step_attempt_failed", extra=_log_keys(task, exc))
        _note_attempt_failed(ctx, task, step, exc)
        raise
    _update(
        ctx,
        task.agent_id,
        task.disconnect_id,
        lambda r: r.step_succeeded(step, ctx.now(), leftovers),
    )
    logger.info("disconnect_step_succeeded", extra=_log_keys(task))
    return {"step": step, "status": "succeeded"}


def _record_failure(ctx: Context, task: DisconnectTask) -> dict[str, Any]:
    error = error_from_catch(task.error, task.cause)
    run = _update(ctx, task.agent_id, task.disconnect_id, lambda r: r.failed(error, ctx.now()))
    logger.warning(
        "disconnect_failed",
        extra=_log_keys(task) | {"failed_step": run.failed_step, "error_name": task.error},
    )
    return {"status": run.status, "failed_step": run.failed_step}


def error_from_catch(error: str | None, cause: str | None) -> str:
    """A sentence from a Catch's Error and Cause (a Lambda error's Cause is JSON with
    ``errorType`` and ``errorMessage``; the stack trace is left out)."""
    name = error or "UnknownError"
    message = cause or ""
    if cause:
        try:
            parsed = json.loads(cause)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            name = str(parsed.get("errorType") or name)
            message = str(parsed.get("errorMessage") or "")
    if name == "States.Timeout" and not message:
        message = "the step did not finish in time"
    return f"{name}: {message}" if message else name


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _log_keys(task: DisconnectTask, exc: Exception | None = None) -> dict[str, Any]:
    keys: dict[str, Any] = {
        "agent_id": task.agent_id,
        "disconnect_id": task.disconnect_id,
        "step": task.step,
    }
    if exc is not None:
        keys["error_type"] = type(exc).__name__
    return keys


def _update(
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


def _note_attempt_failed(
    ctx: Context, task: DisconnectTask, step: StepName, exc: Exception
) -> None:
    """Show the attempt's error on the step; never hides the step's own error."""
    try:
        _update(
            ctx,
            task.agent_id,
            task.disconnect_id,
            lambda r: r.step_attempt_failed(step, _describe(exc)),
        )
    except AppError as record_error:
        logger.warning("disconnect_record_failed", extra=_log_keys(task, record_error))
