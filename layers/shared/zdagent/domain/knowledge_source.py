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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, cast

from zdagent.core import records
from zdagent.core.errors import ValidationFailedError
from zdagent.domain.html_markdown import html_to_markdown
from zdagent.domain.knowledge import KnowledgeArticle

SourceKind = Literal["manual", "zendesk_help_center"]
SyncStatus = Literal["running", "succeeded", "failed"]
SyncPhase = Literal["locales", "export", "sweep", "prune"]
HC_ID_PREFIX = "hc-"
_SYNC_COUNTS = (
    "articles_added",
    "articles_updated",
    "articles_removed",
    "zendesk_requests",
    "rate_limited",
    "step",
    "locale_index",
    "sweep_restarts",
    "pages_seen",
    "consecutive_failures",
)
MAX_FILTER_ITEMS = 50


SOURCE_KINDS: tuple[SourceKind, ...] = ("manual", "zendesk_help_center")
_SOURCE_FIELDS = ("kind", "locales", "label_names", "section_ids")


class SourceFilters(Protocol):
    """What a source is made from (``KnowledgeSourceRequest``, validated by the API)."""

    @property
    def kind(self) -> SourceKind: ...
    @property
    def locales(self) -> list[str] | None: ...
    @property
    def label_names(self) -> list[str] | None: ...
    @property
    def section_ids(self) -> list[int] | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class KnowledgeSource:
    """What the agent's knowledge is built from (stored; ``public()`` is the API shape)."""

    kind: SourceKind = "manual"
    locales: list[str] | None = None
    label_names: list[str] | None = None
    section_ids: list[int] | None = None

    @classmethod
    def from_request(cls, request: SourceFilters) -> KnowledgeSource:
        if request.kind == "manual":
            if request.locales or request.label_names or request.section_ids:
                raise ValidationFailedError(
                    "locales, label_names and section_ids apply to the zendesk_help_center source "
                    'only; send {"kind": "manual"}'
                )
            return cls()
        return cls(
            kind=request.kind,
            locales=request.locales,
            label_names=request.label_names,
            section_ids=request.section_ids,
        )

    @classmethod
    def from_json(cls, raw: object, where: str = "source") -> KnowledgeSource:
        data = records.mapping(raw, where)
        records.forbid_unknown(data, _SOURCE_FIELDS, where)
        return cls(
            kind=cast(
                SourceKind, records.choice(data, "kind", SOURCE_KINDS, where, default="manual")
            ),
            locales=records.optional_text_list(data, "locales", where),
            label_names=records.optional_text_list(data, "label_names", where),
            section_ids=records.optional_integer_list(data, "section_ids", where),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "locales": self.locales,
            "label_names": self.label_names,
            "section_ids": self.section_ids,
        }

    @property
    def is_help_center(self) -> bool:
        return self.kind == "zendesk_help_center"

    def public(self) -> dict[str, Any]:
        if not self.is_help_center:
            return {"kind": "manual"}
        return self.to_json()


def zendesk_locale(value: str) -> str:
    """Zendesk spells Help Center locales in lower case: ``en-US`` → ``en-us``."""
    return value.strip().replace("_", "-").lower()


def bcp47(locale: str) -> str:
    """``en-us`` → ``en-US`` (the engines' spelling of a language tag)."""
    language, _, region = zendesk_locale(locale).partition("-")
    return f"{language}-{region.upper()}" if region else language


@dataclass(frozen=True, slots=True, kw_only=True)
class HelpCenterArticle:
    """One article translation as Zendesk's Help Center API returns it (fields we read)."""

    id: int
    title: str | None = None
    body: str | None = None
    locale: str
    html_url: str | None = None
    section_id: int | None = None
    label_names: list[str] = field(default_factory=list)
    draft: bool = False
    user_segment_id: int | None = None
    user_segment_ids: list[int] = field(default_factory=list)
    updated_at: datetime | None = None

    @classmethod
    def from_json(cls, raw: object, where: str = "article") -> HelpCenterArticle:
        """Zendesk's article (other fields ignored); a ValidationFailedError if unreadable."""
        data = records.mapping(raw, where)
        return cls(
            id=records.integer(data, "id", where),
            title=records.optional_text(data, "title", where),
            body=records.optional_text(data, "body", where),
            locale=records.text(data, "locale", where),
            html_url=records.optional_text(data, "html_url", where),
            section_id=records.optional_integer(data, "section_id", where),
            label_names=records.text_list(data, "label_names", where),
            draft=records.boolean(data, "draft", where, default=False),
            user_segment_id=records.optional_integer(data, "user_segment_id", where),
            user_segment_ids=records.optional_integer_list(data, "user_segment_ids", where) or [],
            updated_at=records.optional_instant(data, "updated_at", where),
        )

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
SYNC_STATUSES: tuple[SyncStatus, ...] = ("running", "succeeded", "failed")
SYNC_PHASES: tuple[SyncPhase, ...] = ("locales", "export", "sweep", "prune")
SYNC_TRIGGERS = ("api", "schedule")


@dataclass(slots=True, kw_only=True)
class SyncRecord:
    """One sync: figures (``public()``) and its checkpoint.

    Steps (``phase``): ``locales`` reads the Help Center's locales when the source names none;
    ``export`` reads one page of the incremental export from ``export_start`` (skipped on the first
    sync) and applies what changed; ``sweep`` lists the articles of ``locales[locale_index]`` page
    by page (cursor ``page_after``), keeping each page's ids (``pages_seen`` numbers them);
    ``prune`` removes every stored article this sync did not see (deleted, archived, unpublished,
    moved out).
    """

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
    locales: list[str] = field(default_factory=list)
    export_start: int | None = None
    locale_index: int = 0
    page_after: str | None = None
    sweep_restarts: int = 0
    pages_seen: int = 0
    consecutive_failures: int = 0
    recent_requests: list[tuple[float, int]] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: object, where: str = "last_sync") -> SyncRecord:
        data = records.mapping(raw, where)
        counts = {name: records.integer(data, name, where, default=0) for name in _SYNC_COUNTS}
        return cls(
            sync_id=records.text(data, "sync_id", where),
            status=cast(
                SyncStatus, records.choice(data, "status", SYNC_STATUSES, where, default="running")
            ),
            trigger=cast(Any, records.choice(data, "trigger", SYNC_TRIGGERS, where, default="api")),
            started_at=records.instant(data, "started_at", where),
            progressed_at=records.optional_instant(data, "progressed_at", where),
            finished_at=records.optional_instant(data, "finished_at", where),
            error=records.optional_text(data, "error", where),
            phase=cast(
                SyncPhase, records.choice(data, "phase", SYNC_PHASES, where, default="export")
            ),
            locales=records.text_list(data, "locales", where),
            export_start=records.optional_integer(data, "export_start", where),
            page_after=records.optional_text(data, "page_after", where),
            recent_requests=records.request_log(data, "recent_requests", where),
            **counts,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "sync_id": self.sync_id,
            "status": self.status,
            "trigger": self.trigger,
            "started_at": records.instant_json(self.started_at),
            "progressed_at": records.instant_json(self.progressed_at),
            "finished_at": records.instant_json(self.finished_at),
            "error": self.error,
            "articles_added": self.articles_added,
            "articles_updated": self.articles_updated,
            "articles_removed": self.articles_removed,
            "zendesk_requests": self.zendesk_requests,
            "rate_limited": self.rate_limited,
            "step": self.step,
            "phase": self.phase,
            "locales": list(self.locales),
            "export_start": self.export_start,
            "locale_index": self.locale_index,
            "page_after": self.page_after,
            "sweep_restarts": self.sweep_restarts,
            "pages_seen": self.pages_seen,
            "consecutive_failures": self.consecutive_failures,
            "recent_requests": [[at, count] for at, count in self.recent_requests],
        }

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


@dataclass(slots=True, kw_only=True)
class KnowledgeState:
    """The agent's knowledge item: its source, the last sync, and the export watermark."""

    agent_id: str
    source: KnowledgeSource = field(default_factory=KnowledgeSource)
    last_sync: SyncRecord | None = None
    watermark: int | None = None  # epoch seconds: start_time of the next incremental export
    version: int = 0

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> KnowledgeState:
        """The stored item (other fields ignored); a bad one is refused naming its field."""
        data = records.mapping(raw, where)
        last_sync = data.get("last_sync")
        return cls(
            agent_id=records.text(data, "agent_id", where),
            source=KnowledgeSource.from_json(data.get("source") or {}),
            last_sync=None if last_sync is None else SyncRecord.from_json(last_sync),
            watermark=records.optional_integer(data, "watermark", where),
            version=records.integer(data, "version", where, default=0),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "source": self.source.to_json(),
            "last_sync": None if self.last_sync is None else self.last_sync.to_json(),
            "watermark": self.watermark,
            "version": self.version,
        }

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
