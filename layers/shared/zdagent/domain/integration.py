"""The Zendesk Support integration of one agent and its lifecycle rules (docs/contract.md §2).

Pure code: every ordering rule lives here and raises a ConflictError subclass whose detail names
the step to do first. Services load an Integration, call one transition, and save it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, cast

from zdagent.core import records
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
AUTHORIZATION_STATUSES: tuple[AuthorizationStatus, ...] = ("unauthorized", "authorized", "revoked")
TRIGGER_STATUSES: tuple[TriggerStatus, ...] = ("none", "active", "inactive")


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


def valid_email(raw: str) -> str:
    email = raw.strip().lower()
    if not EMAIL_PATTERN.fullmatch(email):
        raise records.invalid(
            "ai_agent_user_email",
            "Value error, ai_agent_user_email must be an email address like ai-agent@acme.com",
        )
    return email


@dataclass(frozen=True, slots=True)
class ZendeskUserRef:
    id: int
    email: str
    name: str = ""

    @classmethod
    def from_json(cls, raw: object, where: str) -> ZendeskUserRef:
        data = records.mapping(raw, where)
        return cls(
            id=records.integer(data, "id", where),
            email=records.text(data, "email", where),
            name=records.text(data, "name", where, default=""),
        )

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "name": self.name}


@dataclass(frozen=True, slots=True)
class AuthorizationState:
    status: AuthorizationStatus = "unauthorized"
    user: ZendeskUserRef | None = None
    authorized_at: datetime | None = None
    reason: str | None = None

    @classmethod
    def from_json(cls, raw: object, where: str = "authorization") -> AuthorizationState:
        data = records.mapping(raw, where)
        status = records.choice(
            data, "status", AUTHORIZATION_STATUSES, where, default="unauthorized"
        )
        user = data.get("user")
        return cls(
            status=cast(AuthorizationStatus, status),
            user=None if user is None else ZendeskUserRef.from_json(user, f"{where}.user"),
            authorized_at=records.optional_instant(data, "authorized_at", where),
            reason=records.optional_text(data, "reason", where),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "user": None if self.user is None else self.user.to_json(),
            "authorized_at": records.instant_json(self.authorized_at),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class TriggerState:
    status: TriggerStatus = "none"
    trigger_id: int | None = None
    webhook_id: str | None = None
    created_at: datetime | None = None
    config_fingerprint: str | None = None  # what we last wrote: tells edits made in Zendesk
    category_id: str | None = None  # the trigger category it was created in
    loop_guard: LoopGuard | None = None  # the "current user" form it was created with

    @classmethod
    def from_json(cls, raw: object, where: str = "trigger") -> TriggerState:
        data = records.mapping(raw, where)
        guard = data.get("loop_guard")
        return cls(
            status=cast(
                TriggerStatus,
                records.choice(data, "status", TRIGGER_STATUSES, where, default="none"),
            ),
            trigger_id=records.optional_integer(data, "trigger_id", where),
            webhook_id=records.optional_text(data, "webhook_id", where),
            created_at=records.optional_instant(data, "created_at", where),
            config_fingerprint=records.optional_text(data, "config_fingerprint", where),
            category_id=records.optional_text(data, "category_id", where),
            loop_guard=None if guard is None else LoopGuard.from_json(guard, f"{where}.loop_guard"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "trigger_id": self.trigger_id,
            "webhook_id": self.webhook_id,
            "created_at": records.instant_json(self.created_at),
            "config_fingerprint": self.config_fingerprint,
            "category_id": self.category_id,
            "loop_guard": None if self.loop_guard is None else self.loop_guard.to_json(),
        }


@dataclass(frozen=True, slots=True)
class EngineState:
    enabled: bool = False
    changed_at: datetime | None = None

    @classmethod
    def from_json(cls, raw: object, where: str = "engine") -> EngineState:
        data = records.mapping(raw, where)
        return cls(
            enabled=records.boolean(data, "enabled", where, default=False),
            changed_at=records.optional_instant(data, "changed_at", where),
        )

    def to_json(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "changed_at": records.instant_json(self.changed_at)}


_INTEGRATION_FIELDS = (
    "agent_id",
    "crm",
    "subdomain",
    "ai_agent_user_email",
    "authorization",
    "trigger",
    "engine",
    "created_at",
    "version",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Integration:
    """One agent's integration (a stored item read by ``from_json``, or the create request's
    values); building one validates its subdomain and the AI agent user's email (a 422)."""

    agent_id: str
    crm: Literal["zendesk_support"] = "zendesk_support"
    subdomain: str
    ai_agent_user_email: str
    authorization: AuthorizationState = field(default_factory=AuthorizationState)
    trigger: TriggerState = field(default_factory=TriggerState)
    engine: EngineState = field(default_factory=EngineState)
    created_at: datetime
    version: int = 0

    def __post_init__(self) -> None:
        """The rules the create request and the stored item share: one account, one email."""
        try:
            subdomain = normalise_subdomain(self.subdomain)
        except ValueError as exc:
            raise records.invalid("subdomain", f"Value error, {exc}") from exc
        object.__setattr__(self, "subdomain", subdomain)
        object.__setattr__(self, "ai_agent_user_email", valid_email(self.ai_agent_user_email))

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Integration:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, _INTEGRATION_FIELDS, where)
        records.choice(data, "crm", ("zendesk_support",), where, default="zendesk_support")
        return cls(
            agent_id=records.text(data, "agent_id", where),
            subdomain=records.text(data, "subdomain", where),
            ai_agent_user_email=records.text(data, "ai_agent_user_email", where),
            created_at=records.instant(data, "created_at", where),
            authorization=AuthorizationState.from_json(data.get("authorization") or {}),
            trigger=TriggerState.from_json(data.get("trigger") or {}),
            engine=EngineState.from_json(data.get("engine") or {}),
            version=records.integer(data, "version", where, default=0),
        )

    def to_json(self) -> dict[str, Any]:
        """Every field, as pydantic's ``model_dump(mode="json")`` wrote it (stored and shown)."""
        return {
            "agent_id": self.agent_id,
            "crm": self.crm,
            "subdomain": self.subdomain,
            "ai_agent_user_email": self.ai_agent_user_email,
            "authorization": self.authorization.to_json(),
            "trigger": self.trigger.to_json(),
            "engine": self.engine.to_json(),
            "created_at": records.instant_json(self.created_at),
            "version": self.version,
        }

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
        body = self.to_json()
        del body["version"]
        created_at = body.pop("created_at")
        body["connected"] = self.connected
        body["created_at"] = created_at
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
        return replace(self, authorization=state)

    def revoked(self, reason: str | None = None) -> Integration:
        state = AuthorizationState(status="revoked", reason=reason)
        return replace(self, authorization=state)

    def authorization_lost(self, reason: str, at: datetime) -> Integration:
        """The token cannot be refreshed: the engine stops and the admin must authorize again."""
        state = AuthorizationState(status="unauthorized", reason=reason)
        engine = EngineState(enabled=False, changed_at=at)
        return replace(self, authorization=state, engine=engine)

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
        return replace(self, trigger=state)

    def trigger_deactivated(self) -> Integration:
        state = replace(self.trigger, status="inactive")
        return replace(self, trigger=state)

    def trigger_edited(self, fingerprint: str) -> Integration:
        state = replace(self.trigger, config_fingerprint=fingerprint)
        return replace(self, trigger=state)

    def trigger_reactivated(self) -> Integration:
        state = replace(self.trigger, status="active")
        return replace(self, trigger=state)

    def trigger_removed(self) -> Integration:
        return replace(self, trigger=TriggerState())

    def with_engine(self, enabled: bool, at: datetime) -> Integration:
        if enabled:
            self.require_can_enable_engine()
        return replace(self, engine=EngineState(enabled=enabled, changed_at=at))
