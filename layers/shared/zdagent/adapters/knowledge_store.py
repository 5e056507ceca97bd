"""The agent's knowledge item and the Help Center sync's bookkeeping on article items.

Keys (pk / sk), beside ``AGENT#<id> / KB#<article id>`` (``KnowledgeRepository``):
  AGENT#<id> / KNOWLEDGE    the knowledge source, the last sync (its checkpoint) and the export
                            watermark; versioned. Help Center sources are also indexed on gsi1
                            (``KNOWLEDGESOURCE#zendesk_help_center``) so the schedule finds them.
Article items synced from the Help Center carry ``content_hash`` (to tell an edit from a re-read)
and ``synced_in`` (the last sync that saw the article; the prune removes the others).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from zdagent.adapters.dynamodb import StateStore, agent_pk
from zdagent.domain.engine import KnowledgeArticle
from zdagent.domain.knowledge_source import KnowledgeState, content_hash

KNOWLEDGE_SK = "KNOWLEDGE"
HELP_CENTER_INDEX = "KNOWLEDGESOURCE#zendesk_help_center"
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
        return KnowledgeState.model_validate({k: v for k, v in item.items() if k not in _KEYS})

    def save(self, state: KnowledgeState) -> KnowledgeState:
        """Versioned write (ConcurrentModificationError if it changed since it was read)."""
        item = self._item(state)
        if state.version == 0:
            self.store.put_new(item)
            return state.model_copy(update={"version": 1})
        version = self.store.put_versioned(item, state.version)
        return state.model_copy(update={"version": version})

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
        body = state.model_dump(mode="json", exclude={"version"})
        item = body | {"pk": agent_pk(state.agent_id), "sk": KNOWLEDGE_SK, "kind": "knowledge"}
        if state.source.is_help_center:
            item |= {"gsi1pk": HELP_CENTER_INDEX, "gsi1sk": state.agent_id}
        return item


@dataclass(frozen=True)
class ArticleMark:
    content_hash: str | None
    synced_in: str | None


class SyncedArticles:
    """Writes of one sync step: upserts with their marks, removals, and the prune."""

    def __init__(self, store: StateStore, agent_id: str) -> None:
        self._store, self._agent_id = store, agent_id
        self._pk = agent_pk(agent_id)
        self._marks = {
            str(item["sk"]).removeprefix("KB#"): ArticleMark(
                item.get("content_hash"), item.get("synced_in")
            )
            for item in store.iter_prefix(self._pk, "KB#")
        }
        self._pending: list[dict[str, Any]] = []
        self.changed = False

    def upsert(self, article: KnowledgeArticle, synced_in: str | None) -> Change:
        """Store the article (marked seen by ``synced_in`` when given); what it was to us."""
        digest = content_hash(article)
        old = self._marks.get(article.id)
        change: Change = "added" if old is None else "updated"
        if old is not None and old.content_hash == digest:
            change = "same"
            if synced_in is None or old.synced_in == synced_in:
                return change
        mark = synced_in if synced_in is not None else (old.synced_in if old else None)
        item = {"pk": self._pk, "sk": f"KB#{article.id}", **article.model_dump(mode="json")}
        item |= {"content_hash": digest, "synced_in": mark}
        self._pending.append(item)
        self._marks[article.id] = ArticleMark(digest, mark)
        self.changed = self.changed or change != "same"
        return change

    def remove(self, article_id: str) -> bool:
        """Delete the article; False if it was not there."""
        if article_id not in self._marks:
            return False
        self.flush()
        self._store.delete(self._pk, f"KB#{article_id}")
        del self._marks[article_id]
        self.changed = True
        return True

    def prune(self, sync_id: str) -> int:
        """Remove every article the sync ``sync_id`` did not see; how many."""
        stale = [kid for kid, mark in self._marks.items() if mark.synced_in != sync_id]
        for kid in stale:
            self.remove(kid)
        return len(stale)

    def flush(self) -> None:
        if self._pending:
            self._store.batch_put(self._pending)
            self._pending = []
