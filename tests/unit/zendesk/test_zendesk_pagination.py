"""Cursor pagination is lazy and follows links.next only under our base URL."""

from __future__ import annotations

import httpx
import pytest

from tests.unit.zendesk.zendesk_fakes import BASE_URL, FakeZendesk, make_client, reply
from zdagent.core.errors import ZendeskError


def _page(
    ids: list[int], *, has_more: bool, after: str | None = None, next_url: str | None = None
) -> httpx.Response:
    body: dict[str, object] = {
        "comments": [{"id": i, "body": f"c{i}", "public": True, "author_id": 1} for i in ids],
        "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": None},
        "links": {"next": next_url, "prev": None},
    }
    return reply(200, body)


NEXT = f"{BASE_URL}/api/v2/tickets/7/comments.json?page%5Bsize%5D=100&page%5Bafter%5D=c2"


def test_nothing_is_requested_until_iterated_and_one_page_at_a_time() -> None:
    fake = FakeZendesk().on(
        "GET",
        r"/api/v2/tickets/7/comments(\.json)?",
        _page([1, 2], has_more=True, after="c2", next_url=NEXT),
        _page([3], has_more=False),
    )
    comments = make_client(fake).list_comments(7)
    assert fake.requests == []
    assert next(comments).id == 1
    assert len(fake.requests) == 1
    assert next(comments).id == 2
    assert len(fake.requests) == 1
    assert [c.id for c in comments] == [3]
    assert len(fake.requests) == 2
    first, second = fake.requests
    assert dict(first.url.params) == {"page[size]": "100"}
    assert str(second.url) == NEXT


def test_newest_first_sorts_descending() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/tickets/7/comments", _page([2, 1], has_more=False))
    assert [c.id for c in make_client(fake).list_comments(7, newest_first=True)] == [2, 1]
    assert dict(fake.requests[0].url.params) == {"page[size]": "100", "sort": "-created_at"}


def test_foreign_next_link_is_not_followed_cursor_is_used() -> None:
    fake = FakeZendesk().on(
        "GET",
        "/api/v2/tickets/7/comments",
        _page([1], has_more=True, after="c1", next_url="https://evil.example/steal"),
        _page([2], has_more=False),
    )
    assert [c.id for c in make_client(fake).list_comments(7)] == [1, 2]
    assert fake.requests[1].url.host == "acme.zendesk.com"
    assert dict(fake.requests[1].url.params) == {"page[size]": "100", "page[after]": "c1"}


def test_local_base_path_links_are_followed() -> None:
    base = "http://127.0.0.1:3001/acme"
    link = f"{base}/api/v2/tickets/7/comments?page%5Bsize%5D=100&page%5Bafter%5D=z"
    fake = FakeZendesk(base_path="/acme").on(
        "GET",
        "/api/v2/tickets/7/comments",
        _page([1], has_more=True, after="z", next_url=link),
        _page([2], has_more=False),
    )
    assert [c.id for c in make_client(fake, base_url=base).list_comments(7)] == [1, 2]
    assert str(fake.requests[1].url) == link
    # a sibling account on the same sandbox is not "under" our base URL
    other = FakeZendesk(base_path="/acme").on(
        "GET",
        "/api/v2/tickets/7/comments",
        _page([1], has_more=True, after="z", next_url="http://127.0.0.1:3001/other/x"),
        _page([2], has_more=False),
    )
    list(make_client(other, base_url=base).list_comments(7))
    assert other.requests[1].url.path == "/acme/api/v2/tickets/7/comments"


def test_has_more_without_a_way_on_is_an_error() -> None:
    fake = FakeZendesk().on("GET", "/api/v2/tickets/7/comments", _page([1], has_more=True))
    comments = make_client(fake).list_comments(7)
    assert next(comments).id == 1
    with pytest.raises(ZendeskError, match="has_more"):
        next(comments)


def test_group_memberships_paginate_too() -> None:
    body = {
        "group_memberships": [{"id": 1, "user_id": 5, "group_id": 9, "default": True}],
        "meta": {"has_more": False},
    }
    fake = FakeZendesk().on("GET", "/api/v2/users/5/group_memberships", reply(200, body))
    assert [m.group_id for m in make_client(fake).user_group_memberships(5)] == [9]
