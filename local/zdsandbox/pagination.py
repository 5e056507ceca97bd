"""Zendesk's cursor pagination (page[size], page[after], page[before]) and offset pagination."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from zdsandbox.errors import BadRequest
from zdsandbox.util import decode_cursor, encode_cursor

T = TypeVar("T")
MAX_PAGE_SIZE = 100
OFFSET_LIMIT = 10_000


@dataclass(frozen=True)
class PageOut:
    items: list[Any]
    extra: dict[str, Any]


def _int_arg(args: Mapping[str, str], name: str, default: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(str(raw))
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer") from exc


def paginate[T](
    items: Sequence[T], key: Callable[[T], object], args: Mapping[str, str], url: str
) -> PageOut:
    """Cursor pagination when any page[...] parameter is present, else offset pagination."""
    if any(name.startswith("page[") for name in args):
        return _cursor_page(items, key, args, url)
    return _offset_page(items, args, url)


def _cursor_page[T](
    items: Sequence[T], key: Callable[[T], object], args: Mapping[str, str], url: str
) -> PageOut:
    size = min(max(1, _int_arg(args, "page[size]", MAX_PAGE_SIZE)), MAX_PAGE_SIZE)
    after, before = args.get("page[after]"), args.get("page[before]")
    if after and before:
        raise BadRequest("page[before] and page[after] can't be used together")
    index = {str(key(item)): i for i, item in enumerate(items)}
    if after:
        start = _cursor_index(index, after) + 1
        end = start + size
    elif before:
        end = _cursor_index(index, before)
        start = max(0, end - size)
    else:
        start, end = 0, size
    page = list(items[start:end])
    has_more = end < len(items) if not before else start > 0
    after_cursor = encode_cursor(str(key(page[-1]))) if page else None
    before_cursor = encode_cursor(str(key(page[0]))) if page else None
    base = {k: v for k, v in args.items() if k not in ("page[after]", "page[before]")}
    base["page[size]"] = str(size)
    extra = {
        "meta": {
            "has_more": has_more,
            "after_cursor": after_cursor,
            "before_cursor": before_cursor,
        },
        "links": {
            "next": f"{url}?{urlencode({**base, 'page[after]': after_cursor})}"
            if has_more and after_cursor
            else None,
            "prev": f"{url}?{urlencode({**base, 'page[before]': before_cursor})}"
            if before_cursor and start > 0
            else None,
        },
    }
    return PageOut(page, extra)


def _cursor_index(index: dict[str, int], cursor: str) -> int:
    decoded = decode_cursor(cursor)
    if decoded is None or decoded not in index:
        raise BadRequest("Invalid cursor", error="InvalidPaginationParameter")
    return index[decoded]


def _offset_page[T](items: Sequence[T], args: Mapping[str, str], url: str) -> PageOut:
    per_page = min(max(1, _int_arg(args, "per_page", MAX_PAGE_SIZE)), MAX_PAGE_SIZE)
    page_number = max(1, _int_arg(args, "page", 1))
    if page_number * per_page > OFFSET_LIMIT:
        raise BadRequest(
            "Offset pagination is limited to 10000 records; use cursor pagination",
            error="InvalidPaginationParameter",
        )
    start = (page_number - 1) * per_page
    page = list(items[start : start + per_page])
    rest = {k: v for k, v in args.items() if k != "page"}

    def link(number: int) -> str:
        return f"{url}?{urlencode({**rest, 'page': str(number)})}"

    extra = {
        "next_page": link(page_number + 1) if start + per_page < len(items) else None,
        "previous_page": link(page_number - 1) if page_number > 1 else None,
        "count": len(items),
    }
    return PageOut(page, extra)
