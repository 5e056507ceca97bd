"""Pydantic models of Help Center article pages (knowledge sync), apart from the ticket models so
that the knowledge worker does not build ticket models it never reads."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class HelpCenterPage(BaseModel):
    """One cursor page of a Help Center article list (articles kept raw: the domain reads them)."""

    articles: list[dict[str, Any]]
    has_more: bool = False
    after_cursor: str | None = None


class IncrementalArticlePage(BaseModel):
    """One page of the incremental article export."""

    articles: list[dict[str, Any]]
    end_time: int | None = None
    has_next_page: bool = False
