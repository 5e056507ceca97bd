"""The agent's knowledge item and the Help Center sync's bookkeeping on article items.

Keys (pk / sk), beside ``AGENT#<id> / KB#<article id>`` (``KnowledgeRepository``):
  AGENT#<id> / KNOWLEDGE    the knowledge source, the last sync (its checkpoint) and the export
                            watermark; versioned. Help Center sources are also indexed on gsi1
                            (``KNOWLEDGESOURCE#zendesk_help_center``) so the schedule finds them.
  AGENT#<id> / KBSEEN#<sync>#<page>   the article ids one sweep page listed (TTL 2 days)
Article items synced from the Help Center carry ``content_hash``, so a re-read of an unchanged
article writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from zdagent.adapters.dynamodb import StateStore
from zdagent.adapters.keys import (
    KNOWLEDGE_PREFIX,
    KNOWLEDGE_SK,
    agent_pk,
    knowledge_seen_prefix,
    knowledge_seen_sk,
    knowledge_sk,
    knowledge_source_index_pk,
)
from zdagent.domain.knowledge import KnowledgeArticle
from zdagent.domain.knowledge_source import KnowledgeState, content_hash

HELP_CENTER_INDEX = knowledge_source_index_pk("zendesk_help_center")
_KEYS = {"pk", "sk", "gsi1pk", "gsi1sk", "kind"}

Change = Literal["added", "updated", "same"]


@dataclass
class KnowledgeStateRepository:
    store: StateStore

    def get(self, agent_id: str) -> KnowledgeState:
        """The stored state, or a new one (``version`` 0: the manual source, never synced)."""
        item = self.store.get(agent_pk(agent_id), KNOWLEDGE_SK)
        if item is None:
            return KnowledgeState(agent_id=agent_id)
        return KnowledgeState.from_json({k: v for k, v in item.items() if k not in _KEYS})

    def save(self, state: KnowledgeState) -> KnowledgeState:
        """Versioned write (ConcurrentModificationError if it changed since it was read)."""
        item = self._item(state)
        if state.version == 0:
            self.store.put_new(item)
            return replace(state, version=1)
        version = self.store.put_versioned(item, state.version)
        return replace(state, version=version)

    def help_center_agents(self) -> Iterator[str]:
        """Every agent whose knowledge comes from the Help Center."""
        start: dict[str, Any] | None = None
        while True:
            items, start = self.store.query_index(
                HELP_CENTER_INDEX, newest_first=False, limit=100, start_key=start
            )
            yield from (str(item["agent_id"]) for item in items)
            if not start:
                return

    @staticmethod
    def _item(state: KnowledgeState) -> dict[str, Any]:
        body = state.to_json()
        del body["version"]
        item = body | {"pk": agent_pk(state.agent_id), "sk": KNOWLEDGE_SK, "kind": "knowledge"}
        if state.source.is_help_center:
            item |= {"gsi1pk": HELP_CENTER_INDEX, "gsi1sk": state.agent_id}
        return item


SEEN_TTL_SECONDS = 2 * 86400


class SyncedArticles:
    """Writes of one sync step: upserts (only what changed), removals, the articles each sweep
    page saw (one small item per page, ``KBSEEN#<sync>#<page>``, TTL) and the prune."""

    def __init__(self, store: StateStore, agent_id: str) -> None:
        self._store, self._agent_id = store, agent_id
        self._pk = agent_pk(agent_id)
        self._hashes: dict[str, str | None] = {
            str(item["sk"]).removeprefix(KNOWLEDGE_PREFIX): item.get("content_hash")
            for item in store.iter_prefix(self._pk, KNOWLEDGE_PREFIX)
        }
        self._pending: list[dict[str, Any]] = []
        self.changed = False

    def upsert(self, article: KnowledgeArticle) -> Change:
        """Store the article if it is new or changed; what it was to us."""
        digest = content_hash(article)
        if article.id in self._hashes and self._hashes[article.id] == digest:
            return "same"
        change: Change = "updated" if article.id in self._hashes else "added"
        item = {"pk": self._pk, "sk": knowledge_sk(article.id), **article.to_json()}
        self._pending.append(item | {"content_hash": digest})
        self._hashes[article.id] = digest
        self.changed = True
        return change

    def remove(self, article_id: str) -> bool:
        """Delete the article; False if it was not there."""
        if article_id not in self._hashes:
            return False
        self.flush()
        self._store.delete(self._pk, knowledge_sk(article_id))
        del self._hashes[article_id]
        self.changed = True
        return True

    def record_seen(self, sync_id: str, page: int, article_ids: list[str], now: int) -> None:
        """The articles one sweep page listed (qualifying or not), for the prune."""
        self._store.put(
            {
                "pk": self._pk,
                "sk": knowledge_seen_sk(sync_id, page),
                "ids": list(article_ids),
                "expires_at": now + SEEN_TTL_SECONDS,
            }
        )

    def prune(self, sync_id: str) -> int:
        """Remove every stored article no sweep page of ``sync_id`` listed; how many."""
        seen: set[str] = set()
        pages = list(self._store.iter_prefix(self._pk, knowledge_seen_prefix(sync_id)))
        for item in pages:
            seen.update(str(i) for i in item.get("ids") or [])
        stale = [kid for kid in self._hashes if kid not in seen]
        for kid in stale:
            self.remove(kid)
        for item in pages:
            self._store.delete(self._pk, str(item["sk"]))
        return len(stale)

    def flush(self) -> None:
        if self._pending:
            self._store.batch_put(self._pending)
            self._pending = []
