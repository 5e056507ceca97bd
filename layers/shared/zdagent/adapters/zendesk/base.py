"""The two bases of every Zendesk model: what Zendesk returns and what we send.

Read models keep every field Zendesk sends (``extra="allow"``) and require only ``id``, so a new
or missing optional field never breaks a parse. Write models forbid unknown fields (a typo is
ours, not Zendesk's) and serialise without ``None`` values. A module of their own so that the
pydantic models (``account.py``) load only where used; the ticket (``models.py``) and automation
(``automation.py``) records are dataclasses that follow the same rules without pydantic.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ZendeskObject(BaseModel):
    """Base for what Zendesk returns: unknown fields kept, nothing but ``id`` required, and
    numbers accepted where a string is expected (ids such as ``category_id`` vary)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)


class WritePayload(BaseModel):
    """Base for what we send: unknown fields refused."""

    model_config = ConfigDict(extra="forbid")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
