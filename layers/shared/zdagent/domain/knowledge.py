"""An agent's knowledge: the help-centre articles it may answer from, at one version.

Pure models, no I/O. Apart from the engine's request and answer models (domain/engine.py), so the
functions that store or list articles (agents, knowledge) build only these two at their import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from zdagent.core import records

ARTICLE_FIELDS = ("id", "title", "body", "locale", "url", "labels")


@dataclass(frozen=True, slots=True, kw_only=True)
class KnowledgeArticle:
    """One help-centre article the agent may answer from.

    The record engines read; the agents API validates an uploaded article against
    ``services/agent_schemas.py``'s rules (pydantic) and builds this from it."""

    id: str
    title: str
    body: str
    locale: str  # BCP 47 tag, e.g. 'en', 'fr', 'pt-BR'
    url: str | None = None
    labels: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: object, where: str = "article") -> KnowledgeArticle:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, ARTICLE_FIELDS, where)
        return cls(
            id=records.text(data, "id", where, min_length=1),
            title=records.text(data, "title", where, min_length=1),
            body=records.text(data, "body", where),
            locale=records.text(data, "locale", where, min_length=2),
            url=records.optional_text(data, "url", where),
            labels=records.text_list(data, "labels", where),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "locale": self.locale,
            "url": self.url,
            "labels": list(self.labels),
        }

    def canonical_json(self) -> str:
        """Compact JSON, fields in order, text as is (what pydantic's ``model_dump_json`` wrote:
        stored content hashes stay the same)."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True, kw_only=True)
class KnowledgeBase:
    """An agent's articles at one version (engines cache indexes per (agent_id, version))."""

    agent_id: str
    version: str
    articles: list[KnowledgeArticle] = field(default_factory=list)
