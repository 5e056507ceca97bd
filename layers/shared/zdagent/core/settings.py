"""Settings as pydantic models of the environment, read lazily and cached.

Nothing is read at import time: ``settings()`` builds the model on first use. A missing or invalid
variable raises ``ConfigurationError`` naming the variable.
"""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zdagent.core.errors import ConfigurationError


class Settings(BaseModel):
    """Every environment variable the functions read (names are the upper-cased fields)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(min_length=1)
    reply_queue_url: str = ""
    import_queue_url: str = ""
    disconnect_state_machine_arn: str = ""
    oauth_client_secret_id: str = ""
    secrets_prefix: str = "zdagent"
    public_base_url: str = ""  # empty: the API URL of each request
    zendesk_base_url_template: str = "https://{subdomain}.zendesk.com"
    zendesk_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    zendesk_max_retries: int = Field(default=4, ge=0, le=10)
    zendesk_retry_after_cap_seconds: float = Field(default=30.0, gt=0)
    oauth_scopes: str = "read write hc:read"
    oauth_state_ttl_seconds: int = Field(default=600, gt=0)
    access_token_ttl_seconds: int = Field(default=1800, ge=300, le=172800)
    token_refresh_margin_seconds: int = Field(default=300, ge=0)
    webhook_timestamp_tolerance_seconds: int = Field(default=300, gt=0)
    webhook_max_body_bytes: int = Field(default=256 * 1024, gt=0)
    secret_cache_seconds: int = Field(default=300, ge=0)
    default_engine: str = "knowledge"
    # imports: Zendesk's export limit (10 a minute, 30 with High Volume) and page size (<= 1,000)
    import_exports_per_minute: int = Field(default=10, ge=1, le=30)
    import_export_page_size: int = Field(default=1000, ge=1, le=1000)
    import_step_seconds: float = Field(default=120.0, gt=0, le=800)
    # knowledge from the Help Center (issue 14): the sync's step queue and its API share
    knowledge_sync_queue_url: str = ""
    knowledge_requests_per_minute: int = Field(default=60, ge=1, le=2500)
    knowledge_step_seconds: float = Field(default=60.0, gt=0, le=800)


def _read_env[M: BaseModel](model: type[M]) -> M:
    values = {
        name: os.environ[name.upper()] for name in model.model_fields if name.upper() in os.environ
    }
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(f"{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors())
        raise ConfigurationError(f"invalid environment: {problems}") from exc


@cache
def settings() -> Settings:
    """The process's settings, read from the environment on first call."""
    return _read_env(Settings)


def reset_settings_cache() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    settings.cache_clear()
