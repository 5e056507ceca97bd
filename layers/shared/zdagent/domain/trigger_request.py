"""The bodies of ``POST`` and ``PUT /agents/{id}/integration/trigger`` (pydantic: a bad one is
a 422 per field).

Apart from ``services/trigger.py``: only the trigger's create and edit routes parse a body, so
the handler loads these schemas (and what their constraints pull in) at the first such request,
not at every cold start (bench/bench_cold_start.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CreateTriggerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: int | None = Field(default=None, ge=1)  # within the trigger's category
    category_id: str | None = Field(default=None, min_length=1, max_length=64)


class TriggerEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=255)
    conditions: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = None
    position: int | None = Field(default=None, ge=1)


class UpdateTriggerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trigger: TriggerEdit
    allow_unsafe: bool = False
