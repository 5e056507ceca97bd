"""An agent's knowledge: the help-centre articles it may answer from, at one version.

Pure models, no I/O. Apart from the engine's request and answer models (domain/engine.py), so the
functions that store or list articles (agents, knowledge) build only these two at their import.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    """An immutable domain value that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class KnowledgeArticle(Frozen):
    """One help-centre article the agent may answer from."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    body: str
    locale: str = Field(min_length=2, description="BCP 47 tag, e.g. 'en', 'fr', 'pt-BR'")
    url: str | None = None
    labels: list[str] = Field(default_factory=list)


class KnowledgeBase(Frozen):
    """An agent's articles at one version (engines cache indexes per (agent_id, version))."""

    agent_id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    articles: list[KnowledgeArticle] = Field(default_factory=list)
