"""A small web-shop help centre (orders, shipping, returns, refunds, account) in English and French.

The local stack loads it for the demo agent; tests and the benchmark measure the engines on it.
"""

from __future__ import annotations

import json
from importlib import resources

from pydantic import TypeAdapter

from zdagent.domain.engine import KnowledgeArticle, KnowledgeBase

DEMO_LOCALES = ("en", "fr")
DEMO_KNOWLEDGE_VERSION = "demo-1"

_ARTICLES = TypeAdapter(list[KnowledgeArticle])


def load_demo_knowledge() -> list[KnowledgeArticle]:
    """Every demo article, English first, then French."""
    package = resources.files(__name__)
    articles: list[KnowledgeArticle] = []
    for locale in DEMO_LOCALES:
        raw = json.loads(package.joinpath(f"{locale}.json").read_text(encoding="utf-8"))
        articles.extend(_ARTICLES.validate_python(raw))
    return articles


def demo_knowledge_base(agent_id: str = "demo") -> KnowledgeBase:
    return KnowledgeBase(
        agent_id=agent_id, version=DEMO_KNOWLEDGE_VERSION, articles=load_demo_knowledge()
    )
