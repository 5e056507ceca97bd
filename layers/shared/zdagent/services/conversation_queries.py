"""The conversations API's query strings (pydantic: a bad one is a 422 naming the parameter).

Apart from ``services/conversations.py``, which the reply and import workers load to record
decisions: they never read a query, and pydantic is no part of their cold start.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zdagent.domain.integration import normalise_subdomain


def _subdomain(value: str | None) -> str | None:
    return None if value is None else normalise_subdomain(value)


class AccountQuery(BaseModel):
    """``?subdomain=``: which Zendesk account's log (default: the current integration's)."""

    model_config = ConfigDict(extra="forbid")

    subdomain: str | None = Field(default=None, max_length=80)

    _valid_subdomain = field_validator("subdomain")(_subdomain)


class ListConversationsQuery(AccountQuery):
    source: str | None = Field(default=None, pattern="^(live|imported)$")
    status: str | None = Field(
        default=None, pattern="^(processed|answered|escalated|ignored|imported)$"
    )
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)
