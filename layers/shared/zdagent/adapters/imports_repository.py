"""Imports in the state table: the import item (the checkpoint), the one-import-per-agent lock,
and the matching tickets of an import with how far each thread got.

Keys (``keys.py``): the import (versioned), the lock, and one item (TTL) for each ticket that
matches the filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from zdagent.adapters.dynamodb import StateStore
from zdagent.adapters.keys import IMPORT_LOCK_SK as LOCK_SK
from zdagent.adapters.keys import agent_pk, import_sk, import_ticket_sk
from zdagent.core import records
from zdagent.core.errors import ConcurrentModificationError, ImportNotFoundError
from zdagent.core.observability import logger
from zdagent.domain.imports import ImportRecord, TicketProgress, TicketSummary

TICKET_TTL_SECONDS = 7 * 86400


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportTicket:
    """A matching ticket and its thread's progress. ``before`` is the progress as step ``step``
    found it, so a re-run of that step (after a crash before its checkpoint) starts from the same
    place and counts the same messages again, not twice. Read from its item by ``from_json``
    (keys and unknown fields ignored)."""

    ticket: TicketSummary
    progress: TicketProgress = field(default_factory=TicketProgress)
    before: TicketProgress = field(default_factory=TicketProgress)
    step: int = -1

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> ImportTicket:
        data = records.mapping(raw, where)
        return cls(
            ticket=TicketSummary.from_json(data.get("ticket"), _at(where, "ticket")),
            progress=TicketProgress.from_json(data.get("progress") or {}, _at(where, "progress")),
            before=TicketProgress.from_json(data.get("before") or {}, _at(where, "before")),
            step=records.integer(data, "step", where, default=-1),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket.to_json(),
            "progress": self.progress.to_json(),
            "before": self.before.to_json(),
            "step": self.step,
        }

    def base_for(self, step: int) -> TicketProgress:
        return self.before if self.step == step else self.progress


@dataclass
class ImportRepository:
    store: StateStore

    # -- the import ------------------------------------------------------------------------------
    def find(self, agent_id: str, import_id: str) -> ImportRecord | None:
        item = self.store.get(agent_pk(agent_id), import_sk(import_id))
        return ImportRecord.from_json(item) if item else None

    def get(self, agent_id: str, import_id: str) -> ImportRecord:
        found = self.find(agent_id, import_id)
        if found is None:
            raise ImportNotFoundError(f"agent {agent_id} has no import {import_id}")
        return found

    def _item(self, record: ImportRecord) -> dict[str, Any]:
        body = record.to_json()
        return body | {
            "pk": agent_pk(record.agent_id),
            "sk": import_sk(record.import_id),
            "kind": "import",
        }

    def create(self, record: ImportRecord) -> ImportRecord:
        self.store.put_new(self._item(record))
        return replace(record, version=1)

    def save(self, record: ImportRecord) -> ImportRecord:
        """Versioned write; ConcurrentModificationError if it changed since it was read."""
        version = self.store.put_versioned(self._item(record), record.version)
        return replace(record, version=version)

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
            ticket.to_json()
            | {
                "pk": agent_pk(record.agent_id),
                "sk": import_ticket_sk(record.import_id, ticket.ticket.id),
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
        keys = [(pk, import_ticket_sk(record.import_id, t)) for t in ticket_ids]
        found = (ImportTicket.from_json(item) for item in self.store.batch_get(keys))
        return {item.ticket.id: item for item in found}


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
