"""What use cases need from the outside world, built when first used and replaceable in tests.

Cold start is paid per function (issue 16). The state store, the vault and the reply queue
(boto3) are imported here; the repositories of domain models, the Zendesk client, OAuth and httpx
are imported by the members that build them. The receiver reads the two items it needs without
repositories (``adapters.webhook_routes``) and never calls Zendesk. Every other function
imports the domain records through its use cases at import; the repositories
module itself (about 2 ms of CPU once the models are loaded) comes with the first call of
``agents``, ``integrations`` or ``knowledge``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from zdagent.adapters.dynamodb import StateStore
from zdagent.adapters.queues import ReplyQueue
from zdagent.adapters.secrets import SecretVault
from zdagent.core.settings import settings

if TYPE_CHECKING:
    import httpx

    from zdagent.adapters.repositories import (
        AgentRepository,
        IntegrationRepository,
        KnowledgeRepository,
    )
    from zdagent.adapters.tokens import IntegrationTokenProvider
    from zdagent.adapters.zendesk.client import ZendeskClient
    from zdagent.adapters.zendesk.oauth import OAuthTokenEndpoint
    from zdagent.domain.integration import Integration


@dataclass
class Context:
    store: StateStore = field(default_factory=StateStore)
    vault: SecretVault = field(default_factory=SecretVault)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    zendesk_transport: httpx.BaseTransport | None = None
    remaining_time: Callable[[], float] | None = None
    reply_queue: ReplyQueue = field(default_factory=ReplyQueue)

    @property
    def agents(self) -> AgentRepository:
        from zdagent.adapters.repositories import AgentRepository  # noqa: PLC0415

        return AgentRepository(self.store)

    @property
    def integrations(self) -> IntegrationRepository:
        from zdagent.adapters.integration_repository import (  # noqa: PLC0415
            IntegrationRepository,
        )

        return IntegrationRepository(self.store)

    @property
    def knowledge(self) -> KnowledgeRepository:
        from zdagent.adapters.repositories import KnowledgeRepository  # noqa: PLC0415

        return KnowledgeRepository(self.store)

    def token_endpoint(self, subdomain: str) -> OAuthTokenEndpoint:
        from zdagent.adapters.zendesk.oauth import OAuthTokenEndpoint  # noqa: PLC0415
        from zdagent.adapters.zendesk.urls import base_url_for  # noqa: PLC0415

        client = self.vault.oauth_client()
        return OAuthTokenEndpoint(
            base_url_for(subdomain, settings().zendesk_base_url_template),
            client.client_id,
            client.client_secret,
            transport=self.zendesk_transport,
            timeout=settings().zendesk_timeout_seconds,
            remaining_time=self.remaining_time,
        )

    def zendesk_for(
        self, integration: Integration, *, retry_after_cap: float | None = None
    ) -> ZendeskClient:
        """A client acting as the AI agent user of this integration (``retry_after_cap``:
        see ``ZendeskClient.for_subdomain``)."""
        from zdagent.adapters.zendesk.auth import BearerAuth  # noqa: PLC0415
        from zdagent.adapters.zendesk.client import ZendeskClient  # noqa: PLC0415

        provider = self.token_provider(integration)
        return ZendeskClient.for_subdomain(
            integration.subdomain,
            auth=BearerAuth(provider),
            remaining_time=self.remaining_time,
            transport=self.zendesk_transport,
            retry_after_cap=retry_after_cap,
        )

    def token_provider(self, integration: Integration) -> IntegrationTokenProvider:
        """The AI agent user's tokens: refreshed before expiry and on 401, under a lease."""
        from zdagent.adapters.tokens import IntegrationTokenProvider  # noqa: PLC0415

        return IntegrationTokenProvider(
            integration.agent_id,
            vault=self.vault,
            store=self.store,
            token_endpoint=lambda: self.token_endpoint(integration.subdomain),
            on_authorization_lost=lambda reason: self.mark_authorization_lost(
                integration.agent_id, reason
            ),
            now=self.now,
        )

    def mark_authorization_lost(self, agent_id: str, reason: str) -> None:
        """The token cannot be refreshed: show 'unauthorized' with the reason, stop the engine."""
        integration = self.integrations.find(agent_id)
        if integration and integration.is_authorized:
            self.integrations.save(integration.authorization_lost(reason, self.now()))


@cache
def default_context() -> Context:
    return Context()
