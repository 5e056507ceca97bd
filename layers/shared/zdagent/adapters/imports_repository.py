"""Imports in the state table: the import item (the checkpoint), the one-import-per-agent lock,
and the matching tickets of an import with how far each thread got.

Keys (pk ``AGENT#<id>``): ``IMPORT#<import id>`` (versioned), ``IMPORTLOCK``, and
``IMPORTTICKET#<import id>#<ticket id>`` (TTL) for each ticket that matches the filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from zdagent.adapters.dynamodb import StateStore, agent_pk
from zdagent.core.errors import ConcurrentModificationError, ImportNotFoundError
from zdagent.core.observability import logger
from zdagent.domain.imports import ImportRecord, TicketProgress, TicketSummary

LOCK_SK = "IMPORTLOCK"
TICKET_TTL_SECONDS = 7 * 86400


class ImportTicket(BaseModel):
    """A matching ticket and its thread's progress. ``before`` is the progress as step ``step``
    found it, so a re-run of that step (after a crash before its checkpoint) starts from the same
    place and counts the same messages again, not twice."""

    model_config = ConfigDict(extra="ignore")

    ticket: TicketSummary
    progress: TicketProgress = TicketProgress()
    before: TicketProgress = TicketProgress()
    step: int = -1

    def base_for(self, step: int) -> TicketProgress:
        return self.before if self.step == step else self.progress


def _import_sk(import_id: str) -> str:
    return f"IMPORT#{import_id}"


def _ticket_sk(import_id: str, ticket_id: int) -> str:
    return f"IMPORTTICKET#{import_id}#{ticket_id:012d}"


@dataclass
class ImportRepository:
    store: StateStore

    # -- the import ------------------------------------------------------------------------------
    def find(self, agent_id: str, import_id: str) -> ImportRecord | None:
        item = self.store.get(agent_pk(agent_id), _import_sk(import_id))
        return ImportRecord.model_validate(item) if item else None

    def get(self, agent_id: str, import_id: str) -> ImportRecord:
        found = self.find(agent_id, import_id)
        if found is None:
            raise ImportNotFoundError(f"agent {agent_id} has no import {import_id}")
        return found

    def _item(self, record: ImportRecord) -> dict[str, Any]:
        body = record.model_dump(mode="json", exclude={"version"})
        return body | {
            "pk": agent_pk(record.agent_id),
            "sk": _import_sk(record.import_id),
            "kind": "import",
        }

    def create(self, record: ImportRecord) -> ImportRecord:
        self.store.put_new(self._item(record))
        return record.model_copy(update={"version": 1})

    def save(self, record: ImportRecord) -> ImportRecord:
        """Versioned write; ConcurrentModificationError if it changed since it was read."""
        version = self.store.put_versioned(self._item(record), record.version)
        return record.model_copy(update={"version": version})

    # -- the lock: one running import per agent --------------------------------------------------
    def lock(self, agent_id: str) -> dict[str, Any] | None:
        return self.store.get(agent_pk(agent_id), LOCK_SK)

    def take_lock(self, agent_id: str, import_id: str, held: dict[str, Any] | None) -> None:
        item = {"pk": agent_pk(agent_id), "sk": LOCK_SK, "import_id": import_id}
        if held is None:
            self.store.put_new(item)
        else:
            self.store.put_versioned(item, int(held["version"]))

    def release_lock(self, agent_id: str, import_id: str) -> None:
        held = self.lock(agent_id)
        if held is None or held.get("import_id") != import_id:
            return
        try:
            self.store.delete(agent_pk(agent_id), LOCK_SK, expected_version=int(held["version"]))
        except ConcurrentModificationError:
            logger.info("import_lock_changed", extra={"agent_id": agent_id})

    # -- matching tickets ------------------------------------------------------------------------
    def ticket_items(
        self, record: ImportRecord, tickets: Iterable[ImportTicket], now: datetime
    ) -> list[dict[str, Any]]:
        expires = int(now.timestamp()) + TICKET_TTL_SECONDS
        return [
            ticket.model_dump(mode="json")
            | {
                "pk": agent_pk(record.agent_id),
                "sk": _ticket_sk(record.import_id, ticket.ticket.id),
                "kind": "import_ticket",
                "expires_at": expires,
            }
            for ticket in tickets
        ]

    def put_tickets(
        self, record: ImportRecord, tickets: Iterable[ImportTicket], now: datetime
    ) -> None:
        self.store.batch_put(self.ticket_items(record, tickets, now))

    def tickets(self, record: ImportRecord, ticket_ids: Iterable[int]) -> dict[int, ImportTicket]:
        """The matching tickets among ``ticket_ids`` (the others are absent)."""
        pk = agent_pk(record.agent_id)
        keys = [(pk, _ticket_sk(record.import_id, t)) for t in ticket_ids]
        found = (ImportTicket.model_validate(item) for item in self.store.batch_get(keys))
        return {item.ticket.id: item for item in found}
