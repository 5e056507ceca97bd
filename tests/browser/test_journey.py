"""The seed journey clicked through twice in a row on one agent, the second time on another
Zendesk account: connect (the first time after a consent by the wrong Zendesk user), answer an
email, disconnect, remove, reconnect elsewhere. After every
action each card must show the server's current state (nothing stale from before), speak an
admin's words, and the page must pass axe-core. Every screen is saved to tests/browser/screenshots/.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, serious_accessibility_violations, snap
from tests.browser.test_console import (
    AUTHORIZE,
    JOB_DEADLINE_MS,
    REPLY_DEADLINE_SECONDS,
    REVOKE,
    allow_as,
    create_agent,
    new_account,
    open_consent_tab,
    sign_in,
    until,
)
from tests.support.flows import AI_AGENT

pytestmark = pytest.mark.browser

# what an admin must never read: routes, status codes, class names, codes in snake_case
DEVELOPER_SPEAK = re.compile(
    r"(GET|POST|PUT|PATCH|DELETE) /|\(\d{3}\)|[A-Z][a-z]+Error\b|\b[a-z]+_[a-z_]+\b|allow_unsafe"
)


def readable(page: Page) -> str:
    """The text of every visible card an admin reads (not the raw trigger JSON, not inputs)."""
    return str(
        page.evaluate(
            """() => [...document.querySelectorAll(
                '#integration-section .status-line, #integration-section dd, #checks-list,'
                + ' .error[role=alert], #disconnect-progress, #stats, #conversations-body,'
                + ' #conversation-detail, #knowledge-section dl')]
              .filter((n) => n.offsetParent !== null).map((n) => n.innerText).join('\\n')"""
        )
    )


def assert_plain_and_accessible(page: Page, screen: str) -> None:
    snap(page, screen)
    text = readable(page)
    assert not DEVELOPER_SPEAK.search(text), f"{screen}: developer speak in {text!r}"
    assert serious_accessibility_violations(page) == [], screen


def customer_email(console: Console, subdomain: str, subject: str) -> int:
    sent = httpx.post(
        f"{console.sandbox}/{subdomain}/_sandbox/emails",
        json={"from": "customer@example.com", "subject": subject, "body": f"{subject} Thanks!"},
    )
    assert sent.status_code == 201, sent.text
    return int(sent.json()["ticket_id"])


def connect_in_the_console(
    page: Page, subdomain: str, screen: str, *, wrong_user_first: bool = False
) -> None:
    checks = page.get_by_role("list", name="Integration checks")
    page.get_by_label("Zendesk subdomain").fill(subdomain)
    page.get_by_label("AI agent user email").fill(AI_AGENT.format(sub=subdomain))
    page.get_by_role("button", name="Add integration").click()
    expect(page.get_by_role("button", name=AUTHORIZE)).to_be_visible()
    # a new integration starts clean: no checks, no trigger, no earlier disconnect
    expect(checks.get_by_role("listitem")).to_have_count(0)
    expect(page.locator("#trigger-view")).to_be_hidden()
    expect(page.locator("#disconnect-progress")).to_be_hidden()
    expect(page.locator("#connection-summary")).to_have_text(
        "Not connected yet. Next: authorize Zendesk Support."
    )
    # the log shows the new account's conversations (none yet), not the previous account's
    expect(page.locator("#account-note")).to_contain_text(f"{subdomain}.zendesk.com")
    expect(page.locator("#conversations-body tr")).to_have_count(0)

    # a step out of order: the error names what to do, next to the switch
    engine = page.get_by_role("switch", name="Automation engine")
    engine.click()  # refused: the switch goes back off
    expect(page.locator("#engine-error")).to_have_text(
        "Authorize Zendesk Support first (the Authorize button), signed in to Zendesk as the AI"
        " agent user."
    )
    page.get_by_role("button", name="Run checks").click()
    expect(checks.locator("li.error")).to_have_count(1)
    assert_plain_and_accessible(page, f"{screen}-1-added")

    if wrong_user_first:
        consent_as_the_wrong_user(page, subdomain)
    tab = open_consent_tab(page)
    with tab.expect_event("close", timeout=JOB_DEADLINE_MS):
        allow_as(tab, AI_AGENT.format(sub=subdomain))
    expect(page.get_by_role("button", name=REVOKE)).to_be_visible()
    expect(page.locator("#connected-as")).to_have_text(
        f"Authorized as {AI_AGENT.format(sub=subdomain)}"
    )
    expect(page.locator("#authorization-error")).to_be_hidden()
    # the earlier 409 and the failing check are gone: the checks ran again (only the trigger,
    # not created yet, fails now)
    expect(page.locator("#engine-error")).to_be_hidden()
    expect(checks.locator("li.ok").first).to_contain_text("Authorization")
    expect(checks.locator("li.error")).to_contain_text("The automation trigger exists")

    page.get_by_role("button", name="Create automation trigger").click()
    # the trigger, shown read-only as Zendesk has it
    shown = page.get_by_label("Trigger JSON", exact=True)
    expect(shown).to_contain_text('"title": "AI agent email automation: agt_')
    expect(shown).to_contain_text('"field": "notification_webhook"')
    assert shown.evaluate("node => node.tagName") == "PRE"
    expect(page.get_by_label("Trigger JSON (editing)")).to_be_hidden()
    expect(page.get_by_role("button", name="Deactivate trigger")).to_be_visible()
    expect(page.locator("#trigger-drift")).to_have_text("As saved here")
    expect(page.locator("#trigger-status")).to_have_text("Active")
    engine.focus()
    page.keyboard.press("Space")  # the switch works from the keyboard
    expect(engine).to_be_checked()
    expect(page.locator("#connection-summary")).to_have_text(
        "Connected: the agent answers customer emails."
    )
    expect(page.locator("#engine-state")).to_have_text("On: customer emails are answered.")
    expect(checks.locator("li.error")).to_have_count(0)
    assert_plain_and_accessible(page, f"{screen}-2-connected")


def consent_as_the_wrong_user(page: Page, subdomain: str) -> None:
    """Another Zendesk user consents: refused, revoked, and the console says who to sign in as."""
    wrong = open_consent_tab(page)
    allow_as(wrong, f"admin@{subdomain}.test")
    expect(wrong.locator("#detail")).to_contain_text(f"you authorized as admin@{subdomain}.test")
    expect(page.locator("#authorization-error")).to_contain_text(
        f"Sign in to Zendesk as {AI_AGENT.format(sub=subdomain)}"
    )
    expect(page.get_by_role("button", name=AUTHORIZE)).to_be_visible()
    wrong.close()


def answered_in_the_log(
    page: Page, console: Console, subdomain: str, subject: str, screen: str
) -> None:
    ticket_id = customer_email(console, subdomain, subject)
    opener = page.get_by_role("button", name=f"Open conversation {ticket_id}", exact=True)

    def listed() -> bool:
        page.get_by_role("button", name="Refresh conversations").click()
        expect(page.get_by_role("button", name="Refresh conversations")).to_be_enabled()
        if opener.count() != 1:
            return False
        status = page.get_by_role("row").filter(has=opener).inner_text()
        decided = "Answered" in status or "Handed over" in status
        # the counts are written just after the log's rows: a refresh between the two shows the
        # decision before it is counted, the next one counts it
        return decided and conversations_counted.inner_text() != "0"

    conversations_counted = page.get_by_label("Statistics").locator(".n").first
    until(listed, REPLY_DEADLINE_SECONDS, f"ticket {ticket_id} decided and counted in the log")
    opener.click()
    who = page.locator("#conversation-messages .who")
    expect(who.first).to_have_text("Customer")
    expect(page.locator("#conversation-messages")).to_contain_text(f"{subject} Thanks!")
    decisions = page.get_by_role("table", name="Decisions").locator("tbody tr")
    expect(decisions.first).to_be_visible()
    assert "visitor" not in page.locator("#conversation-detail").inner_text()
    assert_plain_and_accessible(page, f"{screen}-3-conversation")


def disconnect_then_remove(page: Page, screen: str) -> None:
    checks = page.get_by_role("list", name="Integration checks")
    page.get_by_role("button", name="Disconnect…").click()
    dialog = page.get_by_role("dialog", name="Disconnect this agent from Zendesk?")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # the dialog closes from the keyboard and changes nothing
    expect(dialog).to_be_hidden()
    expect(page.locator("#connection-summary")).to_contain_text("Connected")

    page.get_by_role("button", name="Disconnect…").click()
    dialog.get_by_role("button", name="Disconnect", exact=True).click()
    expect(page.locator("#disconnect-status")).to_have_text("Done", timeout=JOB_DEADLINE_MS)
    # nothing left from the connected state
    expect(page.get_by_role("button", name=AUTHORIZE)).to_be_visible()
    expect(page.locator("#authorization-status")).to_have_text("Revoked")
    expect(page.locator("#trigger-status")).to_contain_text("Inactive")
    expect(page.locator("#engine-status")).to_have_text("Off")
    expect(page.get_by_role("switch", name="Automation engine")).not_to_be_checked()
    expect(page.locator("#trigger-view")).to_be_hidden()
    expect(page.locator("#connection-summary")).to_contain_text("Not connected")
    expect(checks.locator("li.ok")).to_have_count(0)
    expect(checks).to_contain_text("Authorization")
    expect(checks.locator("li.error")).to_have_count(1)
    assert_plain_and_accessible(page, f"{screen}-4-disconnected")

    page.get_by_role("button", name="Remove integration…").click()
    remove = page.get_by_role("dialog", name="Remove the integration?")
    remove.get_by_role("button", name="Remove integration").click()
    expect(page.get_by_role("button", name="Add integration")).to_be_visible(
        timeout=JOB_DEADLINE_MS
    )
    expect(page.locator("#integration-details")).to_be_hidden()
    # the token was revoked by the disconnect: what stays in Zendesk is listed, with where to go
    leftovers = page.locator("#disconnect-leftovers")
    expect(leftovers).to_contain_text("stays in Zendesk")
    expect(leftovers.get_by_role("link", name="Open Zendesk Admin Center")).to_be_visible()
    assert_plain_and_accessible(page, f"{screen}-5-removed")


def test_the_seed_journey_twice_leaves_nothing_stale(page: Page, console: Console) -> None:
    sign_in(page, console)
    assert console.token not in page.content()
    assert serious_accessibility_violations(page) == []
    create_agent(page, "Twice agent")
    assert_plain_and_accessible(page, "journey-0-agent")
    accounts = []
    for round_number in (1, 2):
        subdomain = new_account(console)
        accounts.append(subdomain)
        screen = f"journey-round{round_number}"
        connect_in_the_console(page, subdomain, screen, wrong_user_first=round_number == 1)
        answered_in_the_log(page, console, subdomain, SUBJECTS[round_number - 1], screen)
        disconnect_then_remove(page, screen)
    each_account_keeps_its_own_ticket_1(page, accounts)


SUBJECTS = ("Where is my parcel? (first shop)", "Where is my parcel? (second shop)")


def each_account_keeps_its_own_ticket_1(page: Page, accounts: list[str]) -> None:
    """Both accounts' first ticket is #1: each stays in its own account's log, the last active
    one shown by default, the earlier one a choice away; the counts add up with each log."""
    first, second = accounts
    page.get_by_role("button", name="Refresh conversations").click()
    account = page.get_by_label("Zendesk account")
    expect(account.locator("option")).to_have_count(2)
    expect(account.locator("option:checked")).to_have_text(f"{second}.zendesk.com (earlier)")
    rows = page.get_by_role("table", name="Conversations").locator("tbody tr")
    stat = page.locator("#stat-cards li").first
    for subdomain, subject, screen in (
        (second, SUBJECTS[1], "journey-6-log"),
        (first, SUBJECTS[0], "journey-7-log-earlier-account"),
    ):
        account.select_option(subdomain)
        expect(page.locator("#account-note")).to_contain_text(f"{subdomain}.zendesk.com")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(subject)
        expect(stat).to_have_text("1Conversations")
        page.get_by_role("button", name="Open conversation 1", exact=True).click()
        expect(page.locator("#conversation-title")).to_have_text(f"Ticket #1: {subject}")
        expect(page.locator("#conversation-meta")).to_contain_text(f"{subdomain}.zendesk.com")
        assert_plain_and_accessible(page, screen)
