"""Secrets Manager: the OAuth client, per-integration OAuth tokens and webhook signing secrets.

Secret names: ``<SECRETS_PREFIX>/<agent_id>/oauth`` and ``<SECRETS_PREFIX>/<agent_id>/webhook``.
Reads are cached in-process for ``SECRET_CACHE_SECONDS``; our own writes update the cache.
Values never reach a log line.

The records are dataclasses, not pydantic models: the webhook receiver reads its signing secret
here, and its cold start has no room for pydantic (see core/settings.py). What Secrets Manager
returns is checked by ``_fields``: a secret without its required strings is a clear error.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from zdagent.adapters.aws import client
from zdagent.core.errors import ConfigurationError, SecretStoreError
from zdagent.core.observability import logger
from zdagent.core.settings import settings


@dataclass(frozen=True)
class OAuthClientCredentials:
    client_id: str
    client_secret: str = dataclasses.field(repr=False)


@dataclass(frozen=True)
class StoredTokens:
    access_token: str = dataclasses.field(repr=False)  # never print token values
    refresh_token: str | None = dataclasses.field(default=None, repr=False)
    expires_at: int | None = None  # epoch seconds; None = does not expire
    refresh_expires_at: int | None = None
    scope: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class WebhookSecret:
    webhook_id: str
    signing_secret: str = dataclasses.field(repr=False)


def _fields[R](record: type[R], value: dict[str, Any], what: str) -> R:
    """``value``'s fields of ``record`` (others ignored), the required ones present as strings."""
    known = {f.name: f for f in dataclasses.fields(record)}  # type: ignore[arg-type]
    for name, spec in known.items():
        required = spec.default is dataclasses.MISSING
        if required and not isinstance(value.get(name), str):
            raise SecretStoreError(f"the stored {what} has no {name}")
    return record(**{k: v for k, v in value.items() if k in known})


_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}


def clear_secret_cache() -> None:
    _cache.clear()


class SecretVault:
    def __init__(self, prefix: str | None = None) -> None:
        self._prefix = prefix

    @property
    def prefix(self) -> str:
        return self._prefix or settings().secrets_prefix

    def oauth_name(self, agent_id: str) -> str:
        return f"{self.prefix}/{agent_id}/oauth"

    def webhook_name(self, agent_id: str) -> str:
        return f"{self.prefix}/{agent_id}/webhook"

    # ---- OAuth client --------------------------------------------------------------------
    def oauth_client(self) -> OAuthClientCredentials:
        secret_id = settings().oauth_client_secret_id
        if not secret_id:
            raise ConfigurationError("OAUTH_CLIENT_SECRET_ID is not set")
        value = self._read(secret_id, cached=True)
        if not value or not value.get("client_id"):
            raise ConfigurationError(
                "the Zendesk OAuth client secret has no client_id: set it in Secrets Manager"
            )
        return _fields(OAuthClientCredentials, value, "Zendesk OAuth client")

    # ---- tokens --------------------------------------------------------------------------
    def read_tokens(self, agent_id: str, *, cached: bool = True) -> StoredTokens | None:
        value = self._read(self.oauth_name(agent_id), cached=cached)
        return _fields(StoredTokens, value, "OAuth tokens") if value else None

    def write_tokens(self, agent_id: str, tokens: StoredTokens) -> None:
        self._write(self.oauth_name(agent_id), dataclasses.asdict(tokens), "Zendesk OAuth tokens")

    def delete_tokens(self, agent_id: str) -> None:
        self._delete(self.oauth_name(agent_id))

    # ---- webhook signing secret ----------------------------------------------------------
    def read_webhook_secret(self, agent_id: str, *, cached: bool = True) -> WebhookSecret | None:
        value = self._read(self.webhook_name(agent_id), cached=cached)
        return _fields(WebhookSecret, value, "webhook secret") if value else None

    def write_webhook_secret(self, agent_id: str, secret: WebhookSecret) -> None:
        self._write(
            self.webhook_name(agent_id), dataclasses.asdict(secret), "Zendesk webhook secret"
        )

    def delete_webhook_secret(self, agent_id: str) -> None:
        self._delete(self.webhook_name(agent_id))

    # ---- plumbing ------------------------------------------------------------------------
    def _read(self, name: str, *, cached: bool) -> dict[str, Any] | None:
        now = time.monotonic()
        hit = _cache.get(name)
        if cached and hit and hit[0] > now:
            return hit[1]
        try:
            raw = client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
            value: dict[str, Any] | None = json.loads(raw)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code not in {"ResourceNotFoundException", "InvalidRequestException"}:
                raise SecretStoreError(f"Secrets Manager error {code}") from exc
            value = None  # absent, or scheduled for deletion
        _cache[name] = (now + settings().secret_cache_seconds, value)
        return value

    def _write(self, name: str, value: dict[str, Any], description: str) -> None:
        body = json.dumps(value)
        sm = client("secretsmanager")
        try:
            sm.put_secret_value(SecretId=name, SecretString=body)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                self._create(name, body, description)
            elif code == "InvalidRequestException":  # scheduled for deletion: bring it back
                sm.restore_secret(SecretId=name)
                sm.put_secret_value(SecretId=name, SecretString=body)
            else:
                raise SecretStoreError(f"Secrets Manager error {code}") from exc
        _cache[name] = (time.monotonic() + settings().secret_cache_seconds, value)
        logger.info("secret_written", extra={"secret_name": name})

    def _create(self, name: str, body: str, description: str) -> None:
        try:
            client("secretsmanager").create_secret(
                Name=name, SecretString=body, Description=description
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code != "ResourceExistsException":
                raise SecretStoreError(f"Secrets Manager error {code}") from exc
            client("secretsmanager").put_secret_value(SecretId=name, SecretString=body)

    def _delete(self, name: str) -> None:
        try:
            client("secretsmanager").delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code != "ResourceNotFoundException":
                raise SecretStoreError(f"Secrets Manager error {code}") from exc
        _cache[name] = (time.monotonic() + settings().secret_cache_seconds, None)
        logger.info("secret_deleted", extra={"secret_name": name})
