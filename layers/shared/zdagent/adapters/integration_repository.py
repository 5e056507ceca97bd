"""The integration in and out of the state table (its version kept for locking).

Apart from the agent and knowledge repositories (adapters/repositories.py), so the functions that
read only the integration (trigger, import worker) load only its models.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from zdagent.adapters.dynamodb import StateStore
from zdagent.adapters.keys import INTEGRATION_SK, agent_pk
from zdagent.core.errors import IntegrationExistsError, IntegrationNotFoundError
from zdagent.domain.integration import Integration

_KEYS = {"pk", "sk", "gsi1pk", "gsi1sk", "expires_at"}


def strip_keys(item: dict[str, Any]) -> dict[str, Any]:
    """A state-table item without its key and index attributes."""
    return {k: v for k, v in item.items() if k not in _KEYS}


@dataclass
class IntegrationRepository:
    store: StateStore

    def find(self, agent_id: str) -> Integration | None:
        item = self.store.get(agent_pk(agent_id), INTEGRATION_SK)
        return Integration.from_json(strip_keys(item)) if item else None

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
        return replace(integration, version=1)

    def save(self, integration: Integration) -> Integration:
        version = self.store.put_versioned(self._item(integration), integration.version)
        return replace(integration, version=version)

    def delete(self, integration: Integration) -> None:
        self.store.delete(
            agent_pk(integration.agent_id), INTEGRATION_SK, expected_version=integration.version
        )

    @staticmethod
    def _item(integration: Integration) -> dict[str, Any]:
        body = integration.to_json()
        del body["version"]
        return body | {"pk": agent_pk(integration.agent_id), "sk": INTEGRATION_SK}
