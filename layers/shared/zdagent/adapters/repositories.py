"""Repositories: domain objects in and out of the state table (versions kept for locking)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from zdagent.adapters.dynamodb import StateStore
from zdagent.adapters.keys import (
    AGENT_SK,
    INTEGRATION_SK,
    KNOWLEDGE_PREFIX,
    agent_pk,
    knowledge_sk,
)
from zdagent.core.errors import AgentNotFoundError, IntegrationExistsError, IntegrationNotFoundError
from zdagent.domain.agent import Agent
from zdagent.domain.engine import KnowledgeArticle, KnowledgeBase
from zdagent.domain.integration import Integration

_KEYS = {"pk", "sk", "gsi1pk", "gsi1sk", "expires_at"}


def _strip_keys(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _KEYS}


@dataclass
class AgentRepository:
    store: StateStore

    def get(self, agent_id: str) -> Agent:
        item = self.store.get(agent_pk(agent_id), AGENT_SK)
        if not item:
            raise AgentNotFoundError(f"no agent with id '{agent_id}'")
        return Agent.model_validate(_strip_keys(item))

    def create(self, agent: Agent) -> Agent:
        self.store.put_new(self._item(agent))
        return agent.model_copy(update={"version": 1})

    def save(self, agent: Agent) -> Agent:
        version = self.store.put_versioned(self._item(agent), agent.version)
        return agent.model_copy(update={"version": version})

    @staticmethod
    def _item(agent: Agent) -> dict[str, Any]:
        body = agent.model_dump(mode="json", exclude={"version"})
        return body | {"pk": agent_pk(agent.agent_id), "sk": AGENT_SK}


@dataclass
class IntegrationRepository:
    store: StateStore

    def find(self, agent_id: str) -> Integration | None:
        item = self.store.get(agent_pk(agent_id), INTEGRATION_SK)
        return Integration.model_validate(_strip_keys(item)) if item else None

    def get(self, agent_id: str) -> Integration:
        found = self.find(agent_id)
        if not found:
            raise IntegrationNotFoundError(
                f"agent '{agent_id}' has no integration: create it with "
                f"POST /agents/{agent_id}/integration"
            )
        return found

    def create(self, integration: Integration) -> Integration:
        if not self.store.put_if_absent(self._item(integration) | {"version": 1}):
            raise IntegrationExistsError(
                f"agent '{integration.agent_id}' already has an integration; remove it first "
                f"(DELETE /agents/{integration.agent_id}/integration)"
            )
        return integration.model_copy(update={"version": 1})

    def save(self, integration: Integration) -> Integration:
        version = self.store.put_versioned(self._item(integration), integration.version)
        return integration.model_copy(update={"version": version})

    def delete(self, integration: Integration) -> None:
        self.store.delete(
            agent_pk(integration.agent_id), INTEGRATION_SK, expected_version=integration.version
        )

    @staticmethod
    def _item(integration: Integration) -> dict[str, Any]:
        body = integration.model_dump(mode="json", exclude={"version"})
        return body | {"pk": agent_pk(integration.agent_id), "sk": INTEGRATION_SK}


@dataclass
class KnowledgeRepository:
    store: StateStore

    def replace(self, agent_id: str, articles: list[KnowledgeArticle]) -> str:
        """Store the articles (removing ones no longer present); returns the content version."""
        pk = agent_pk(agent_id)
        existing = {item["sk"] for item in self.store.iter_prefix(pk, KNOWLEDGE_PREFIX)}
        items = [
            {"pk": pk, "sk": knowledge_sk(a.id), **a.model_dump(mode="json")} for a in articles
        ]
        self.store.batch_put(items)
        for stale in existing - {i["sk"] for i in items}:
            self.store.delete(pk, stale)
        return knowledge_version(articles)

    def load(self, agent_id: str, version: str) -> KnowledgeBase:
        articles = [
            KnowledgeArticle.model_validate(_strip_keys(item) | {})
            for item in self.store.iter_prefix(agent_pk(agent_id), KNOWLEDGE_PREFIX)
        ]
        return KnowledgeBase(agent_id=agent_id, version=version, articles=articles)


def knowledge_version(articles: list[KnowledgeArticle]) -> str:
    canonical = json.dumps([a.model_dump(mode="json") for a in articles], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
