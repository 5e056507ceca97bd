"""Knowledge from the sandbox's Help Center answers customers on the real local stack (issue 14):
an article's link in the reply, drafts never, edits after the next sync, deletions gone, and the
English and French help centres side by side."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningStack
from tests.support.flows import Api, http_connect

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 60.0
RECYCLE = (
    "<h2>Recycling your Zorblax</h2>"
    "<p>We recycle every <strong>Zorblax</strong> for free: bring your old Zorblax to any "
    "of our shops, or send it with the prepaid Zorblax recycling label.</p>"
    "<ul><li>Remove the Zorblax battery first.</li><li>Recycling takes 10 days.</li></ul>"
)
RECYCLE_EDITED = (
    "<h2>Recycling your Zorblax</h2>"
    "<p>Zorblax recycling now works only with the online Zorblax recycling form; shops no "
    "longer take a Zorblax back. Recycling is free.</p>"
)
DRAFT = (
    "<p>The Quantumflux blender ships on 1 March with a secret launch code QF-2931; "
    "Quantumflux blender preorders open soon.</p>"
)


@pytest.fixture
def api(local_stack: RunningStack) -> Api:
    return Api(local_stack.api_url, local_stack.admin_token)


@pytest.fixture
def shop(local_stack: RunningStack, api: Api) -> Shop:
    subdomain = "hc" + uuid.uuid4().hex[:10]
    created = httpx.post(
        f"{local_stack.sandbox_url}/_sandbox/accounts", json={"subdomain": subdomain}, timeout=10
    )
    assert created.status_code == 201, created.text
    agent_id = http_connect(api, subdomain, languages=["en", "fr"])
    return Shop(local_stack, api, subdomain, agent_id)


class Shop:
    """A sandbox account with its seeded Help Center (EN + FR) and our connected agent."""

    def __init__(self, stack: RunningStack, api: Api, subdomain: str, agent_id: str) -> None:
        self.stack, self.api, self.subdomain, self.agent_id = stack, api, subdomain, agent_id
        self.control = f"{stack.sandbox_url}/{subdomain}/_sandbox"

    def article(self, method: str, path: str = "", **fields: Any) -> dict[str, Any]:
        url = f"{self.control}/help_center/articles{path}"
        response = httpx.request(method, url, json=fields or None, timeout=10)
        assert response.status_code < 300, response.text
        return dict(response.json()) if response.content else {}

    def sync(self) -> dict[str, Any]:
        self.api.ok("POST", f"/agents/{self.agent_id}/knowledge/sync", status=202)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            shown = self.api.ok("GET", f"/agents/{self.agent_id}/knowledge")
            if shown["last_sync"]["status"] != "running":
                assert shown["last_sync"]["status"] == "succeeded", shown
                return dict(shown)
            assert time.monotonic() < deadline, "the sync did not end within the deadline"
            time.sleep(0.25)

    def ask(self, subject: str, body: str) -> dict[str, Any]:
        """Email support; the ticket once the agent decided (reply or handover)."""
        sent = httpx.post(
            f"{self.control}/emails",
            json={"from": "customer@example.com", "subject": subject, "body": body},
            timeout=10,
        )
        assert sent.status_code == 201, sent.text
        ticket_id = sent.json()["ticket_id"]
        deadline = time.monotonic() + DEADLINE_SECONDS
        path = f"/agents/{self.agent_id}/conversations/{ticket_id}"
        while True:
            found = self.api.call("GET", path)
            if found.status_code == 200 and found.json().get("decisions"):
                break
            assert time.monotonic() < deadline, "no decision within the deadline"
            time.sleep(0.25)
        ticket = httpx.get(f"{self.control}/tickets/{ticket_id}", timeout=10)
        ticket.raise_for_status()
        return dict(ticket.json()["ticket"])


def public_ai_text(ticket: dict[str, Any]) -> str:
    return "\n".join(
        c["html_body"] + c["plain_body"]
        for c in ticket["comments"]
        if c["public"] and (c.get("author") or {}).get("email", "").startswith("ai-agent@")
    )


def test_help_center_articles_answer_customers_and_follow_edits_drafts_and_deletions(
    shop: Shop,
) -> None:
    shop.api.ok("PUT", f"/agents/{shop.agent_id}/knowledge/source", {"kind": "zendesk_help_center"})
    recycle = shop.article("POST", title="Recycling your Zorblax", body=RECYCLE, locale="en-us")
    shop.article("POST", title="Quantumflux blender launch", body=DRAFT, locale="en-us", draft=True)
    first = shop.sync()
    assert first["articles"] == 33  # 32 seeded (EN + FR) + the recycling article; no draft

    # a new article answers with its link
    answered = public_ai_text(
        shop.ask("Recycling", "Hello, how can I recycle my old Zorblax? Is Zorblax recycling free?")
    )
    assert recycle["html_url"] in answered
    assert "prepaid" in answered

    # a draft never reaches a customer
    draft_question = shop.ask(
        "Quantumflux blender", "When does the Quantumflux blender ship? What is the launch code?"
    )
    assert "QF-2931" not in public_ai_text(draft_question)
    assert "Quantumflux" not in public_ai_text(draft_question)

    # two locales side by side: French answered from the French article, English from the English
    french = public_ai_text(
        shop.ask("Ma commande", "Bonjour, où en est ma commande ? Comment suivre mon colis ?")
    )
    assert "/hc/fr/articles/" in french and "/hc/en-us/" not in french
    english = public_ai_text(
        shop.ask("My order", "Hello, where is my order? How can I track my parcel?")
    )
    assert "/hc/en-us/articles/" in english and "/hc/fr/" not in english

    # an edited article is answered in its new form after the next sync
    shop.article("PATCH", f"/{recycle['id']}", body=RECYCLE_EDITED)
    second = shop.sync()
    assert second["last_sync"]["articles_updated"] == 1
    edited = public_ai_text(
        shop.ask("Recycling again", "Hello, how can I recycle my old Zorblax? Is it still free?")
    )
    assert "online Zorblax recycling form" in edited
    assert "prepaid" not in edited

    # a deleted article no longer answers
    shop.article("DELETE", f"/{recycle['id']}")
    third = shop.sync()
    assert third["last_sync"]["articles_removed"] == 1
    gone = public_ai_text(
        shop.ask("Recycling", "Hello, how can I recycle my old Zorblax? Is Zorblax recycling free?")
    )
    assert recycle["html_url"] not in gone
    assert "Zorblax recycling" not in gone
