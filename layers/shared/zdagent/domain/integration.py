"""The Zendesk Support integration of one agent and its lifecycle rules (docs/contract.md §2).

Pure code: every ordering rule lives here and raises a ConflictError subclass whose detail names
the step to do first. Services load an Integration, call one transition, and save it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zdagent.core.errors import (
    EngineEnabledError,
    IntegrationAuthorizedError,
    IntegrationNotAuthorizedError,
    TriggerActiveError,
    TriggerExistsError,
    TriggerNotActiveError,
)
from zdagent.domain.trigger import LoopGuard

# A Zendesk subdomain: letters, digits and inner hyphens. No dots, slashes, ports or schemes, so
# a subdomain can never make us call another host.
SUBDOMAIN_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$")

AuthorizationStatus = Literal["unauthorized", "authorized", "revoked"]
TriggerStatus = Literal["none", "active", "inactive"]


def normalise_subdomain(raw: str) -> str:
    """Accept 'acme' or 'acme.zendesk.com' (what admins paste); refuse anything else."""
    value = raw.strip().lower()
    if value.endswith(".zendesk.com"):
        value = value[: -len(".zendesk.com")]
    if not SUBDOMAIN_PATTERN.fullmatch(value):
        raise ValueError(
            "subdomain must be the part before .zendesk.com: letters, digits and hyphens only "
            "(for https://acme.zendesk.com enter 'acme')"
        )
    return value


class ZendeskUserRef(BaseModel):
    id: int
    email: str
    name: str = ""


class AuthorizationState(BaseModel):
    status: AuthorizationStatus = "unauthorized"
    user: ZendeskUserRef | None = None
    authorized_at: datetime | None = None
    reason: str | None = None


class TriggerState(BaseModel):
    status: TriggerStatus = "none"
    trigger_id: int | None = None
    webhook_id: str | None = None
    created_at: datetime | None = None
    config_fingerprint: str | None = None  # what we last wrote: tells edits made in Zendesk
    category_id: str | None = None  # the trigger category it was created in
    loop_guard: LoopGuard | None = None  # the "current user" form it was created with


class EngineState(BaseModel):
    enabled: bool = False
    changed_at: datetime | None = None


class Integration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_id: str
    crm: Literal["zendesk_support"] = "zendesk_support"
    subdomain: str
    ai_agent_user_email: str
    authorization: AuthorizationState = Field(default_factory=AuthorizationState)
    trigger: TriggerState = Field(default_factory=TriggerState)
    engine: EngineState = Field(default_factory=EngineState)
    created_at: datetime
    version: int = 0

    @field_validator("subdomain")
    @classmethod
    def _valid_subdomain(cls, value: str) -> str:
        return normalise_subdomain(value)

    @field_validator("ai_agent_user_email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        email = value.strip().lower()
        if not EMAIL_PATTERN.fullmatch(email):
            raise ValueError("ai_agent_user_email must be an email address like ai-agent@acme.com")
        return email

    # ---- derived -----------------------------------------------------------------------
    @property
    def is_authorized(self) -> bool:
        return self.authorization.status == "authorized"

    @property
    def trigger_active(self) -> bool:
        return self.trigger.status == "active"

    @property
    def connected(self) -> bool:
        return self.is_authorized and self.trigger_active and self.engine.enabled

    def public(self) -> dict[str, object]:
        body = self.model_dump(mode="json", exclude={"version", "created_at"})
        body["connected"] = self.connected
        body["created_at"] = self.model_dump(mode="json")["created_at"]
        return body

    # ---- ordering rules ----------------------------------------------------------------
    def require_authorized(self, action: str) -> None:
        if not self.is_authorized:
            raise IntegrationNotAuthorizedError(
                f"{action} needs an authorized integration: authorize Zendesk Support first "
                f"(POST /agents/{self.agent_id}/integration/authorization, "
                "signed in as the AI agent user)"
            )

    def require_can_create_trigger(self) -> None:
        self.require_authorized("creating the automation trigger")
        if self.trigger.status == "active":
            raise TriggerExistsError(
                "the automation trigger already exists and is active; edit it with "
                f"PUT /agents/{self.agent_id}/integration/trigger",
                extra={"trigger_id": self.trigger.trigger_id},
            )

    def require_can_enable_engine(self) -> None:
        self.require_authorized("turning the automation engine on")
        if not self.trigger_active:
            raise TriggerNotActiveError(
                "turning the automation engine on needs an active automation trigger: create it "
                f"first (POST /agents/{self.agent_id}/integration/trigger)"
            )

    def require_engine_off(self, action: str) -> None:
        if self.engine.enabled:
            raise EngineEnabledError(
                f"{action} needs the automation engine off: turn it off first "
                f'(PUT /agents/{self.agent_id}/integration/engine {{"enabled": false}})'
            )

    def require_can_deactivate_trigger(self) -> None:
        self.require_engine_off("deactivating the automation trigger")

    def require_can_revoke(self) -> None:
        self.require_engine_off("revoking the authorization")
        if self.trigger_active:
            raise TriggerActiveError(
                "revoking the authorization needs the automation trigger deactivated first "
                f"(POST /agents/{self.agent_id}/integration/trigger/deactivate)"
            )

    def require_can_delete(self) -> None:
        self.require_engine_off("removing the integration")
        if self.trigger_active:
            raise TriggerActiveError(
                "removing the integration needs the automation trigger deactivated first "
                f"(POST /agents/{self.agent_id}/integration/trigger/deactivate)"
            )
        if self.is_authorized:
            raise IntegrationAuthorizedError(
                "removing the integration needs the authorization revoked first "
                f"(DELETE /agents/{self.agent_id}/integration/authorization)"
            )

    # ---- transitions (each returns a new Integration) ---------------------------------
    def authorized(self, user: ZendeskUserRef, at: datetime) -> Integration:
        state = AuthorizationState(status="authorized", user=user, authorized_at=at)
        return self.model_copy(update={"authorization": state})

    def revoked(self, reason: str | None = None) -> Integration:
        state = AuthorizationState(status="revoked", reason=reason)
        return self.model_copy(update={"authorization": state})

    def authorization_lost(self, reason: str, at: datetime) -> Integration:
        """The token cannot be refreshed: the engine stops and the admin must authorize again."""
        state = AuthorizationState(status="unauthorized", reason=reason)
        engine = EngineState(enabled=False, changed_at=at)
        return self.model_copy(update={"authorization": state, "engine": engine})

    def with_trigger(
        self,
        trigger_id: int,
        webhook_id: str,
        fingerprint: str,
        at: datetime,
        *,
        category_id: str | None = None,
        loop_guard: LoopGuard | None = None,
    ) -> Integration:
        state = TriggerState(
            status="active",
            trigger_id=trigger_id,
            webhook_id=webhook_id,
            created_at=at,
            config_fingerprint=fingerprint,
            category_id=category_id,
            loop_guard=loop_guard,
        )
        return self.model_copy(update={"trigger": state})

    def trigger_deactivated(self) -> Integration:
        state = self.trigger.model_copy(update={"status": "inactive"})
        return self.model_copy(update={"trigger": state})

    def trigger_edited(self, fingerprint: str) -> Integration:
        state = self.trigger.model_copy(update={"config_fingerprint": fingerprint})
        return self.model_copy(update={"trigger": state})

    def trigger_reactivated(self) -> Integration:
        state = self.trigger.model_copy(update={"status": "active"})
        return self.model_copy(update={"trigger": state})

    def trigger_removed(self) -> Integration:
        return self.model_copy(update={"trigger": TriggerState()})

    def with_engine(self, enabled: bool, at: datetime) -> Integration:
        if enabled:
            self.require_can_enable_engine()
        return self.model_copy(update={"engine": EngineState(enabled=enabled, changed_at=at)})
