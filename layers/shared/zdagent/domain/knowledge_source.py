"""Where an agent's knowledge comes from, and the Help Center sync's pure rules (issue 14).

No boto3, no httpx. The service (``services/knowledge_sync.py``) feeds Zendesk's Help Center
articles through these:

* ``KnowledgeSourceRequest`` / ``KnowledgeSource``: ``manual`` (articles uploaded with
  ``PUT /agents/{id}/knowledge``) or ``zendesk_help_center``, optionally limited to locales,
  label names and sections.
* ``HelpCenterArticle.qualifies``: only what the end users can read answers a customer: a
  published translation (never a draft), visible to everyone (no user segment), in a chosen
  locale, section and label.
* ``HelpCenterArticle.to_knowledge``: the article in the engines' shape, its HTML body turned into
  Markdown that keeps headings, lists, links and tables; the answer cites ``html_url``.
* ``SyncRecord`` / ``KnowledgeState``: one sync's figures and checkpoint, and the agent's
  knowledge item (source, last sync, watermark of the incremental export).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zdagent.core.errors import ValidationFailedError
from zdagent.domain.html_markdown import html_to_markdown
from zdagent.domain.knowledge import KnowledgeArticle

SourceKind = Literal["manual", "zendesk_help_center"]
SyncStatus = Literal["running", "succeeded", "failed"]
SyncPhase = Literal["locales", "export", "sweep", "prune"]
HC_ID_PREFIX = "hc-"
MAX_FILTER_ITEMS = 50


class KnowledgeSourceRequest(BaseModel):
    """The body of ``PUT /agents/{id}/knowledge/source`` (docs/contract.md §2)."""

    model_config = ConfigDict(extra="forbid")

    kind: SourceKind
    locales: list[str] | None = Field(default=None, min_length=1, max_length=MAX_FILTER_ITEMS)
    label_names: list[str] | None = Field(default=None, min_length=1, max_length=MAX_FILTER_ITEMS)
    section_ids: list[int] | None = Field(default=None, min_length=1, max_length=MAX_FILTER_ITEMS)

    @field_validator("locales")
    @classmethod
    def _locales(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [zendesk_locale(v) for v in value]
        for locale in cleaned:
            if not 2 <= len(locale) <= 10 or not locale.replace("-", "").isalpha():
                raise ValueError(f"'{locale}' is not a Help Center locale such as 'en-us' or 'fr'")
        return sorted(set(cleaned))

    @field_validator("label_names")
    @classmethod
    def _labels(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [v.strip() for v in value]
        if any(not v or len(v) > 255 for v in cleaned):
            raise ValueError("label names are 1-255 characters")
        return sorted(set(cleaned))

    @field_validator("section_ids")
    @classmethod
    def _sections(cls, value: list[int] | None) -> list[int] | None:
        if value is None:
            return None
        if any(v < 1 for v in value):
            raise ValueError("section ids are positive integers")
        return sorted(set(value))


class KnowledgeSource(BaseModel):
    """What the agent's knowledge is built from (stored; ``public()`` is the API shape)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SourceKind = "manual"
    locales: list[str] | None = None
    label_names: list[str] | None = None
    section_ids: list[int] | None = None

    @classmethod
    def from_request(cls, request: KnowledgeSourceRequest) -> KnowledgeSource:
        if request.kind == "manual":
            if request.locales or request.label_names or request.section_ids:
                raise ValidationFailedError(
                    "locales, label_names and section_ids apply to the zendesk_help_center source "
                    'only; send {"kind": "manual"}'
                )
            return cls()
        return cls(**request.model_dump())

    @property
    def is_help_center(self) -> bool:
        return self.kind == "zendesk_help_center"

    def public(self) -> dict[str, Any]:
        if not self.is_help_center:
            return {"kind": "manual"}
        return self.model_dump(mode="json")


def zendesk_locale(value: str) -> str:
    """Zendesk spells Help Center locales in lower case: ``en-US`` → ``en-us``."""
    return value.strip().replace("_", "-").lower()


def bcp47(locale: str) -> str:
    """``en-us`` → ``en-US`` (the engines' spelling of a language tag)."""
    language, _, region = zendesk_locale(locale).partition("-")
    return f"{language}-{region.upper()}" if region else language


class HelpCenterArticle(BaseModel):
    """One article translation as Zendesk's Help Center API returns it (fields we read)."""

    model_config = ConfigDict(extra="ignore")

    id: int
    title: str | None = None
    body: str | None = None
    locale: str
    html_url: str | None = None
    section_id: int | None = None
    label_names: list[str] = Field(default_factory=list)
    draft: bool = False
    user_segment_id: int | None = None
    user_segment_ids: list[int] = Field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def knowledge_id(self) -> str:
        return knowledge_id(self.id, self.locale)

    def qualifies(self, source: KnowledgeSource, locales: list[str]) -> bool:
        """May this translation answer customers under ``source``? (``locales``: the chosen
        ones, or every locale the Help Center has when the source names none)."""
        if self.draft or self.user_segment_id is not None or self.user_segment_ids:
            return False
        if zendesk_locale(self.locale) not in locales:
            return False
        if source.section_ids is not None and self.section_id not in source.section_ids:
            return False
        if source.label_names is not None and not set(source.label_names) & set(self.label_names):
            return False
        return bool((self.title or "").strip())

    def to_knowledge(self) -> KnowledgeArticle | None:
        """The engines' article, or None when the body holds no text."""
        title = (self.title or "").strip()
        markdown = html_to_markdown(self.body or "", base_url=self.html_url)
        body = _without_title_heading(markdown, title)
        if not body:
            return None
        return KnowledgeArticle(
            id=self.knowledge_id,
            title=title,
            body=body,
            locale=bcp47(self.locale),
            url=self.html_url if _is_web_url(self.html_url) else None,
            labels=list(self.label_names),
        )


def _without_title_heading(body: str, title: str) -> str:
    """Articles often open with their title as a heading: the engines have the title already, and
    a heading alone is no answer, so that first line goes."""
    first, _, rest = body.partition("\n")
    if first.startswith("#") and _words(first.lstrip("#")) == _words(title):
        return rest.strip()
    return body


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def knowledge_id(article_id: int, locale: str) -> str:
    return f"{HC_ID_PREFIX}{article_id}-{zendesk_locale(locale)}"


def content_hash(article: KnowledgeArticle) -> str:
    return hashlib.sha256(article.canonical_json().encode()).hexdigest()[:16]


def _is_web_url(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("https://", "http://"))


# --- the sync --------------------------------------------------------------------------------
class SyncRecord(BaseModel):
    """One sync: figures (``public()``) and its checkpoint.

    Steps (``phase``): ``locales`` reads the Help Center's locales when the source names none;
    ``export`` reads one page of the incremental export from ``export_start`` (skipped on the first
    sync) and applies what changed; ``sweep`` lists the articles of ``locales[locale_index]`` page
    by page (cursor ``page_after``), keeping each page's ids (``pages_seen`` numbers them);
    ``prune`` removes every stored article this sync did not see (deleted, archived, unpublished,
    moved out).
    """

    model_config = ConfigDict(extra="ignore")

    sync_id: str
    status: SyncStatus = "running"
    trigger: Literal["api", "schedule"] = "api"
    started_at: datetime
    progressed_at: datetime | None = None  # the last checkpoint
    finished_at: datetime | None = None
    error: str | None = None
    articles_added: int = 0
    articles_updated: int = 0
    articles_removed: int = 0
    zendesk_requests: int = 0
    rate_limited: int = 0
    # checkpoint
    step: int = 0
    phase: SyncPhase = "export"
    locales: list[str] = Field(default_factory=list)
    export_start: int | None = None
    locale_index: int = 0
    page_after: str | None = None
    sweep_restarts: int = 0
    pages_seen: int = 0
    consecutive_failures: int = 0
    recent_requests: list[tuple[float, int]] = Field(default_factory=list)

    @property
    def is_running(self) -> bool:
        return self.status == "running"

    def public(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "sync_id": self.sync_id,
            "status": self.status,
            "trigger": self.trigger,
            "articles_added": self.articles_added,
            "articles_updated": self.articles_updated,
            "articles_removed": self.articles_removed,
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "zendesk_requests": self.zendesk_requests,
        }
        if self.error is not None:
            body["error"] = self.error
        return body


class KnowledgeState(BaseModel):
    """The agent's knowledge item: its source, the last sync, and the export watermark."""

    model_config = ConfigDict(extra="ignore")

    agent_id: str
    source: KnowledgeSource = Field(default_factory=KnowledgeSource)
    last_sync: SyncRecord | None = None
    watermark: int | None = None  # epoch seconds: start_time of the next incremental export
    version: int = 0

    def public(self, articles: int, knowledge_version: str) -> dict[str, Any]:
        """The JSON of ``GET /agents/{id}/knowledge`` (docs/contract.md §2)."""
        body: dict[str, Any] = {
            "agent_id": self.agent_id,
            "source": self.source.public(),
            "articles": articles,
            "knowledge_version": knowledge_version,
        }
        if self.last_sync is not None:
            body["last_sync"] = self.last_sync.public()
        return body


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
