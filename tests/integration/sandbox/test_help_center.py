"""The sandbox's Help Center: Zendesk's paths and shapes, the hc:read scope, control routes."""

from __future__ import annotations

from typing import Any

from tests.integration.sandbox.sandbox_support import Account, ApiClient

HC_SCOPE = "read write hc:read"


def _hc_api(account: Account, local_part: str = "ai-agent") -> ApiClient:
    return account.api(local_part, HC_SCOPE)


def _create(account: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Recycling your Zorblax", "body": "<p>At any shop.</p>", "locale": "en-us"}
    response = account.client.post(
        account.path("/_sandbox/help_center/articles"), json=body | fields
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_accounts_are_seeded_with_the_demo_help_centre_in_two_locales(account: Account) -> None:
    api = _hc_api(account)
    locales = api.get("/api/v2/help_center/locales.json").json()
    assert locales == {"locales": ["en-us", "fr"], "default_locale": "en-us"}
    for locale in ("en-us", "fr"):
        page = api.get(f"/api/v2/help_center/{locale}/articles.json", params={"page[size]": 100})
        assert page.status_code == 200
        articles = page.json()["articles"]
        assert len(articles) == 16
        assert {a["locale"] for a in articles} == {locale}
        first = articles[0]
        assert first["body"].startswith("<") and first["draft"] is False
        assert first["html_url"].startswith(f"{account.client.base_url}/{account.subdomain}/hc/")


def test_help_center_reads_need_the_hc_read_scope(account: Account) -> None:
    plain = account.api("ai-agent", "read write")
    refused = plain.get("/api/v2/help_center/en-us/articles.json")
    assert refused.status_code == 403
    assert refused.json()["error"] == "Forbidden"
    assert plain.get("/api/v2/groups.json").status_code == 200  # other reads are unchanged
    assert _hc_api(account).get("/api/v2/help_center/en-us/articles.json").status_code == 200


def test_cursor_pagination_walks_every_article_once(account: Account) -> None:
    api = _hc_api(account)
    seen: list[int] = []
    params: dict[str, Any] = {"page[size]": 5}
    while True:
        body = api.get("/api/v2/help_center/fr/articles.json", params=params).json()
        seen += [a["id"] for a in body["articles"]]
        if not body["meta"]["has_more"]:
            break
        params = {"page[size]": 5, "page[after]": body["meta"]["after_cursor"]}
    assert len(seen) == len(set(seen)) == 16


def test_incremental_export_lists_changes_drafts_included_deletions_never(
    account: Account,
) -> None:
    api = _hc_api(account)
    created = _create(account, draft=True)
    start = 0
    body = api.get("/api/v2/help_center/incremental/articles.json", params={"start_time": start})
    assert body.status_code == 200
    page = body.json()
    assert set(page) >= {"articles", "count", "end_time", "next_page"}
    assert page["count"] == len(page["articles"]) == 33
    assert page["next_page"] is None
    draft = next(a for a in page["articles"] if a["id"] == created["id"])
    assert draft["draft"] is True
    deleted = account.client.delete(account.path(f"/_sandbox/help_center/articles/{created['id']}"))
    assert deleted.status_code == 204
    after = api.get("/api/v2/help_center/incremental/articles.json", params={"start_time": start})
    assert created["id"] not in {a["id"] for a in after.json()["articles"]}
    missing = api.get("/api/v2/help_center/incremental/articles.json")
    assert missing.status_code == 400


def test_end_users_never_see_drafts_and_control_routes_edit(account: Account) -> None:
    created = _create(account, draft=True, label_names=["zorblax"])
    agent_view = _hc_api(account).get(
        "/api/v2/help_center/en-us/articles.json", params={"label_names": "zorblax"}
    )
    assert [a["id"] for a in agent_view.json()["articles"]] == [created["id"]]
    patched = account.client.patch(
        account.path(f"/_sandbox/help_center/articles/{created['id']}"),
        json={"body": "<p>New text</p>", "draft": False},
    )
    assert patched.status_code == 200
    assert patched.json()["article"]["body"] == "<p>New text</p>"
    bad = account.client.patch(
        account.path(f"/_sandbox/help_center/articles/{created['id']}"), json={"section_id": 1}
    )
    assert bad.status_code == 422
    unknown = account.client.delete(account.path("/_sandbox/help_center/articles/1"))
    assert unknown.status_code == 404


def test_unknown_locale_and_sections(account: Account) -> None:
    api = _hc_api(account)
    assert api.get("/api/v2/help_center/de/articles.json").status_code == 404
    sections = api.get("/api/v2/help_center/fr/sections.json").json()["sections"]
    assert [s["name"] for s in sections] == ["Commandes, livraison et retours", "Annonces"]
