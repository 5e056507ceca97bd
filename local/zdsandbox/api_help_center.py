"""Zendesk's Help Center API paths the product reads, and the sandbox's control routes for it.

Zendesk paths (bearer token with the ``hc:read`` scope):
  GET /api/v2/help_center/locales                       {"locales", "default_locale"}
  GET /api/v2/help_center[/{locale}]/sections           cursor or offset pagination
  GET /api/v2/help_center/{locale}/articles             cursor or offset pagination, label_names,
                                                        sort_by / sort_order
  GET /api/v2/help_center/incremental/articles          ?start_time=, agents only, time-based
Control routes (no auth): POST / PATCH / DELETE /_sandbox/help_center/articles[/{id}].
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from zdsandbox.errors import BadRequest, NotFound, RecordInvalid
from zdsandbox.help_center import (
    HcArticle,
    HelpCenter,
    article_json,
    normalize_locale,
    seed_help_center,
)
from zdsandbox.help_center import section_json as _section_json
from zdsandbox.pagination import paginate
from zdsandbox.web import Ctx, RouteTable, int_or_400, json_response, no_content

table = RouteTable()
EXPORT_PAGE_SIZE = 1000
SORT_KEYS = {
    "position": lambda a: (a.position, a.id),
    "title": lambda a: (a.title.casefold(), a.id),
    "created_at": lambda a: (a.created_at, a.id),
    "updated_at": lambda a: (a.updated_at, a.id),
    "edited_at": lambda a: (a.edited_at, a.id),
}


def _hc(ctx: Ctx) -> HelpCenter:
    account = ctx.account
    found: HelpCenter | None = getattr(account, "help_center", None)
    if found is None:  # an account restored from state saved before Help Centers existed
        admin = next((u.id for u in account.users.values() if u.role == "admin"), 0)
        found = HelpCenter()
        seed_help_center(found, admin, ctx.sandbox.now())
        account.help_center = found
    return found


def _enabled_locale(ctx: Ctx, locale: str) -> str:
    wanted = normalize_locale(locale)
    if wanted not in _hc(ctx).locales:
        raise NotFound()
    return wanted


def _visible(ctx: Ctx, article: HcArticle) -> bool:
    """Agents see every article, drafts and restricted ones included; end users only published
    articles visible to everyone (the reference: "only the articles that the requesting ...
    user can view")."""
    if ctx.user.is_agent:
        return True
    return not article.draft and article.user_segment_id is None


# --- Zendesk paths ---------------------------------------------------------------------------
@table.add("/<sub>/api/v2/help_center/locales", "GET", role=None)
def list_locales(ctx: Ctx) -> Response:
    hc = _hc(ctx)
    return json_response({"locales": list(hc.locales), "default_locale": hc.default_locale})


def _sections(ctx: Ctx, locale: str) -> Response:
    hc = _hc(ctx)
    items = sorted(hc.sections.values(), key=lambda s: (s.position, s.id))
    url = ctx.url(ctx.request.path.removeprefix(f"/{ctx.account.subdomain}"))
    page = paginate(items, lambda s: s.id, ctx.args, url)
    sections = [_section_json(s, locale, hc.default_locale, ctx.base) for s in page.items]
    return json_response({"sections": sections, **page.extra})


@table.add("/<sub>/api/v2/help_center/sections", "GET", role=None)
def list_sections(ctx: Ctx) -> Response:
    return _sections(ctx, _hc(ctx).default_locale)


@table.add("/<sub>/api/v2/help_center/<locale>/sections", "GET", role=None)
def list_sections_in_locale(ctx: Ctx, locale: str) -> Response:
    return _sections(ctx, _enabled_locale(ctx, locale))


@table.add("/<sub>/api/v2/help_center/<locale>/articles", "GET", role=None)
def list_articles(ctx: Ctx, locale: str) -> Response:
    wanted = _enabled_locale(ctx, locale)
    args = ctx.args
    items = [a for a in _hc(ctx).articles.values() if a.locale == wanted and _visible(ctx, a)]
    labels = [x for x in (args.get("label_names") or "").split(",") if x]
    if len(labels) > 10:
        raise BadRequest("label_names takes up to 10 label names")
    items = [a for a in items if set(labels) <= set(a.label_names)]  # all labels, case-sensitive
    sort_by = args.get("sort_by") or "position"
    if sort_by not in SORT_KEYS:
        raise BadRequest(f"sort_by must be one of {', '.join(SORT_KEYS)}")
    sort_order = args.get("sort_order") or "asc"
    if sort_order not in ("asc", "desc"):
        raise BadRequest("sort_order must be asc or desc")
    items.sort(key=SORT_KEYS[sort_by], reverse=sort_order == "desc")
    url = ctx.url(f"/api/v2/help_center/{wanted}/articles.json")
    page = paginate(items, lambda a: a.id, args, url)
    articles = [article_json(a, ctx.base) for a in page.items]
    return json_response({"articles": articles, **page.extra})


@table.add("/<sub>/api/v2/help_center/incremental/articles", "GET", role="agent")
def incremental_articles(ctx: Ctx) -> Response:
    """Articles whose metadata changed at or after ``start_time``, oldest change first, up to
    1,000 a page; ``next_page`` starts at this page's ``end_time``. Archived (deleted) articles
    are never listed."""
    raw = ctx.args.get("start_time")
    if raw in (None, ""):
        raise BadRequest("start_time is required")
    start = int_or_400(raw, "start_time")
    changed = sorted(
        (a for a in _hc(ctx).articles.values() if int(a.updated_at) >= start),
        key=lambda a: (a.updated_at, a.id),
    )
    page = changed[:EXPORT_PAGE_SIZE]
    end_time = int(page[-1].updated_at) if page else start
    full = len(changed) > EXPORT_PAGE_SIZE
    next_page = (
        ctx.url("/api/v2/help_center/incremental/articles.json?")
        + urlencode({"start_time": end_time})
        if full
        else None
    )
    return json_response(
        {
            "articles": [article_json(a, ctx.base) for a in page],
            "count": len(page),
            "end_time": end_time,
            "next_page": next_page,
        }
    )


# --- control routes (not Zendesk's) ------------------------------------------------------------
ARTICLE_FIELDS = (
    "title", "body", "locale", "section_id", "label_names", "draft", "user_segment_id"
)  # fmt: skip


def _article_fields(ctx: Ctx, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(ARTICLE_FIELDS))
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(unknown)}")
    if creating:
        missing = [n for n in ("title", "body", "locale") if data.get(n) in (None, "")]
        if missing:
            raise BadRequest(f"missing field(s): {', '.join(missing)}")
    fields = _text_fields(data)
    if data.get("section_id") is not None:
        section_id = int_or_400(data["section_id"], "section_id")
        if section_id not in _hc(ctx).sections:
            raise RecordInvalid(f"Section {section_id} does not exist", "section_id")
        fields["section_id"] = section_id
    return fields | _flag_fields(data)


def _text_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("title", "body", "locale"):
        if name in data:
            if not isinstance(data[name], str) or (name != "body" and not data[name].strip()):
                raise RecordInvalid(f"{name} must be a non-empty string", name)
            fields[name] = data[name].strip() if name == "title" else data[name]
    if "locale" in fields:
        fields["locale"] = normalize_locale(fields["locale"])
    return fields


def _flag_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "label_names" in data:
        labels = data["label_names"]
        if not isinstance(labels, list) or not all(isinstance(x, str) and x for x in labels):
            raise RecordInvalid("label_names must be a list of names", "label_names")
        fields["label_names"] = list(dict.fromkeys(labels))
    if "draft" in data:
        if not isinstance(data["draft"], bool):
            raise RecordInvalid("draft must be true or false", "draft")
        fields["draft"] = data["draft"]
    if "user_segment_id" in data:
        segment = data["user_segment_id"]
        fields["user_segment_id"] = None if segment is None else int_or_400(segment, "segment")
    return fields


def _article(ctx: Ctx, article_id: int) -> HcArticle:
    article = _hc(ctx).articles.get(article_id)
    if article is None:
        raise NotFound()
    return article


def _created(ctx: Ctx, article: HcArticle, status: int) -> Response:
    body = article_json(article, ctx.base)
    return json_response({"id": article.id, "html_url": body["html_url"], "article": body}, status)


@table.add("/<sub>/_sandbox/help_center/articles", "POST", kind="control")
def create_article(ctx: Ctx) -> Response:
    fields = _article_fields(ctx, ctx.body(), creating=True)
    hc, now = _hc(ctx), ctx.sandbox.now()
    section_id = fields.pop("section_id", None) or min(hc.sections, default=0)
    if not section_id:
        raise RecordInvalid("the Help Center has no section", "section_id")
    admin = next((u for u in ctx.account.users.values() if u.role == "admin"), None)
    article = hc.add_article(
        HcArticle(
            id=next(hc.article_ids),
            section_id=section_id,
            author_id=admin.id if admin else 0,
            created_at=now,
            updated_at=now,
            edited_at=now,
            position=len(hc.articles),
            **fields,
        )
    )
    return _created(ctx, article, 201)


@table.add("/<sub>/_sandbox/help_center/articles/<int:article_id>", "PATCH", kind="control")
def edit_article(ctx: Ctx, article_id: int) -> Response:
    article = _article(ctx, article_id)
    fields = _article_fields(ctx, ctx.body(), creating=False)
    now = ctx.sandbox.now()
    for name, value in fields.items():
        setattr(article, name, value)
    _hc(ctx).enable_locale(article.locale)
    article.updated_at = max(now, article.updated_at)
    if {"title", "body"} & set(fields):
        article.edited_at = article.updated_at
    return _created(ctx, article, 200)


@table.add("/<sub>/_sandbox/help_center/articles/<int:article_id>", "DELETE", kind="control")
def delete_article(ctx: Ctx, article_id: int) -> Response:
    """Archive the article, as ``DELETE /api/v2/help_center/articles/{id}`` does: it is gone from
    every list and from the incremental export."""
    _article(ctx, article_id)
    del _hc(ctx).articles[article_id]
    return no_content()


@table.add("/<sub>/_sandbox/help_center/articles", "GET", kind="control")
def list_all_articles(ctx: Ctx) -> Response:
    hc = _hc(ctx)
    articles = [article_json(a, ctx.base) for a in sorted(hc.articles.values(), key=lambda a: a.id)]
    default = hc.default_locale
    sections = [_section_json(s, default, default, ctx.base) for s in hc.sections.values()]
    return json_response({"articles": articles, "sections": sections, "locales": hc.locales})
