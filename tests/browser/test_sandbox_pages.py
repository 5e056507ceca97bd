"""The sandbox's pages for people (docs/contract.md §6 ``GET /``): accounts, tickets as the agent
workspace shows them, and forms that send a customer email and a person's reply."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, serious_accessibility_violations, snap
from tests.browser.test_console import new_account

pytestmark = pytest.mark.browser


def test_a_person_sends_an_email_and_replies_from_the_sandbox_pages(
    page: Page, console: Console
) -> None:
    subdomain = new_account(console)
    page.goto(console.sandbox + "/")
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    snap(page, "sandbox-0-index")
    page.get_by_role("link", name=subdomain, exact=True).click()

    email = page.get_by_role("region", name="Send a customer email")
    expect(email.get_by_label("From")).to_have_value("customer@example.com")
    email.get_by_label("Subject").fill("Broken zipper")
    email.get_by_label("Message").fill("The zipper of my bag broke after a week.")
    email.get_by_role("button", name="Send email").click()
    page.wait_for_url("**ticket_id=1")
    ticket = page.get_by_role("region", name="#1 Broken zipper")
    expect(ticket).to_contain_text("The zipper of my bag broke after a week.")
    expect(ticket).to_contain_text("(end-user) · public reply")

    reply = page.get_by_role("region", name="Reply as a person")
    expect(reply.get_by_label("As")).to_have_value(f"agent@{subdomain}.test")
    reply.get_by_label("Reply", exact=True).fill("Sorry about that, a new bag is on its way.")
    reply.get_by_label("Public reply (unchecked: internal note)").uncheck()
    reply.get_by_role("button", name="Post reply").click()
    expect(ticket.locator(".c.internal")).to_contain_text("a new bag is on its way")
    expect(ticket).to_contain_text("(agent) · internal note")
    assert serious_accessibility_violations(page) == []
    snap(page, "sandbox-1-ticket")

    # a refused request says why, next to the form
    reply.get_by_label("Reply", exact=True).fill("x")
    page.evaluate(
        "document.querySelector('[name=author_email]').innerHTML = "
        "'<option value=\"nobody@example.com\">nobody</option>'"
    )
    reply.get_by_role("button", name="Post reply").click()
    expect(reply.get_by_role("status")).to_contain_text("Refused")
