"""Tickets, comments, tags, users and groups through the Zendesk paths, plus the control routes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.sandbox.sandbox_support import Account, ApiClient
from zdsandbox.server import SandboxServer


def _detail(account: Account, ticket_id: int) -> dict[str, Any]:
    response = account.client.get(account.path(f"/_sandbox/tickets/{ticket_id}"))
    assert response.status_code == 200
    return dict(response.json()["ticket"])


def test_email_creates_an_email_ticket_for_a_new_end_user(account: Account, api: ApiClient) -> None:
    created = account.email("My parcel is late", **{"from": "new.person@example.org"})
    ticket = api.get(f"/api/v2/tickets/{created['ticket_id']}.json").json()["ticket"]
    assert ticket["status"] == "new"
    assert ticket["subject"] == "Order question"
    assert ticket["description"] == "My parcel is late"
    assert ticket["via"]["channel"] == "email"
    assert ticket["via"]["source"]["from"]["address"] == "new.person@example.org"
    requester = api.get(f"/api/v2/users/{ticket['requester_id']}").json()["user"]
    assert (requester["email"], requester["role"]) == ("new.person@example.org", "end-user")


def test_reply_on_ticket_and_auto_submitted_flag(account: Account, api: ApiClient) -> None:
    first = account.email("Hello")
    reply = account.email("Out of office", ticket_id=first["ticket_id"], auto_submitted=True)
    assert reply["ticket_id"] == first["ticket_id"]
    comments = api.get(f"/api/v2/tickets/{first['ticket_id']}/comments").json()["comments"]
    assert [c["plain_body"] for c in comments] == ["Hello", "Out of office"]
    assert comments[1]["metadata"]["flags"] == [4]
    assert comments[0]["metadata"]["flags"] == []
    assert comments[1]["via"]["source"]["from"]["address"] == "customer@example.com"


def test_put_ticket_comment_status_tags_group_assignee(account: Account, api: ApiClient) -> None:
    ticket_id = account.email("Need a refund")["ticket_id"]
    support = next(g for g in api.get("/api/v2/groups").json()["groups"] if g["name"] == "Support")
    response = api.put(
        f"/api/v2/tickets/{ticket_id}.json",
        json={
            "ticket": {
                "comment": {
                    "html_body": "<p>Hi <b>there</b></p><p>Refund done.</p>",
                    "public": True,
                    "author_id": account.user_id("ai-agent"),
                },
                "status": "pending",
                "tags": ["ai_agent_replied", "refund"],
                "group_id": support["id"],
                "assignee_email": f"agent@{account.subdomain}.test",
            }
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ticket"]["status"] == "pending"
    assert body["ticket"]["tags"] == ["ai_agent_replied", "refund"]
    assert body["ticket"]["group_id"] == support["id"]
    assert body["ticket"]["assignee_id"] == account.user_id("agent")
    assert body["audit"]["events"][0]["type"] == "Comment"
    assert response.headers["Zendesk-RateLimit-tickets-update"].startswith("total=100;")
    detail = _detail(account, ticket_id)
    reply = detail["comments"][-1]
    assert reply["plain_body"] == "Hi there\nRefund done."
    assert reply["html_body"].startswith("<p>Hi <b>there</b>")
    assert reply["author"]["email"] == f"ai-agent@{account.subdomain}.test"
    assert reply["via"]["channel"] == "api"
    assert detail["group"] == "Support"


def test_internal_note_is_private(account: Account, api: ApiClient) -> None:
    ticket_id = account.email()["ticket_id"]
    api.put(
        f"/api/v2/tickets/{ticket_id}",
        json={"ticket": {"comment": {"body": "draft answer", "public": False}}},
    )
    comments = _detail(account, ticket_id)["comments"]
    assert [c["public"] for c in comments] == [True, False]


def test_safe_update_conflict_is_409(account: Account, api: ApiClient) -> None:
    ticket_id = account.email()["ticket_id"]
    stamp = api.get(f"/api/v2/tickets/{ticket_id}").json()["ticket"]["updated_at"]
    ok = api.put(
        f"/api/v2/tickets/{ticket_id}",
        json={"ticket": {"status": "open", "safe_update": True, "updated_stamp": stamp}},
    )
    assert ok.status_code == 200
    stale = api.put(
        f"/api/v2/tickets/{ticket_id}",
        json={
            "ticket": {
                "status": "pending",
                "safe_update": True,
                "updated_stamp": "2001-01-01T00:00:00Z",
            }
        },
    )
    assert stale.status_code == 409
    assert stale.json()["error"] == "UpdateConflict"


@pytest.mark.parametrize(
    "change",
    [
        {"status": "bogus"},
        {"group_id": 999},
        {"assignee_email": "customer@example.com"},
        {"comment": {"body": "x", "author_id": 1}},
    ],
)
def test_invalid_update_is_record_invalid(
    account: Account, api: ApiClient, change: dict[str, Any]
) -> None:
    ticket_id = account.email()["ticket_id"]
    response = api.put(f"/api/v2/tickets/{ticket_id}", json={"ticket": change})
    assert response.status_code == 422
    body = response.json()
    assert (body["error"], body["description"]) == ("RecordInvalid", "Record validation errors")
    assert body["details"]


def test_closed_ticket_refuses_updates_and_email_makes_a_followup(
    account: Account, api: ApiClient
) -> None:
    ticket_id = account.email()["ticket_id"]
    assert (
        api.put(f"/api/v2/tickets/{ticket_id}", json={"ticket": {"status": "closed"}}).status_code
        == 200
    )
    assert (
        api.put(f"/api/v2/tickets/{ticket_id}", json={"ticket": {"status": "open"}}).status_code
        == 422
    )
    followup = account.email("again", ticket_id=ticket_id)
    assert followup["ticket_id"] != ticket_id
    ticket = api.get(f"/api/v2/tickets/{followup['ticket_id']}").json()["ticket"]
    assert ticket["via_followup_source_id"] == ticket_id


def test_comment_limit_is_422(sandbox: SandboxServer, account: Account, api: ApiClient) -> None:
    ticket_id = account.email()["ticket_id"]
    state = sandbox.app.sandbox.registry.get(account.subdomain)
    assert state is not None
    with state.lock:
        ticket = state.tickets[ticket_id]
        ticket.comments.extend([ticket.comments[0]] * 4999)
    response = api.put(
        f"/api/v2/tickets/{ticket_id}", json={"ticket": {"comment": {"body": "one more"}}}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "RecordInvalid"


def test_comments_cursor_pagination_and_sort(account: Account, api: ApiClient) -> None:
    ticket_id = account.email("c0")["ticket_id"]
    for n in range(1, 5):
        account.email(f"c{n}", ticket_id=ticket_id)
    seen: list[str] = []
    page = api.get(f"/api/v2/tickets/{ticket_id}/comments", params={"page[size]": 2}).json()
    while True:
        seen += [c["plain_body"] for c in page["comments"]]
        if not page["meta"]["has_more"]:
            assert page["links"]["next"] is None
            break
        assert page["links"]["next"]
        page = api.get(
            f"/api/v2/tickets/{ticket_id}/comments",
            params={"page[size]": 2, "page[after]": page["meta"]["after_cursor"]},
        ).json()
    assert seen == ["c0", "c1", "c2", "c3", "c4"]
    newest = api.get(
        f"/api/v2/tickets/{ticket_id}/comments", params={"sort": "-created_at", "page[size]": 1}
    ).json()
    assert newest["comments"][0]["plain_body"] == "c4"
    before = api.get(
        f"/api/v2/tickets/{ticket_id}/comments",
        params={"page[size]": 2, "page[before]": page["meta"]["before_cursor"]},
    ).json()
    assert [c["plain_body"] for c in before["comments"]] == ["c2", "c3"]


def test_tag_endpoints(account: Account, api: ApiClient) -> None:
    ticket_id = account.email()["ticket_id"]
    path = f"/api/v2/tickets/{ticket_id}/tags.json"
    assert api.post(path, json={"tags": ["a", "b"]}).json() == {"tags": ["a", "b"]}
    added = api.put(path, json={"tags": ["c"]})
    assert (added.status_code, added.json()) == (200, {"tags": ["a", "b", "c"]})
    assert api.delete(path, json={"tags": ["a"]}).status_code == 204
    assert api.get(path).json() == {"tags": ["b", "c"]}


def test_users_groups_and_memberships(account: Account, api: ApiClient) -> None:
    found = api.get(
        "/api/v2/users/search", params={"query": f"email:agent@{account.subdomain}.test"}
    )
    assert [u["role"] for u in found.json()["users"]] == ["agent"]
    groups = {g["name"]: g["id"] for g in api.get("/api/v2/groups.json").json()["groups"]}
    assert set(groups) == {"Support", "AI agent"}
    members = api.get(f"/api/v2/groups/{groups['AI agent']}/memberships").json()
    assert [m["user_id"] for m in members["group_memberships"]] == [account.user_id("ai-agent")]
    mine = api.get(f"/api/v2/users/{account.user_id('ai-agent')}/group_memberships").json()
    assert [m["group_id"] for m in mine["group_memberships"]] == [groups["AI agent"]]
    created = api.post(
        "/api/v2/group_memberships",
        json={
            "group_membership": {
                "user_id": account.user_id("agent"),
                "group_id": groups["AI agent"],
            }
        },
    )
    assert created.status_code == 201
    everyone = api.get("/api/v2/group_memberships", params={"page[size]": 100}).json()
    assert len(everyone["group_memberships"]) == 4
    assert everyone["meta"]["has_more"] is False
    assert api.get(f"/api/v2/groups/{groups['Support']}").json()["group"]["name"] == "Support"


def test_not_found_bodies(account: Account, api: ApiClient) -> None:
    for path in (
        "/api/v2/tickets/999999",
        "/api/v2/users/1",
        "/api/v2/groups/1",
        "/api/v2/triggers/1",
        "/api/v2/no_such_thing",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"error": "RecordNotFound", "description": "Not found"}


def test_agents_cannot_manage_webhooks_or_triggers(account: Account) -> None:
    agent = account.api("agent")
    for path in ("/api/v2/webhooks", "/api/v2/triggers"):
        response = agent.get(path)
        assert response.status_code == 403
        assert response.json()["error"] == "Forbidden"
        assert response.json()["description"].startswith("You do not have access to this page")


def test_agent_comment_and_workspace_edit(account: Account, api: ApiClient) -> None:
    ticket_id = account.email()["ticket_id"]
    response = account.client.post(
        account.path("/_sandbox/agent_comments"),
        json={
            "ticket_id": ticket_id,
            "author_email": f"agent@{account.subdomain}.test",
            "body": "internal thoughts",
            "public": False,
        },
    )
    assert response.status_code == 201
    edited = account.client.put(
        account.path(f"/_sandbox/tickets/{ticket_id}"),
        json={
            "tags": ["vip"],
            "status": "pending",
            "assignee_email": f"agent@{account.subdomain}.test",
        },
    )
    assert edited.status_code == 200
    ticket = api.get(f"/api/v2/tickets/{ticket_id}").json()["ticket"]
    assert (ticket["tags"], ticket["status"]) == (["vip"], "pending")
    assert ticket["assignee_id"] == account.user_id("agent")
    detail = _detail(account, ticket_id)
    assert detail["comments"][1]["public"] is False
    assert detail["comments"][1]["author"]["role"] == "agent"
    html = account.client.get(account.path("/_sandbox/"))
    assert html.status_code == 200
    assert "internal thoughts" in html.text


def test_new_account_is_seeded_like_acme(account: Account) -> None:
    roles = {email: user["role"] for email, user in account.users.items()}
    sub = account.subdomain
    assert roles == {
        f"admin@{sub}.test": "admin",
        f"ai-agent@{sub}.test": "admin",
        f"agent@{sub}.test": "agent",
        "customer@example.com": "end-user",
    }
    taken = account.client.post("/_sandbox/accounts", json={"subdomain": sub})
    assert taken.status_code == 422


def test_audits_list_every_update_with_ticket_and_authors_sideloaded(
    account: Account, api: ApiClient
) -> None:
    ticket_id = account.email("Where is my parcel?")["ticket_id"]
    account.client.post(
        account.path("/_sandbox/agent_comments"),
        json={
            "ticket_id": ticket_id,
            "author_email": f"agent@{account.subdomain}.test",
            "body": "Looking into it",
            "public": False,
        },
    )
    api.put(f"/api/v2/tickets/{ticket_id}/tags", json={"tags": ["vip"]})
    body = api.get(
        f"/api/v2/tickets/{ticket_id}/audits", params={"include": "users,tickets"}
    ).json()
    audits = body["audits"]
    assert len(audits) == 3  # the email, the note, the tag change: one audit per update
    email, note, tags = audits
    comment = email["events"][0]
    assert (comment["type"], comment["public"], comment["plain_body"]) == (
        "Comment",
        True,
        "Where is my parcel?",
    )
    assert comment["audit_id"] == email["id"]
    assert {e["field_name"] for e in email["events"] if e["type"] == "Create"} >= {
        "subject",
        "requester_id",
        "tags",
    }
    assert email["via"]["source"]["from"]["address"] == "customer@example.com"
    assert note["events"][0]["public"] is False
    assert [e["type"] for e in tags["events"]] == ["Change"]
    assert {u["id"] for u in body["users"]} == {a["author_id"] for a in audits}
    assert [t["id"] for t in body["tickets"]] == [ticket_id]
    assert body["tickets"][0]["tags"] == ["vip"]
    comments = api.get(f"/api/v2/tickets/{ticket_id}/comments").json()["comments"]
    assert [c["audit_id"] for c in comments] == [email["id"], note["id"]]


def test_audits_without_include_sideload_nothing_and_paginate(
    account: Account, api: ApiClient
) -> None:
    ticket_id = account.email("one")["ticket_id"]
    for text in ("two", "three"):
        account.email(text, ticket_id=ticket_id)
    first = api.get(f"/api/v2/tickets/{ticket_id}/audits", params={"page[size]": 2}).json()
    assert "users" not in first and "tickets" not in first
    assert first["meta"]["has_more"] is True
    rest = api.get(
        f"/api/v2/tickets/{ticket_id}/audits",
        params={"page[size]": 2, "page[after]": first["meta"]["after_cursor"]},
    ).json()
    texts = [a["events"][0]["plain_body"] for a in first["audits"] + rest["audits"]]
    assert texts == ["one", "two", "three"]
    assert api.get("/api/v2/tickets/999999/audits").status_code == 404


def test_audits_need_the_global_read_scope(account: Account) -> None:
    ticket_id = account.email()["ticket_id"]
    scoped = account.api("ai-agent", scope="tickets:read tickets:write")
    assert scoped.get(f"/api/v2/tickets/{ticket_id}/comments").status_code == 200
    refused = scoped.get(f"/api/v2/tickets/{ticket_id}/audits")
    assert (refused.status_code, refused.json()["error"]) == (403, "Forbidden")
    reader = account.api("ai-agent", scope="read")
    assert reader.get(f"/api/v2/tickets/{ticket_id}/audits").status_code == 200
