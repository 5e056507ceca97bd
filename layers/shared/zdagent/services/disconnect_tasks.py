"""The disconnect workflow's steps: ``run_task`` runs one Task state of the state machine.

Each step goes through the same use cases the admin API calls (engine switch, trigger
deactivation, revocation, integration removal) and records its progress on the run
(``services/disconnect.py``). Errors leave ``run_task`` unchanged so Step Functions sees their
class names (``ZendeskServerError``, ...) and its Retry/Catch can match them. A module of its own
so the disconnect API function (start, status) does not load the Zendesk client and the services
only these steps call (cold start, issue 16).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from zdagent.adapters.zendesk.urls import base_url_for
from zdagent.core import records
from zdagent.core.errors import (
    AppError,
    IntegrationNotFoundError,
    TokenUnavailableError,
    ZendeskAuthError,
)
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain.disconnect import Leftover, StepName, leftovers_in_zendesk
from zdagent.services import authorization, engine, integration
from zdagent.services.context import Context
from zdagent.services.disconnect import update_run

TaskName = Literal[
    "engine_off",
    "deactivate_trigger",
    "delete_trigger_and_webhook",
    "revoke_authorization",
    "remove_integration",
    "record_failure",
    "finish",
]


TASK_NAMES: tuple[str, ...] = get_args(TaskName)


@dataclass(frozen=True)
class DisconnectTask:
    """The input of one Task state (built by the state machine's Parameters). A plain record,
    not a pydantic model: every invocation reads one, and this function's cold start should not
    build pydantic's constrained types for it (bench/bench_cold_start.py)."""

    step: TaskName
    agent_id: str
    disconnect_id: str
    remove_integration: bool = False
    error: str | None = None  # record_failure: the Catch's Error
    cause: str | None = None  # record_failure: the Catch's Cause

    @classmethod
    def from_json(cls, raw: object) -> DisconnectTask:
        """The Task state's input; unknown fields and bad values are a ValidationFailedError
        naming the field."""
        data = records.mapping(raw)
        records.forbid_unknown(data, cls.__dataclass_fields__)
        return cls(
            step=cast(TaskName, records.choice(data, "step", TASK_NAMES)),
            agent_id=records.text(data, "agent_id", min_length=1),
            disconnect_id=records.text(data, "disconnect_id", min_length=1),
            remove_integration=records.boolean(data, "remove_integration", default=False),
            error=records.optional_text(data, "error"),
            cause=records.optional_text(data, "cause"),
        )


def _engine_off(ctx: Context, agent_id: str) -> None:
    engine.toggle_engine(ctx, agent_id, False)


def _deactivate_trigger(ctx: Context, agent_id: str) -> None:
    # the trigger's use cases (and Zendesk's automation models) load with the two trigger steps,
    # not at every task's cold start (engine_off, revocation, removal, finish never use them)
    from zdagent.services import trigger  # noqa: PLC0415

    trigger.deactivate_trigger(ctx, agent_id)


def _delete_trigger_and_webhook(ctx: Context, agent_id: str) -> list[Leftover]:
    """Delete our trigger and webhook in Zendesk while the token works. After a plain
    disconnect the token is revoked: remove what is ours here and report what stays there."""
    from zdagent.services import trigger  # noqa: PLC0415

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
        run = update_run(ctx, task.agent_id, task.disconnect_id, lambda r: r.succeeded(ctx.now()))
        logger.info("disconnect_succeeded", extra=_log_keys(task))
        return {"status": run.status}
    step: StepName = task.step
    update_run(ctx, task.agent_id, task.disconnect_id, lambda r: r.step_started(step, ctx.now()))
    try:
        leftovers = STEPS[step](ctx, task.agent_id)
    except Exception as exc:
        logger.warning("disconnect_step_attempt_failed", extra=_log_keys(task, exc))
        _note_attempt_failed(ctx, task, step, exc)
        raise
    update_run(
        ctx,
        task.agent_id,
        task.disconnect_id,
        lambda r: r.step_succeeded(step, ctx.now(), leftovers),
    )
    logger.info("disconnect_step_succeeded", extra=_log_keys(task))
    return {"step": step, "status": "succeeded"}


def _record_failure(ctx: Context, task: DisconnectTask) -> dict[str, Any]:
    error = error_from_catch(task.error, task.cause)
    run = update_run(ctx, task.agent_id, task.disconnect_id, lambda r: r.failed(error, ctx.now()))
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


def _note_attempt_failed(
    ctx: Context, task: DisconnectTask, step: StepName, exc: Exception
) -> None:
    """Show the attempt's error on the step; never hides the step's own error."""
    try:
        update_run(
            ctx,
            task.agent_id,
            task.disconnect_id,
            lambda r: r.step_attempt_failed(step, _describe(exc)),
        )
    except AppError as record_error:
        logger.warning("disconnect_record_failed", extra=_log_keys(task, record_error))
