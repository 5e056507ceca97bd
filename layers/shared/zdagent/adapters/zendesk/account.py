"""Zendesk account objects only the admin paths read: groups, group memberships, the token's info.

Apart from the ticket and user models (models.py), so the functions that answer tickets do not
build them at their import (cold start, issue 16); the client loads them when it reads them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from zdagent.adapters.zendesk.base import ZendeskObject


class Group(ZendeskObject):
    id: int
    name: str | None = None
    description: str | None = None
    default: bool | None = None
    deleted: bool | None = None


class GroupMembership(ZendeskObject):
    id: int
    user_id: int
    group_id: int
    default: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class OAuthTokenInfo(ZendeskObject):
    """``GET /api/v2/oauth/tokens/current.json``: ``token`` holds only the first characters."""

    id: int
    user_id: int | None = None
    client_id: int | None = None
    token: str | None = Field(default=None, repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    scopes: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    expires_at: datetime | None = None
    refresh_token_expires_at: datetime | None = None
    used_at: datetime | None = None
    url: str | None = None
