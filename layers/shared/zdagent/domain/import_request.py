"""The body of ``POST /agents/{id}/integration/imports`` (pydantic: a bad one is a 422 per field).

Apart from ``domain/imports.py``, which the import worker loads: it never reads a request, and
pydantic is no part of its cold start (bench/bench_cold_start.py).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zdagent.domain.imports import DEFAULT_DEPTH, MAX_DEPTH


class ImportRequest(BaseModel):
    """The body of ``POST /agents/{id}/integration/imports`` (docs/contract.md §2)."""

    model_config = ConfigDict(extra="forbid")

    start_time: int | float | str
    end_time: int | float | str | None = None
    max_conversations: int | None = Field(default=None, ge=1, le=1_000_000)
    tag: str | None = Field(default=None, min_length=1, max_length=255)
    channels: list[str] | None = Field(default=None, min_length=1, max_length=20)
    depth: int = Field(default=DEFAULT_DEPTH, ge=0, le=MAX_DEPTH)
    import_tags: bool = False
    group_ids: list[int] | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [c.strip().lower() for c in value]
        if any(not c for c in cleaned):
            raise ValueError("channels must be non-empty names such as 'email', 'web', 'api'")
        return sorted(set(cleaned))

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is None:
            return None
        tag = value.strip().lower()
        if not tag or any(ch.isspace() for ch in tag):
            raise ValueError("tag must be one Zendesk tag (no spaces)")
        return tag
