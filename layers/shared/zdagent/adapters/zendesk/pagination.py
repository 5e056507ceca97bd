"""Lazy cursor pagination (``page[size]``, ``meta.has_more``, ``links.next``).

Nothing is requested until the iterator is advanced, and each further page only when the
previous one is used up. ``links.next`` is followed only when it points under our base URL (the
bearer token must never go elsewhere); otherwise, or when it is missing, the next page is asked
for with ``page[after]=meta.after_cursor`` on the same path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from zdagent.core.errors import ZendeskError

# (url, params) -> decoded JSON body of the page
FetchPage = Callable[[str, Mapping[str, str | int | bool] | None], Any]
# called with each page's whole body (for sideloads such as ``include=users``)
OnPage = Callable[[dict[str, Any]], None]


def iterate_cursor_pages(
    fetch: FetchPage,
    *,
    url: str,
    params: Mapping[str, str | int | bool],
    items_key: str,
    base_url: str,
    on_page: OnPage | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the raw items of every page, fetching lazily (``on_page`` sees each page first)."""
    next_url: str = url
    next_params: Mapping[str, str | int | bool] | None = params
    while True:
        body = fetch(next_url, next_params)
        if not isinstance(body, dict) or not isinstance(body.get(items_key), list):
            raise ZendeskError(
                f"Zendesk answered a page without a {items_key!r} list",
                extra={"items_key": items_key},
            )
        if on_page is not None:
            on_page(body)
        yield from body[items_key]
        meta = body.get("meta") or {}
        if not meta.get("has_more"):
            return
        link = (body.get("links") or {}).get("next")
        if isinstance(link, str) and _is_under(link, base_url):
            next_url, next_params = link, None
        elif meta.get("after_cursor"):
            next_url = url
            next_params = {**params, "page[after]": str(meta["after_cursor"])}
        else:
            raise ZendeskError(
                "Zendesk said has_more but gave no usable next link or cursor",
                extra={"items_key": items_key},
            )


def _is_under(link: str, base_url: str) -> bool:
    try:
        target, base = httpx.URL(link), httpx.URL(base_url.rstrip("/") + "/")
    except httpx.InvalidURL:
        return False
    return (
        target.scheme == base.scheme
        and target.host == base.host
        and target.port == base.port
        and target.path.startswith(base.path)
    )
