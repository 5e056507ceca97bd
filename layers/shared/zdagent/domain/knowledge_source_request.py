"""The body of ``PUT /agents/{id}/knowledge/source`` (pydantic: a bad one is a 422 per field).

Apart from ``domain/knowledge_source.py``, which the knowledge worker loads: it never reads a
request, and pydantic is no part of its cold start (bench/bench_cold_start.py).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zdagent.domain.knowledge_source import MAX_FILTER_ITEMS, SourceKind, zendesk_locale


class KnowledgeSourceRequest(BaseModel):
    """The body of ``PUT /agents/{id}/knowledge/source`` (docs/contract.md §2)."""

    model_config = ConfigDict(extra="forbid")

    kind: SourceKind
    locales: list[str] | None = Field(default=None, min_length=1, max_length=MAX_FILTER_ITEMS)
    label_names: list[str] | None = Field(default=None, min_length=1, max_length=MAX_FILTER_ITEMS)
    section_ids: list[int] | None = Field(default=None, min_length=1, max_length=MAX_FILTER_ITEMS)

    @field_validator("locales")
    @classmethod
    def _locales(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [zendesk_locale(v) for v in value]
        for locale in cleaned:
            if not 2 <= len(locale) <= 10 or not locale.replace("-", "").isalpha():
                raise ValueError(f"'{locale}' is not a Help Center locale such as 'en-us' or 'fr'")
        return sorted(set(cleaned))

    @field_validator("label_names")
    @classmethod
    def _labels(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [v.strip() for v in value]
        if any(not v or len(v) > 255 for v in cleaned):
            raise ValueError("label names are 1-255 characters")
        return sorted(set(cleaned))

    @field_validator("section_ids")
    @classmethod
    def _sections(cls, value: list[int] | None) -> list[int] | None:
        if value is None:
            return None
        if any(v < 1 for v in value):
            raise ValueError("section ids are positive integers")
        return sorted(set(value))
