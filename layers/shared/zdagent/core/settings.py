"""Settings: a typed record of the environment, read lazily and cached.

Nothing is read at import time: ``settings()`` reads the environment on first use. A missing or
invalid variable raises ``ConfigurationError`` naming the variable.

Deliberately not a pydantic model (the house style elsewhere): every function reads settings,
the webhook receiver among them, whose cold start must stay within 1.3x a bare ``import boto3``
(bench/bench_cold_start.py), and pydantic's import alone is most of that budget. The reader
below is the one place that replaces it: each field declares its type (``str``, ``int``,
``float``) and bounds, the variable is the upper-cased field name, and errors read as pydantic's
did (``invalid environment: ZENDESK_TIMEOUT_SECONDS: Input should be a valid number``).
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from zdagent.core.errors import ConfigurationError


def _bounded(
    default: float,
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """A numeric field's default and bounds (``gt``/``ge`` lower, ``le`` upper)."""
    return field(default=default, metadata={"gt": gt, "ge": ge, "le": le})


@dataclass(frozen=True)
class Settings:
    """Every environment variable the functions read (names are the upper-cased fields)."""

    table_name: str = field(metadata={"min_length": 1})
    reply_queue_url: str = ""
    import_queue_url: str = ""
    disconnect_state_machine_arn: str = ""
    oauth_client_secret_id: str = ""
    secrets_prefix: str = "zdagent"
    public_base_url: str = ""  # empty: the API URL of each request
    zendesk_base_url_template: str = "https://{subdomain}.zendesk.com"
    zendesk_timeout_seconds: float = _bounded(10.0, gt=0, le=60)
    zendesk_max_retries: int = _bounded(4, ge=0, le=10)
    zendesk_retry_after_cap_seconds: float = _bounded(30.0, gt=0)
    oauth_scopes: str = "read write hc:read"
    oauth_state_ttl_seconds: int = _bounded(600, gt=0)
    access_token_ttl_seconds: int = _bounded(1800, ge=300, le=172800)
    token_refresh_margin_seconds: int = _bounded(300, ge=0)
    webhook_timestamp_tolerance_seconds: int = _bounded(300, gt=0)
    webhook_max_body_bytes: int = _bounded(256 * 1024, gt=0)
    secret_cache_seconds: int = _bounded(300, ge=0)
    default_engine: str = "knowledge"
    # imports: Zendesk's export limit (10 a minute, 30 with High Volume) and page size (<= 1,000)
    import_exports_per_minute: int = _bounded(10, ge=1, le=30)
    import_export_page_size: int = _bounded(1000, ge=1, le=1000)
    import_step_seconds: float = _bounded(120.0, gt=0, le=800)
    # knowledge from the Help Center (issue 14): the sync's step queue and its API share
    knowledge_sync_queue_url: str = ""
    knowledge_requests_per_minute: int = _bounded(60, ge=1, le=2500)
    knowledge_step_seconds: float = _bounded(60.0, gt=0, le=800)


def _parse(spec: dataclasses.Field[Any], raw: str) -> object:
    """One variable's value as its field's type, or ValueError with the message to show."""
    if spec.type == "str":
        minimum = spec.metadata.get("min_length", 0)
        if len(raw) < minimum:
            raise ValueError(f"String should have at least {minimum} character")
        return raw
    number = _number(raw, integer=spec.type == "int")
    _check_bounds(number, spec.metadata)
    return number


def _number(raw: str, *, integer: bool) -> float:
    text = raw.strip()
    if integer:
        try:
            return int(text)
        except ValueError:
            raise ValueError(
                "Input should be a valid integer, unable to parse string as an integer"
            ) from None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            "Input should be a valid number, unable to parse string as a number"
        ) from None
    if not math.isfinite(value):
        raise ValueError("Input should be a finite number")
    return value


def _check_bounds(value: float, bounds: Any) -> None:
    if bounds.get("gt") is not None and not value > bounds["gt"]:
        raise ValueError(f"Input should be greater than {bounds['gt']}")
    if bounds.get("ge") is not None and not value >= bounds["ge"]:
        raise ValueError(f"Input should be greater than or equal to {bounds['ge']}")
    if bounds.get("le") is not None and not value <= bounds["le"]:
        raise ValueError(f"Input should be less than or equal to {bounds['le']}")


def _read_env() -> Settings:
    values: dict[str, object] = {}
    problems: list[str] = []
    for spec in dataclasses.fields(Settings):
        name = spec.name.upper()
        if name not in os.environ:
            if spec.default is dataclasses.MISSING:
                problems.append(f"{name}: Field required")
            continue
        try:
            values[spec.name] = _parse(spec, os.environ[name])
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        raise ConfigurationError(f"invalid environment: {'; '.join(problems)}")
    return Settings(**values)  # type: ignore[arg-type]


@cache
def settings() -> Settings:
    """The process's settings, read from the environment on first call."""
    return _read_env()


def reset_settings_cache() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    settings.cache_clear()
