"""Repositories: domain objects in and out of the state table (versions kept for locking).

The integration's repository is adapters/integration_repository.py (re-exported here): the
functions that only read the integration do not build the agent and knowledge models.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from zdagent.adapters.dynamodb import StateStore, decode_token, encode_token
from zdagent.adapters.integration_repository import IntegrationRepository, strip_keys
from zdagent.adapters.keys import (
    AGENT_SK,
    AGENTS_INDEX_PK,
    KNOWLEDGE_PREFIX,
    agent_pk,
    agents_index_sk,
    knowledge_sk,
)
from zdagent.core.errors import AgentNotFoundError
from zdagent.domain.agent import Agent
from zdagent.domain.knowledge import ARTICLE_FIELDS, KnowledgeArticle, KnowledgeBase

__all__ = [
    "AgentRepository",
    "IntegrationRepository",
    "KnowledgeRepository",
    "knowledge_version",
]


@dataclass
class AgentRepository:
    store: StateStore

    def get(self, agent_id: str) -> Agent:
        item = self.store.get(agent_pk(agent_id), AGENT_SK)
        if not item:
            raise AgentNotFoundError(f"no agent with id '{agent_id}'")
        return Agent.from_json(strip_keys(item))

    def create(self, agent: Agent) -> Agent:
        self.store.put_new(self._item(agent))
        return replace(agent, version=1)

    def save(self, agent: Agent) -> Agent:
        version = self.store.put_versioned(self._item(agent), agent.version)
        return replace(agent, version=version)

    def list(self, *, limit: int, next_token: str | None) -> tuple[list[Agent], str | None]:
        """Newest first (the index orders agents by creation time)."""
        items, start = self.store.query_index(
            AGENTS_INDEX_PK, limit=limit, start_key=decode_token(next_token)
        )
        agents = [Agent.from_json(strip_keys(item)) for item in items]
        return agents, encode_token(start)

    def delete_everything(self, agent_id: str) -> int:
        """The agent item first (nothing new can attach to it), then every item under its key:
        knowledge, conversation log, statistics, runs. Returns how many items were deleted."""
        pk = agent_pk(agent_id)
        self.store.delete(pk, AGENT_SK)
        keys = [item["sk"] for item in self.store.iter_prefix(pk, "")]
        for sk in keys:
            self.store.delete(pk, sk)
        return len(keys) + 1

    @staticmethod
    def _item(agent: Agent) -> dict[str, Any]:
        body = agent.to_json()
        del body["version"]
        return body | {
            "pk": agent_pk(agent.agent_id),
            "sk": AGENT_SK,
            "gsi1pk": AGENTS_INDEX_PK,
            "gsi1sk": agents_index_sk(body["created_at"], agent.agent_id),
        }


@dataclass
class KnowledgeRepository:
    store: StateStore

    def replace(self, agent_id: str, articles: list[KnowledgeArticle]) -> str:
        """Store the articles (removing ones no longer present); returns the content version."""
        pk = agent_pk(agent_id)
        existing = {item["sk"] for item in self.store.iter_prefix(pk, KNOWLEDGE_PREFIX)}
        items = [{"pk": pk, "sk": knowledge_sk(a.id), **a.to_json()} for a in articles]
        self.store.batch_put(items)
        for stale in existing - {i["sk"] for i in items}:
            self.store.delete(pk, stale)
        return knowledge_version(articles)

    def page(
        self, agent_id: str, *, limit: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of articles in id order, without their bodies (for listing)."""
        items, start = self.store.query_prefix(
            agent_pk(agent_id), KNOWLEDGE_PREFIX, limit=limit, start_key=decode_token(next_token)
        )
        listed = [{k: v for k, v in strip_keys(item).items() if k != "body"} for item in items]
        return listed, encode_token(start)

    def load(self, agent_id: str, version: str) -> KnowledgeBase:
        articles = self.articles(agent_id)
        return KnowledgeBase(agent_id=agent_id, version=version, articles=articles)

    def articles(self, agent_id: str) -> list[KnowledgeArticle]:
        """Every stored article, ordered by id (items may carry sync bookkeeping too)."""
        return [
            KnowledgeArticle.from_json({k: v for k, v in item.items() if k in ARTICLE_FIELDS})
            for item in self.store.iter_prefix(agent_pk(agent_id), KNOWLEDGE_PREFIX)
        ]


def knowledge_version(articles: list[KnowledgeArticle]) -> str:
    canonical = json.dumps([a.to_json() for a in articles], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
