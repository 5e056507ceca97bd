"""The Help Center (Guide) of a sandbox account: sections, articles, their JSON and the seed.

Shapes follow Zendesk's Help Center API reference (Articles, Sections, Locales); what is sure and
what is inferred is listed in this package's README ("Help Center"). Simplification: an article
has one translation (its ``locale`` is its ``source_locale``); an English and a French version of
the same answer are two articles, as the demo's help centre has them.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from zdsandbox.util import iso

SEED_FILE = "help_center_seed.json"
PERMISSION_GROUP_ID = 1001
CATEGORY_ID = 360000001001


@dataclass
class HcSection:
    id: int
    names: dict[str, str]  # locale -> name
    category_id: int
    position: int
    created_at: float
    updated_at: float


@dataclass
class HcArticle:
    id: int
    title: str
    body: str
    locale: str
    section_id: int
    author_id: int
    created_at: float
    updated_at: float
    edited_at: float
    label_names: list[str] = field(default_factory=list)
    draft: bool = False
    user_segment_id: int | None = None
    position: int = 0
    promoted: bool = False


@dataclass
class HelpCenter:
    locales: list[str] = field(default_factory=lambda: ["en-us", "fr"])
    default_locale: str = "en-us"
    sections: dict[int, HcSection] = field(default_factory=dict)
    articles: dict[int, HcArticle] = field(default_factory=dict)
    section_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(360000010001))
    article_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(360000100001))

    def enable_locale(self, locale: str) -> None:
        if locale not in self.locales:
            self.locales.append(locale)

    def add_section(self, names: dict[str, str], now: float) -> HcSection:
        position = len(self.sections)
        section = HcSection(next(self.section_ids), names, CATEGORY_ID, position, now, now)
        self.sections[section.id] = section
        return section

    def add_article(self, article: HcArticle) -> HcArticle:
        self.articles[article.id] = article
        self.enable_locale(article.locale)
        return article


def normalize_locale(value: str) -> str:
    """Zendesk spells Help Center locales in lower case (``en-us``, ``fr``, ``pt-br``)."""
    return value.strip().replace("_", "-").lower()


def slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-") or "article"


def article_json(article: HcArticle, base: str) -> dict[str, Any]:
    """An article as ``GET /api/v2/help_center/{locale}/articles`` returns it."""
    locale = article.locale
    return {
        "id": article.id,
        "url": f"{base}/api/v2/help_center/{locale}/articles/{article.id}.json",
        "html_url": f"{base}/hc/{locale}/articles/{article.id}-{slug(article.title)}",
        "author_id": article.author_id,
        "comments_disabled": False,
        "draft": article.draft,
        "promoted": article.promoted,
        "position": article.position,
        "vote_sum": 0,
        "vote_count": 0,
        "section_id": article.section_id,
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "edited_at": iso(article.edited_at),
        "name": article.title,
        "title": article.title,
        "source_locale": locale,
        "locale": locale,
        "outdated": False,
        "outdated_locales": [],
        "permission_group_id": PERMISSION_GROUP_ID,
        "user_segment_id": article.user_segment_id,
        "user_segment_ids": [] if article.user_segment_id is None else [article.user_segment_id],
        "label_names": list(article.label_names),
        "content_tag_ids": [],
        "body": article.body,
    }


def section_json(section: HcSection, locale: str, default_locale: str, base: str) -> dict[str, Any]:
    name = section.names.get(locale) or section.names.get(default_locale) or ""
    return {
        "id": section.id,
        "url": f"{base}/api/v2/help_center/{locale}/sections/{section.id}.json",
        "html_url": f"{base}/hc/{locale}/sections/{section.id}-{slug(name)}",
        "category_id": section.category_id,
        "position": section.position,
        "sorting": "manual",
        "created_at": iso(section.created_at),
        "updated_at": iso(section.updated_at),
        "name": name,
        "description": "",
        "locale": locale,
        "source_locale": default_locale,
        "outdated": False,
        "parent_section_id": None,
        "theme_template": "section_page",
    }


def seed_help_center(help_center: HelpCenter, author_id: int, now: float) -> None:
    """The demo shop's help centre (English and French), as the bundled demo knowledge."""
    raw = json.loads(resources.files(__package__).joinpath(SEED_FILE).read_text("utf-8"))
    sections = {s["key"]: help_center.add_section(dict(s["names"]), now) for s in raw["sections"]}
    for position, item in enumerate(raw["articles"]):
        help_center.add_article(
            HcArticle(
                id=next(help_center.article_ids),
                title=item["title"],
                body=item["body"],
                locale=item["locale"],
                section_id=sections["help"].id,
                author_id=author_id,
                created_at=now,
                updated_at=now,
                edited_at=now,
                label_names=list(item.get("label_names") or []),
                position=position,
            )
        )
