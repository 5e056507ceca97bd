"""Use cases of the imports API: start an import, show it, cancel it (and end it, for the worker).

How an import runs is in ``services/import_steps.py`` (the worker); where it is kept, in
``adapters/imports_repository.py``; the messages that chain its steps, in
``adapters/import_queue.py``. One running import per agent: the lock item, released when the
import succeeds, fails or is cancelled.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from zdagent.adapters.import_queue import SqsStepQueue, StepMessage, StepQueue
from zdagent.adapters.imports_repository import ImportRepository
from zdagent.core.errors import (
    ConcurrentModificationError,
    ImportNotRunningError,
    ImportRunningError,
)
from zdagent.core.observability import logger
from zdagent.core.settings import settings
from zdagent.domain.imports import ImportFilters, ImportRecord
from zdagent.services.context import Context

if TYPE_CHECKING:
    from zdagent.domain.import_request import ImportRequest

__all__ = [
    "cancel_import",
    "fail_import",
    "finish_import",
    "get_import",
    "public_view",
    "repository",
    "start_import",
]


def repository(ctx: Context) -> ImportRepository:
    return ImportRepository(ctx.store)


def _new_import_id(now: datetime) -> str:
    return f"imp_{int(now.timestamp()):010x}{secrets.token_hex(5)}"


def start_import(
    ctx: Context, agent_id: str, request: ImportRequest, queue: StepQueue | None = None
) -> ImportRecord:
    """202: the import exists and its first step is queued. 409 if one is running or the
    integration is not authorized; 422 for a bad time frame."""
    integration = ctx.integrations.get(agent_id)
    integration.require_authorized("importing tickets")
    now = ctx.now()
    filters = ImportFilters.from_request(request, now)
    repo = repository(ctx)
    import_id = _new_import_id(now)
    held = repo.lock(agent_id)
    if held is not None:
        running = repo.find(agent_id, str(held.get("import_id")))
        if running is not None and running.is_running:
            raise ImportRunningError(
                f"import {running.import_id} is still running; wait until it ends "
                f"(GET /agents/{agent_id}/integration/imports/{running.import_id}) or cancel it "
                f"(POST /agents/{agent_id}/integration/imports/{running.import_id}/cancel)"
            )
    try:
        repo.take_lock(agent_id, import_id, held)
    except ConcurrentModificationError as exc:
        raise ImportRunningError(
            "another import was started at the same moment; check it and cancel it first"
        ) from exc
    user = integration.authorization.user
    record = repo.create(
        ImportRecord(
            import_id=import_id,
            agent_id=agent_id,
            subdomain=integration.subdomain,
            filters=filters,
            created_at=now,
            started_at=now,
            phase_started_at=now,
            next_step_at=now,
            ai_agent_user_id=user.id if user else None,
        )
    )
    try:
        (queue or SqsStepQueue()).send(
            StepMessage(import_id=import_id, agent_id=agent_id, step=0), 0
        )
    except Exception:
        finish_import(ctx, record, "failed", "the import could not be queued; start it again")
        raise
    logger.info("import_started", extra={"agent_id": agent_id, "import_id": import_id})
    return record


def get_import(ctx: Context, agent_id: str, import_id: str) -> ImportRecord:
    ctx.agents.get(agent_id)
    return repository(ctx).get(agent_id, import_id)


def public_view(ctx: Context, record: ImportRecord) -> dict[str, Any]:
    """The JSON of an import, its estimate at this account's export limit."""
    config = settings()
    return record.public(
        ctx.now(), config.import_exports_per_minute, config.import_export_page_size
    )


def cancel_import(ctx: Context, agent_id: str, import_id: str) -> ImportRecord:
    """Stop a running import; the next step sees the status and ends the chain."""
    repo = repository(ctx)
    for attempt in range(5):
        record = repo.get(agent_id, import_id)
        if not record.is_running:
            raise ImportNotRunningError(
                f"import {import_id} already ended with status {record.status}; nothing to cancel"
            )
        try:
            return finish_import(ctx, record, "cancelled", None)
        except ConcurrentModificationError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def finish_import(
    ctx: Context,
    record: ImportRecord,
    status: Literal["succeeded", "failed", "cancelled"],
    error: str | None,
) -> ImportRecord:
    """End the import (versioned write) and release the agent's lock."""
    now = ctx.now()
    skipped = max(0, record.tickets_matched - record.conversations_imported)
    ended = replace(
        record,
        status=status,
        error=error,
        finished_at=now,
        next_step_at=None,
        tickets_skipped=skipped,
    )
    saved = repository(ctx).save(ended)
    repository(ctx).release_lock(record.agent_id, record.import_id)
    logger.info(
        "import_ended",
        extra={
            "agent_id": record.agent_id,
            "import_id": record.import_id,
            "status": status,
            "conversations_imported": record.conversations_imported,
        },
    )
    return saved


def fail_import(ctx: Context, agent_id: str, import_id: str, error: str) -> None:
    """Mark a running import failed (the worker's last resort after repeated crashes)."""
    record = repository(ctx).find(agent_id, import_id)
    if record is not None and record.is_running:
        finish_import(ctx, record, "failed", error)
