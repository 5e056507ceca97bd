"""Help Center article pages (knowledge sync), apart from the ticket models so that the knowledge
worker does not build ticket models it never reads. Plain dataclasses: the client checks the
page's shape (``ZendeskClient.help_center_articles_page``); the articles stay raw, the domain
reads each (``HelpCenterArticle.from_json``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class HelpCenterPage:
    """One cursor page of a Help Center article list."""

    articles: list[dict[str, Any]]
    has_more: bool = False
    after_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class IncrementalArticlePage:
    """One page of the incremental article export."""

    articles: list[dict[str, Any]]
    end_time: int | None = None
    has_next_page: bool = False
